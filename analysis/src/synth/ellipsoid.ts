/**
 * Ellipsoids and unions of ellipsoids: the analytic solids the generator builds tumors (lobulated
 * unions of a few ellipsoids) and ice balls (unions of cryoprobe isotherm ellipsoids) from.
 *
 * An ellipsoid is a centre c, an orthonormal frame (e₀, e₁, e₂) and semi-axes (a₀, a₁, a₂) in mm. A world
 * point p has local coordinates uₖ = (p − c)·eₖ and level L(p) = Σ (uₖ / aₖ)²: inside when L ≤ 1. The
 * outward normal at a surface point is ∇L ∝ Σ (uₖ / aₖ²) eₖ. Volume (4/3)π a₀a₁a₂.
 */
import { type Ellipsoid, ellipsoidHalfExtent, ellipsoidLevel } from "../margin/phantoms.js";
import type { Vec3 } from "../margin/types.js";

export type { Ellipsoid };

/** The engine's Ellipsoid (phantoms.ts) from a centre, three orthonormal axis vectors and semi-axes. */
export function ellipsoidFromAxes(
  centre: Readonly<Vec3>,
  axes: readonly Readonly<Vec3>[],
  semiAxesMm: Readonly<Vec3>,
): Ellipsoid {
  const rotation = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) rotation[3 * r + c] = axes[c][r];
  return { centre: [...centre], semiAxesMm: [...semiAxesMm], rotation };
}

/** Axis k (unit world vector) of an ellipsoid: column k of its rotation. */
export function ellipsoidAxis(e: Ellipsoid, k: number): Vec3 {
  return [e.rotation[k], e.rotation[3 + k], e.rotation[6 + k]];
}

/** World axis-aligned bounding box [min, max] of an ellipsoid (phantoms.ts's half-extent about its centre). */
export function ellipsoidBounds(e: Ellipsoid): [Vec3, Vec3] {
  const h = ellipsoidHalfExtent(e);
  return [
    [e.centre[0] - h[0], e.centre[1] - h[1], e.centre[2] - h[2]],
    [e.centre[0] + h[0], e.centre[1] + h[1], e.centre[2] + h[2]],
  ];
}

/** Bounding box of a union of ellipsoids (the union of their boxes). */
export function unionBounds(parts: readonly Ellipsoid[]): [Vec3, Vec3] {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const part of parts) {
    const [lo, hi] = ellipsoidBounds(part);
    for (let j = 0; j < 3; j++) {
      min[j] = Math.min(min[j], lo[j]);
      max[j] = Math.max(max[j], hi[j]);
    }
  }
  return [min, max];
}

/** True when (x, y, z) lies in at least one part (L ≤ 1). */
export function insideUnion(parts: readonly Ellipsoid[], x: number, y: number, z: number): boolean {
  for (const part of parts) if (ellipsoidLevel(part, x, y, z) <= 1) return true;
  return false;
}

/** Points on a surface, world mm, x y z interleaved. */
export interface PointCloud {
  count: number;
  points: Float64Array;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Samples of the boundary of a union of ellipsoids, at most ≈ `spacingMm` apart: each part's surface is
 * sampled by a Fibonacci lattice on the unit sphere mapped through the part's semi-axes (N ≥ 4π a²ₘₐₓ/h²
 * points so the most-stretched direction is still ≤ h apart), and a sample is kept when it lies in no
 * other part (level > 1 + 1e-9) — so creases where parts meet are sampled from both sides. With `clip`,
 * only samples inside that world box are kept (the part of the surface that can matter).
 *
 * With `fromPart`, only the parts from that index on are sampled (still kept only outside every other
 * part): the samples a union gains when those parts are added to it, in the order the whole union's
 * samples list them.
 *
 * Example: one sphere of radius 10 mm at spacing 1 mm gives ≈ 1,260 samples, all 10 mm from the centre.
 */
export function unionSurfaceSamples(
  parts: readonly Ellipsoid[],
  spacingMm: number,
  clip?: readonly [Readonly<Vec3>, Readonly<Vec3>],
  fromPart = 0,
): PointCloud {
  const chunks: Float64Array[] = [];
  let total = 0;
  for (let p = fromPart; p < parts.length; p++) {
    const e = parts[p];
    const aMax = Math.max(...e.semiAxesMm);
    const n = Math.max(32, Math.ceil((4 * Math.PI * aMax * aMax) / (spacingMm * spacingMm)));
    const out = new Float64Array(3 * n);
    let kept = 0;
    const [a0, a1, a2] = e.semiAxesMm;
    const [e0, e1, e2] = [ellipsoidAxis(e, 0), ellipsoidAxis(e, 1), ellipsoidAxis(e, 2)];
    for (let i = 0; i < n; i++) {
      const z = 1 - (2 * (i + 0.5)) / n;
      const r = Math.sqrt(1 - z * z);
      const phi = i * GOLDEN_ANGLE;
      const u0 = a0 * r * Math.cos(phi);
      const u1 = a1 * r * Math.sin(phi);
      const u2 = a2 * z;
      const x = e.centre[0] + u0 * e0[0] + u1 * e1[0] + u2 * e2[0];
      const y = e.centre[1] + u0 * e0[1] + u1 * e1[1] + u2 * e2[1];
      const w = e.centre[2] + u0 * e0[2] + u1 * e1[2] + u2 * e2[2];
      if (
        clip &&
        (x < clip[0][0] || y < clip[0][1] || w < clip[0][2] || x > clip[1][0] || y > clip[1][1] || w > clip[1][2])
      )
        continue;
      let covered = false;
      for (let q = 0; q < parts.length && !covered; q++) {
        if (q !== p && ellipsoidLevel(parts[q], x, y, w) < 1 - 1e-9) covered = true;
      }
      if (covered) continue;
      out[3 * kept] = x;
      out[3 * kept + 1] = y;
      out[3 * kept + 2] = w;
      kept++;
    }
    chunks.push(out.subarray(0, 3 * kept));
    total += kept;
  }
  const points = new Float64Array(3 * total);
  let offset = 0;
  for (const c of chunks) {
    points.set(c, offset);
    offset += c.length;
  }
  return { count: total, points };
}

/** The ellipsoid moved by a rigid transform x ↦ R x + t (a row-major 4×4). */
export function transformEllipsoid(e: Ellipsoid, m: Float64Array): Ellipsoid {
  const apply = (v: Readonly<Vec3>, w: number): Vec3 => [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2] + w * m[3],
    m[4] * v[0] + m[5] * v[1] + m[6] * v[2] + w * m[7],
    m[8] * v[0] + m[9] * v[1] + m[10] * v[2] + w * m[11],
  ];
  return ellipsoidFromAxes(
    apply(e.centre, 1),
    [0, 1, 2].map((k) => apply(ellipsoidAxis(e, k), 0)),
    e.semiAxesMm,
  );
}
