/**
 * 4×4 homogeneous matrices (row-major Float64Array(16), m[4·r + c]) as the margin engine uses them:
 * voxel index → world mm, and rigid pre → post registration transforms. Points are column vectors:
 * p' = M · [x, y, z, 1]ᵀ. Only affine matrices (last row 0 0 0 1) are meaningful here.
 */
import { type MarginInput, MarginInputError } from "./errors.js";
import type { Mat4, Vec3 } from "./types.js";

/** The 4×4 identity. Example: `applyAffine(identityMat4(), [1, 2, 3])` is `[1, 2, 3]`. */
export function identityMat4(): Mat4 {
  const m = new Float64Array(16);
  m[0] = m[5] = m[10] = m[15] = 1;
  return m;
}

/** A · B (apply B first). Example: `multiplyMat4(T, voxelToWorld)` maps tumor voxels to post-ablation world. */
export function multiplyMat4(a: Mat4, b: Mat4): Mat4 {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[4 * r + k] * b[4 * k + c];
      out[4 * r + c] = s;
    }
  }
  return out;
}

/** Determinant of the 3×3 linear part: the signed volume (mm³) of one voxel for a voxel-to-world matrix. */
export function linearDeterminant(m: Mat4): number {
  return m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
}

/**
 * Inverse of an affine matrix: [R t; 0 1]⁻¹ = [R⁻¹ −R⁻¹t; 0 1], R⁻¹ by the adjugate. Throws a
 * {@link MarginInputError} naming `input` when R is singular or not finite (a voxel-to-world matrix
 * with a zero spacing, say).
 */
export function invertAffine(m: Mat4, input: MarginInput): Mat4 {
  const det = linearDeterminant(m);
  const scale = Math.max(Math.abs(m[0]), Math.abs(m[1]), Math.abs(m[2]), Math.abs(m[5]), Math.abs(m[10]), 1e-300);
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-12 * scale ** 3) {
    throw new MarginInputError(`the ${input} matrix is singular or not finite (determinant ${det})`, input);
  }
  const a = m[0];
  const b = m[1];
  const c = m[2];
  const d = m[4];
  const e = m[5];
  const f = m[6];
  const g = m[8];
  const h = m[9];
  const i = m[10];
  const inv = new Float64Array(16);
  inv[0] = (e * i - f * h) / det;
  inv[1] = (c * h - b * i) / det;
  inv[2] = (b * f - c * e) / det;
  inv[4] = (f * g - d * i) / det;
  inv[5] = (a * i - c * g) / det;
  inv[6] = (c * d - a * f) / det;
  inv[8] = (d * h - e * g) / det;
  inv[9] = (b * g - a * h) / det;
  inv[10] = (a * e - b * d) / det;
  for (let r = 0; r < 3; r++) {
    inv[4 * r + 3] = -(inv[4 * r] * m[3] + inv[4 * r + 1] * m[7] + inv[4 * r + 2] * m[11]);
  }
  inv[15] = 1;
  return inv;
}

/** M · [x, y, z, 1]ᵀ. Example: `applyAffine(voxelToWorld, [i, j, k])` is the world position of voxel (i, j, k). */
export function applyAffine(m: Mat4, p: Readonly<Vec3>): Vec3 {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ];
}

/**
 * Voxel spacing in mm along each grid axis: the lengths of the first three columns of the linear part
 * (column a is the world step of one voxel along index axis a).
 * Example: a 1.2 × 1.2 × 3.0 mm scan in any orientation gives `[1.2, 1.2, 3.0]`.
 */
export function voxelSpacingMm(voxelToWorld: Mat4): Vec3 {
  const col = (c: number) => Math.hypot(voxelToWorld[c], voxelToWorld[4 + c], voxelToWorld[8 + c]);
  return [col(0), col(1), col(2)];
}

/**
 * Largest |cos| between two grid axes in world space: 0 for the orthogonal grids every scanner writes.
 * A sheared grid makes per-axis-spacing distance transforms inexact, so measureMargins warns above 1e-3.
 */
export function gridShear(voxelToWorld: Mat4): number {
  const [sx, sy, sz] = voxelSpacingMm(voxelToWorld);
  const dot = (a: number, b: number) =>
    voxelToWorld[a] * voxelToWorld[b] +
    voxelToWorld[4 + a] * voxelToWorld[4 + b] +
    voxelToWorld[8 + a] * voxelToWorld[8 + b];
  return Math.max(Math.abs(dot(0, 1)) / (sx * sy), Math.abs(dot(0, 2)) / (sx * sz), Math.abs(dot(1, 2)) / (sy * sz));
}

/**
 * A Mat4 from its rows (3 rows → the affine row 0 0 0 1 is appended); −0 is stored as 0.
 * Example: `mat4FromRows([[1, 0, 0, 5], [0, 1, 0, 0], [0, 0, 1, 0]])` translates x by 5 mm.
 */
export function mat4FromRows(rows: readonly (readonly number[])[]): Mat4 {
  const m = new Float64Array(16);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) m[4 * r + c] = (r < rows.length ? rows[r][c] : r === c ? 1 : 0) + 0; // + 0: no −0
  return m;
}

/**
 * The inverse of an affine Mat4, or null when it is singular or not finite ({@link invertAffine}
 * throws instead; callers turn null into an error naming the file).
 */
export function inverseOrNull(m: Mat4): Mat4 | null {
  try {
    return invertAffine(m, "transform");
  } catch (error) {
    if (error instanceof MarginInputError) return null;
    throw error;
  }
}

/**
 * Converts a world-to-world transform between ITK's LPS and NIfTI's RAS (the same operation both
 * ways): with F = diag(−1, −1, 1, 1), x_lps = F x_ras, so y_ras = F·M_lps·F · x_ras. Negating rows 0–1
 * and columns 0–1 is exact in floating point. Example: an LPS translation (+2, +3, +4) is RAS (−2, −3, +4).
 */
export function switchLpsRas(m: Mat4): Mat4 {
  const flip = [-1, -1, 1, 1];
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) out[4 * r + c] = flip[r] * flip[c] * m[4 * r + c] + 0; // + 0: no −0
  return out;
}
