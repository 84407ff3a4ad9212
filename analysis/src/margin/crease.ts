/**
 * Is a point of a reconstructed surface at a concave crease? Where two convex solids of a union meet
 * (the waist between two cryoprobes' isotherms, a shaft's ice leaving its isotherm) the surface folds
 * inward along a line, and the last part of that fold — where the outside wedge is narrower than a
 * voxel — lies between voxel centres: no reader of the mask can see it, a smooth reconstruction rounds
 * it off, and a margin measured against it can read high (by up to 1.6 mm on the multi-probe phantoms
 * at 1.2 × 1.2 × 3.0 mm; phantoms.test.ts shows ice balls with identical masks whose MTMs differ by up
 * to 1.9 mm there). So the engine says so when the minimum margin lies at such a crease.
 *
 * Test. Two surface samples a, b (points p, outward unit normals n) form a concave pair when neither
 * lies inside the other's tangent plane — (p_b − p_a)·n_a ≥ −τ and (p_a − p_b)·n_b ≥ −τ — while their
 * normals differ by at least θ_min. On a convex surface of curvature radius R, b lies |p_b − p_a|²/2R
 * inside a's plane, so no pair of a convex patch qualifies beyond the tolerance τ (the refined
 * samples' position error); on a concave fold both lie outside each other's plane. θ_min = 25° and
 * τ = 0.2 mm, searched within 2.5 coarsest spacings of the sample nearest the minimum (measure.ts),
 * flag none of 120 ellipsoid phantom cases (the three suites of phantoms.test.ts and two more seeds at
 * 1.2 × 1.2 × 3.0 mm) and every multi-probe case whose MTM reads more than 0.3 mm high (seeds 7 and
 * 101 at 1.2 × 1.2 × 3.0 mm, seed 11 at 1 mm); of the two-ball waists 6 of 8, missing one that reads
 * 0.62 mm high.
 */
import { forEachWithinRadius, nearestPoint, type PointTree } from "./kdTree.js";
import type { SurfaceSamples } from "./surface.js";

/** Smallest angle between the normals of a concave pair, degrees. */
const MIN_CREASE_ANGLE_DEG = 25;
/** How far a sample may lie inside the other's tangent plane and still count as outside it, mm. */
const PLANE_TOLERANCE_MM = 0.2;

/**
 * The largest angle (degrees) between the normals of a concave pair of samples within `radiusMm` of
 * the sample nearest to world point (x, y, z), or null when there is no concave pair turning by
 * θ_min or more (see the module comment).
 * Example: at the waist of two overlapping balls ≈ the angle between the two spheres' normals there;
 * anywhere on one ellipsoid, null.
 */
export function concaveCreaseAngleDeg(
  samples: SurfaceSamples,
  tree: PointTree,
  x: number,
  y: number,
  z: number,
  radiusMm: number,
): number | null {
  const { points: p, normals: n } = samples;
  if (samples.count === 0) return null;
  const s = nearestPoint(tree, x, y, z);
  const near: number[] = [];
  forEachWithinRadius(tree, p[3 * s], p[3 * s + 1], p[3 * s + 2], radiusMm, (k) => {
    near.push(k);
  });
  const maxCos = Math.cos((MIN_CREASE_ANGLE_DEG * Math.PI) / 180);
  let smallestCos = Number.POSITIVE_INFINITY;
  for (let i = 0; i < near.length; i++) {
    const a = 3 * near[i];
    for (let j = i + 1; j < near.length; j++) {
      const b = 3 * near[j];
      const cos = n[a] * n[b] + n[a + 1] * n[b + 1] + n[a + 2] * n[b + 2];
      if (cos > maxCos || cos >= smallestCos) continue;
      const dx = p[b] - p[a];
      const dy = p[b + 1] - p[a + 1];
      const dz = p[b + 2] - p[a + 2];
      const bOverA = dx * n[a] + dy * n[a + 1] + dz * n[a + 2];
      const aOverB = -(dx * n[b] + dy * n[b + 1] + dz * n[b + 2]);
      if (bOverA < -PLANE_TOLERANCE_MM || aOverB < -PLANE_TOLERANCE_MM) continue;
      smallestCos = cos;
    }
  }
  return Number.isFinite(smallestCos) ? (Math.acos(Math.max(-1, Math.min(1, smallestCos))) * 180) / Math.PI : null;
}
