/**
 * Table 2: baseline characteristics by outcome (local control vs local tumor progression), per tumor as
 * the paper (its Table 2 counts 32 tumors: 20 male / 12 female). Each variable is tested by the paper's
 * rule (`compareContinuous` / `compareCategorical`): t-test when both groups are normal by Shapiro-Wilk,
 * else Mann-Whitney (p by the convention); Fisher exact for two levels, Fisher-Freeman-Halton for more.
 * Continuous rows are displayed as the test implies — mean ± SD beside a t-test, median (range) beside
 * Mann-Whitney — as the paper prints age (Mann-Whitney) and diameter (t-test).
 */
import type { NumericSummary, QuantileType } from "../stats/descriptives.js";
import type { ShapiroWilkResult } from "../stats/shapiroWilk.js";
import { splitByOutcome } from "./cases.js";
import { compareCategorical, compareContinuous } from "./compare.js";
import type { ConventionSettings } from "./conventions.js";
import { categoricalValues, continuousValues, type LevelCountRow, levelCounts, summarizeOrNull } from "./table1.js";
import type { CaseRecord, TestReport } from "./types.js";
import { TABLE2_VARIABLES } from "./variables.js";

/** A value per outcome group: local control first, LTP second (the paper's column order). */
export interface ByOutcome<T> {
  localControl: T;
  ltp: T;
}

export interface Table2ContinuousRow {
  kind: "continuous";
  key: string;
  label: string;
  unit: string;
  decimals: number;
  n: ByOutcome<number>;
  summary: ByOutcome<NumericSummary | null>;
  normality: ByOutcome<ShapiroWilkResult | null>;
  /** "mean-sd" beside a t-test, "median-range" beside Mann-Whitney. */
  display: "mean-sd" | "median-range";
  test: TestReport;
}

export interface Table2CategoricalRow {
  kind: "categorical";
  key: string;
  label: string;
  n: ByOutcome<number>;
  levels: { code: string; label: string; localControl: LevelCountRow; ltp: LevelCountRow }[];
  /** The levels that entered the test (those observed). */
  testedLevels: string[];
  test: TestReport;
}

export type Table2Row = Table2ContinuousRow | Table2CategoricalRow;

export interface Table2 {
  n: ByOutcome<number>;
  rows: Table2Row[];
  quantileType: QuantileType;
  notes: string[];
}

/**
 * Table 2 of the cohort. Example: the paper's sex counts (17/9 vs 3/3) give Fisher p = 0.647, its ASA
 * counts (17/9 vs 2/4) p = 0.194 and its RENAL counts p = 0.070 (Fisher-Freeman-Halton).
 */
export function table2(
  cases: readonly CaseRecord[],
  settings: ConventionSettings,
  { alpha = 0.05, welch = false } = {},
): Table2 {
  const groups = splitByOutcome(cases);
  const rows: Table2Row[] = TABLE2_VARIABLES.map((v) => {
    if (v.kind === "continuous") {
      const lc = continuousValues(groups.localControl, v).values;
      const ltp = continuousValues(groups.ltp, v).values;
      const comparison = compareContinuous(lc, ltp, settings, { alpha, welch });
      return {
        kind: "continuous",
        key: v.key,
        label: v.label,
        unit: v.unit,
        decimals: v.decimals,
        n: { localControl: lc.length, ltp: ltp.length },
        summary: {
          localControl: summarizeOrNull(lc, settings.quantileType),
          ltp: summarizeOrNull(ltp, settings.quantileType),
        },
        normality: { localControl: comparison.normality[0], ltp: comparison.normality[1] },
        display: comparison.test.test === "t-test" ? "mean-sd" : "median-range",
        test: comparison.test,
      };
    }
    const lc = categoricalValues(groups.localControl, v).values;
    const ltp = categoricalValues(groups.ltp, v).values;
    const comparison = compareCategorical(
      lc,
      ltp,
      v.levels.map((l) => l.code),
    );
    const lcCounts = levelCounts(lc, v.levels);
    const ltpCounts = levelCounts(ltp, v.levels);
    return {
      kind: "categorical",
      key: v.key,
      label: v.label,
      n: { localControl: lc.length, ltp: ltp.length },
      levels: v.levels.map((l, i) => ({ code: l.code, label: l.label, localControl: lcCounts[i], ltp: ltpCounts[i] })),
      testedLevels: comparison.testedLevels,
      test: comparison.test,
    };
  });
  return {
    n: { localControl: groups.localControl.length, ltp: groups.ltp.length },
    rows,
    quantileType: settings.quantileType,
    notes: [
      "Counted per tumor, as the paper's Table 2.",
      `Continuous: ${welch ? "Welch's" : "Student's"} t-test when both groups are normal by Shapiro-Wilk (p > ${alpha}), else Mann-Whitney U; categorical: Fisher's exact test (2 levels observed) or Fisher-Freeman-Halton (more).`,
      `Quartiles: Hyndman-Fan type ${settings.quantileType}. Percentages are within each outcome group.`,
    ],
  };
}
