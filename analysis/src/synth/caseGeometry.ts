/**
 * Steps 1–2 of a synthetic case and the ice bracket of step 3: anatomy and pose, the scanner grids, the
 * tumor at the intended volume with its diameter corrected until the margin engine reads the intended
 * one, the probe plan, and the isotherm elongation with the least and most feasible ice-ball volumes.
 */
import { applyAffine } from "../margin/affine.js";
import { maskBounds } from "../margin/maskBounds.js";
import { maskCentroid } from "../margin/measure.js";
import type { Mat4, Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { approachDirection, axialGrid, patientMotion, tumorSeat } from "./anatomy.js";
import { type CohortPlan, caseRandom } from "./cohortPlan.js";
import type { CaseDesign } from "./design.js";
import { sphereVolumeMl } from "./designMeasures.js";
import { type Ellipsoid, ellipsoidAxis, type PointCloud } from "./ellipsoid.js";
import { ISOTHERM_TIP_EXTENSION, shaftTails } from "./probes.js";
import {
  engineDiameterMm,
  type IceRealization,
  iceForMargin,
  iceMask,
  leadLobeDirection,
  type ProbePlan,
  planProbes,
  type TumorRealization,
  tumorForDiameterAndVolume,
  tumorSurfaceSamples,
} from "./realize.js";
import { uniform } from "./sampling.js";
import { drawTumorShape } from "./tumorShape.js";
import { addScaled, dot, normalize, scale } from "./vector.js";
import { type GridSpec, maskVolumeMl } from "./voxelize.js";

/** How far the probes' direction is turned from the approach toward the tumor's long axis (0–1). */
const PROBE_ALIGNMENT = 0.7;
/** Tumors filling at least this much of the sphere of their diameter get compact shapes (tumorShape.ts). */
const COMPACT_FILL_RATIO = 0.45;

/** Ice balls whose largest feasible volume is below this (ml) get isotherms SMALL_ICE_STRETCH longer. */
const SMALL_ICE_ML = 22;
const SMALL_ICE_STRETCH = 0.6;
/** Elongations are kept within these bounds (IceSeed/IceRod-like isotherms are 1.2–2.4 × longer than wide). */
const ELONGATION_BOUNDS: readonly [number, number] = [1.0, 2.8];

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
export function iceForPlan(
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
export function maxTailMm(ice: IceRealization): number {
  return Math.min(60, 3 * ice.lateralRadiusMm);
}

/** An ice realisation's parts plus its shaft tails of length `tailMm`. */
export function withTail(ice: IceRealization, tailMm: number) {
  return [...ice.parts, ...shaftTails(ice.probes, ice.lateralRadiusMm, ice.elongation, tailMm)];
}
