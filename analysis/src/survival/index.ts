export * from "./cox.js";
export * from "./coxTerms.js";
export * from "./data.js";
export * from "./firth.js";
export * from "./kaplanMeier.js";
export * from "./linearAlgebra.js";
export * from "./logRank.js";
