/**
 * The whole cohort design: per tumor, its clinical row (minus ids, which the file order assigns) and
 * what its geometry must deliver — intended MTM (integer mm), maximum diameter, tumor volume, probes.
 * The ice-ball volume is designed later, once each case's feasible range is known (cohort.ts).
 *
 * - `paperDesign` (32 tumors): calibrated to the paper (designClinical, designOutcome, designMeasures).
 * - `resampledDesign` (any other size): tumors drawn from the calibrated 32 (a smoothed bootstrap: a
 *   random calibrated row, its diameter, volume, MTM, age and times jittered), each its own patient.
 *   Same distributions, no calibration claim.
 */
import type { ClinicalCode } from "../cohort/schema.js";
import { OCTANT_NAMES } from "../margin/octants.js";
import type { OctantName } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { type ClinicalDesign, paperClinicalDesign, type RenalCategoryCode } from "./designClinical.js";
import {
  designAges,
  designCryoprobes,
  designTumorVolumes,
  FILL_RATIO_RANGE,
  sphereVolumeMl,
} from "./designMeasures.js";
import { designMtmMultisets, designOutcome, type OutcomeFigures } from "./designOutcome.js";
import { standardNormal, uniform } from "./sampling.js";
import type { CalibrationTargets } from "./targets.js";

/** One tumor's design: its categorical row (with the RENAL score drawn in its category) and its measures. */
export interface CaseDesign extends Omit<ClinicalDesign, "renalCategory"> {
  ageYears: number;
  renalScore: number;
  cryoprobes: number;
  probeSpacingMm: number;
  followupMonths: number;
  ltpType: ClinicalCode<"ltp_type"> | null;
  monthsToLtp: number | null;
  /** Where an uncovered tumor's missed lobe points (and an LTP regrows); null when covered. */
  uncoveredOctant: OctantName | null;
  intendedMtmMm: number;
  intendedDiameterMm: number;
  intendedTumorVolumeMl: number;
}

export interface CohortDesign {
  cases: CaseDesign[];
  /** How the design search ended: loss per block (0 = every figure in its band) and the outcome figures. */
  search: {
    outcomeLoss: number;
    volumeLoss: number;
    ageLoss: number;
    probeLoss: number;
    outcome: OutcomeFigures;
  } | null;
}

/** A RENAL score in its category; the R component (≥ 4 cm scores 2) keeps large tumors off the bottom. */
function renalScore(category: RenalCategoryCode, diameterMm: number, rng: Random): number {
  const [lo, hi] = category === "low" ? [4, 6] : category === "moderate" ? [7, 9] : [10, 12];
  const floor = diameterMm >= 40 ? Math.min(hi, lo + 1) : lo;
  return floor + rng.int(hi - floor + 1);
}

/**
 * Probe spacing, mm: 11–15 (within the protocol's 10–20 mm). Wider arrays do not pay: the ice must
 * close over the tumor's distal apex between the probes, and the isotherms grow with the spacing.
 */
function probeSpacingMm(rng: Random): number {
  return Math.round(10 * uniform(rng, 11, 15)) / 10;
}

/**
 * The octant an uncovered tumor regrows in: Fig. 5's case medially (toward the spine: left for a right
 * kidney), others uniformly among the octants.
 */
function uncoveredOctant(row: ClinicalDesign, rng: Random): OctantName {
  if (row.role === "figure5") {
    const medial = row.side === "right" ? "left" : "right";
    return `${medial}-${rng.int(2) ? "anterior" : "posterior"}-${rng.int(2) ? "superior" : "inferior"}` as OctantName;
  }
  return OCTANT_NAMES[rng.int(OCTANT_NAMES.length)];
}

/** The calibrated 32-tumor design of the paper cohort. */
export function paperDesign(targets: CalibrationTargets, rng: Random): CohortDesign {
  const rows = paperClinicalDesign(rng);
  const nLtp = rows.filter((r) => r.ltp).length;
  const multisets = designMtmMultisets(targets, nLtp, rows.length - nLtp, [-6], rng);
  const outcome = designOutcome(rows, multisets, targets, rng.int(2 ** 31));
  const { mtmMm, diameterMm, timeMonths } = outcome.design;
  const volumes = designTumorVolumes(rows, diameterMm, targets, rng);
  const ages = designAges(rows, targets, rng);
  const probes = designCryoprobes(rows, diameterMm, targets, rng);
  const cases = rows.map((row, i): CaseDesign => {
    const ltpType = row.ltp ? (timeMonths[i] === targets.followupMonths.min ? "residual" : "recurrent") : null;
    return {
      role: row.role,
      patientKey: row.patientKey,
      ageYears: ages.ageYears[i],
      sex: row.sex,
      asa: row.asa,
      side: row.side,
      location: row.location,
      site: row.site,
      histology: row.histology,
      renalScore: renalScore(row.renalCategory, diameterMm[i], rng),
      priorAblation: row.priorAblation,
      majorComplication: row.majorComplication,
      cryoprobes: probes.cryoprobes[i],
      probeSpacingMm: probeSpacingMm(rng),
      followupMonths: timeMonths[i],
      ltp: row.ltp,
      ltpType,
      monthsToLtp: row.ltp ? timeMonths[i] : null,
      uncoveredOctant: mtmMm[i] < 0 ? uncoveredOctant(row, rng) : null,
      intendedMtmMm: mtmMm[i],
      intendedDiameterMm: diameterMm[i],
      intendedTumorVolumeMl: Math.round(volumes.volumeMl[i] * 1000) / 1000,
    };
  });
  return {
    cases,
    search: {
      outcomeLoss: outcome.loss,
      volumeLoss: volumes.loss,
      ageLoss: ages.loss,
      probeLoss: probes.loss,
      outcome: outcome.figures,
    },
  };
}

/**
 * `n` tumors drawn from a calibrated design (smoothed bootstrap): each copies a random row's clinical
 * values and outcome, with diameter ±2 mm (SD; fill ratio kept), MTM ±1 mm (kept on its side of zero:
 * LTPs stay uncovered), age ±3 years and follow-up ±3 months (SD); every tumor is its own patient.
 */
export function resampledDesign(base: CohortDesign, n: number, targets: CalibrationTargets, rng: Random): CohortDesign {
  const dt = targets.diameterMm;
  const cases: CaseDesign[] = [];
  for (let k = 0; k < n; k++) {
    const src = base.cases[rng.int(base.cases.length)];
    const diameter =
      Math.round(10 * Math.min(dt.max, Math.max(dt.min, src.intendedDiameterMm + 2 * standardNormal(rng)))) / 10;
    const ratio = src.intendedTumorVolumeMl / sphereVolumeMl(src.intendedDiameterMm);
    const fill = Math.min(FILL_RATIO_RANGE[1], Math.max(FILL_RATIO_RANGE[0], ratio));
    let mtm = src.intendedMtmMm + (rng.int(3) - 1);
    if (src.intendedMtmMm < 0) mtm = Math.min(-1, mtm);
    else if (mtm < 1) mtm = 1;
    mtm = Math.max(targets.mtm.min, Math.min(targets.mtm.max, mtm));
    const jitterMonths = (v: number) =>
      Math.max(1, Math.min(targets.followupMonths.max, Math.round(v + 3 * standardNormal(rng))));
    const time = src.ltp && src.ltpType === "residual" ? src.followupMonths : jitterMonths(src.followupMonths);
    cases.push({
      ...src,
      role: "plain",
      patientKey: k,
      ageYears: Math.max(18, Math.min(95, Math.round(src.ageYears + 3 * standardNormal(rng)))),
      priorAblation: false,
      followupMonths: time,
      monthsToLtp: src.ltp ? time : null,
      uncoveredOctant: mtm < 0 ? OCTANT_NAMES[rng.int(OCTANT_NAMES.length)] : null,
      intendedMtmMm: mtm,
      intendedDiameterMm: diameter,
      intendedTumorVolumeMl: Math.round(fill * sphereVolumeMl(diameter) * 1000) / 1000,
    });
  }
  return { cases, search: null };
}
