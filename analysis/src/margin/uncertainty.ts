/**
 * How much the minimal treatment margin could move if the registration is off: a Monte-Carlo over
 * rigid perturbations of the pre → post transform about the tumor's centre.
 *
 * Model: T' = T · P with P(x) = R(ω)(x − c) + c + t, c the tumor centroid (pre world), ω ~ N(0, σ_r² I)
 * a rotation vector (radians; axis ω/|ω|, angle |ω|) and t ~ N(0, σ_t² I) in mm — the registration
 * error as a small random rigid motion of the tumor against the ice ball. For each draw the MTM (and
 * each octant's minimum) is re-read at the tumor's refined surface samples moved by P, against the
 * same ice-ball signed distance (the ice surface is reconstructed once: only the tumor points move).
 * Reported: the MTM's 2.5/50/97.5 percentiles (R type 7), P(MTM < 0) and P(MTM ≥ threshold), per
 * octant too.
 *
 * Combined with the masks' resolution: the range of MTMs the masks allow (`mtm_mask_range_mm`,
 * maskRange.ts) is lo = minₛ low(s), hi = minₛ high(s), with low(s) and high(s) the extreme readings of
 * tumor sample s's edge against the smallest and the largest ice ball the ice mask allows. Each draw
 * gets its own range [lo_d, hi_d], the same minima with the edges moved by the draw's perturbation;
 * the combined 95 % interval is [2.5th percentile of lo_d, 97.5th percentile of hi_d]. With σ = 0 it
 * is the mask range, on masks fine enough that lo_d = hi_d = MTM_d it is the registration interval, and
 * since lo_d ≤ MTM_d ≤ hi_d at every draw it always holds the registration interval. low(s) and high(s) are a minimum and a maximum of signed distances
 * at points the perturbation moves by at most Δ(p), so they obey the same Lipschitz bound as the MTM
 * and are pruned the same way (below).
 *
 * Speed: a true signed distance d is 1-Lipschitz (|d(q) − d(q')| ≤ |q − q'|), and P moves a sample p by
 * at most Δ(p) = |ω|·|p − c| + |t|. So a sample whose unperturbed margin m₀(p) satisfies
 * m₀(p) − Δmax − slack ≥ the smallest perturbed margin found so far cannot be the minimum: samples are
 * visited in increasing m₀ and the visit stops there. The engine's reading is not 1-Lipschitz: it is
 * the distance to the nearest sample's disc of radius ρ (the ice field's `discRadiusMm`, 0.6 × its
 * coarsest spacing), which lies between |y − s| − ρ and |y − s| and switches disc as the nearest sample
 * changes, its sign taken from the mask near the surface. On data/cohort (ρ = 1.8 mm), over the 200
 * default draws, a read sample's m₀(p) − m_d(p) exceeds Δmax by up to 1.6 mm (MTM), 2.0 mm (a mask
 * range's low end) and 1.1 mm (high end). The slack is ρ + PRUNING_SLACK_MM; it is measured, not proved:
 * with it every draw's MTM, octant minima and mask-range ends equal those of reading every sample
 * (`pruningSlackMm: Infinity`) on all 32 data/cohort cases and on 4–5 mm ice slices (test), while a
 * fixed 0.5 mm slack changed 13 MTM draws, 14 octant minima and 52 low ends (of 6400 draws) in 15 of
 * the 32 cases, by up to 0.92 mm. A draw's readings are kept for the octant sweeps, so each sample is
 * read at most once per draw. A read's nearest ice sample is looked up among the ice samples that can be
 * nearest to that tumor point under any draw, listed once per point (kdTree.ts, pointsNear; for the mask
 * range's ends maskRange.ts, EdgeRangeNear): the sample the k-d tree finds, ties included, by a scan of a
 * few dozen samples instead of a search from the tree's root.
 */
import { rigidAbout } from "../register/rigid.js";
import { quantile } from "../stats/descriptives.js";
import { createRandom, standardNormal } from "../stats/random.js";
import { multiplyMat4 } from "./affine.js";
import { type PointsNear, pointsNear } from "./kdTree.js";
import { edgeRangeNear, edgeRangeReader, type MaskRangeIce } from "./maskRange.js";
import { DEFAULT_THRESHOLD_MM, type MarginSurfaces, surfacesOf } from "./measure.js";
import { OCTANT_NAMES, octantIndex } from "./octants.js";
import { lastNearestSample, readingLowerBound, signedDistance, signedDistanceNear } from "./signedDistance.js";
import type { MaskVolume, Mat4, OctantName, Vec3 } from "./types.js";

/** Options of `marginUncertainty`. */
export interface MarginUncertaintyOptions {
  /** Monte-Carlo draws (default 200). */
  samples?: number;
  /** SD of the rotation about each axis, degrees (default 1). */
  rotationSdDeg?: number;
  /** SD of the translation along each axis, mm (default 1). */
  translationSdMm?: number;
  /** Coverage threshold, mm (default 5). */
  thresholdMm?: number;
  /** Seed of the draws (default 1): the same seed gives the same interval. */
  seed?: number;
  /** Also the interval combined with the mask range (default true; NaN when false). */
  withMaskRange?: boolean;
  /**
   * Slack (mm) added to the pruning bound (default: the ice field's disc radius + {@link PRUNING_SLACK_MM});
   * +Infinity reads every surface sample in every draw (no pruning).
   */
  pruningSlackMm?: number;
  /**
   * The masks' surfaces built beforehand (`marginSurfaces` of the same masks, e.g. those `measureMargins`
   * was given): only the draws are then computed here; built here when absent.
   */
  surfaces?: MarginSurfaces;
}

/** Percentiles and probabilities of one minimum margin over the draws. */
export interface MarginInterval {
  p2_5Mm: number;
  p50Mm: number;
  p97_5Mm: number;
  /** Share of draws with the minimum < 0 (part of the tumor not covered). */
  probabilityBelowZero: number;
  /** Share of draws with the minimum ≥ the threshold. */
  probabilityAtLeastThreshold: number;
}

export interface MarginUncertainty extends MarginInterval {
  samples: number;
  rotationSdDeg: number;
  translationSdMm: number;
  thresholdMm: number;
  seed: number;
  /** MTM with the transform as given (the centre of the perturbations). */
  mtmMm: number;
  octants: ({ name: OctantName } & MarginInterval)[];
  /** The mask range at the transform as given, [lo, hi] (as `mtm_mask_range_mm`). */
  maskRangeMm: [number, number];
  /**
   * The combined interval: [2.5th percentile over the draws of the mask range's lo, 97.5th
   * percentile of its hi] (see the module comment).
   */
  withMaskRangeMm: [number, number];
  /**
   * Surface samples the pruning lets through per draw (MTM and octant sweeps), mean (of all the tumor's
   * surface samples): each is read, unless its reading is surely no lower than the sweep's minimum so far.
   */
  meanSamplesRead: number;
  surfaceSamples: number;
}

/** Slack (mm) on the pruning bound beyond the ice field's disc radius ρ (see the module comment). */
export const PRUNING_SLACK_MM = 0.2;

/**
 * The reads' lists of nearby ice samples cover the points moved by up to this quantile of the draws'
 * largest shifts; reads of draws that moved a point farther may need the tree. On data/cohort S07 and S08
 * 0.8 took 6–8 % less CPU than the largest shift (shorter lists to build), 0.5 2–4 %.
 */
const LIST_SHIFT_QUANTILE = 0.8;

function interval(values: number[], thresholdMm: number): MarginInterval {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0)
    return {
      p2_5Mm: Number.NaN,
      p50Mm: Number.NaN,
      p97_5Mm: Number.NaN,
      probabilityBelowZero: Number.NaN,
      probabilityAtLeastThreshold: Number.NaN,
    };
  return {
    p2_5Mm: quantile(finite, 0.025),
    p50Mm: quantile(finite, 0.5),
    p97_5Mm: quantile(finite, 0.975),
    probabilityBelowZero: finite.filter((v) => v < 0).length / finite.length,
    probabilityAtLeastThreshold: finite.filter((v) => v >= thresholdMm).length / finite.length,
  };
}

/** [2.5th percentile of `lows`, 97.5th of `highs`] over their finite values (NaN when none). */
function combinedEnds(lows: number[], highs: number[]): [number, number] {
  const lo = lows.filter(Number.isFinite);
  const hi = highs.filter(Number.isFinite);
  return [lo.length ? quantile(lo, 0.025) : Number.NaN, hi.length ? quantile(hi, 0.975) : Number.NaN];
}

/**
 * The Monte-Carlo interval of the MTM and of each octant's minimum under rigid registration error
 * (see the module comment). Example: a 10 mm tumor centred in a 20 mm ice ball with σ = 1 mm, 1°
 * gives an MTM interval of about 10 ± 2 mm and P(MTM < 0) = 0.
 */
export function marginUncertainty(
  tumor: MaskVolume,
  iceball: MaskVolume,
  preToPost: Mat4,
  options: MarginUncertaintyOptions = {},
): MarginUncertainty {
  const samples = options.samples ?? 200;
  const rotationSdDeg = options.rotationSdDeg ?? 1;
  const translationSdMm = options.translationSdMm ?? 1;
  const thresholdMm = options.thresholdMm ?? DEFAULT_THRESHOLD_MM;
  const seed = options.seed ?? 1;
  // Given surfaces carry their outline mode; built here, the engine's default ("auto").
  const surfaces = surfacesOf(tumor, iceball, options.surfaces, options.surfaces?.tumorOutlineMode);
  const centre = surfaces.tumorCentroid;
  const surface = surfaces.tumorSurface.samples;
  const field = surfaces.iceField;
  const pruningSlackMm = options.pruningSlackMm ?? field.discRadiusMm + PRUNING_SLACK_MM;
  const n = surface.count;
  const pts = surface.points;

  // Unperturbed margins, the octant of each sample, the farthest sample from the centre.
  /** Sample s mapped by m (post world, mm), written to `q`. */
  const q = new Float64Array(3);
  const mapSample = (m: Mat4, s: number) => {
    const x = pts[3 * s];
    const y = pts[3 * s + 1];
    const z = pts[3 * s + 2];
    q[0] = m[0] * x + m[1] * y + m[2] * z + m[3];
    q[1] = m[4] * x + m[5] * y + m[6] * z + m[7];
    q[2] = m[8] * x + m[9] * y + m[10] * z + m[11];
  };
  const read = (m: Mat4, s: number, hint: number) => {
    mapSample(m, s);
    return signedDistance(field, q[0], q[1], q[2], hint);
  };
  const m0 = new Float64Array(n);
  // Each sample's nearest ice sample at the transform as given: the first guess of its perturbed reads (a draw
  // moves it a few mm, so its nearest ice sample is near this one). The field breaks ties by index, so the
  // readings do not depend on the guess; only the search's length does.
  const nearestAt0 = new Int32Array(n);
  const octant = new Uint8Array(n);
  let radius = 0;
  for (let s = 0; s < n; s++) {
    m0[s] = read(preToPost, s, -1);
    nearestAt0[s] = lastNearestSample();
    const d: Vec3 = [pts[3 * s] - centre[0], pts[3 * s + 1] - centre[1], pts[3 * s + 2] - centre[2]];
    octant[s] = octantIndex(d[0], d[1], d[2]);
    radius = Math.max(radius, Math.hypot(d[0], d[1], d[2]));
  }
  const order = Array.from({ length: n }, (_, s) => s).sort((a, b) => m0[a] - m0[b]);
  const byOctant = OCTANT_NAMES.map((_, o) => order.filter((s) => octant[s] === o));
  let mtmMm = Number.POSITIVE_INFINITY;
  for (let s = 0; s < n; s++) mtmMm = Math.min(mtmMm, m0[s]);

  // Each sample's share of the mask range at the transform as given, and the samples in increasing order of each.
  const iceRange = options.withMaskRange !== false ? surfaces.maskRangeIce() : null;
  const lowAt = new Float64Array(n);
  const highAt = new Float64Array(n);
  if (iceRange) {
    const reader = edgeRangeReader(surface, iceRange, preToPost);
    for (let s = 0; s < n; s++) {
      lowAt[s] = reader.low(s);
      highAt[s] = reader.high(s);
    }
  }
  const measured = order.filter(
    (s) => Number.isFinite(m0[s]) && Number.isFinite(lowAt[s]) && Number.isFinite(highAt[s]),
  );
  const byLow = [...measured].sort((a, b) => lowAt[a] - lowAt[b]);
  const byHigh = [...measured].sort((a, b) => highAt[a] - highAt[b]);
  const maskRangeMm: [number, number] =
    measured.length > 0 ? [lowAt[byLow[0]], highAt[byHigh[0]]] : [Number.NaN, Number.NaN];
  const rangeLo: number[] = [];
  const rangeHi: number[] = [];

  // The draws: each one's transform and how far it moves a tumor point at most (|ω|·r + |t|).
  const rng = createRandom(seed);
  const rotationSdRad = (rotationSdDeg * Math.PI) / 180;
  const drawn: { m: Mat4; shiftMm: number }[] = [];
  for (let draw = 0; draw < samples; draw++) {
    const omega: Vec3 = [0, 0, 0].map(() => rotationSdRad * standardNormal(rng)) as Vec3;
    const t: Vec3 = [0, 0, 0].map(() => translationSdMm * standardNormal(rng)) as Vec3;
    drawn.push({
      m: multiplyMat4(preToPost, rigidAbout(omega, centre, t)),
      shiftMm: Math.hypot(...omega) * radius + Math.hypot(...t),
    });
  }
  // A perturbed read's nearest ice sample is found among the ice samples that can be nearest to the sample's
  // point moved by up to the LIST_SHIFT_QUANTILE of the draws' shifts (kdTree.ts, pointsNear), listed on its first
  // perturbed read. The answer is the tree's whatever the shift: a read the list cannot decide (a draw that moved
  // the point farther) asks the tree.
  const listShiftMm =
    samples > 0
      ? quantile(
          drawn.map((d) => d.shiftMm),
          LIST_SHIFT_QUANTILE,
        )
      : 0;
  const near: (PointsNear | undefined)[] = new Array(n);
  const readPerturbed = (m: Mat4, s: number) => {
    let list = near[s];
    if (list === undefined) {
      mapSample(preToPost, s);
      list = pointsNear(field.tree, q[0], q[1], q[2], listShiftMm, nearestAt0[s]);
      near[s] = list;
    }
    mapSample(m, s);
    return signedDistanceNear(field, list, q[0], q[1], q[2], nearestAt0[s]);
  };
  const rangeNear = edgeRangeNear(preToPost, listShiftMm);
  const mtmDraws: number[] = [];
  const octantDraws: number[][] = OCTANT_NAMES.map(() => []);
  let readCount = 0;
  // This draw's readings, kept for the octant sweeps (readAtDraw[s] === draw: drawMargin[s] holds it).
  const drawMargin = new Float64Array(n);
  const readAtDraw = new Int32Array(n).fill(-1);
  // The samples the pruning let through in this draw (visitedAtDraw[s] === draw), read or not.
  const visitedAtDraw = new Int32Array(n).fill(-1);
  /**
   * The smallest perturbed margin over `list` (sorted by m₀), pruned by the bound with its slack (module
   * comment); a sample let through whose reading is surely ≥ the smallest so far (signedDistance.ts,
   * readingLowerBound, from its list's nearest distance) is passed over without the search.
   */
  const minimumOver = (list: readonly number[], m: Mat4, reach: number, draw: number) => {
    let best = Number.POSITIVE_INFINITY;
    for (const s of list) {
      if (m0[s] - reach >= best) break;
      if (readAtDraw[s] !== draw) {
        if (visitedAtDraw[s] !== draw) {
          visitedAtDraw[s] = draw;
          readCount++;
        }
        const listed = near[s];
        if (listed !== undefined && best < Number.POSITIVE_INFINITY) {
          mapSample(m, s);
          const c = listed.centre;
          const nearestBoundMm = listed.nearestMm - Math.hypot(q[0] - c[0], q[1] - c[1], q[2] - c[2]);
          if (!Number.isNaN(readingLowerBound(field, nearestBoundMm, best, q[0], q[1], q[2]))) continue;
        }
        drawMargin[s] = readPerturbed(m, s);
        readAtDraw[s] = draw;
      }
      if (drawMargin[s] < best) best = drawMargin[s];
    }
    return best;
  };
  for (let draw = 0; draw < samples; draw++) {
    const { m, shiftMm } = drawn[draw];
    const reach = shiftMm + pruningSlackMm;
    const mtmDraw = minimumOver(order, m, reach, draw);
    mtmDraws.push(mtmDraw);
    // This draw's mask range, pruned like the MTM: low_d(s) ≥ low(s) − reach, high_d(s) ≥ high(s) − reach.
    const rangeEnd = (ends: MaskRangeIce, list: readonly number[], at: Float64Array, end: "low" | "high") => {
      let best = Number.POSITIVE_INFINITY;
      const reader = edgeRangeReader(surface, ends, m, rangeNear);
      for (const s of list) {
        if (at[s] - reach >= best) break;
        const v = end === "low" ? reader.low(s, best) : reader.high(s, best);
        if (v < best) best = v;
      }
      return best;
    };
    if (iceRange) {
      rangeLo.push(rangeEnd(iceRange, byLow, lowAt, "low"));
      rangeHi.push(rangeEnd(iceRange, byHigh, highAt, "high"));
    }
    for (let o = 0; o < 8; o++) octantDraws[o].push(minimumOver(byOctant[o], m, reach, draw));
  }
  return {
    samples,
    rotationSdDeg,
    translationSdMm,
    thresholdMm,
    seed,
    mtmMm,
    ...interval(mtmDraws, thresholdMm),
    octants: OCTANT_NAMES.map((name, o) => ({ name, ...interval(octantDraws[o], thresholdMm) })),
    maskRangeMm,
    withMaskRangeMm: combinedEnds(rangeLo, rangeHi),
    meanSamplesRead: readCount / samples,
    surfaceSamples: n,
  };
}

/** One interval as JSON: mm to 0.01, probabilities to 0.001; NaN → null. */
export interface MarginIntervalJson {
  p2_5_mm: number | null;
  p50_mm: number | null;
  p97_5_mm: number | null;
  p_below_0: number | null;
  p_at_least_threshold: number | null;
}

/** `marginUncertainty`'s result as the per-case JSON carries it (`uncertainty`). */
export interface MarginUncertaintyJson extends MarginIntervalJson {
  samples: number;
  rotation_sd_deg: number;
  translation_sd_mm: number;
  threshold_mm: number;
  seed: number;
  model: string;
  octants: ({ name: OctantName } & MarginIntervalJson)[];
  /** [lo, hi] of the mask range at the transform as given. */
  mask_range_mm: [number | null, number | null];
  /** The combined interval (registration draws × mask range; see margin/uncertainty.ts). */
  with_mask_range_mm: [number | null, number | null];
  with_mask_range_definition: string;
}

const rounded = (v: number, f: number) => (Number.isFinite(v) ? Math.round(v * f) / f + 0 : null);
const roundMm = (v: number) => rounded(v, 100);

function intervalJson(i: MarginInterval): MarginIntervalJson {
  const r = rounded;
  return {
    p2_5_mm: r(i.p2_5Mm, 100),
    p50_mm: r(i.p50Mm, 100),
    p97_5_mm: r(i.p97_5Mm, 100),
    p_below_0: r(i.probabilityBelowZero, 1000),
    p_at_least_threshold: r(i.probabilityAtLeastThreshold, 1000),
  };
}

/** The JSON form of a margin uncertainty (snake_case, rounded). */
export function marginUncertaintyJson(u: MarginUncertainty): MarginUncertaintyJson {
  return {
    samples: u.samples,
    rotation_sd_deg: u.rotationSdDeg,
    translation_sd_mm: u.translationSdMm,
    threshold_mm: u.thresholdMm,
    seed: u.seed,
    model:
      "Monte-Carlo over rigid perturbations of the transform about the tumor centroid (rotation vector and translation, each axis normal with the given SD)",
    ...intervalJson(u),
    octants: u.octants.map((o) => ({ name: o.name, ...intervalJson(o) })),
    mask_range_mm: [roundMm(u.maskRangeMm[0]), roundMm(u.maskRangeMm[1])],
    with_mask_range_mm: [roundMm(u.withMaskRangeMm[0]), roundMm(u.withMaskRangeMm[1])],
    with_mask_range_definition:
      "2.5th percentile over the draws of the mask range's lower end, 97.5th percentile of its upper end (mtm_mask_range_mm under each perturbed transform)",
  };
}
