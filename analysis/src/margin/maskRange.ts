/**
 * The interval of MTMs the masks allow: `mtm_mask_range_mm`.
 *
 * A binary mask fixes, for each voxel centre, inside or outside — nothing between. Every boundary edge
 * (inside centre a, outside centre b, 6-neighbours) is crossed by the object's surface somewhere on
 * [a, b], and any surface doing so is consistent with the mask. The MTM, min over the tumor surface of
 * the ice ball's signed distance (positive inside), falls as the tumor grows and rises as the ice ball
 * grows, so over all surfaces consistent with both masks it ranges over [lo, hi]:
 * - lo: the largest tumor (each crossing at the outside end b of its edge) against the smallest ice
 *   ball (each crossing at the inside end of its edge): lo = min over tumor edges of
 *   min(s₋(T a), s₋(T b)), with s₋ the signed distance to that smallest ice surface;
 * - hi: each tumor crossing placed where it reads highest on its edge, against the largest ice ball
 *   (crossings at the outside ends): hi = min over tumor edges of max over {a, midpoint, b} of s₊.
 * Both extreme ice surfaces are the engine's own reconstruction with every sample moved along its edge
 * to that end (same normals, same surfel distance and mask-decided sign: signedDistance.ts), so the
 * interval is bounded by the inside and outside voxel centres of each mask and holds every reading of
 * the masks that keeps each surface on its edges — the engine's own (its samples never leave their
 * edges), and the 0.5 iso-surface's (every vertex at an edge midpoint). For a convex ice ball, whose
 * signed distance is concave, the minimum over a triangle of any such surface is at a vertex, so the
 * vertices (edge points) bound it; elsewhere lo is the minimum over those edge points.
 *
 * Width: about half a tumor edge plus half an ice edge on each side of the engine's reading where the
 * minimum is on through-slice edges (±1.5 mm per 3 mm slice), a few tenths of a mm on in-plane edges.
 */
import { buildPointTree } from "./kdTree.js";
import { lastNearestSample, type SignedDistanceField, signedDistance, signedDistanceField } from "./signedDistance.js";
import type { SurfaceSamples } from "./surface.js";
import type { MaskVolume, Mat4 } from "./types.js";

/** A copy of the samples, each moved along its edge to its inside (side −1) or outside (+1) end. */
function samplesAtEdgeEnds(samples: SurfaceSamples, side: -1 | 1): SurfaceSamples {
  const { count, points, edges, axis, spacingMm, edgeOffsetMm } = samples;
  const moved = new Float64Array(3 * count);
  const offsets = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const L = spacingMm[axis[j]];
    const t = (side * L) / 2 - edgeOffsetMm[j];
    for (let c = 0; c < 3; c++) moved[3 * j + c] = points[3 * j + c] + (t * edges[3 * j + c]) / L;
    offsets[j] = (side * L) / 2;
  }
  return { ...samples, points: moved, edgeOffsetMm: offsets };
}

function fieldAtEdgeEnds(mask: MaskVolume, samples: SurfaceSamples, side: -1 | 1): SignedDistanceField {
  const moved = samplesAtEdgeEnds(samples, side);
  return signedDistanceField(mask, moved, buildPointTree(moved.points, moved.count));
}

/** The two extreme ice surfaces of the range, built once per ice ball (only the tumor points move between transforms). */
export interface MaskRangeIce {
  /** Signed distance to the smallest ice ball the mask allows (every crossing at the inside end of its edge). */
  smallestIce: SignedDistanceField;
  /** Signed distance to the largest (every crossing at the outside end). */
  largestIce: SignedDistanceField;
  /** The ice grid's coarsest spacing, mm. */
  iceSpacingMm: number;
}

/** The extreme ice surfaces of `iceball` (see the module comment), from the engine's surface samples of it. */
export function maskRangeIce(iceball: MaskVolume, iceSamples: SurfaceSamples): MaskRangeIce {
  return {
    smallestIce: fieldAtEdgeEnds(iceball, iceSamples, -1),
    largestIce: fieldAtEdgeEnds(iceball, iceSamples, 1),
    iceSpacingMm: Math.max(...iceSamples.spacingMm),
  };
}

/**
 * Tumor samples farther than this above the MTM cannot set either bound: an end of an edge is at most
 * one tumor spacing from the sample, an extreme ice surface at most one ice spacing from the
 * reconstructed one (2 × (coarsest tumor + ice spacing) + 1 mm).
 */
export function maskRangeSlackMm(tumorSamples: SurfaceSamples, ice: MaskRangeIce): number {
  return 2 * (Math.max(...tumorSamples.spacingMm) + ice.iceSpacingMm) + 1;
}

/**
 * [lo, hi] of the MTM over all tumor and ice surfaces consistent with both masks (see the module
 * comment). `tumorMargins[s]` is the engine's margin at tumor sample s (NaN where unmeasured) and `mtmMm`
 * their minimum; only samples within `maskRangeSlackMm` of it can reach either bound (NaN may stand for
 * the others). [NaN, NaN] when nothing was measured.
 * Example: a tumor ball 5 mm inside an ice ball, both on 1 mm grids: about [4, 6].
 */
export function mtmMaskRangeMm(
  tumorSamples: SurfaceSamples,
  tumorMargins: Float64Array,
  mtmMm: number,
  iceball: MaskVolume,
  iceSamples: SurfaceSamples,
  preToPost: Mat4,
): [number, number] {
  if (!Number.isFinite(mtmMm)) return [Number.NaN, Number.NaN];
  return mtmMaskRangeWithIce(tumorSamples, tumorMargins, mtmMm, maskRangeIce(iceball, iceSamples), preToPost);
}

/**
 * The lowest reading of tumor sample `s`'s edge against the smallest ice ball (over its two ends) and
 * the highest against the largest (over its ends and midpoint), through `preToPost`: the sample's
 * share of the mask range (lo and hi are the minima of these over the samples). `hints` carry the
 * nearest-sample hints between calls (start with −1); `only` reads just one of the two (the other is NaN).
 */
export function edgeMaskRange(
  tumorSamples: SurfaceSamples,
  s: number,
  ice: MaskRangeIce,
  T: Mat4,
  hints: { low: number; high: number },
  only?: "low" | "high",
): [number, number] {
  const { points, edges, axis, spacingMm, edgeOffsetMm } = tumorSamples;
  const at = (field: SignedDistanceField, x: number, y: number, z: number, hint: number) =>
    signedDistance(
      field,
      T[0] * x + T[1] * y + T[2] * z + T[3],
      T[4] * x + T[5] * y + T[6] * z + T[7],
      T[8] * x + T[9] * y + T[10] * z + T[11],
      hint,
    );
  const L = spacingMm[axis[s]];
  // The edge's midpoint, and its unit direction (inside → outside).
  const ex = edges[3 * s] / L;
  const ey = edges[3 * s + 1] / L;
  const ez = edges[3 * s + 2] / L;
  const mx = points[3 * s] - edgeOffsetMm[s] * ex;
  const my = points[3 * s + 1] - edgeOffsetMm[s] * ey;
  const mz = points[3 * s + 2] - edgeOffsetMm[s] * ez;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const t of [-L / 2, 0, L / 2]) {
    const x = mx + t * ex;
    const y = my + t * ey;
    const z = mz + t * ez;
    if (t !== 0 && only !== "high") {
      const v = at(ice.smallestIce, x, y, z, hints.low);
      hints.low = lastNearestSample();
      if (v < low) low = v;
    }
    if (only === "low") continue;
    const w = at(ice.largestIce, x, y, z, hints.high);
    hints.high = lastNearestSample();
    if (w > high) high = w;
  }
  return [only === "high" ? Number.NaN : low, only === "low" ? Number.NaN : high];
}

/** `mtmMaskRangeMm` with the extreme ice surfaces built beforehand (`maskRangeIce`). */
export function mtmMaskRangeWithIce(
  tumorSamples: SurfaceSamples,
  tumorMargins: Float64Array,
  mtmMm: number,
  ice: MaskRangeIce,
  preToPost: Mat4,
): [number, number] {
  if (!Number.isFinite(mtmMm)) return [Number.NaN, Number.NaN];
  const slackMm = maskRangeSlackMm(tumorSamples, ice);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  const hints = { low: -1, high: -1 };
  for (let s = 0; s < tumorSamples.count; s++) {
    if (!(tumorMargins[s] <= mtmMm + slackMm)) continue;
    const [low, high] = edgeMaskRange(tumorSamples, s, ice, preToPost, hints);
    if (low < lo) lo = low;
    if (high < hi) hi = high;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [Number.NaN, Number.NaN];
}
