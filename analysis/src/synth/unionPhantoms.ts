/**
 * Multi-probe ice-ball phantoms: unions of cryoprobe isotherm ellipsoids (2–4 probes 11–19 mm apart),
 * with or without the joining (confluence) ellipsoid and the shafts' ice, built with the synthetic
 * cohort's own probe model (analysis/src/synth/probes.ts), and tumors placed tight against or partly
 * outside the two places a smooth surface reconstruction gets wrong: the concave waist between two
 * probes' isotherms and the seam where a shaft's ice leaves its isotherm. The exact signed distance of
 * such a union is {@link createUnionSignedDistance}; the cases are PhantomCase objects like the
 * ellipsoid suite's (phantoms.ts), measured against the same exact MTM (dense search + zoom).
 */

import { applyAffine, invertAffine, voxelSpacingMm } from "../margin/affine.js";
import { buildPointTree, nearestDistanceSquared, nearestPoint, nearestPointExcluding } from "../margin/kdTree.js";
import {
  assemblePhantomCase,
  type Ellipsoid,
  ellipsoidClosestPoint,
  ellipsoidLevel,
  exactMinimalMargin,
  offsetForMargin,
  type PhantomCase,
  type PhantomScenario,
  randomRotation,
  randomUnitVector,
  rigidTransform,
  sphere,
} from "../margin/phantoms.js";
import type { MaskVolume, Vec3 } from "../margin/types.js";
import { createRandom } from "../stats/random.js";
import { unionSurfaceSamples } from "./ellipsoid.js";
import { ISOTHERM_TIP_EXTENSION, isotherms, probeOffsets, shaftTails } from "./probes.js";

/** Where the tumor of a union phantom is put against the ice ball. */
export type UnionFeature = "waist" | "seam";

/** {@link ellipsoidLevel} of world point p: < 1 inside, 1 on the surface. */
function level(e: Ellipsoid, p: Readonly<Vec3>): number {
  return ellipsoidLevel(e, p[0], p[1], p[2]);
}

/** ∇ of the level at p: 2 Σ (q_a / e_a²) ê_a (world). */
function levelGradient(e: Ellipsoid, p: Readonly<Vec3>): Vec3 {
  const g = new Float64Array(3);
  levelGradientInto(e, p[0], p[1], p[2], g);
  return [g[0], g[1], g[2]];
}

/** {@link levelGradient} at (x, y, z), written into `g` (the Newton iterations' hot loops allocate nothing). */
function levelGradientInto(e: Ellipsoid, x: number, y: number, z: number, g: Float64Array): void {
  const dx = x - e.centre[0];
  const dy = y - e.centre[1];
  const dz = z - e.centre[2];
  const R = e.rotation;
  g[0] = 0;
  g[1] = 0;
  g[2] = 0;
  for (let c = 0; c < 3; c++) {
    const f = (2 * (R[c] * dx + R[3 + c] * dy + R[6 + c] * dz)) / (e.semiAxesMm[c] * e.semiAxesMm[c]);
    g[0] += f * R[c];
    g[1] += f * R[3 + c];
    g[2] += f * R[6 + c];
  }
}

/** True when p lies strictly inside some part other than `except` (level < 1 − 1e-9). */
function coveredByOther(parts: readonly Ellipsoid[], except: number, p: Readonly<Vec3>): boolean {
  for (let j = 0; j < parts.length; j++) if (j !== except && level(parts[j], p) < 1 - 1e-9) return true;
  return false;
}

/** Gradients of the Newton iterations below. */
const gradientA = new Float64Array(3);
const gradientB = new Float64Array(3);
const gradientC = new Float64Array(3);

/**
 * The point of the seam ∂E_i ∩ ∂E_j nearest to p, from a start point near the seam: alternately a
 * Gauss-Newton step onto both surfaces (x ← x − Jᵀ(JJᵀ)⁻¹(L(x) − 1), J the two level gradients) and a
 * step along the seam's tangent t = ∇L_i × ∇L_j to the foot of p ((p − x)·t = 0 at the nearest point).
 * Null when the iteration does not settle on the seam (the two surfaces do not meet there).
 */
export function nearestSeamPoint(a: Ellipsoid, b: Ellipsoid, p: Readonly<Vec3>, start: Readonly<Vec3>): Vec3 | null {
  let x0 = start[0];
  let x1 = start[1];
  let x2 = start[2];
  const ga = gradientA;
  const gb = gradientB;
  for (let it = 0; it < 60; it++) {
    levelGradientInto(a, x0, x1, x2, ga);
    levelGradientInto(b, x0, x1, x2, gb);
    const ra = ellipsoidLevel(a, x0, x1, x2) - 1;
    const rb = ellipsoidLevel(b, x0, x1, x2) - 1;
    const aa = ga[0] * ga[0] + ga[1] * ga[1] + ga[2] * ga[2];
    const ab = ga[0] * gb[0] + ga[1] * gb[1] + ga[2] * gb[2];
    const bb = gb[0] * gb[0] + gb[1] * gb[1] + gb[2] * gb[2];
    const det = aa * bb - ab * ab;
    if (!(det > 1e-12 * aa * bb)) return null; // tangent surfaces: no seam curve here
    const la = (bb * ra - ab * rb) / det;
    const lb = (aa * rb - ab * ra) / det;
    const projected0 = x0 - la * ga[0] - lb * gb[0];
    const projected1 = x1 - la * ga[1] - lb * gb[1];
    const projected2 = x2 - la * ga[2] - lb * gb[2];
    const t0 = ga[1] * gb[2] - ga[2] * gb[1];
    const t1 = ga[2] * gb[0] - ga[0] * gb[2];
    const t2 = ga[0] * gb[1] - ga[1] * gb[0];
    const tl = Math.hypot(t0, t1, t2);
    const along = ((p[0] - projected0) * t0 + (p[1] - projected1) * t1 + (p[2] - projected2) * t2) / (tl * tl);
    const next0 = projected0 + along * t0;
    const next1 = projected1 + along * t1;
    const next2 = projected2 + along * t2;
    const step = Math.hypot(next0 - x0, next1 - x1, next2 - x2);
    x0 = next0;
    x1 = next1;
    x2 = next2;
    if (step < 1e-10) break;
  }
  return Math.abs(ellipsoidLevel(a, x0, x1, x2) - 1) < 1e-8 && Math.abs(ellipsoidLevel(b, x0, x1, x2) - 1) < 1e-8
    ? [x0, x1, x2]
    : null;
}

/** Determinant of the 3 × 3 matrix with rows (a0 a1 a2), (b0 b1 b2), (c0 c1 c2), by the first row. */
function det3(
  a0: number,
  a1: number,
  a2: number,
  b0: number,
  b1: number,
  b2: number,
  c0: number,
  c1: number,
  c2: number,
): number {
  return a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0);
}

/**
 * The corner where three ellipsoid surfaces meet (L_a = L_b = L_c = 1), by Newton from a start point
 * near it; null when the iteration does not converge (no such corner nearby).
 */
export function cornerPoint(a: Ellipsoid, b: Ellipsoid, c: Ellipsoid, start: Readonly<Vec3>): Vec3 | null {
  let x0 = start[0];
  let x1 = start[1];
  let x2 = start[2];
  const ga = gradientA;
  const gb = gradientB;
  const gc = gradientC;
  for (let it = 0; it < 40; it++) {
    levelGradientInto(a, x0, x1, x2, ga);
    levelGradientInto(b, x0, x1, x2, gb);
    levelGradientInto(c, x0, x1, x2, gc);
    const ra = ellipsoidLevel(a, x0, x1, x2) - 1;
    const rb = ellipsoidLevel(b, x0, x1, x2) - 1;
    const rc = ellipsoidLevel(c, x0, x1, x2) - 1;
    // Solve J δ = r (J's rows the three gradients) by Cramer's rule.
    const det = det3(ga[0], ga[1], ga[2], gb[0], gb[1], gb[2], gc[0], gc[1], gc[2]);
    if (!(Math.abs(det) > 1e-14)) return null;
    const delta0 = det3(ra, ga[1], ga[2], rb, gb[1], gb[2], rc, gc[1], gc[2]) / det;
    const delta1 = det3(ga[0], ra, ga[2], gb[0], rb, gb[2], gc[0], rc, gc[2]) / det;
    const delta2 = det3(ga[0], ga[1], ra, gb[0], gb[1], rb, gc[0], gc[1], rc) / det;
    x0 = x0 - delta0;
    x1 = x1 - delta1;
    x2 = x2 - delta2;
    if (Math.hypot(delta0, delta1, delta2) < 1e-11) break;
  }
  const on = (e: Ellipsoid) => Math.abs(ellipsoidLevel(e, x0, x1, x2) - 1) < 1e-8;
  return on(a) && on(b) && on(c) ? [x0, x1, x2] : null;
}

/**
 * Exact signed distance (mm, positive inside) to a union of ellipsoids, for points near `centre`.
 *
 * Outside the union, the nearest point of the union is the nearest point of some part (were it inside
 * another part, that part's surface would be nearer), so the distance is min over parts of the exact
 * ellipsoid distance (Eberly). Inside, the boundary is ∪ᵢ (∂Eᵢ minus the other parts' interiors), and
 * its nearest point to p is one of: a part's nearest surface point (its foot) when no other part
 * covers it; a point of a seam ∂Eᵢ ∩ ∂Eⱼ (found by {@link nearestSeamPoint} from the nearest sample
 * of a dense sampling of the union's boundary — `spacingMm` apart, within `radiusMm` of `centre` —
 * for every pair of parts passing by that sample); a corner where a seam enters a third part
 * ({@link cornerPoint}); or, rarely, another local minimum on an exposed surface, which the dense
 * samples bound to within ≈ spacing²/(8·distance). The answer is the smallest of these candidates. Cheap lower bounds of each
 * part's distance from its level L ((|√L − 1|)·a_min) skip the parts that cannot be nearest.
 *
 * Example: for two unit-radius-10 balls 16 mm apart, the point midway between their centres is 6 mm
 * deep (the seam circle has radius 6).
 */
export function createUnionSignedDistance(
  parts: readonly Ellipsoid[],
  centre: Readonly<Vec3>,
  radiusMm: number,
  spacingMm = 0.4,
): (p: Readonly<Vec3>) => number {
  const closest = createUnionClosestPoint(parts, centre, radiusMm, spacingMm);
  return (p) => {
    const c = closest(p);
    return c.inside ? c.distanceMm : -c.distanceMm;
  };
}

/**
 * The side of the union of `parts` that p lies on, and a lower bound (mm) on its distance to the
 * union's boundary from the parts' levels alone, without a search. For a part of smallest semi-axis a
 * and s = √L(p) (L its level, 1 on its surface): ‖D⁻¹Rᵀ(q − c)‖ ≤ s + |q − p| / a (triangle
 * inequality in the part's own scaled frame), so inside the part (s ≤ 1) the ball of radius (1 − s)·a
 * about p is in the part, hence in the union; outside it (s > 1) no point nearer than (s − 1)·a is in
 * it. Inside the union the bound is the largest over the parts that hold p; outside, the smallest
 * over all parts. The same bound prunes the parts in {@link createUnionClosestPoint}'s query.
 * Example: for a ball of radius 10 at the origin, p = (0, 0, 4) gives { inside: true, atLeastMm: 6 }.
 */
export function unionSideBound(parts: readonly Ellipsoid[], p: Readonly<Vec3>): { inside: boolean; atLeastMm: number } {
  let insideMm = Number.NEGATIVE_INFINITY;
  let outsideMm = Number.POSITIVE_INFINITY;
  for (const e of parts) {
    const s = Math.sqrt(level(e, p));
    const a = Math.min(e.semiAxesMm[0], e.semiAxesMm[1], e.semiAxesMm[2]);
    if (s <= 1) insideMm = Math.max(insideMm, (1 - s) * a);
    else outsideMm = Math.min(outsideMm, (s - 1) * a);
  }
  return insideMm >= 0 ? { inside: true, atLeastMm: insideMm } : { inside: false, atLeastMm: outsideMm };
}

/**
 * The point of the union's boundary nearest to p, its distance, and whether p is inside: what
 * {@link createUnionSignedDistance} reads its value from (same arguments).
 */
export function createUnionClosestPoint(
  parts: readonly Ellipsoid[],
  centre: Readonly<Vec3>,
  radiusMm: number,
  spacingMm = 0.4,
): (p: Readonly<Vec3>) => UnionClosestPoint {
  const cloud = unionSurfaceSamples(parts, spacingMm, unionClip(centre, radiusMm));
  const tree = buildPointTree(cloud.points, cloud.count);
  // Each answer is the next query's first guess: consecutive queries are mostly neighbours.
  let hint = -1;
  const nearestSample: NearestSample = (x, y, z, out) => {
    if (cloud.count === 0) return Number.POSITIVE_INFINITY;
    hint = nearestPoint(tree, x, y, z, hint);
    const t = tree.position[hint];
    out[0] = tree.xyz[3 * t];
    out[1] = tree.xyz[3 * t + 1];
    out[2] = tree.xyz[3 * t + 2];
    return nearestDistanceSquared();
  };
  return unionClosestPointQuery(parts, nearestSample);
}

/** The point of a union's boundary nearest to a point, its distance (mm), and whether the point is inside. */
export interface UnionClosestPoint {
  distanceMm: number;
  pointRas: Vec3;
  inside: boolean;
  /**
   * Distance (mm) of the boundary sample the search started from (a point inside: the nearest sample;
   * +∞ when there is none), 0 for a point outside (its answer reads no sample).
   */
  sampleDistanceMm: number;
}

/**
 * The boundary sample nearest to (x, y, z): written into `out`, its squared distance returned (+∞ when
 * there are no samples).
 */
type NearestSample = (x: number, y: number, z: number, out: Vec3) => number;

/** The world box the samples of {@link createUnionClosestPoint} are clipped to. */
function unionClip(centre: Readonly<Vec3>, radiusMm: number): [Vec3, Vec3] {
  return [
    [centre[0] - radiusMm, centre[1] - radiusMm, centre[2] - radiusMm],
    [centre[0] + radiusMm, centre[1] + radiusMm, centre[2] + radiusMm],
  ];
}

/**
 * {@link createUnionClosestPoint}'s query over `parts` (read at each call, so the union may grow),
 * starting from the nearest boundary sample.
 */
function unionClosestPointQuery(
  parts: readonly Ellipsoid[],
  nearestSample: NearestSample,
): (p: Readonly<Vec3>) => UnionClosestPoint {
  const minAxis: number[] = [];
  return (p) => {
    for (let i = minAxis.length; i < parts.length; i++) minAxis.push(Math.min(...parts[i].semiAxesMm));
    const levels = parts.map((e) => level(e, p));
    const inside = levels.some((l) => l <= 1);
    // Lower bound of each part's surface distance from its level alone.
    const bound = levels.map((l, i) => Math.abs(Math.sqrt(l) - 1) * minAxis[i]);
    let best = Number.POSITIVE_INFINITY;
    let point: Vec3 = [Number.NaN, Number.NaN, Number.NaN];
    let s: Vec3 | null = null;
    let sampleDistanceMm = 0;
    if (inside) {
      const sample: Vec3 = [0, 0, 0];
      const d2 = nearestSample(p[0], p[1], p[2], sample);
      sampleDistanceMm = Math.sqrt(d2);
      if (d2 < Number.POSITIVE_INFINITY) {
        s = sample;
        best = Math.sqrt(d2);
        point = [sample[0], sample[1], sample[2]];
      }
    }
    for (let i = 0; i < parts.length; i++) {
      if (bound[i] >= best) continue;
      const foot = ellipsoidClosestPoint(parts[i], p);
      if (foot.distanceMm >= best) continue;
      if (!inside || !coveredByOther(parts, i, foot.pointRas)) {
        best = foot.distanceMm;
        point = foot.pointRas;
      }
    }
    if (!inside) return { distanceMm: best, pointRas: point, inside, sampleDistanceMm };
    if (s) {
      // The parts whose surfaces pass by the nearest sample: the seams (and corners where three meet)
      // between them are the candidates the samples only approximate.
      const near: number[] = [];
      for (let j = 0; j < parts.length; j++) if (Math.abs(level(parts[j], s) - 1) < 0.2) near.push(j);
      for (let a = 0; a < near.length; a++) {
        for (let b = a + 1; b < near.length; b++) {
          const x = nearestSeamPoint(parts[near[a]], parts[near[b]], p, s);
          if (!x) continue;
          let candidate: Vec3 | null = x;
          const cover = parts.findIndex((e, k) => k !== near[a] && k !== near[b] && level(e, x) < 1 - 1e-9);
          // A seam point inside a third part: the seam ends where it enters that part, at a corner.
          if (cover >= 0) candidate = cornerPoint(parts[near[a]], parts[near[b]], parts[cover], x);
          if (candidate && !coveredByOther(parts, -1, candidate)) {
            const d = Math.hypot(p[0] - candidate[0], p[1] - candidate[1], p[2] - candidate[2]);
            if (d < best) {
              best = d;
              point = candidate;
            }
          }
        }
      }
    }
    return { distanceMm: best, pointRas: point, inside, sampleDistanceMm };
  };
}

/**
 * {@link createUnionClosestPoint} for a union that grows part by part ({@link filledPocketTwin}): the
 * first parts' samples keep their tree, the samples a new part covers are excluded from it
 * (nearestPointExcluding), and the added parts' samples get a tree of their own, rebuilt at each
 * addition. The sample set is the one unionSurfaceSamples gives the whole union, so the answers are
 * those of createUnionClosestPoint on it, without re-sampling and re-indexing the whole union at each
 * step.
 */
function createGrowingUnionClosestPoint(
  initialParts: readonly Ellipsoid[],
  centre: Readonly<Vec3>,
  radiusMm: number,
  spacingMm = 0.4,
): { closest: (p: Readonly<Vec3>) => UnionClosestPoint; add: (part: Ellipsoid) => void; parts: Ellipsoid[] } {
  const parts = [...initialParts];
  const clip = unionClip(centre, radiusMm);
  const base = unionSurfaceSamples(parts, spacingMm, clip);
  const baseTree = buildPointTree(base.points, base.count);
  const excluded = new Uint8Array(base.count);
  let added = unionSurfaceSamples(parts, spacingMm, clip, parts.length);
  let addedTree = buildPointTree(added.points, added.count);
  let baseHint = -1;
  let addedHint = -1;
  const nearestSample: NearestSample = (x, y, z, out) => {
    // The added parts' samples first: near a filled pocket, where the base samples are excluded,
    // their distance bounds the base tree's search.
    let d2 = Number.POSITIVE_INFINITY;
    if (added.count > 0) {
      addedHint = nearestPoint(addedTree, x, y, z, addedHint);
      d2 = nearestDistanceSquared();
      out[0] = added.points[3 * addedHint];
      out[1] = added.points[3 * addedHint + 1];
      out[2] = added.points[3 * addedHint + 2];
    }
    const b = nearestPointExcluding(baseTree, excluded, x, y, z, baseHint, d2);
    if (b >= 0) {
      baseHint = b;
      d2 = nearestDistanceSquared();
      const t = baseTree.position[b];
      out[0] = baseTree.xyz[3 * t];
      out[1] = baseTree.xyz[3 * t + 1];
      out[2] = baseTree.xyz[3 * t + 2];
    }
    return d2;
  };
  const add = (part: Ellipsoid) => {
    const { xyz } = baseTree;
    for (let t = 0; t < base.count; t++) {
      if (excluded[t] === 0 && ellipsoidLevel(part, xyz[3 * t], xyz[3 * t + 1], xyz[3 * t + 2]) < 1 - 1e-9)
        excluded[t] = 1;
    }
    parts.push(part);
    added = unionSurfaceSamples(parts, spacingMm, clip, initialParts.length);
    addedTree = buildPointTree(added.points, added.count);
    addedHint = -1;
  };
  return { closest: unionClosestPointQuery(parts, nearestSample), add, parts };
}

/**
 * Volume of a union of ellipsoids, ml, by counting the points of a lattice of step `stepMm` (offset by
 * half a step) inside it over the union's bounding box: the counting error of a smooth solid is far
 * below 0.1% at 0.5 mm for the tens of ml of an ice ball.
 *
 * Along a lattice row (y, z fixed) each part's level is a quadratic in dx = x − c₀:
 * L = Σₖ (αₖ dx + γₖ)² = A dx² + B dx + C, with αₖ = R₀ₖ/aₖ and γₖ = (R₁ₖ (y − c₁) + R₂ₖ (z − c₂))/aₖ.
 * A point is counted from the quadratic where it is clear of 1 by far more than rounding (1e-9 of the
 * terms' size), and from {@link ellipsoidLevel} itself otherwise, so the count is the one a level
 * evaluation at every lattice point gives.
 */
export function unionVolumeMl(parts: readonly Ellipsoid[], stepMm = 0.5): number {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const e of parts) {
    for (let r = 0; r < 3; r++) {
      let h = 0;
      for (let c = 0; c < 3; c++) h += (e.rotation[3 * r + c] * e.semiAxesMm[c]) ** 2;
      lo[r] = Math.min(lo[r], e.centre[r] - Math.sqrt(h));
      hi[r] = Math.max(hi[r], e.centre[r] + Math.sqrt(h));
    }
  }
  const n = parts.length;
  const alpha = new Float64Array(3 * n);
  const quadratic = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const e = parts[j];
    for (let k = 0; k < 3; k++) {
      alpha[3 * j + k] = e.rotation[k] / e.semiAxesMm[k];
      quadratic[j] += alpha[3 * j + k] ** 2;
    }
  }
  const linear = new Float64Array(n);
  const constant = new Float64Array(n);
  let inside = 0;
  for (let z = lo[2] + stepMm / 2; z < hi[2]; z += stepMm) {
    for (let y = lo[1] + stepMm / 2; y < hi[1]; y += stepMm) {
      for (let j = 0; j < n; j++) {
        const e = parts[j];
        const R = e.rotation;
        const dy = y - e.centre[1];
        const dz = z - e.centre[2];
        let b = 0;
        let c = 0;
        for (let k = 0; k < 3; k++) {
          const gamma = (R[3 + k] * dy + R[6 + k] * dz) / e.semiAxesMm[k];
          b += 2 * alpha[3 * j + k] * gamma;
          c += gamma * gamma;
        }
        linear[j] = b;
        constant[j] = c;
      }
      for (let x = lo[0] + stepMm / 2; x < hi[0]; x += stepMm) {
        for (let j = 0; j < n; j++) {
          const dx = x - parts[j].centre[0];
          const a2 = quadratic[j] * dx * dx;
          const b1 = linear[j] * dx;
          const levelAlongRow = a2 + b1 + constant[j];
          const tolerance = 1e-9 * (1 + a2 + Math.abs(b1) + constant[j]);
          if (levelAlongRow > 1 + tolerance) continue;
          if (levelAlongRow < 1 - tolerance || ellipsoidLevel(parts[j], x, y, z) <= 1) {
            inside++;
            break;
          }
        }
      }
    }
  }
  return (inside * stepMm ** 3) / 1000;
}

/** A multi-probe ice ball in its own frame and where a tumor is to be put against it. */
export interface ProbeIceBall {
  parts: Ellipsoid[];
  /** A point of the union's boundary at the feature, and the outward direction there (unit). */
  anchorRas: Vec3;
  outwardRas: Vec3;
  feature: UnionFeature;
}

export interface ProbeIceOptions {
  probes: 2 | 3 | 4;
  spacingMm: number;
  /** Isotherm lateral radius r and elongation ε (synth/probes.ts). */
  lateralRadiusMm: number;
  elongation: number;
  /** Keep the joining (confluence) ellipsoid between the probes. */
  joining: boolean;
  /** Length of each shaft's ice behind its isotherm, mm (0: none). */
  tailMm: number;
  feature: UnionFeature;
  /** Unit insertion direction and roll of the array about it. */
  directionRas: Vec3;
  rollRad: number;
}

/**
 * The ice ball of a probe array (tips in the plane through the origin ⟂ the insertion direction) and
 * its feature point: the waist — where the ray from the array's axis through the midpoint of two
 * neighbouring probes (for a pair: ⟂ to the pair), at the isotherms' centre level, leaves the union —
 * or the seam where the first probe's shaft ice leaves its isotherm on the side away from the axis.
 * The outward direction is the ray's (waist) or the bisector of the two surfaces' normals (seam).
 * Null when the seam is covered by another part (no seam on the outside there).
 */
export function probeIceBall(o: ProbeIceOptions): ProbeIceBall | null {
  const u = o.directionRas;
  const tips = probeOffsets(o.probes, o.spacingMm, u, o.rollRad);
  const array = { directionRas: u, tipsRas: tips, spacingMm: o.spacingMm };
  const iso = isotherms(array, o.lateralRadiusMm, o.elongation);
  const own = o.joining ? iso : iso.slice(0, o.probes);
  const tails = shaftTails(array, o.lateralRadiusMm, o.elongation, o.tailMm);
  const parts = [...own, ...tails];
  const a = o.elongation * o.lateralRadiusMm;
  const back = (1 - ISOTHERM_TIP_EXTENSION) * a;
  const inUnion = (p: Vec3) => parts.some((e) => level(e, p) <= 1);
  /** Last point of the union along origin + t·dir (bisection after stepping out). */
  const exitAlong = (origin: Vec3, dir: Vec3): Vec3 => {
    let lo = 0;
    let hi = 1;
    const at = (t: number): Vec3 => [origin[0] + t * dir[0], origin[1] + t * dir[1], origin[2] + t * dir[2]];
    while (inUnion(at(hi))) {
      lo = hi;
      hi *= 2;
    }
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (inUnion(at(mid))) lo = mid;
      else hi = mid;
    }
    return at(lo);
  };
  if (o.feature === "waist") {
    const mid: Vec3 = [0, 1, 2].map((c) => (tips[0][c] + tips[1][c]) / 2 - back * u[c]) as Vec3;
    let out: Vec3;
    if (o.probes === 2) {
      const pair = [tips[1][0] - tips[0][0], tips[1][1] - tips[0][1], tips[1][2] - tips[0][2]];
      out = unit([u[1] * pair[2] - u[2] * pair[1], u[2] * pair[0] - u[0] * pair[2], u[0] * pair[1] - u[1] * pair[0]]);
    } else {
      out = unit([mid[0] + back * u[0], mid[1] + back * u[1], mid[2] + back * u[2]]);
    }
    return { parts, anchorRas: exitAlong(mid, out), outwardRas: out, feature: "waist" };
  }
  if (tails.length === 0) return null;
  // Seam of isotherm 0 and tail 0: on the ray outward from the probe's axis, find the axial position
  // behind the isotherm's centre where the tail's radius overtakes the isotherm's.
  const isotherm = own[0];
  const tail = tails[0];
  const radial = unit(tips[0]);
  const centre0 = isotherm.centre;
  const radiusAt = (e: Ellipsoid, z: number) => {
    // Radius of e along `radial` at axial offset z behind the isotherm's centre (0 outside its extent).
    const base: Vec3 = [centre0[0] - z * u[0], centre0[1] - z * u[1], centre0[2] - z * u[2]];
    if (level(e, base) > 1) return 0;
    return norm(sub(exitFrom(e, base, radial), base));
  };
  let zlo = 0;
  let zhi = a;
  for (let it = 0; it < 60; it++) {
    const z = (zlo + zhi) / 2;
    if (radiusAt(isotherm, z) > radiusAt(tail, z)) zlo = z;
    else zhi = z;
  }
  const base: Vec3 = [centre0[0] - zlo * u[0], centre0[1] - zlo * u[1], centre0[2] - zlo * u[2]];
  const anchor = exitFrom(isotherm, base, radial);
  if (coveredByOther(parts, -1, anchor)) return null;
  const n1 = unit(levelGradient(isotherm, anchor));
  const n2 = unit(levelGradient(tail, anchor));
  return { parts, anchorRas: anchor, outwardRas: unit([n1[0] + n2[0], n1[1] + n2[1], n1[2] + n2[2]]), feature: "seam" };
}

/**
 * Thickness of the union along the inward ray from a boundary point (against `outward`): steps of
 * 0.25 mm until the ray leaves the union, mm.
 */
function thicknessAlong(parts: readonly Ellipsoid[], anchor: Readonly<Vec3>, outward: Readonly<Vec3>): number {
  let t = 0.25;
  for (;;) {
    const p: Vec3 = [anchor[0] - t * outward[0], anchor[1] - t * outward[1], anchor[2] - t * outward[2]];
    if (!parts.some((e) => level(e, p) <= 1) || t > 200) return t;
    t += 0.25;
  }
}

/** Where the ray base + t·dir (base inside e) leaves the ellipsoid e: the root of L = 1 by bisection. */
function exitFrom(e: Ellipsoid, base: Readonly<Vec3>, dir: Readonly<Vec3>): Vec3 {
  let lo = 0;
  let hi = 2 * Math.max(...e.semiAxesMm) + 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (level(e, [base[0] + mid * dir[0], base[1] + mid * dir[1], base[2] + mid * dir[2]]) <= 1) lo = mid;
    else hi = mid;
  }
  return [base[0] + lo * dir[0], base[1] + lo * dir[1], base[2] + lo * dir[2]];
}

function unit(v: readonly number[]): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}

function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function norm(a: Readonly<Vec3>): number {
  return Math.hypot(a[0], a[1], a[2]);
}

/** The ellipsoid moved by a translation (mm). */
function translated(e: Ellipsoid, t: Readonly<Vec3>): Ellipsoid {
  return { ...e, centre: [e.centre[0] + t[0], e.centre[1] + t[1], e.centre[2] + t[2]] };
}

export interface UnionPhantomOptions {
  seed: number;
  count: number;
  tumorSpacingMm: Vec3;
  iceSpacingMm: Vec3;
}

/**
 * Random multi-probe cases (deterministic for a seed). Case n: 2, 3 or 4 probes (n mod 3), 11–19 mm
 * apart, isotherms r = 9–14 mm, ε = 1.3–2.1; the tumor against the waist (even n) or a seam (odd n);
 * tight (exact MTM 0–3 mm) or partly uncovered (−4–0 mm) by (n ÷ 2) mod 2; the joining ellipsoid kept
 * when (n ÷ 4) is even; shaft ice 10–40 mm long at every seam case and at waist cases with (n ÷ 8) odd.
 * The tumor is an ellipsoid (longest semi-axis 6–12 mm) on a randomly oriented or axial grid (as the
 * ellipsoid suite), the transform a random rigid one, and the ice ball is moved along the feature's
 * outward direction until the coarse exact MTM is the target; both masks on their own grids.
 */
export function generateUnionPhantomCases(options: UnionPhantomOptions): PhantomCase[] {
  const random = createRandom(options.seed);
  const rnd = () => random.next();
  const cases: PhantomCase[] = [];
  for (let n = 0; n < options.count; n++) {
    const feature: UnionFeature = n % 2 === 0 ? "waist" : "seam";
    const scenario: PhantomScenario = (n >> 1) % 2 === 0 ? "tight" : "partly uncovered";
    const probes = (2 + (n % 3)) as 2 | 3 | 4;
    const joining = (n >> 2) % 2 === 0;
    const withTail = feature === "seam" || (n >> 3) % 2 === 1;
    let ice: ProbeIceBall | null = null;
    while (ice === null) {
      const spacingMm = 11 + 8 * rnd();
      // Isotherms reach 1.5 mm past the array's axis, so neighbours overlap and no tunnel runs along
      // the axis (a sub-voxel channel no mask can show).
      const ring = spacingMm / (probes === 2 ? 2 : probes === 3 ? Math.sqrt(3) : Math.SQRT2);
      ice = probeIceBall({
        probes,
        spacingMm,
        lateralRadiusMm: Math.max(9 + 5 * rnd(), ring + 1.5),
        elongation: 1.3 + 0.8 * rnd(),
        joining,
        tailMm: withTail ? 10 + 30 * rnd() : 0,
        feature,
        directionRas: randomUnitVector(rnd),
        rollRad: 2 * Math.PI * rnd(),
      });
    }
    // The ice is only so thick across the feature: the tumor must fit with the target margin.
    const thickness = thicknessAlong(ice.parts, ice.anchorRas, ice.outwardRas);
    const target = scenario === "tight" ? 3 * rnd() : -0.2 - 3.8 * rnd();
    const rt = Math.min(6 + 6 * rnd(), thickness / 2 - Math.max(0, target) - 1);
    if (rt < 4) {
      n--;
      continue;
    }
    const tumorShape: Ellipsoid = {
      centre: [rnd() * 10 - 5, rnd() * 10 - 5, rnd() * 10 - 5],
      semiAxesMm: [rt, rt * (0.7 + 0.3 * rnd()), rt * (0.7 + 0.3 * rnd())],
      rotation: randomRotation(rnd),
    };
    const preToPost = rigidTransform(randomRotation(rnd), [rnd() * 20 - 10, rnd() * 20 - 10, rnd() * 20 - 10]);
    const mapped = applyAffine(preToPost, tumorShape.centre);
    const sdf = createUnionSignedDistance(ice.parts, ice.anchorRas, 2 * rt + 20);
    const { anchorRas: anchor, outwardRas: out } = ice;
    // With the ice ball shifted so that its anchor sits d mm from the tumor's centre, against the
    // outward direction, a post-world point p reads the ice ball's frame at p − shift(d).
    const shift = (d: number): Vec3 => [
      mapped[0] - d * out[0] - anchor[0],
      mapped[1] - d * out[1] - anchor[1],
      mapped[2] - d * out[2] - anchor[2],
    ];
    const sdfAt = (d: number) => {
      const s = shift(d);
      return (p: Vec3) => sdf([p[0] - s[0], p[1] - s[1], p[2] - s[2]]);
    };
    // MTM(d) rises from d = −thickness (the tumor out the far side) to its peak near −thickness/2 and
    // falls on; the target is met on the falling side, near d = −(rt + target).
    const d = offsetForMargin((x) => exactMinimalMargin(tumorShape, sdfAt(x), preToPost, 0).mtmMm, target, {
      startMm: -(rt + target),
      bracketMm: [-thickness / 2, 30],
    });
    const parts = ice.parts.map((e) => translated(e, shift(d)));
    cases.push(
      assemblePhantomCase({
        name: `union #${n}: ${probes} probes, ${feature}${joining ? ", joined" : ""}${withTail ? ", shaft ice" : ""} (${scenario})`,
        scenario,
        tumorShape,
        iceParts: parts,
        iceSignedDistance: sdfAt(d),
        exactIceballVolumeMl: unionVolumeMl(parts),
        preToPost,
        tumorSpacingMm: options.tumorSpacingMm,
        iceSpacingMm: options.iceSpacingMm,
        axial: rnd() < 0.5,
        rnd,
      }),
    );
  }
  return cases;
}

/**
 * The mask twin of a union phantom: the same two masks, voxel for voxel, around an ice ball whose
 * concave pocket at the case's minimum-margin point is filled in as far as the ice mask allows — so
 * the two ice balls differ only where no voxel centre of the ice grid lies, and any reader of the
 * masks gives both cases the same MTM. Each of `fills` steps takes the exact ice surface's point
 * nearest to the current minimum-margin point (post-ablation world) and adds a ball there of 0.98 ×
 * its distance to the nearest outside voxel centre (none within `reachMm`: that distance), which no
 * outside centre can enter; then the exact MTM and its point are recomputed. The twin is still a
 * union of ellipsoids. The difference between the two exact MTMs is a lower bound (the filling is
 * greedy) on how far apart two ice balls with identical masks can read at that case: a mask reader
 * errs by at least half of it on one of the two.
 * Example: `filledPocketTwin(c).exactMtmMm − c.exactMtmMm` is ≥ 0 (filling only adds ice).
 */
export function filledPocketTwin(c: PhantomCase, fills = 12, reachMm = 4): PhantomCase {
  const reach = Math.max(...c.tumorShape.semiAxesMm) * 2 + 20;
  let sdf = c.iceSignedDistance;
  let mtm = c.exactMtmMm;
  let point = c.exactMinPointRas;
  const tumorCentre = applyAffine(c.preToPost, c.tumorShape.centre);
  const union = createGrowingUnionClosestPoint(c.iceParts, tumorCentre, reach);
  const { closest, parts } = union;
  const searched = keptUnionReadings(closest, parts);
  for (let step = 0; step < fills; step++) {
    const foot = closest(applyAffine(c.preToPost, point)).pointRas;
    const radius = 0.98 * Math.min(reachMm, nearestOutsideCentreMm(c.iceball, foot, reachMm));
    if (!(radius >= 0.05)) break;
    union.add(sphere(foot, radius));
    sdf = (p) => {
      const r = closest(p);
      return r.inside ? r.distanceMm : -r.distanceMm;
    };
    // (the coarse search locates the next pocket; the exact MTM is refined once, at the end)
    const coarse = exactMinimalMargin(c.tumorShape, searched, c.preToPost, 2);
    mtm = coarse.mtmMm;
    point = coarse.point;
  }
  if (parts.length > c.iceParts.length)
    ({ mtmMm: mtm, point } = exactMinimalMargin(c.tumorShape, searched, c.preToPost));
  return {
    ...c,
    name: `${c.name}, pocket filled`,
    iceParts: [...parts],
    iceSignedDistance: sdf,
    exactMtmMm: mtm,
    exactMinPointRas: point,
    exactIceballVolumeMl: unionVolumeMl(parts),
  };
}

/**
 * The signed distance (mm, positive inside) to a union that grows part by part, each point's reading
 * kept: the searches of {@link filledPocketTwin} read the same tumor surface points after every fill.
 * A reading taken with the first n parts is returned again, without a query, while every part added
 * since lies farther from the point than the reading's distance and the distance of the boundary sample
 * its query started from, plus 0.01 mm (the added part's distance bounded below by |p − centre| − its
 * largest semi-axis). The query would then return the same bits (unionClosestPointQuery): the point
 * stays on the same side of every part; the nearest sample stays, as no added or removed sample (those
 * on or inside the added part) is as near; the added part's level bound skips it; and every candidate
 * it adds or covers (its own surface, seams and corners on it, points inside it) lies beyond the
 * answer, so the same candidate wins in the same order. Exact ties between sample distances, where the
 * k-d tree's answer follows its search hint, are the exception this leaves: filledPocketTwin's twins
 * of phantoms.test.ts are bit for bit those of querying every point.
 */
function keptUnionReadings(
  closest: (p: Readonly<Vec3>) => UnionClosestPoint,
  parts: readonly Ellipsoid[],
): (p: Vec3) => number {
  const readings = new Map<string, { valueMm: number; parts: number; reachMm: number }>();
  return (p) => {
    const key = `${p[0]} ${p[1]} ${p[2]}`;
    const kept = readings.get(key);
    if (kept) {
      let holds = true;
      for (let i = kept.parts; i < parts.length && holds; i++) {
        const e = parts[i];
        const apartMm = Math.hypot(p[0] - e.centre[0], p[1] - e.centre[1], p[2] - e.centre[2]);
        holds = apartMm - Math.max(...e.semiAxesMm) > kept.reachMm + 0.01;
      }
      if (holds) {
        kept.parts = parts.length;
        return kept.valueMm;
      }
    }
    const r = closest(p);
    const valueMm = r.inside ? r.distanceMm : -r.distanceMm;
    readings.set(key, { valueMm, parts: parts.length, reachMm: Math.max(r.distanceMm, r.sampleDistanceMm) });
    return valueMm;
  };
}

/**
 * Distance (mm) from world point p to the nearest voxel centre of the mask that is outside it (a
 * centre beyond the grid counts as outside), searched within `reachMm`; +∞ when there is none there.
 */
function nearestOutsideCentreMm(mask: MaskVolume, p: Readonly<Vec3>, reachMm: number): number {
  const [nx, ny, nz] = mask.dims;
  const m = mask.voxelToWorld;
  const spacing = voxelSpacingMm(m);
  const centre = applyAffine(invertAffine(m, "iceball"), p);
  const span = spacing.map((s) => Math.ceil(reachMm / s) + 1);
  let best = Number.POSITIVE_INFINITY;
  for (let k = Math.floor(centre[2]) - span[2]; k <= Math.ceil(centre[2]) + span[2]; k++) {
    for (let j = Math.floor(centre[1]) - span[1]; j <= Math.ceil(centre[1]) + span[1]; j++) {
      for (let i = Math.floor(centre[0]) - span[0]; i <= Math.ceil(centre[0]) + span[0]; i++) {
        const inGrid = i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz;
        if (inGrid && mask.data[i + nx * (j + ny * k)] !== 0) continue;
        const w = applyAffine(m, [i, j, k]);
        const dist = Math.hypot(w[0] - p[0], w[1] - p[1], w[2] - p[2]);
        if (dist < best) best = dist;
      }
    }
  }
  return best <= reachMm ? best : Number.POSITIVE_INFINITY;
}
