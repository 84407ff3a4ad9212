/**
 * R versus SPSS 25 conventions, the four places where they give different numbers on the same data:
 *
 * | what                     | R                                                     | SPSS 25                                    |
 * | ------------------------ | ----------------------------------------------------- | ------------------------------------------ |
 * | Mann-Whitney p           | exact without ties (n < 50), else normal + continuity | asymptotic normal, no continuity correction |
 * | Spearman p               | exact (AS 89) without ties, else t approximation      | t approximation                            |
 * | Cox ties                 | Efron                                                 | Breslow                                    |
 * | quartiles (IQR)          | type 7 (`quantile()` default)                         | type 6 (EXAMINE's weighted average)        |
 *
 * Both use a tie-corrected variance for the normal approximation of Mann-Whitney, Royston's Shapiro-Wilk,
 * Fisher's exact test with the "probabilities ≤ observed" two-sided rule, Wald confidence intervals for
 * Cox hazard ratios and Greenwood's variance for Kaplan-Meier.
 */
import type { QuantileType } from "../stats/descriptives.js";
import { type MannWhitneyOptions, type MannWhitneyResult, mannWhitney } from "../stats/mannWhitney.js";
import { type SpearmanResult, spearman } from "../stats/spearman.js";
import type { CoxTies } from "../survival/cox.js";
import type { Conventions, TestReport } from "./types.js";

export interface ConventionSettings {
  name: Conventions;
  mannWhitney: MannWhitneyOptions;
  /** "exact-when-possible": AS 89 without ties (R); "t": always the t approximation (SPSS). */
  spearmanP: "exact-when-possible" | "t";
  coxTies: CoxTies;
  quantileType: QuantileType;
  /** One line per convention, for the methods section of every output. */
  description: string[];
}

/** The settings of a convention name. Example: `conventionSettings("spss").coxTies` = "breslow". */
export function conventionSettings(name: Conventions): ConventionSettings {
  if (name === "spss")
    return {
      name,
      mannWhitney: { exact: false, correct: false },
      spearmanP: "t",
      coxTies: "breslow",
      quantileType: 6,
      description: [
        "Mann-Whitney U: asymptotic normal p with tie-corrected variance, no continuity correction (SPSS 'Asymp. Sig.')",
        "Spearman's rho: p from the t approximation t = rho·√((n − 2)/(1 − rho²)), n − 2 df (SPSS)",
        "Cox regression: Breslow's method for tied event times (SPSS)",
        "Quartiles and IQR: Hyndman-Fan type 6, weighted average at (n + 1)p (SPSS EXAMINE)",
      ],
    };
  return {
    name,
    mannWhitney: { exact: "auto", correct: true },
    spearmanP: "exact-when-possible",
    coxTies: "efron",
    quantileType: 7,
    description: [
      "Mann-Whitney U: exact p when there are no ties and both groups have < 50 cases, else normal approximation with tie-corrected variance and continuity correction (R wilcox.test)",
      "Spearman's rho: exact p by AS 89 when there are no ties, else the t approximation (R cor.test)",
      "Cox regression: Efron's method for tied event times (R coxph)",
      "Quartiles and IQR: Hyndman-Fan type 7 (R quantile default)",
    ],
  };
}

/** Words for how a Mann-Whitney p was computed. */
function mannWhitneyMethodText(result: MannWhitneyResult): string {
  switch (result.method) {
    case "exact":
      return "Mann-Whitney U, exact p (no ties)";
    case "exact-conditional":
      return "Mann-Whitney U, exact conditional (permutation) p given the ties";
    case "normal":
      return "Mann-Whitney U, normal approximation with tie-corrected variance, no continuity correction";
    default:
      return "Mann-Whitney U, normal approximation with tie-corrected variance and continuity correction";
  }
}

/**
 * Mann-Whitney of x against y under a convention, as a TestReport (statistic W = U of x).
 * Example: ties present, R → "…continuity correction"; SPSS → "…no continuity correction".
 */
export function mannWhitneyReport(
  x: readonly number[],
  y: readonly number[],
  options: MannWhitneyOptions,
  label = "",
): TestReport {
  const result = mannWhitney(x, y, options);
  const tooLarge = result.warnings.some((w) => w.code === "exact-too-large");
  return {
    ...result,
    test: "mann-whitney",
    description: `${mannWhitneyMethodText(result)}${label ? ` (${label}${tooLarge ? ": too large to enumerate" : ""})` : ""}`,
  };
}

/** Spearman's rho with the p the convention reports; `pMethod` says which. */
export function spearmanByConvention(
  x: readonly number[],
  y: readonly number[],
  settings: ConventionSettings,
): SpearmanResult & { pReported: number; pMethod: string } {
  const result = spearman(x, y);
  if (settings.spearmanP === "exact-when-possible" && result.pExact !== null)
    return { ...result, pReported: result.pExact, pMethod: "exact (AS 89, no ties)" };
  const why = settings.spearmanP === "t" ? "SPSS" : "ties present";
  return { ...result, pReported: result.pAsymptoticT, pMethod: `t approximation, n − 2 df (${why})` };
}
