/**
 * Is a point of a reconstructed surface at a concave crease? Where two convex solids of a union meet
 * (the waist between two cryoprobes' isotherms, a shaft's ice leaving its isotherm) the surface folds
 * inward along a line, and the last part of that fold — where the outside wedge is narrower than a
 * voxel — lies between voxel centres: no reader of the mask can see it, a smooth reconstruction rounds
 * it off, and a margin measured against it can read high (by up to 1.6 mm on the multi-probe phantoms
 * at 1.2 × 1.2 × 3.0 mm; phantoms.test.ts shows ice balls with identical masks whose MTMs differ by up
 * to 1.9 mm there). So the engine says so when the minimum margin lies at such a crease.
 *
 * Test. Two surface samples a, b (points p, outward unit normals n) form a concave pair when their
 * normals differ by at least θ_min and each lies on the outer side of the other's tangent plane on
 * balance: κ = (p_b − p_a)·n_a + (p_a − p_b)·n_b = (p_b − p_a)·(n_a − n_b) ≥ τ. On a surface of
 * curvature radius R with the normals θ apart, each sample lies 2R sin²(θ/2) from the other's plane —
 * inside it on a convex surface (κ < 0, however small R: a thin shaft of ice is no crease), outside on a
 * concave one (κ > 0); τ keeps the refined samples' position noise (~0.1 mm) from deciding. θ_min = 15°
 * and τ = 0.2 mm, searched within 2.5 coarsest spacings of the sample nearest the minimum (measure.ts),
 * flag none of 152 ellipsoid phantom cases (the three suites of phantoms.test.ts and seeds 101, 202,
 * 303 at 1.2 × 1.2 × 3.0 mm; nor, of 120 of them, at θ_min = 10°) and every multi-probe or two-ball case whose
 * MTM reads more than 0.3 mm high (multi-probe seeds 7, 101, 202, 303 at 1.2 × 1.2 × 3.0 mm and 11,
 * 202, 303 at 1 mm; two-ball seeds 5, 202, 303: 53 such cases). (A first version asked each sample to
 * be within 0.2 mm of the other's plane, at 25°: it missed 5 of the 14 two-ball waists reading high,
 * and at 15° it flagged thin shafts of ice, whose tight curvature keeps samples near each other's plane.)
 */
import { forEachWithinRadius, nearestPoint, type PointTree } from "./kdTree.js";
import type { SurfaceSamples } from "./surface.js";

/** How measureMargins' warning of a crease at the minimum begins (for readers that count them). */
export const CONCAVE_CREASE_WARNING = "the minimum margin lies at a concave crease of the ice-ball surface";

/** Smallest angle between the normals of a concave pair, degrees. */
const MIN_CREASE_ANGLE_DEG = 15;
/** Smallest κ = (p_b − p_a)·(n_a − n_b) of a concave pair, mm. */
const CONCAVITY_MM = 0.2;

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
      const kappa = dx * (n[a] - n[b]) + dy * (n[a + 1] - n[b + 1]) + dz * (n[a + 2] - n[b + 2]);
      if (kappa < CONCAVITY_MM) continue;
      smallestCos = cos;
    }
  }
  return Number.isFinite(smallestCos) ? (Math.acos(Math.max(-1, Math.min(1, smallestCos))) * 180) / Math.PI : null;
}
