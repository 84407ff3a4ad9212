/**
 * Sizes of a rigid pre → post transform x ↦ R x + t, for the registration's sanity guard:
 *
 * - rotation angle θ = arccos((tr R − 1) / 2) (the angle of the axis-angle form, any axis);
 * - translation at a point c: |R c + t − c|, the displacement of c (the tumor's centre, where it matters;
 *   t alone depends on where the world origin lies).
 *
 * Example: a pure translation (3, 4, 0) has θ = 0 and a displacement of 5 mm everywhere.
 */
import { applyAffine } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";

export interface RigidMotionSize {
  rotationDeg: number;
  translationMm: number;
}

export function rigidMotionSize(m: Mat4, centre: Readonly<Vec3>): RigidMotionSize {
  const trace = m[0] + m[5] + m[10];
  const cosine = Math.max(-1, Math.min(1, (trace - 1) / 2));
  const moved = applyAffine(m, centre);
  return {
    rotationDeg: (Math.acos(cosine) * 180) / Math.PI,
    translationMm: Math.hypot(moved[0] - centre[0], moved[1] - centre[1], moved[2] - centre[2]),
  };
}

/**
 * The rigid transform rotating by the rotation vector ω (axis ω/|ω|, angle |ω| radians, Rodrigues'
 * formula) about `centre`, then translating by `t`: x ↦ R (x − c) + c + t. Example: ω = (0, 0, π/2),
 * c = 0, t = 0 maps (1, 0, 0) to (0, 1, 0).
 */
export function rigidAbout(omega: Readonly<Vec3>, centre: Readonly<Vec3>, t: Readonly<Vec3>): Mat4 {
  const angle = Math.hypot(omega[0], omega[1], omega[2]);
  const m = new Float64Array(16);
  m[15] = 1;
  const [kx, ky, kz] = angle > 0 ? [omega[0] / angle, omega[1] / angle, omega[2] / angle] : [0, 0, 1];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const v = 1 - c;
  const r = [
    [c + kx * kx * v, kx * ky * v - kz * s, kx * kz * v + ky * s],
    [ky * kx * v + kz * s, c + ky * ky * v, ky * kz * v - kx * s],
    [kz * kx * v - ky * s, kz * ky * v + kx * s, c + kz * kz * v],
  ];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) m[4 * row + col] = r[row][col];
    m[4 * row + 3] = centre[row] + t[row] - (r[row][0] * centre[0] + r[row][1] * centre[1] + r[row][2] * centre[2]);
  }
  return m;
}
