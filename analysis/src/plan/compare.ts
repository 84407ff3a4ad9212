/**
 * The paper's rule for comparing two groups (Statistical analysis section): continuous variables by the
 * independent t-test when normally distributed, else Mann-Whitney U; categorical variables by Fisher's
 * exact test with two levels, Fisher-Freeman-Halton with more.
 *
 * "Normally distributed" is read as: Shapiro-Wilk p > α (0.05) in each group separately (the usual SPSS
 * practice with EXAMINE … BY group). A group too small for Shapiro-Wilk (n < 3) or with all values equal
 * counts as not shown normal, so Mann-Whitney is used.
 */

import { maxOf, minOf } from "../stats/descriptives.js";
import { type FisherResult, fisherExact } from "../stats/fisher.js";
import { type ShapiroWilkResult, shapiroWilk } from "../stats/shapiroWilk.js";
import { tTest } from "../stats/tTest.js";
import { type ConventionSettings, mannWhitneyReport } from "./conventions.js";
import { notTested, type TestReport } from "./types.js";

/** Shapiro-Wilk of one group, or null when it cannot be computed (n < 3 or constant values). */
export function normalityOf(x: readonly number[]): ShapiroWilkResult | null {
  if (x.length < 3 || maxOf(x) - minOf(x) < 1e-10) return null;
  return shapiroWilk(x);
}

export interface ContinuousComparison {
  /** Shapiro-Wilk per group (first, second); null where not computable. */
  normality: [ShapiroWilkResult | null, ShapiroWilkResult | null];
  /** True when both groups pass Shapiro-Wilk at α, so the t-test was used. */
  bothNormal: boolean;
  test: TestReport;
}

/**
 * Compares a continuous variable between two groups by the paper's rule. Example: two clearly normal
 * groups → Student's t-test; a skewed group → Mann-Whitney with the convention's p.
 */
export function compareContinuous(
  x: readonly number[],
  y: readonly number[],
  settings: ConventionSettings,
  { alpha = 0.05, welch = false } = {},
): ContinuousComparison {
  const normality: [ShapiroWilkResult | null, ShapiroWilkResult | null] = [normalityOf(x), normalityOf(y)];
  const bothNormal = normality.every((s) => s !== null && s.p > alpha);
  if (x.length === 0 || y.length === 0)
    return { normality, bothNormal, test: notTested("not tested: a group has no values") };
  const all = [...x, ...y];
  if (maxOf(all) === minOf(all))
    return { normality, bothNormal, test: notTested("not tested: every value is the same") };
  if (bothNormal) {
    const t = tTest(x, y, { welch });
    return {
      normality,
      bothNormal,
      test: {
        ...t,
        test: "t-test",
        description: `${welch ? "Welch's" : "Student's (pooled variance)"} t-test, both groups normal by Shapiro-Wilk (p > ${alpha})`,
      },
    };
  }
  const why = normality
    .map((s, i) =>
      s === null
        ? `group ${i + 1} too small or constant for Shapiro-Wilk`
        : `group ${i + 1} Shapiro-Wilk p = ${s.p.toFixed(3)}`,
    )
    .join(", ");
  const report = mannWhitneyReport(x, y, settings.mannWhitney, settings.name.toUpperCase());
  return { normality, bothNormal, test: { ...report, description: `${report.description}; not both normal (${why})` } };
}

export interface CategoricalComparison {
  /** Levels that occur in either group, in the variable's level order (the rows of the tested table). */
  testedLevels: string[];
  /** Counts [level][group]. */
  table: number[][];
  test: TestReport;
  fisher: FisherResult | null;
}

/**
 * Fisher's exact test (two levels observed) or Fisher-Freeman-Halton (more) of level × group counts.
 * Levels absent from both groups are left out (they add nothing to the exact p). Example: the paper's
 * RENAL counts low 18/2, moderate 8/3, high 0/1 → FFH p = 0.070.
 */
export function compareCategorical(
  x: readonly string[],
  y: readonly string[],
  levelOrder: readonly string[],
): CategoricalComparison {
  const count = (values: readonly string[], level: string) => values.filter((v) => v === level).length;
  const testedLevels = levelOrder.filter((l) => count(x, l) + count(y, l) > 0);
  const table = testedLevels.map((l) => [count(x, l), count(y, l)]);
  if (testedLevels.length < 2 || x.length === 0 || y.length === 0)
    return {
      testedLevels,
      table,
      fisher: null,
      test: notTested("not tested: fewer than two levels observed or an empty group"),
    };
  const fisher = fisherExact(table);
  const twoLevels = testedLevels.length === 2;
  return {
    testedLevels,
    table,
    fisher,
    test: {
      ...fisher,
      test: twoLevels ? "fisher-exact" : "fisher-freeman-halton",
      description: twoLevels
        ? "Fisher's exact test (2×2), two-sided"
        : `Fisher-Freeman-Halton exact test (${testedLevels.length}×2), two-sided`,
    },
  };
}
