/**
 * @cryomargin/analysis — pure, typed computation for cryomargin: statistics, survival analysis and
 * margin geometry. No file or network I/O: the same code runs in vitest, in the Node CLI/loaders and in
 * the browser (Observable Framework pages import it by this package's name).
 *
 * Modules re-exported here:
 * - `stats/`   descriptives, distributions, hypothesis tests, ROC, bootstrap
 * - `survival/` Kaplan-Meier, log-rank, Cox proportional hazards
 * - `margin/`  signed distance, minimal treatment margin (MTM), octants, volumes, diameter
 */
export { ANALYSIS_VERSION } from "./version.js";
