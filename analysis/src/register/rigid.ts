/**
 * Sizes of a rigid pre → post transform x ↦ R x + t, for the registration's sanity guard:
 *
 * - rotation angle θ = arccos((tr R − 1) / 2) (the angle of the axis-angle form, any axis);
 * - translation at a point c: |R c + t − c|, the displacement of c (the tumor's centre, where it matters;
 *   t alone depends on where the world origin lies).
 *
 * Example: a pure translation (3, 4, 0) has θ = 0 and a displacement of 5 mm everywhere.
 */
import { applyAffine, invertAffine, multiplyMat4 } from "../margin/affine.js";
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

/**
 * The rotation vector ω of a rigid transform's rotation R (the inverse of Rodrigues' formula): angle
 * θ = arccos((tr R − 1) / 2), axis (R₃₂ − R₂₃, R₁₃ − R₃₁, R₂₁ − R₁₂) / (2 sin θ); for θ → 0 the skew
 * part itself (sin θ / θ → 1). Valid for θ < 180°. Example: rigidAbout([0, 0, 0.1], c, t) gives (0, 0, 0.1).
 */
export function rotationVector(m: Mat4): Vec3 {
  const cosine = Math.max(-1, Math.min(1, (m[0] + m[5] + m[10] - 1) / 2));
  const angle = Math.acos(cosine);
  const skew: Vec3 = [(m[9] - m[6]) / 2, (m[2] - m[8]) / 2, (m[4] - m[1]) / 2];
  const scale = angle < 1e-8 ? 1 : angle / Math.sin(angle);
  return [skew[0] * scale, skew[1] * scale, skew[2] * scale];
}

/** The mean of a set of rigid transforms near a reference, and their spread (see `rigidSpread`). */
export interface RigidSpread {
  /** reference · P(ω̄, t̄): the transforms' mean. */
  mean: Mat4;
  /** Pooled per-axis SD of the rotation vectors, degrees (K − 1 degrees of freedom per axis). */
  rotationSdDeg: number;
  /** Pooled per-axis SD of the displacements of `centre`, mm. */
  translationSdMm: number;
}

/**
 * The spread of rigid pre → post transforms T₁…T_K (K ≥ 2) that all lie near `reference` B, in the
 * terms of the margin's uncertainty model (margin/uncertainty.ts: T = B · P, P a rigid motion about
 * `centre` in pre-ablation world): each Tₖ is written B · P(ωₖ, tₖ) with ωₖ the rotation vector of
 * B⁻¹Tₖ and tₖ its displacement of the centre; the mean is B · P(ω̄, t̄) and the SDs pool the three
 * axes: σ_ω² = Σₖ Σₐ (ωₖₐ − ω̄ₐ)² / (3 (K − 1)), likewise σ_t.
 * Example: two transforms 1 mm apart along x and otherwise equal to B give σ_t = √(0.5 / 3) ≈ 0.41 mm.
 */
export function rigidSpread(reference: Mat4, transforms: readonly Mat4[], centre: Readonly<Vec3>): RigidSpread {
  const inverse = invertAffine(reference, "transform");
  const omegas: Vec3[] = [];
  const shifts: Vec3[] = [];
  for (const t of transforms) {
    const relative = multiplyMat4(inverse, t);
    omegas.push(rotationVector(relative));
    const moved = applyAffine(relative, centre);
    shifts.push([moved[0] - centre[0], moved[1] - centre[1], moved[2] - centre[2]]);
  }
  const k = transforms.length;
  const meanOf = (vs: Vec3[]): Vec3 => [0, 1, 2].map((a) => vs.reduce((sum, v) => sum + v[a], 0) / k) as Vec3;
  const pooledSd = (vs: Vec3[], mean: Vec3) =>
    Math.sqrt(
      vs.reduce((sum, v) => sum + (v[0] - mean[0]) ** 2 + (v[1] - mean[1]) ** 2 + (v[2] - mean[2]) ** 2, 0) /
        (3 * (k - 1)),
    );
  const omegaMean = meanOf(omegas);
  const shiftMean = meanOf(shifts);
  return {
    mean: multiplyMat4(reference, rigidAbout(omegaMean, centre, shiftMean)),
    rotationSdDeg: (pooledSd(omegas, omegaMean) * 180) / Math.PI,
    translationSdMm: pooledSd(shifts, shiftMean),
  };
}
