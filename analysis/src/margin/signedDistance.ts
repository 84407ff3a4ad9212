/**
 * Signed distance to a sampled surface, positive inside (the engine's sign convention).
 *
 * Derivation: for a query y, take the nearest surface sample s with outward unit normal n. The foot of
 * the perpendicular from y lies on the surface next to s; replacing the surface there by its tangent
 * plane at s gives d(y) = (s − y)·n, positive when y is behind the plane (inside). With samples δ apart
 * along a surface of curvature radius R, the nearest one is at most ≈ δ/2 off the foot, and the tangent
 * plane misreads the distance by about (R ± d)·(δ / 2R)² / 2 — below 0.02 mm for δ ≤ 1.5 mm, R ≥ 10 mm —
 * whereas |y − s| alone would be off by up to δ/2 near the surface. The sign comes from the same plane,
 * so points on either side of a thin shell are classified by the side they face.
 */
import { nearestPoint, type PointTree } from "./kdTree.js";
import type { SurfaceSamples } from "./surface.js";

let lastNearest = -1;

/** The sample the last {@link signedDistanceToSamples} call used (a good hint for the next, nearby query). */
export function lastNearestSample(): number {
  return lastNearest;
}

/**
 * d(y) = (s − y)·n for the sample s nearest to y = (x, y, z); mm, positive inside the surface.
 * Example: for samples of a sphere of radius 25 mm, its centre reads ≈ +25 and a point 3 mm outside ≈ −3.
 */
export function signedDistanceToSamples(
  samples: SurfaceSamples,
  tree: PointTree,
  x: number,
  y: number,
  z: number,
  hint = -1,
): number {
  const s = nearestPoint(tree, x, y, z, hint);
  lastNearest = s;
  const { points, normals } = samples;
  return (
    (points[3 * s] - x) * normals[3 * s] +
    (points[3 * s + 1] - y) * normals[3 * s + 1] +
    (points[3 * s + 2] - z) * normals[3 * s + 2]
  );
}
