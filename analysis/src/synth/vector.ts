/**
 * Small 3-vector helpers for the generator's analytic shapes (world RAS mm). Plain tuples, no
 * allocation tricks: the generator builds a few hundred shapes, the hot loops work on typed arrays.
 */
import type { Vec3 } from "../margin/types.js";

/** a + b. */
export function add(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/** a − b. */
export function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/** s·a. */
export function scale(a: Readonly<Vec3>, s: number): Vec3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}

/** a + s·b (a point moved s mm along direction b when b is a unit vector). */
export function addScaled(a: Readonly<Vec3>, b: Readonly<Vec3>, s: number): Vec3 {
  return [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]];
}

/** a·b. */
export function dot(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** a × b (right-handed). Example: cross([1,0,0], [0,1,0]) = [0,0,1]. */
export function cross(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Euclidean length |a|. */
export function norm(a: Readonly<Vec3>): number {
  return Math.hypot(a[0], a[1], a[2]);
}

/** a / |a| (throws on the zero vector: a direction must be a direction). */
export function normalize(a: Readonly<Vec3>): Vec3 {
  const n = norm(a);
  if (!(n > 0)) throw new RangeError("normalize: zero vector has no direction");
  return [a[0] / n, a[1] / n, a[2] / n];
}

/**
 * Two unit vectors completing `u` (unit) to a right-handed orthonormal frame (v, w, u), chosen
 * deterministically (Frisvad-style: cross with the world axis least aligned with u).
 * Example: perpendicularFrame([0, 0, 1]) = [[1, 0, 0], [0, 1, 0]] up to sign.
 */
export function perpendicularFrame(u: Readonly<Vec3>): [Vec3, Vec3] {
  const ax = Math.abs(u[0]);
  const ay = Math.abs(u[1]);
  const az = Math.abs(u[2]);
  const helper: Vec3 = ax <= ay && ax <= az ? [1, 0, 0] : ay <= az ? [0, 1, 0] : [0, 0, 1];
  const v = normalize(cross(helper, u));
  const w = cross(u, v);
  return [v, w];
}

/**
 * Rotation of vector p about the unit axis k by `angleRad` (Rodrigues):
 * p cosθ + (k × p) sinθ + k (k·p)(1 − cosθ). Example: rotating [1,0,0] about [0,0,1] by π/2 gives [0,1,0].
 */
export function rotateAbout(p: Readonly<Vec3>, k: Readonly<Vec3>, angleRad: number): Vec3 {
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  const kxp = cross(k, p);
  const kp = dot(k, p) * (1 - c);
  return [p[0] * c + kxp[0] * s + k[0] * kp, p[1] * c + kxp[1] * s + k[1] * kp, p[2] * c + kxp[2] * s + k[2] * kp];
}
