/**
 * The shape every result of the statistics engine shares, as scipy.stats' result objects share
 * `statistic` and `pvalue`: one name per concept, so callers (the analysis plan, the CLI, the site) read any
 * test the same way and never re-map or parse text.
 *
 * - `statistic`: the test statistic whose null distribution gives p — W (Mann-Whitney, R's W = U of the
 *   first group), t, S (Spearman, as R's cor.test; rho is the estimate), W (Shapiro-Wilk), χ² (log-rank, Cox
 *   tests), z (a Cox coefficient), x (binomial: successes); NaN where the test has none (Fisher's exact test).
 * - `p`: two-sided p-value.
 * - `ci`: the confidence interval of the test's estimate (difference of means, odds ratio, proportion,
 *   hazard ratio), at `confLevel`; null where the test estimates nothing (Mann-Whitney, Shapiro-Wilk,
 *   log-rank, Fisher-Freeman-Halton).
 * - `method`: a code naming how p was obtained (e.g. "exact", "normal-continuity-corrected", "welch").
 * - `warnings`: coded warnings — `code` for programs, `message` for people.
 */

/** Every warning the statistics engine can raise. */
export type StatsWarningCode =
  /** Exact p asked for, but the data have ties: the normal approximation was used (R does the same). */
  | "ties-no-exact"
  /** Exact conditional p asked for, but its enumeration is too large: the normal approximation was used. */
  | "exact-too-large"
  /** Both samples constant: the statistic is not defined. */
  | "constant-data"
  /** ROC: the cases do not rank above the controls in the direction given. */
  | "auc-below-direction"
  /** Cox: a covariate is collinear with the others; its coefficient is NA. */
  | "collinear"
  /** Newton–Raphson stopped at its iteration limit. */
  | "not-converged"
  /** Cox: monotone likelihood (separation); the coefficient's MLE is infinite. */
  | "monotone-likelihood"
  /** Bootstrap: some resamples gave a non-finite statistic and were left out. */
  | "non-finite-replicates"
  /** Bootstrap: too few finite replicates for an interval. */
  | "too-few-replicates"
  /** Bootstrap BCa: the bias correction is infinite; the percentile interval was used. */
  | "bca-infinite-bias"
  /** Firth: the profile likelihood does not reach the critical value on one side (an infinite limit). */
  | "profile-unbounded"
  /** A grouped analysis has one group among the rows used (no comparison). */
  | "one-group";

export interface StatsWarning {
  code: StatsWarningCode;
  message: string;
}

/** The part every result has: how it was computed and what to be careful about. */
export interface StatsResultBase<Method extends string = string> {
  method: Method;
  warnings: StatsWarning[];
}

/** A hypothesis test's result (see the module comment for what each field holds). */
export interface TestResult<Method extends string = string> extends StatsResultBase<Method> {
  statistic: number;
  p: number;
  ci: [number, number] | null;
  confLevel: number | null;
}

/** A warning. Example: `statsWarning("ties-no-exact", "cannot compute exact p-value with ties")`. */
export function statsWarning(code: StatsWarningCode, message: string): StatsWarning {
  return { code, message };
}

/** The messages of coded warnings, for a reader (CLI JSON, tables, reports). */
export function warningMessages(warnings: readonly StatsWarning[]): string[] {
  return warnings.map((w) => w.message);
}
