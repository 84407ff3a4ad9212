export * from "./delimited.js";
