/**
 * The variables of the paper's Tables 1 and 2, defined once: label, unit, counting unit (patient or
 * tumor), how to read the value from a case, and how Table 1 displays it (as the paper prints it).
 */
import { RENAL_CATEGORIES, renalCategory } from "../cohort/record.js";
import { CLINICAL_CATEGORIES } from "../cohort/schema.js";
import type { CaseRecord } from "./types.js";

/** How a continuous variable is printed: "31.3 ± 9.4", "69 (38–83)" or "9.8 (1.0–39.4)". */
export type ContinuousDisplay = "mean-sd" | "median-range" | "mean-range";

export interface ContinuousVariable {
  kind: "continuous";
  key: string;
  label: string;
  unit: string;
  /** Decimals for means and SDs (medians and ranges print as many as the data need, at least this many − 1). */
  decimals: number;
  /** Counted per patient (first row of each patient) in Table 1's "paper" units, else per tumor. */
  perPatient: boolean;
  /** Table 1's display, as the paper prints the variable. */
  table1Display: ContinuousDisplay;
  value: (c: CaseRecord) => number | null;
}

export interface CategoricalLevel {
  code: string;
  label: string;
}

export interface CategoricalVariable {
  kind: "categorical";
  key: string;
  label: string;
  perPatient: boolean;
  levels: readonly CategoricalLevel[];
  value: (c: CaseRecord) => string | null;
}

export type PlanVariable = ContinuousVariable | CategoricalVariable;

const levels = (codes: readonly string[], labels: readonly string[]): CategoricalLevel[] =>
  codes.map((code, i) => ({ code, label: labels[i] }));

const AGE: ContinuousVariable = {
  kind: "continuous",
  key: "age_years",
  label: "Age (years)",
  unit: "years",
  decimals: 1,
  perPatient: true,
  table1Display: "median-range",
  value: (c) => c.ageYears,
};
const SEX: CategoricalVariable = {
  kind: "categorical",
  key: "sex",
  label: "Sex",
  perPatient: true,
  levels: levels(CLINICAL_CATEGORIES.sex, ["Male", "Female"]),
  value: (c) => c.sex,
};
const ASA: CategoricalVariable = {
  kind: "categorical",
  key: "asa",
  label: "ASA classification",
  perPatient: true,
  levels: levels(CLINICAL_CATEGORIES.asa, CLINICAL_CATEGORIES.asa),
  value: (c) => c.asa,
};
const DIAMETER: ContinuousVariable = {
  kind: "continuous",
  key: "max_tumor_diameter_mm",
  label: "Maximal tumor diameter (mm)",
  unit: "mm",
  decimals: 1,
  perPatient: false,
  table1Display: "mean-sd",
  value: (c) => c.margin.tumorMaxDiameterMm,
};
const SIDE: CategoricalVariable = {
  kind: "categorical",
  key: "side",
  label: "Tumor side",
  perPatient: false,
  levels: levels(CLINICAL_CATEGORIES.side, ["Left", "Right"]),
  value: (c) => c.side,
};
const LOCATION: CategoricalVariable = {
  kind: "categorical",
  key: "location",
  label: "Tumor location",
  perPatient: false,
  levels: levels(CLINICAL_CATEGORIES.location, ["Upper pole", "Interpolar", "Lower pole"]),
  value: (c) => c.location,
};
const SITE: CategoricalVariable = {
  kind: "categorical",
  key: "site",
  label: "Tumor site",
  perPatient: false,
  levels: levels(CLINICAL_CATEGORIES.site, ["Anterior", "Posterior"]),
  value: (c) => c.site,
};
const HISTOLOGY: CategoricalVariable = {
  kind: "categorical",
  key: "histology",
  label: "Histologic subtype",
  perPatient: false,
  levels: levels(CLINICAL_CATEGORIES.histology, [
    "Clear-cell RCC",
    "Papillary RCC",
    "Chromophobe RCC",
    "Oncocytoma or mixed oncocytoma/chromophobe RCC",
    "Inconclusive biopsy",
    "No histopathology",
  ]),
  value: (c) => c.histology,
};
const PRIOR_ABLATION: CategoricalVariable = {
  kind: "categorical",
  key: "prior_ablation",
  label: "Prior cryoablation",
  perPatient: false,
  levels: levels(["first", "re_ablation"], ["First ablation", "Re-ablation"]),
  value: (c) => (c.priorAblation === null ? null : c.priorAblation ? "re_ablation" : "first"),
};
const RENAL: CategoricalVariable = {
  kind: "categorical",
  key: "renal_score",
  label: "RENAL score",
  perPatient: false,
  levels: levels(RENAL_CATEGORIES, ["4–6 (low)", "7–9 (moderate)", "10–12 (high)"]),
  value: (c) => renalCategory(c.renalScore),
};
const TUMOR_VOLUME: ContinuousVariable = {
  kind: "continuous",
  key: "tumor_volume_ml",
  label: "Tumor volume (ml)",
  unit: "ml",
  decimals: 1,
  perPatient: false,
  table1Display: "mean-range",
  value: (c) => c.margin.tumorVolumeMl,
};
const ICEBALL_VOLUME: ContinuousVariable = {
  kind: "continuous",
  key: "iceball_volume_ml",
  label: "Ice-ball volume (ml)",
  unit: "ml",
  decimals: 1,
  perPatient: false,
  table1Display: "mean-range",
  value: (c) => c.margin.iceballVolumeMl,
};
const CRYOPROBES: ContinuousVariable = {
  kind: "continuous",
  key: "cryoprobes",
  label: "Cryoprobes",
  unit: "probes",
  decimals: 1,
  perPatient: false,
  table1Display: "median-range",
  value: (c) => c.cryoprobes,
};

/** Table 1 rows in the paper's order, then the procedure's volumes and probes (from the results text). */
export const TABLE1_VARIABLES: readonly PlanVariable[] = [
  AGE,
  SEX,
  ASA,
  DIAMETER,
  SIDE,
  LOCATION,
  SITE,
  HISTOLOGY,
  PRIOR_ABLATION,
  RENAL,
  TUMOR_VOLUME,
  ICEBALL_VOLUME,
  CRYOPROBES,
];

/** Table 2 rows: the paper's (age, sex, diameter, ASA, RENAL) and the volumes and probes its text compares. */
export const TABLE2_VARIABLES: readonly PlanVariable[] = [
  AGE,
  SEX,
  DIAMETER,
  ASA,
  RENAL,
  TUMOR_VOLUME,
  ICEBALL_VOLUME,
  CRYOPROBES,
];
