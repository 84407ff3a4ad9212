export * from "./data.js";
export * from "./kaplanMeier.js";
