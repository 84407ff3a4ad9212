/**
 * The margin of the analytic shapes, before any voxel exists: the signed distance from each tumor
 * surface sample to the ice ball's surface (positive inside the ice ball), minimised over the tumor —
 * the same definition as the margin engine's (see analysis/src/margin/measure.ts), evaluated on the
 * continuous geometry so the generator can place probes for an intended MTM.
 *
 * Accuracy: the ice surface is a dense point cloud (spacing h) and the distance is to its nearest
 * sample, which overestimates the true distance d by at most ≈ (h/√2)²/(2d): 0.02 mm at d = 1 mm for
 * h = 0.3 mm. The sign is exact (analytic inside test). The minimum over a solid is attained on its
 * surface, so tumor surface samples suffice (spacing ≤ h_t moves the minimum by ≤ h_t²/(8ρ) at a
 * smooth extremum of curvature radius ρ).
 */
import { buildPointTree, nearestDistanceSquared, nearestPoint } from "../margin/kdTree.js";
import { ellipsoidLevel } from "../margin/phantoms.js";
import type { Vec3 } from "../margin/types.js";
import { type Ellipsoid, type PointCloud, unionBounds, unionSurfaceSamples } from "./ellipsoid.js";

export interface ContinuousMargin {
  /** Minimum signed margin over the tumor, mm (negative: deepest uncovered extent). */
  mtmMm: number;
  /** Tumor surface point where it is attained, world mm. */
  pointRas: Vec3;
}

export interface ContinuousMarginOptions {
  /** Spacing of the ice-surface samples, mm (default 0.3). */
  iceSpacingMm?: number;
  /**
   * Only ice surface within the tumor's box grown by this many mm is sampled (default 16: beyond the
   * deepest margin the cohort designs, −11 mm, so no relevant nearest point is cut off).
   */
  clipPaddingMm?: number;
}

/**
 * Signed margin minimised over the tumor surface samples.
 * Example: a tumor sphere of radius 10 mm concentric with an ice sphere of radius 13 mm → mtmMm ≈ 3.
 */
export function continuousMargin(
  tumorSurface: PointCloud,
  tumorParts: readonly Ellipsoid[],
  iceParts: readonly Ellipsoid[],
  { iceSpacingMm = 0.3, clipPaddingMm = 16 }: ContinuousMarginOptions = {},
): ContinuousMargin {
  const [lo, hi] = unionBounds(tumorParts);
  const clip: [Vec3, Vec3] = [
    [lo[0] - clipPaddingMm, lo[1] - clipPaddingMm, lo[2] - clipPaddingMm],
    [hi[0] + clipPaddingMm, hi[1] + clipPaddingMm, hi[2] + clipPaddingMm],
  ];
  const ice = unionSurfaceSamples(iceParts, iceSpacingMm, clip);
  if (ice.count === 0) throw new RangeError("continuousMargin: no ice surface near the tumor");
  const tree = buildPointTree(ice.points, ice.count);
  const pts = tumorSurface.points;
  const n = tumorSurface.count;
  // Cheap lower bounds of each sample's margin let the exact nearest-sample search run only where the
  // minimum can be: see marginLowerBound.
  const bound = new Float64Array(n);
  const inside = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const b = marginLowerBound(iceParts, pts[3 * s], pts[3 * s + 1], pts[3 * s + 2]);
    bound[s] = b.lowerBoundMm;
    inside[s] = b.inside ? 1 : 0;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => bound[a] - bound[b]);
  let best = Number.POSITIVE_INFINITY;
  let bestIndex = 0;
  for (const s of order) {
    if (bound[s] >= best) break;
    nearestPoint(tree, pts[3 * s], pts[3 * s + 1], pts[3 * s + 2]);
    const d = Math.sqrt(nearestDistanceSquared());
    const margin = inside[s] ? d : -d;
    if (margin < best) {
      best = margin;
      bestIndex = s;
    }
  }
  return { mtmMm: best, pointRas: [pts[3 * bestIndex], pts[3 * bestIndex + 1], pts[3 * bestIndex + 2]] };
}

/**
 * A lower bound of the signed margin at p, from each part's level L = Σ(uₖ/aₖ)² alone. The surface of
 * the part scaled by √L about its centre passes through p, and the gap between that surface and the
 * part's own is at least |√L − 1|·a_min and at most |√L − 1|·a_max. Inside the union the margin (depth)
 * is at least the depth in any part that holds p, ≥ max (1 − √L)·a_min; outside, the distance to the
 * union is the smallest distance to a part, ≤ min (√L − 1)·a_max, so the margin is ≥ −that.
 */
export function marginLowerBound(
  parts: readonly Ellipsoid[],
  x: number,
  y: number,
  z: number,
): { inside: boolean; lowerBoundMm: number } {
  let depth = Number.NEGATIVE_INFINITY;
  let gap = Number.POSITIVE_INFINITY;
  for (const part of parts) {
    const root = Math.sqrt(ellipsoidLevel(part, x, y, z));
    const [a0, a1, a2] = part.semiAxesMm;
    if (root <= 1) depth = Math.max(depth, (1 - root) * Math.min(a0, a1, a2));
    else gap = Math.min(gap, (root - 1) * Math.max(a0, a1, a2));
  }
  return depth >= 0 ? { inside: true, lowerBoundMm: depth } : { inside: false, lowerBoundMm: -gap };
}
