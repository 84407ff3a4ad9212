/**
 * The published figures the synthetic cohort is calibrated to — the subset of
 * `data/paper/published-values.json` (the paper's every figure, as printed) that the generator's design
 * search needs, typed. `test/synth-calibration.test.ts` checks each value against that file, so this
 * copy cannot drift from it; the generated files never contain any of these numbers (margins,
 * diameters and volumes are measured from the masks).
 *
 * Readings of the paper's inconsistencies chosen here (see published-values.json `inconsistencies`):
 * - diameter spread by outcome: the text's cm values (2.9 ± 0.9 vs 4.1 ± 0.5 cm), i.e. SDs 9 and 5 mm
 *   beside Table 2's means 29.1 and 41.0 mm;
 * - Table 1 counts patients for age, sex and ASA (the first row of each patient), Table 2 counts tumors;
 * - all negative margins in tumors "> 3 cm" (the abstract's strict reading, which also satisfies "≥ 3 cm").
 */

export interface CalibrationTargets {
  patients: number;
  tumors: number;
  ltp: number;
  ltpResidual: number;
  /** MTM (integer mm after rounding). */
  mtm: {
    mean: number;
    sd: number;
    min: number;
    max: number;
    atLeast5: number;
    ltp: { median: number; q1: number; q3: number };
    localControl: { median: number; q1: number; q3: number };
    negativeWithoutLtp: number;
  };
  diameterMm: {
    mean: number;
    sd: number;
    min: number;
    max: number;
    ltpMean: number;
    localControlMean: number;
    /** SDs by outcome as the text prints them (cm → mm). */
    ltpSd: number;
    localControlSd: number;
    /** Tumors ≥ 4 cm (T1b) overall and among LTP. */
    t1b: number;
    t1bLtp: number;
    /** Table 2's p (Student's t-test). */
    p: number;
  };
  tumorVolumeMl: {
    mean: number;
    min: number;
    max: number;
    ltpMean: number;
    ltpSd: number;
    localControlMean: number;
    localControlSd: number;
    p: number;
  };
  iceballVolumeMl: { mean: number; min: number; max: number };
  cryoprobes: { median: number; min: number; max: number };
  followupMonths: { median: number; min: number; max: number };
  /** Time to recurrence (the recurrent LTPs). */
  recurrenceMonths: { median: number; min: number; max: number };
  survival: { at12: number; at24: number };
  coxMtm: { hr: number; lower: number; upper: number };
  coxDiameterPerCm: { hr: number; lower: number; upper: number };
  spearmanP: number;
  /** The single cases the paper shows or describes (published-values.json `case_figures`). */
  caseFigures: {
    /** Fig. 4: a covered tumor (local control), its MTM, diameter and the follow-up of its caption. */
    figure4: { mtmMm: number; diameterMm: number; followupMonths: number };
    /** Fig. 5: an uncovered tumor with LTP. */
    figure5: { mtmMm: number; diameterMm: number };
    /** The negative margin without LTP: a TKI was started this many months after ablation. */
    tkiStartedAfterMonths: number;
    /** The re-ablated LTP and its re-ablation both fall within this many months. */
    reablationWithinMonths: number;
  };
  age: {
    /** Patient level (Table 1, first row per patient). */
    median: number;
    min: number;
    max: number;
    localControl: { median: number; min: number; max: number };
    ltp: { median: number; min: number; max: number };
    p: number;
  };
}

/** The paper's figures (paths in published-values.json in the comments). */
export const PAPER_CALIBRATION_TARGETS: CalibrationTargets = {
  patients: 30, // cohort.patients
  tumors: 32, // cohort.tumors
  ltp: 6, // outcome.ltp
  ltpResidual: 2, // outcome.ltp_residual
  mtm: {
    mean: 1.0, // mtm.all
    sd: 4.4,
    min: -11,
    max: 6,
    atLeast5: 3, // mtm.ge_5mm
    ltp: { median: -7, q1: -10, q3: -5 }, // mtm.ltp
    localControl: { median: 3, q1: 2, q3: 4 }, // mtm.local_control
    negativeWithoutLtp: 1, // mtm.negative_without_ltp
  },
  diameterMm: {
    mean: 31.3, // cohort.max_tumor_diameter_mm
    sd: 9.4,
    min: 16, // cohort.max_tumor_diameter_mm.text_range_cm × 10
    max: 51,
    ltpMean: 41.0, // table2.max_tumor_diameter_mm
    localControlMean: 29.1,
    ltpSd: 5, // table2 sd_as_printed (cm) × 10
    localControlSd: 9,
    t1b: 7, // cohort.t1b_tumors_ge_4cm
    t1bLtp: 4, // outcome.ltp_t1b
    p: 0.003,
  },
  tumorVolumeMl: {
    mean: 9.8,
    min: 1.0,
    max: 39.4,
    ltpMean: 15.5,
    ltpSd: 5.3,
    localControlMean: 8.5,
    localControlSd: 8.8,
    p: 0.003,
  },
  iceballVolumeMl: { mean: 51.9, min: 16.3, max: 115.4 }, // procedure.iceball_volume_ml
  cryoprobes: { median: 3, min: 2, max: 4 }, // procedure.cryoprobes_per_patient
  followupMonths: { median: 16, min: 1, max: 58 }, // outcome.followup_months
  recurrenceMonths: { median: 17, min: 6, max: 23 }, // outcome.time_to_recurrence_months
  survival: { at12: 0.901, at24: 0.768 }, // outcome.ltp_free_survival
  coxMtm: { hr: 0.77, lower: 0.66, upper: 0.89 }, // table3_univariable_cox.mtm_per_mm
  coxDiameterPerCm: { hr: 3.56, lower: 1.32, upper: 9.57 }, // table3_univariable_cox.max_tumor_diameter_per_cm
  spearmanP: 0.002, // size_vs_mtm.p
  caseFigures: {
    figure4: { mtmMm: 4, diameterMm: 35, followupMonths: 16 }, // case_figures.figure4_local_control
    figure5: { mtmMm: -6, diameterMm: 42 }, // case_figures.figure5_ltp
    tkiStartedAfterMonths: 18, // case_figures.negative_margin_without_ltp
    reablationWithinMonths: 60, // case_figures.reablation_within_months
  },
  age: {
    median: 69, // cohort.age_years
    min: 38,
    max: 83,
    localControl: { median: 71, min: 38, max: 83 }, // table2.age_years
    ltp: { median: 72, min: 58, max: 79 },
    p: 0.507,
  },
};
