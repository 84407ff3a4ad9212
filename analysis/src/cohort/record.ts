/**
 * One row of `clinical.csv` as typed data, and the few values derived from it that every analysis needs
 * (RENAL category, LTP-free survival time). Field names are the columns' in camelCase with units.
 */
import type { OctantName } from "../margin/types.js";
import type { ClinicalCode } from "./schema.js";

/**
 * A validated clinical row. Descriptive fields are `null` when the cell was empty (the validator warns);
 * the fields the analysis cannot do without (ids, follow-up, LTP and, when LTP = 1, its time and type)
 * are always present in a record the parser returns.
 */
export interface ClinicalRecord {
  caseId: string;
  patientId: string;
  ageYears: number | null;
  sex: ClinicalCode<"sex"> | null;
  asa: ClinicalCode<"asa"> | null;
  side: ClinicalCode<"side"> | null;
  location: ClinicalCode<"location"> | null;
  site: ClinicalCode<"site"> | null;
  histology: ClinicalCode<"histology"> | null;
  /** RENAL nephrometry score, an integer 4–12. */
  renalScore: number | null;
  priorAblation: boolean | null;
  cryoprobes: number | null;
  majorComplication: boolean | null;
  /** Months from ablation to the last follow-up or LTP detection. */
  followupMonths: number;
  ltp: boolean;
  ltpType: ClinicalCode<"ltp_type"> | null;
  monthsToLtp: number | null;
  ltpOctant: OctantName | null;
  /** Columns beyond the schema, as trimmed text ("" when missing): user covariates for the Cox table. */
  extra: Record<string, string>;
  /** 1-based line of the row in clinical.csv (for messages). */
  line: number;
}

export type RenalCategory = "low" | "moderate" | "high";

/** The RENAL categories in display order. */
export const RENAL_CATEGORIES: readonly RenalCategory[] = ["low", "moderate", "high"];

/**
 * RENAL nephrometry category (Kutikov & Uzzo 2009; the paper's Table 1): low 4–6, moderate 7–9,
 * high 10–12. Example: `renalCategory(7)` = "moderate". Null for a missing score.
 */
export function renalCategory(renalScore: number | null): RenalCategory | null {
  if (renalScore === null) return null;
  if (renalScore <= 6) return "low";
  return renalScore <= 9 ? "moderate" : "high";
}

/**
 * LTP-free survival time in months: the time of LTP detection for a tumor with LTP, else the last
 * follow-up (censored). Example: ltp with monthsToLtp 6 and followupMonths 20 → 6.
 */
export function ltpFreeTimeMonths(record: Pick<ClinicalRecord, "ltp" | "monthsToLtp" | "followupMonths">): number {
  return record.ltp && record.monthsToLtp !== null ? record.monthsToLtp : record.followupMonths;
}
