import type { OctantName } from "../margin/types.js";

/**
 * The cohort folder's clinical table (`clinical.csv`): one row per treated tumor. The same format holds
 * the synthetic twin and a user's own cohort. It holds no margin: MTM, diameter and volumes are measured
 * from the images in `cases/<case_id>/`.
 *
 * Categorical values are written as the lower-case codes below (case-insensitive on reading). Times are
 * in months since the ablation. An empty cell is missing.
 */

/** Allowed codes of each categorical column. */
export const CLINICAL_CATEGORIES = {
  sex: ["male", "female"],
  asa: ["I", "II", "III", "IV"],
  side: ["left", "right"],
  location: ["upper_pole", "interpolar", "lower_pole"],
  site: ["anterior", "posterior"],
  histology: [
    "clear_cell_rcc",
    "papillary_rcc",
    "chromophobe_rcc",
    "oncocytoma_or_mixed",
    "inconclusive_biopsy",
    "no_histopathology",
  ],
  ltp_type: ["residual", "recurrent"],
} as const;

/** The columns of `clinical.csv`, in the order the generator writes them. */
export const CLINICAL_COLUMNS = [
  /** Unique id of the treated tumor; names the folder `cases/<case_id>/`. */
  "case_id",
  /** Patient id: a patient treated for two tumors has two rows with the same patient_id. */
  "patient_id",
  "age_years",
  "sex",
  /** ASA physical status class (I–IV). */
  "asa",
  "side",
  "location",
  "site",
  "histology",
  /** RENAL nephrometry score, 4–12 (low 4–6, moderate 7–9, high 10–12). */
  "renal_score",
  /** 1 if the tumor was ablated before (re-ablation), else 0. */
  "prior_ablation",
  "cryoprobes",
  /** 1 if a Clavien-Dindo grade ≥ 3 complication occurred, else 0. */
  "major_complication",
  /** Months from ablation to the last follow-up or to LTP detection, whichever came first. */
  "followup_months",
  /** Local tumor progression: 1 yes, 0 no. */
  "ltp",
  /** residual (on the 1-month scan) or recurrent (later); empty when ltp = 0. */
  "ltp_type",
  /** Months from ablation to LTP detection; empty when ltp = 0. */
  "months_to_ltp",
  /** Octant where the tumor regrew (an OctantName such as right-anterior-superior); empty when ltp = 0. */
  "ltp_octant",
] as const;

export type ClinicalColumn = (typeof CLINICAL_COLUMNS)[number];

/**
 * Allowed values of `ltp_octant`: the margin engine's octant names (right|left - anterior|posterior -
 * superior|inferior), so the regrowth site can be compared with the octant of the smallest margin.
 * Written as a `Record<OctantName, true>` so the compiler rejects a missing or a misspelt name.
 */
const OCTANT_CODE_SET: Record<OctantName, true> = {
  "right-anterior-superior": true,
  "right-anterior-inferior": true,
  "right-posterior-superior": true,
  "right-posterior-inferior": true,
  "left-anterior-superior": true,
  "left-anterior-inferior": true,
  "left-posterior-superior": true,
  "left-posterior-inferior": true,
};
export const CLINICAL_OCTANT_CODES = Object.keys(OCTANT_CODE_SET) as readonly OctantName[];

/** A categorical column's code type, e.g. `ClinicalCode<"asa">` = "I" | "II" | "III" | "IV". */
export type ClinicalCode<K extends keyof typeof CLINICAL_CATEGORIES> = (typeof CLINICAL_CATEGORIES)[K][number];
