export * from "./distributions.js";
