export * from "./folders.js";
export * from "./parse.js";
export * from "./problems.js";
export * from "./record.js";
export * from "./schema.js";
