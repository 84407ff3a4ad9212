/** cohort.json of a synthetic cohort: what it is, how it was made, its units and file conventions. */
import { ANALYSIS_VERSION } from "../version.js";
import { PAPER_CALIBRATION_TARGETS } from "./targets.js";

export interface CohortMetadata {
  name: string;
  synthetic: true;
  /** True for the calibrated 32: `cryomargin analyze` then writes the reproduction report against the paper. */
  paper_twin: boolean;
  /** The conventions `cryomargin analyze` follows by default: SPSS 25's, the paper's software (its calibration). */
  statistics_conventions: "spss";
  generator: string;
  seed: number;
  cases: number;
  patients: number;
  units: Record<string, string>;
  conventions: Record<string, string>;
  notes: string[];
}

/** The metadata of a synthetic cohort of `n` tumors in `patients` patients from `seed`. */
export function cohortMetadata(seed: number, n: number, patients: number): CohortMetadata {
  return {
    name:
      n === PAPER_CALIBRATION_TARGETS.tumors
        ? "cryomargin synthetic twin of the paper cohort"
        : `cryomargin synthetic cohort (${n} tumors)`,
    synthetic: true,
    paper_twin: n === PAPER_CALIBRATION_TARGETS.tumors,
    statistics_conventions: "spss",
    generator: `cryomargin synth (@cryomargin/analysis ${ANALYSIS_VERSION}, analysis/src/synth)`,
    seed,
    cases: n,
    patients,
    units: {
      lengths: "mm",
      volumes: "ml",
      times: "months since the ablation",
      world: "NIfTI RAS+ mm",
      "registration.tfm": "ITK rigid transform mapping pre-ablation world points to post-ablation world points",
    },
    conventions: {
      "tumor.nii.gz": "binary mask on the pre-ablation grid (1.2 × 1.2 × 3.0 mm)",
      "iceball.nii.gz": "binary mask on the post-ablation grid (its own pose)",
      "clinical.csv":
        "one row per tumor; columns as analysis/src/cohort/schema.ts; no margins (measured from the masks)",
    },
    notes: [
      "SYNTHETIC DATA: no patient's data. Generated to reproduce the published aggregates of the paper (Cancer Imaging, 2023) when measured by the cryomargin margin engine and analysed by its plan; individual rows are invented.",
      n === PAPER_CALIBRATION_TARGETS.tumors
        ? "Calibrated: counts, MTM, diameter, volumes, follow-up, survival, Cox and Spearman figures match the paper within the tolerances of test/synth-calibration.test.ts."
        : "Not calibrated: tumors drawn from the calibrated 32-tumor design (smoothed bootstrap).",
      "Tumors are unions of 3–4 ellipsoids (lobulated); ice balls are unions of 2–4 cryoprobe isotherm ellipsoids, probes parallel 11–19 mm apart with tips at the tumor's distal border.",
      "The post-ablation scan has its own pose (rigid motion ≤ 4° and ≤ 5 mm per axis); registration.tfm is the true transform.",
    ],
  };
}
