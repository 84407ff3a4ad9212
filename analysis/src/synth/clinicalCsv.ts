/** clinical.csv of a synthetic cohort: one row per tumor from its design, in CLINICAL_COLUMNS order. */
import { CLINICAL_COLUMNS, type ClinicalColumn } from "../cohort/schema.js";
import type { OctantName } from "../margin/types.js";
import type { CaseDesign } from "./design.js";

/** Formats a design's clinical row in CLINICAL_COLUMNS order. */
export function clinicalRow(
  caseId: string,
  patientId: string,
  d: CaseDesign,
  ltpOctant: OctantName | null,
): Record<ClinicalColumn, string> {
  const flag = (b: boolean) => (b ? "1" : "0");
  return {
    case_id: caseId,
    patient_id: patientId,
    age_years: String(d.ageYears),
    sex: d.sex,
    asa: d.asa,
    side: d.side,
    location: d.location,
    site: d.site,
    histology: d.histology,
    renal_score: String(d.renalScore),
    prior_ablation: flag(d.priorAblation),
    cryoprobes: String(d.cryoprobes),
    major_complication: flag(d.majorComplication),
    followup_months: String(d.followupMonths),
    ltp: flag(d.ltp),
    ltp_type: d.ltpType ?? "",
    months_to_ltp: d.monthsToLtp === null ? "" : String(d.monthsToLtp),
    ltp_octant: ltpOctant ?? "",
  };
}

/** clinical.csv text: header and one line per row, comma-separated, "\n" line ends (no cell needs quoting). */
export function formatClinicalCsv(rows: readonly Record<ClinicalColumn, string>[]): string {
  return `${[CLINICAL_COLUMNS.join(","), ...rows.map((r) => CLINICAL_COLUMNS.map((c) => r[c]).join(","))].join("\n")}\n`;
}
