/**
 * Table 1: patient and tumor characteristics. The paper counts patients (n = 30) for age, sex and ASA and
 * tumors (n = 32) for the rest; `units: "paper"` does the same (a patient's first row stands for the
 * patient), `units: "tumors"` counts every row. Continuous rows carry the full summary (n, mean, SD,
 * median, quartiles of the convention's type, range) and the display the paper uses for that variable.
 */
import { countPercent, type NumericSummary, type QuantileType, summarize } from "../stats/descriptives.js";
import { firstCasePerPatient } from "./cases.js";
import type { CaseRecord } from "./types.js";
import {
  type CategoricalLevel,
  type CategoricalVariable,
  type ContinuousDisplay,
  type ContinuousVariable,
  type PlanVariable,
  TABLE1_VARIABLES,
} from "./variables.js";

export type CountingUnit = "patients" | "tumors";

export interface ContinuousSummaryRow {
  kind: "continuous";
  key: string;
  label: string;
  unit: string;
  countedIn: CountingUnit;
  /** Non-missing values. */
  n: number;
  missing: number;
  /** Null when every value is missing. */
  summary: NumericSummary | null;
  display: ContinuousDisplay;
  decimals: number;
}

export interface LevelCountRow extends CategoricalLevel {
  count: number;
  /** Percent of the non-missing values. */
  percent: number;
}

export interface CategoricalSummaryRow {
  kind: "categorical";
  key: string;
  label: string;
  countedIn: CountingUnit;
  n: number;
  missing: number;
  levels: LevelCountRow[];
}

export type SummaryRow = ContinuousSummaryRow | CategoricalSummaryRow;

export interface Table1 {
  units: "paper" | "tumors";
  nPatients: number;
  nTumors: number;
  rows: SummaryRow[];
  quantileType: QuantileType;
  notes: string[];
}

/** Values of a continuous variable, dropping missing ones; returns them with the missing count. */
export function continuousValues(cases: readonly CaseRecord[], v: ContinuousVariable) {
  const values: number[] = [];
  for (const c of cases) {
    const x = v.value(c);
    if (x !== null && Number.isFinite(x)) values.push(x);
  }
  return { values, missing: cases.length - values.length };
}

/** Codes of a categorical variable, dropping missing ones; returns them with the missing count. */
export function categoricalValues(cases: readonly CaseRecord[], v: CategoricalVariable) {
  const values: string[] = [];
  for (const c of cases) {
    const x = v.value(c);
    if (x !== null) values.push(x);
  }
  return { values, missing: cases.length - values.length };
}

/** Summary of a numeric sample, or null when it is empty. */
export function summarizeOrNull(values: readonly number[], quantileType: QuantileType): NumericSummary | null {
  return values.length === 0 ? null : summarize(values, quantileType);
}

/** Counts and percents of each level (levels absent from the data get 0), labelled. */
export function levelCounts(values: readonly string[], levels: readonly CategoricalLevel[]): LevelCountRow[] {
  const counts = countPercent(
    values,
    levels.map((l) => l.code),
  );
  return levels.map((l, i) => ({ ...l, count: counts[i].count, percent: counts[i].percent }));
}

/** One row of a characteristics table over the given cases. */
export function summaryRow(
  cases: readonly CaseRecord[],
  v: PlanVariable,
  countedIn: CountingUnit,
  quantileType: QuantileType,
): SummaryRow {
  if (v.kind === "continuous") {
    const { values, missing } = continuousValues(cases, v);
    return {
      kind: "continuous",
      key: v.key,
      label: v.label,
      unit: v.unit,
      countedIn,
      n: values.length,
      missing,
      summary: summarizeOrNull(values, quantileType),
      display: v.table1Display,
      decimals: v.decimals,
    };
  }
  const { values, missing } = categoricalValues(cases, v);
  return {
    kind: "categorical",
    key: v.key,
    label: v.label,
    countedIn,
    n: values.length,
    missing,
    levels: levelCounts(values, v.levels),
  };
}

/**
 * Table 1 of the cohort. Example: 3 cases of 2 patients (p1 aged 60 twice, p2 aged 80), units "paper" →
 * the age row has n = 2, median 70; units "tumors" → n = 3, median 60.
 */
export function table1(
  cases: readonly CaseRecord[],
  { units = "paper", quantileType = 7 }: { units?: "paper" | "tumors"; quantileType?: QuantileType } = {},
): Table1 {
  const patients = firstCasePerPatient(cases);
  const rows = TABLE1_VARIABLES.map((v) => {
    const perPatient = units === "paper" && v.perPatient;
    return summaryRow(perPatient ? patients : cases, v, perPatient ? "patients" : "tumors", quantileType);
  });
  const notes = [
    units === "paper"
      ? `Age, sex and ASA counted per patient (n = ${patients.length}, the first row of each patient_id); other rows per tumor (n = ${cases.length}), as the paper's Table 1.`
      : `Every row counted per tumor (n = ${cases.length}).`,
    `Quartiles: Hyndman-Fan type ${quantileType}.`,
    "Percentages are of the non-missing values of the row.",
  ];
  return { units, nPatients: patients.length, nTumors: cases.length, rows, quantileType, notes };
}
