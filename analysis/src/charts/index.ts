// vega-lite specs shared by the CLI's figures (loaders/figures) and the site's pages.
export * from "./coxForest.js";
export * from "./kaplanMeierChart.js";
export * from "./mtmByOutcome.js";
export * from "./mtmVersusSize.js";
export * from "./octantCoverage.js";
export * from "./rocChart.js";
export * from "./spec.js";
