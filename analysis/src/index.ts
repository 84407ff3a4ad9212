/**
 * @cryomargin/analysis — pure, typed computation for cryomargin: statistics, survival analysis and
 * margin geometry. No file or network I/O: the same code runs in vitest, in the Node CLI/loaders and in
 * the browser (Observable Framework pages import it by this package's name).
 *
 * - `stats/`    descriptives, distributions, hypothesis tests, ROC, bootstrap
 * - `survival/` Kaplan-Meier, log-rank, Cox proportional hazards
 * - `margin/`   signed distance, minimal treatment margin (MTM), octants, volumes, diameter
 * - `cohort/`   the cohort folder's clinical table: columns, codes, parsing and validation
 * - `register/` registration helpers: region of interest, rigid motion sizes, target registration error,
 *   transform files as text (ITK .tfm and JSON: parse and write)
 * - `plan/`     the paper's analysis plan: tables 1-3, survival, reproduction against the paper
 * - `charts/`   vega-lite specs shared by the CLI's figures and the site's pages
 * - `whatif/`   the explorer's live recomputation: threshold → 2×2 table, accuracy, Fisher, KM, ROC
 */
export * from "./charts/index.js";
export * from "./cohort/index.js";
export * from "./margin/index.js";
export * from "./plan/index.js";
export * from "./register/index.js";
export * from "./segment/index.js";
export * from "./stats/index.js";
export * from "./survival/index.js";
export * from "./synth/index.js";
export * from "./table/index.js";
export { ANALYSIS_VERSION } from "./version.js";
export * from "./volume/index.js";
export * from "./whatif/index.js";
