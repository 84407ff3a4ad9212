/**
 * `generateSyntheticCohort`: design → geometry → masks, measured by the margin engine until the engine
 * reads what the design intended; plus the clinical table and the cohort metadata. Pure: returns data,
 * loaders/cohort/synth.ts writes the files.
 *
 * Per case (its own seeded stream, so cases do not depend on each other):
 * 1. anatomy and pose: the tumor's seat on its kidney, the probes' approach, the patient's motion
 *    between the scans (pre → post rigid transform), the two scanner grids;
 * 2. tumor: lobulated shape at the intended volume (mask voxel count) and diameter — the diameter
 *    corrected until the engine's reading matches (its surface samples sit off the continuous surface);
 * 3. ice ball: probes by the protocol, isotherm size for the intended MTM, elongation for the ice-ball
 *    volume — and then the engine measures the pair; while its MTM is off the intended integer by more
 *    than 0.3 mm the continuous target moves by a secant on the engine's response and the ice is solved
 *    again.
 * The ice-ball volumes are designed once every case's feasible range is known (between steps 2 and 3),
 * and after step 3 one case absorbs the rounding residual of the mean ice-ball volume.
 *
 * The phases are exported separately (plan → prepare each case → design ice volumes → finish each case
 * → assemble) so a loader can run cases in parallel; every random draw comes from the cohort seed and the
 * case's position, so the result does not depend on the order or the thread that runs a case.
 */
import { CLINICAL_COLUMNS, type ClinicalColumn } from "../cohort/schema.js";
import { applyAffine } from "../margin/affine.js";
import { maskBounds } from "../margin/maskBounds.js";
import { maskCentroid, measureMargins } from "../margin/measure.js";
import type { MarginResult, MaskVolume, Mat4, OctantName, Vec3 } from "../margin/types.js";
import { maxOf, minOf } from "../stats/descriptives.js";
import { createRandom, type Random } from "../stats/random.js";
import { ANALYSIS_VERSION } from "../version.js";
import { approachDirection, axialGrid, patientMotion, tumorSeat } from "./anatomy.js";
import { type CaseDesign, type CohortDesign, paperDesign, resampledDesign } from "./design.js";
import { designIceballVolumes, sphereVolumeMl } from "./designMeasures.js";
import { type Ellipsoid, ellipsoidAxis, type PointCloud } from "./ellipsoid.js";
import { type ScanImage, type ScanOptions, synthesizeScans } from "./images.js";
import { ISOTHERM_TIP_EXTENSION, shaftTails } from "./probes.js";
import {
  engineDiameterMm,
  type IceRealization,
  iceForMargin,
  iceMask,
  increasingRoot,
  leadLobeDirection,
  type ProbePlan,
  planProbes,
  type TumorRealization,
  tumorForDiameterAndVolume,
  tumorSurfaceSamples,
} from "./realize.js";
import { uniform } from "./sampling.js";
import { type CalibrationTargets, PAPER_CALIBRATION_TARGETS } from "./targets.js";
import { drawTumorShape } from "./tumorShape.js";
import { addScaled, dot, normalize, scale } from "./vector.js";
import { type GridSpec, maskVolumeMl } from "./voxelize.js";

/** How far the probes' direction is turned from the approach toward the tumor's long axis (0–1). */
const PROBE_ALIGNMENT = 0.7;
/** Tumors filling at least this much of the sphere of their diameter get compact shapes (tumorShape.ts). */
const COMPACT_FILL_RATIO = 0.45;

/** The default seed: the committed cohort in data/cohort/ is this seed's. */
export const DEFAULT_SYNTH_SEED = 2030;

/** Ice balls whose largest feasible volume is below this (ml) get isotherms SMALL_ICE_STRETCH longer. */
const SMALL_ICE_ML = 22;
const SMALL_ICE_STRETCH = 0.6;
/** Elongations are kept within these bounds (IceSeed/IceRod-like isotherms are 1.2–2.4 × longer than wide). */
const ELONGATION_BOUNDS: readonly [number, number] = [1.0, 2.8];

export interface SyntheticCohortOptions {
  seed?: number;
  /** Number of tumors (default 32: the calibrated paper cohort; any other: drawn from it). */
  cases?: number;
  /** Also synthesise T2-like pre/post scans (default false). */
  images?: boolean;
  /** Scans cover the tumor's bounding box ± this many mm (default: the whole field of view). */
  imageRoiMm?: number;
  /** How the post scan departs from the plain T2 pair (with `images`; default: it does not). */
  scans?: ScanOptions;
  targets?: CalibrationTargets;
  /** Called with a line of progress per case. */
  onProgress?: (message: string) => void;
}

/** What the generator intended for a case and what the margin engine read from its masks. */
export interface CaseCheck {
  intendedMtmMm: number;
  engineMtmMm: number;
  engineMtmMmRounded: number;
  continuousMtmMm: number;
  intendedDiameterMm: number;
  engineDiameterMm: number;
  intendedTumorVolumeMl: number;
  tumorVolumeMl: number;
  intendedIceballVolumeMl: number;
  iceballVolumeMl: number;
  minMarginOctant: OctantName;
  /** The octant the design pointed an uncovered tumor's missed lobe at. */
  uncoveredOctant: OctantName | null;
  /** The regrowth octant written to clinical.csv (LTP only). */
  regrowthOctant: OctantName | null;
  /** Engine measurements used to close the loop. */
  engineRuns: number;
}

export interface SyntheticCase {
  caseId: string;
  patientId: string;
  design: CaseDesign;
  tumor: MaskVolume;
  iceball: MaskVolume;
  /** Pre-ablation world → post-ablation world (RAS mm). */
  preToPost: Mat4;
  /** With `images`: the scans, the post scan's contrast and the body's own pre → post transform. */
  images?: { pre: ScanImage; post: ScanImage; postContrast: "t2" | "t1"; bodyPreToPost: Mat4 };
  check: CaseCheck;
}

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

export interface SyntheticCohort {
  metadata: CohortMetadata;
  cases: SyntheticCase[];
  /** clinical.csv text (header = CLINICAL_COLUMNS). */
  clinicalCsv: string;
  design: CohortDesign;
}

/** A case's independent stream: the cohort seed mixed with the case's index. */
function caseRandom(seed: number, index: number): Random {
  return createRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

/** A case after tumor and probe planning, before its ice volume is fixed. */
export interface CaseInProgress {
  design: CaseDesign;
  rng: Random;
  preToPost: Mat4;
  preGrid: GridSpec;
  postGrid: GridSpec;
  tumor: TumorRealization;
  tumorSurface: PointCloud;
  plan: ProbePlan;
  /** The lead lobe's direction of an uncovered tumor (the probe array is shifted away from it). */
  leadLobe: Vec3 | null;
  /** The isotherm elongation of this case (the least that reaches past the tumor's proximal end, + stretch). */
  elongation: number;
  /** Extra elongation of a small ice ball (SMALL_ICE_STRETCH) or 0. */
  stretch: number;
  /** Ice for the intended MTM at that elongation, without a tail, and its mask volume (the least feasible). */
  baseIce: IceRealization;
  baseVolumeMl: number;
  /** Mask volume with the longest tail (the most feasible). */
  maxVolumeMl: number;
}

/** Steps 1–2 and the ice bracket of step 3 for the case at file position `k` of a plan. */
export function prepareSyntheticCase(cohort: CohortPlan, k: number): CaseInProgress {
  const design = cohort.design.cases[cohort.order[k]];
  const rng = caseRandom(cohort.seed, k);
  const center = tumorSeat(design.side, design.location, design.site, design.intendedDiameterMm, rng);
  const approach = approachDirection(design.side, rng);
  const preToPost = patientMotion(rng);
  const preGrid = axialGrid([0, -30, Math.round(center[2])]);
  const moved = applyAffine(preToPost, [0, -30, Math.round(center[2])]);
  const postGrid = axialGrid([
    moved[0] + uniform(rng, -6, 6),
    moved[1] + uniform(rng, -6, 6),
    moved[2] + uniform(rng, -6, 6),
  ]);
  const lead = design.uncoveredOctant ? leadLobeDirection(design.uncoveredOctant, rng) : undefined;
  const fill = design.intendedTumorVolumeMl / sphereVolumeMl(design.intendedDiameterMm);
  let draw = drawTumorShape(rng, lead, fill >= COMPACT_FILL_RATIO);
  // Tumor: continuous diameter corrected until the engine reads the intended one (±0.02 mm); the best
  // of at most seven tries is kept (each re-solves the thickness for the volume, so readings jitter).
  let continuousDiameter = design.intendedDiameterMm;
  let tumor = tumorForDiameterAndVolume(draw, center, continuousDiameter, design.intendedTumorVolumeMl, preGrid);
  // A lobulated draw that cannot hold the volume at this diameter (lobes stretch the diameter, not the
  // volume) is redrawn compact.
  if (Math.abs(maskVolumeMl(tumor.mask) - design.intendedTumorVolumeMl) > 0.01) {
    draw = drawTumorShape(rng, lead, true);
    tumor = tumorForDiameterAndVolume(draw, center, continuousDiameter, design.intendedTumorVolumeMl, preGrid);
  }
  let read = engineDiameterMm(tumor.mask);
  let bestTumor = { tumor, error: Math.abs(read - design.intendedDiameterMm), continuous: continuousDiameter, read };
  for (let k = 0; k < 7 && bestTumor.error > 0.02; k++) {
    // From the best so far, step by the engine's error (the reading follows the continuous diameter
    // with slope ≈ 1 but jitters with the voxelisation: later steps are damped).
    const step = (design.intendedDiameterMm - bestTumor.read) * (k < 2 ? 1 : 0.6);
    continuousDiameter = bestTumor.continuous + step;
    tumor = tumorForDiameterAndVolume(draw, center, continuousDiameter, design.intendedTumorVolumeMl, preGrid);
    read = engineDiameterMm(tumor.mask);
    const error = Math.abs(read - design.intendedDiameterMm);
    if (error < bestTumor.error) bestTumor = { tumor, error, continuous: continuousDiameter, read };
  }
  tumor = bestTumor.tumor;
  const tumorSurface = tumorSurfaceSamples(tumor.parts);
  const centroid = maskCentroid(tumor.mask, maskBounds(tumor.mask));
  let uncovered: { leadLobe: Vec3; shiftMm: number } | null = null;
  if (lead) {
    let extent = 0;
    for (let s = 0; s < tumorSurface.count; s++) {
      const p: Vec3 = [tumorSurface.points[3 * s], tumorSurface.points[3 * s + 1], tumorSurface.points[3 * s + 2]];
      extent = Math.max(extent, dot([p[0] - centroid[0], p[1] - centroid[1], p[2] - centroid[2]], lead));
    }
    // An LTP's array is shifted enough that its lead lobe is what the ice misses; the one uncovered
    // tumor without LTP has no regrowth site to match and only needs its small miss.
    const shiftMm = design.ltp ? 0.3 * extent + 0.6 * Math.abs(design.intendedMtmMm) : 0.1 * extent + 0.5;
    uncovered = { leadLobe: lead, shiftMm };
  }
  // Probes go in along the tumor's long axis where the approach allows (the elongated ice ball then
  // fits the tumor): the approach tilted toward the long axis by PROBE_ALIGNMENT.
  const main = tumor.parts[0];
  const long = ellipsoidAxis(main, main.semiAxesMm.indexOf(Math.max(...main.semiAxesMm)));
  const sign = dot(approach, long) < 0 ? -1 : 1;
  const direction = normalize(addScaled(scale(approach, 1 - PROBE_ALIGNMENT), long, sign * PROBE_ALIGNMENT));
  let plan = planProbes(direction, centroid, design.cryoprobes, design.probeSpacingMm, rng, uncovered);
  let stretch = 0;
  let ice = iceForPlan(tumor.parts, tumorSurface, plan, design.intendedMtmMm);
  let maxVolumeMl = maskVolumeMl(iceMask(withTail(ice.baseIce, maxTailMm(ice.baseIce)), preToPost, postGrid));
  if (maxVolumeMl < SMALL_ICE_ML) {
    // A small ice ball (thin isotherms, short tail): longer isotherms, so the published smallest
    // ice-ball volume stays within reach.
    stretch = SMALL_ICE_STRETCH;
    ice = iceForPlan(tumor.parts, tumorSurface, plan, design.intendedMtmMm, stretch);
    maxVolumeMl = maskVolumeMl(iceMask(withTail(ice.baseIce, maxTailMm(ice.baseIce)), preToPost, postGrid));
  }
  let baseVolumeMl = maskVolumeMl(iceMask(ice.baseIce.parts, preToPost, postGrid));
  // An ice ball that even without a tail exceeds the published largest: roll the array (up to three
  // arrangements) and keep the smallest.
  for (let turn = 1; turn <= 3 && baseVolumeMl > cohort.targets.iceballVolumeMl.max; turn++) {
    const rolled = { ...plan, rollRad: plan.rollRad + (turn * Math.PI) / (2 * plan.count) };
    const other = iceForPlan(tumor.parts, tumorSurface, rolled, design.intendedMtmMm, stretch);
    const volume = maskVolumeMl(iceMask(other.baseIce.parts, preToPost, postGrid));
    if (volume < baseVolumeMl) {
      plan = rolled;
      ice = other;
      baseVolumeMl = volume;
      maxVolumeMl = maskVolumeMl(iceMask(withTail(ice.baseIce, maxTailMm(ice.baseIce)), preToPost, postGrid));
    }
  }
  return {
    design,
    rng,
    preToPost,
    preGrid,
    postGrid,
    tumor,
    tumorSurface,
    plan,
    leadLobe: lead ?? null,
    elongation: ice.elongation,
    stretch,
    baseIce: ice.baseIce,
    baseVolumeMl,
    maxVolumeMl,
  };
}

/**
 * The isotherm elongation of a probe plan and its tail-less ice at the intended MTM. At ε = 2 the width
 * sets r; the least ε whose isotherms reach 4 mm (+ the margin) past the tumor's proximal end (axial reach
 * (2 − ζ)·ε·r behind the tip) gives the most compact ice ball; more volume comes from the shaft's tail
 * (probes.ts), which leaves the margin alone.
 */
function iceForPlan(
  tumorParts: readonly Ellipsoid[],
  tumorSurface: PointCloud,
  plan: ProbePlan,
  mtmMm: number,
  extraElongation = 0,
): { elongation: number; baseIce: IceRealization } {
  const reference = iceForMargin(tumorParts, tumorSurface, plan, 2, mtmMm, 0.05);
  const u = reference.probes.directionRas;
  let proximal = Number.POSITIVE_INFINITY;
  let distal = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < tumorSurface.count; i++) {
    const t = dot([tumorSurface.points[3 * i], tumorSurface.points[3 * i + 1], tumorSurface.points[3 * i + 2]], u);
    proximal = Math.min(proximal, t);
    distal = Math.max(distal, t);
  }
  const reach = distal - proximal + Math.abs(mtmMm) + 4;
  const elongation = Math.min(
    ELONGATION_BOUNDS[1],
    extraElongation +
      Math.max(ELONGATION_BOUNDS[0], reach / ((2 - ISOTHERM_TIP_EXTENSION) * reference.lateralRadiusMm)),
  );
  return {
    elongation,
    baseIce: iceForMargin(tumorParts, tumorSurface, plan, elongation, mtmMm, 0.05, reference.lateralRadiusMm),
  };
}

/**
 * The longest shaft tail: 3 isotherm radii, at most 60 mm (the ice of a 10-minute double freeze rarely
 * runs further back; a longer, thinner tail also misleads the engine's surface reconstruction).
 */
function maxTailMm(ice: IceRealization): number {
  return Math.min(60, 3 * ice.lateralRadiusMm);
}

/** An ice realisation's parts plus its shaft tails of length `tailMm`. */
function withTail(ice: IceRealization, tailMm: number) {
  return [...ice.parts, ...shaftTails(ice.probes, ice.lateralRadiusMm, ice.elongation, tailMm)];
}

/** Engine and intended MTM may differ by this much when the loop stops (rounding edges are 0.5 away: 0.25 mm of room). */
const MTM_CLOSURE_MM = 0.25;
/** Ice-ball volume tolerance of the cases that set the published range and mean, ml. */
const ICE_VOLUME_TIGHT_ML = 0.02;
/** Ice-ball volume tolerance of the other cases, ml. */
const ICE_VOLUME_TOL_ML = 0.25;
const MAX_ENGINE_ROUNDS = 6;

export interface FinishedCase {
  ice: IceRealization;
  iceball: MaskVolume;
  result: MarginResult;
  runs: number;
  /** The octant an LTP regrows in: the intended one, or where the engine found the deepest miss. */
  regrowthOctant: OctantName | null;
}

/**
 * The regrowth octant an LTP gets: where the engine finds its deepest miss — the design aimed a lobe at
 * `uncoveredOctant`, and the geometry decides. Fig. 5's regrowth must stay medial (its left/right half).
 */
function regrowthAcceptable(design: CaseDesign, found: OctantName): boolean {
  if (!design.ltp || design.role !== "figure5" || design.uncoveredOctant === null) return true;
  return found.split("-")[0] === design.uncoveredOctant.split("-")[0];
}

/**
 * Step 3's end: ice at the intended volume and MTM, closed through the engine. Each round: elongation
 * by secant on the ice-ball volume (the MTM re-solved at each ε) to ±`volumeTolMl`, then one engine
 * measurement. The continuous target follows a secant on the engine's response (the engine reads the
 * masks a shape-dependent offset away from the continuous margin) until the engine is within
 * MTM_CLOSURE_MM of the intended integer. A Fig. 5 case whose deepest miss is on the wrong side gets its
 * array shifted further from the lead lobe. The best round is kept (MTM, side, then volume).
 */
export function finishSyntheticCase(
  c: CaseInProgress,
  intendedIceMl: number,
  {
    volumeTolMl = ICE_VOLUME_TOL_ML,
    trace = () => {},
  }: { volumeTolMl?: number; trace?: (message: string) => void } = {},
): FinishedCase {
  let best = closeMargin(c, c.plan, c.elongation, c.baseIce, intendedIceMl, volumeTolMl, trace);
  // The engine's reading depends on the ice's shape (its offset from the continuous margin varies from
  // a few tenths to 2 mm): when the loop cannot close, the array is rolled to a new arrangement.
  for (let replan = 1; replan <= MAX_REPLANS && best.score >= CLOSED_SCORE; replan++) {
    // Rolled arrangements first; then longer isotherms (more volume without a shaft tail, whose seam the
    // engine can misread as a miss).
    const turns = replan <= 2 ? replan : replan - 2;
    const stretch = c.stretch + (replan <= 2 ? 0 : 0.4 * (replan - 2));
    const plan = { ...c.plan, rollRad: c.plan.rollRad + (turns * Math.PI) / (2 * c.plan.count) };
    trace(
      `re-planned: array rolled by ${((turns * 180) / (2 * c.plan.count)).toFixed(0)}°, isotherms +${stretch.toFixed(1)} ε`,
    );
    const ice = iceForPlan(c.tumor.parts, c.tumorSurface, plan, c.design.intendedMtmMm, stretch);
    const next = closeMargin(c, plan, ice.elongation, ice.baseIce, intendedIceMl, volumeTolMl, trace);
    if (next.score < best.score) best = next;
  }
  const { score: _score, ...finished } = best;
  return finished;
}

/** Re-plans of the probe array tried when the engine loop does not close. */
const MAX_REPLANS = 4;
/** Scores below this are closed loops (|error| ≤ MTM_CLOSURE_MM, right side; see closeMargin). */
const CLOSED_SCORE = 1;

/**
 * The engine loop for one probe plan: each round solves the isotherm size for the continuous target,
 * the shaft tail for the ice volume, and measures; the target follows a secant on the engine's response.
 * Score: |error| (+10 per mm beyond MTM_CLOSURE_MM, +100 on the wrong side, + volume misfit).
 */
function closeMargin(
  c: CaseInProgress,
  plan0: ProbePlan,
  elongation: number,
  baseIce: IceRealization,
  intendedIceMl: number,
  volumeTolMl: number,
  trace: (message: string) => void,
): FinishedCase & { score: number } {
  const { design } = c;
  let target = design.intendedMtmMm;
  let ice = baseIce;
  let plan = plan0;
  const responses: [number, number][] = []; // (continuous target, engine MTM)
  let best: (FinishedCase & { score: number }) | null = null;
  for (let round = 0; round < MAX_ENGINE_ROUNDS; round++) {
    if (round > 0)
      ice = iceForMargin(c.tumor.parts, c.tumorSurface, plan, elongation, target, 0.02, ice.lateralRadiusMm);
    const { iceball, tailMm } = tailForVolume(c, ice, intendedIceMl, volumeTolMl);
    const result = measureMargins(c.tumor.mask, iceball, c.preToPost);
    const error = design.intendedMtmMm - result.mtmMm;
    const sideOk = regrowthAcceptable(design, result.minMarginOctant);
    const volumeError = Math.abs(result.iceballVolumeMl - intendedIceMl);
    trace(
      `round ${round + 1}: target ${target.toFixed(2)} → continuous ${ice.continuousMtmMm.toFixed(2)}, engine ${result.mtmMm.toFixed(2)} (${result.minMarginOctant}${sideOk ? "" : ", wrong side"}), ice ${result.iceballVolumeMl.toFixed(2)}/${intendedIceMl.toFixed(2)} ml (tail ${tailMm.toFixed(1)} mm)`,
    );
    const score =
      10 * Math.max(0, Math.abs(error) - MTM_CLOSURE_MM) +
      Math.abs(error) * 0.5 +
      (sideOk ? 0 : 100) +
      0.1 * Math.max(0, volumeError - volumeTolMl);
    const regrowthOctant = design.ltp ? result.minMarginOctant : null;
    if (best === null || score < best.score)
      best = { ice: { ...ice, parts: withTail(ice, tailMm) }, iceball, result, runs: 0, regrowthOctant, score };
    best.runs = round + 1;
    if (Math.abs(error) <= MTM_CLOSURE_MM && sideOk) break;
    if (!sideOk && c.leadLobe) {
      // Move the array further from the lead lobe, so the lobe is what the ice misses.
      plan = { ...plan, axisPointRas: addScaled(plan.axisPointRas, c.leadLobe, -2.5) };
      responses.length = 0;
      continue;
    }
    responses.push([target, result.mtmMm]);
    // Secant on engine(target); slope clamped to [0.5, 2] (≈ 1: the engine reads a shifted margin).
    let slope = 1;
    if (responses.length >= 2) {
      const [[t0, m0], [t1, m1]] = responses.slice(-2);
      if (Math.abs(t1 - t0) > 1e-6) slope = Math.min(2, Math.max(0.5, (m1 - m0) / (t1 - t0)));
    }
    target += (round < 2 ? 1 : 0.7) * (error / slope);
    // The engine may read a covered tumor up to ≈ 2 mm wider than the continuous geometry: the target
    // may go a little past zero, not further (deep continuous misses make the engine's reading erratic).
    target = design.intendedMtmMm > 0 ? Math.max(-1, target) : Math.min(-0.2, target);
  }
  return best!;
}

/**
 * The shaft-tail length (0 to maxTailMm) whose ice mask holds `intendedMl` (±tolMl) by Illinois on the
 * mask volume (monotone in the tail); 0 when even the tail-less ice is larger.
 */
function tailForVolume(
  c: CaseInProgress,
  ice: IceRealization,
  intendedMl: number,
  tolMl: number,
): { iceball: MaskVolume; tailMm: number } {
  const masks = new Map<number, MaskVolume>();
  const volume = (tailMm: number) => {
    if (!masks.has(tailMm)) masks.set(tailMm, iceMask(withTail(ice, tailMm), c.preToPost, c.postGrid));
    return maskVolumeMl(masks.get(tailMm)!) - intendedMl;
  };
  const root = increasingRoot(volume, 0, maxTailMm(ice), tolMl, 30);
  return { iceball: masks.get(root.x)!, tailMm: root.x };
}

/** Formats a design's clinical row in CLINICAL_COLUMNS order. */
function clinicalRow(
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

/**
 * File order: tumors in a shuffled "treatment order", a patient's rows in their design order (the
 * re-ablation after the ablation it repeats). Ids S01…, P01… follow that order.
 */
function fileOrder(cases: readonly CaseDesign[], rng: Random): number[] {
  const keys = [...new Set(cases.map((c) => c.patientKey))];
  const shuffledKeys = keys.map((k) => ({ k, u: rng.next() })).sort((a, b) => a.u - b.u);
  return shuffledKeys.flatMap(({ k }) => cases.flatMap((c, i) => (c.patientKey === k ? [i] : [])));
}

/** The cohort before any geometry: options resolved, the design, the file order. */
export interface CohortPlan {
  seed: number;
  n: number;
  targets: CalibrationTargets;
  images: boolean;
  /** Scans cover the tumor's bounding box ± this many mm; null: the whole field of view. */
  imageRoiMm: number | null;
  scans: ScanOptions;
  design: CohortDesign;
  /** Design row of each file position. */
  order: number[];
}

/** Resolves options and searches the design (the calibrated 32 first, resampled when n ≠ 32). */
export function planSyntheticCohort(options: SyntheticCohortOptions = {}): CohortPlan {
  const seed = options.seed ?? DEFAULT_SYNTH_SEED;
  const targets = options.targets ?? PAPER_CALIBRATION_TARGETS;
  const n = options.cases ?? targets.tumors;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`synth: the number of cases must be a positive integer, got ${n}`);
  const rng = createRandom(seed);
  const calibrated = paperDesign(targets, rng);
  const design = n === targets.tumors ? calibrated : resampledDesign(calibrated, n, targets, rng);
  const imageRoiMm = options.imageRoiMm ?? null;
  if (imageRoiMm !== null && !(imageRoiMm >= 0))
    throw new RangeError(`synth: the image region of interest must be ≥ 0 mm, got ${imageRoiMm}`);
  return {
    seed,
    n,
    targets,
    images: options.images ?? false,
    imageRoiMm,
    scans: options.scans ?? {},
    design,
    order: fileOrder(design.cases, rng),
  };
}

/** The feasible ice-ball volumes of a prepared case, ml: [at the lowest, at the highest elongation]. */
export function feasibleIceballVolumes(c: CaseInProgress): [number, number] {
  return [c.baseVolumeMl, c.maxVolumeMl];
}

/**
 * Intended ice-ball volume per file position (designIceballVolumes over the feasible ranges) and the
 * tolerance each case is finished to: ICE_VOLUME_TOL_ML, but at most half the distance to the smallest
 * and largest intended volumes (so no case crosses the published range's ends) and ICE_VOLUME_TIGHT_ML
 * for the two cases that set them.
 */
export function planIceballVolumes(
  plan: CohortPlan,
  feasible: readonly (readonly [number, number])[],
): { volumeMl: number[]; toleranceMl: number[] } {
  const ltp = plan.order.map((i) => plan.design.cases[i].ltp);
  const rng = createRandom((plan.seed ^ 0x1ceba11) >>> 0);
  // The published range and mean are the 32's; a cohort of another size takes each case's volume from
  // the middle part of its feasible range.
  const volumeMl =
    plan.n === plan.targets.tumors
      ? designIceballVolumes(ltp, feasible, plan.targets, rng).volumeMl
      : feasible.map(([lo, hi]) => lo + (0.3 + 0.4 * rng.next()) * (hi - lo));
  const lo = minOf(volumeMl);
  const hi = maxOf(volumeMl);
  const toleranceMl = volumeMl.map((v) =>
    Math.min(ICE_VOLUME_TOL_ML, Math.max(ICE_VOLUME_TIGHT_ML, 0.5 * Math.min(v - lo, hi - v))),
  );
  return { volumeMl, toleranceMl };
}

/**
 * The case that absorbs the residual of the mean ice-ball volume (each case is finished to its
 * tolerance; their mean must round to the published one), and its new intended volume — or null when
 * the mean is already within 0.02 ml. The largest case with the loosest tolerance is used (the smallest
 * relative change, far from the range's ends); it is then finished to ICE_VOLUME_TIGHT_ML.
 */
export function iceballMeanFixup(
  plan: CohortPlan,
  toleranceMl: readonly number[],
  measured: readonly number[],
): { k: number; volumeMl: number; toleranceMl: number } | null {
  if (plan.n !== plan.targets.tumors) return null;
  const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
  const residual = plan.targets.iceballVolumeMl.mean - mean;
  if (Math.abs(residual) <= 0.02) return null;
  let k = -1;
  for (let j = 0; j < measured.length; j++)
    if (toleranceMl[j] >= ICE_VOLUME_TOL_ML && (k < 0 || measured[j] > measured[k])) k = j;
  return { k, volumeMl: measured[k] + residual * measured.length, toleranceMl: ICE_VOLUME_TIGHT_ML };
}

/** A finished case as the cohort holds it (ids from the file position; images when the plan asks). */
export function assembleSyntheticCase(
  plan: CohortPlan,
  k: number,
  c: CaseInProgress,
  finished: FinishedCase,
  intendedIceMl: number,
): SyntheticCase {
  const d = c.design;
  const r = finished.result;
  const out: SyntheticCase = {
    caseId: `S${String(k + 1).padStart(2, "0")}`,
    patientId: "",
    design: d,
    tumor: c.tumor.mask,
    iceball: finished.iceball,
    preToPost: c.preToPost,
    check: {
      intendedMtmMm: d.intendedMtmMm,
      engineMtmMm: r.mtmMm,
      engineMtmMmRounded: r.mtmMmRounded,
      continuousMtmMm: finished.ice.continuousMtmMm,
      intendedDiameterMm: d.intendedDiameterMm,
      engineDiameterMm: r.tumorMaxDiameterMm,
      intendedTumorVolumeMl: d.intendedTumorVolumeMl,
      tumorVolumeMl: r.tumorVolumeMl,
      intendedIceballVolumeMl: intendedIceMl,
      iceballVolumeMl: r.iceballVolumeMl,
      minMarginOctant: r.minMarginOctant,
      uncoveredOctant: d.uncoveredOctant,
      regrowthOctant: finished.regrowthOctant,
      engineRuns: finished.runs,
    },
  };
  if (plan.images)
    out.images = {
      postContrast: plan.scans.postContrast ?? "t2",
      ...synthesizeScans(
        c.tumor.parts,
        finished.ice.parts,
        finished.ice.probes,
        c.preToPost,
        c.preGrid,
        c.postGrid,
        c.rng,
        plan.imageRoiMm ?? undefined,
        plan.scans,
      ),
    };
  return out;
}

/** Patient ids (P01… in file order), clinical.csv and metadata around the finished cases. */
export function assembleSyntheticCohort(plan: CohortPlan, finished: readonly SyntheticCase[]): SyntheticCohort {
  const patientIds = new Map<number, string>();
  const cases = finished.map((c) => {
    const key = c.design.patientKey;
    if (!patientIds.has(key)) patientIds.set(key, `P${String(patientIds.size + 1).padStart(2, "0")}`);
    return { ...c, patientId: patientIds.get(key)! };
  });
  const rows = cases.map((c) => clinicalRow(c.caseId, c.patientId, c.design, c.check.regrowthOctant));
  return {
    metadata: cohortMetadata(plan.seed, plan.n, patientIds.size),
    cases,
    clinicalCsv: formatClinicalCsv(rows),
    design: plan.design,
  };
}

/**
 * Generates the cohort in this thread (the phases one after another).
 * Example: `generateSyntheticCohort({ cases: 4 }).cases[0].tumor` is a MaskVolume.
 */
export function generateSyntheticCohort(options: SyntheticCohortOptions = {}): SyntheticCohort {
  const plan = planSyntheticCohort(options);
  const progress = options.onProgress ?? (() => {});
  const prepared = plan.order.map((_, k) => {
    const c = prepareSyntheticCase(plan, k);
    progress(`case ${k + 1}/${plan.n}: tumor and probes ready`);
    return c;
  });
  const ice = planIceballVolumes(plan, prepared.map(feasibleIceballVolumes));
  const finish = (k: number, volumeMl: number, toleranceMl: number) => {
    const trace = (m: string) => progress(`case ${k + 1}/${plan.n}: ${m}`);
    const done = finishSyntheticCase(prepared[k], volumeMl, { volumeTolMl: toleranceMl, trace });
    return assembleSyntheticCase(plan, k, prepared[k], done, volumeMl);
  };
  const cases = prepared.map((_, k) => finish(k, ice.volumeMl[k], ice.toleranceMl[k]));
  const fix = iceballMeanFixup(
    plan,
    ice.toleranceMl,
    cases.map((c) => c.check.iceballVolumeMl),
  );
  if (fix) cases[fix.k] = finish(fix.k, fix.volumeMl, fix.toleranceMl);
  return assembleSyntheticCohort(plan, cases);
}

function cohortMetadata(seed: number, n: number, patients: number): CohortMetadata {
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
