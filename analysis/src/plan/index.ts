// The paper's analysis plan: tables 1–3, margins, survival, reproduction against the paper, formatting.
export * from "./analyze.js";
export * from "./cases.js";
export * from "./compare.js";
export * from "./conventions.js";
export * from "./figures.js";
export * from "./format.js";
export * from "./formatResults.js";
export * from "./ltpSite.js";
export * from "./margins.js";
export * from "./reproduce.js";
export * from "./survival.js";
export * from "./table1.js";
export * from "./table2.js";
export * from "./table3.js";
export * from "./types.js";
export * from "./variables.js";
