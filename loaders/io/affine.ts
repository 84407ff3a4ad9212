/**
 * The little 4×4 affine algebra file reading needs: building, composing and inverting the matrices of
 * NIfTI headers and registration transforms, and switching between ITK's LPS and NIfTI's RAS world.
 *
 * A Mat4 is a row-major Float64Array(16), m[4·r + c], acting on column vectors: p' = M · [x, y, z, 1]ᵀ
 * (analysis/src/margin/types.ts). Only affine matrices (last row 0 0 0 1) occur here.
 */
import type { Mat4, Vec3 } from "@cryomargin/analysis";

/** The 4×4 identity. */
export function identityMat4(): Mat4 {
  return mat4FromRows([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ]);
}

/** A Mat4 from its rows (3 rows → the affine row 0 0 0 1 is appended). Example: `mat4FromRows([[1,0,0,5],[0,1,0,0],[0,0,1,0]])` translates x by 5 mm. */
export function mat4FromRows(rows: readonly (readonly number[])[]): Mat4 {
  const m = new Float64Array(16);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) m[4 * r + c] = (r < rows.length ? rows[r][c] : r === c ? 1 : 0) + 0; // + 0: no −0
  return m;
}

/** The rows of a Mat4 as plain arrays (for JSON and messages). */
export function mat4Rows(m: Mat4): number[][] {
  return [0, 1, 2, 3].map((r) => [m[4 * r], m[4 * r + 1], m[4 * r + 2], m[4 * r + 3]]);
}

/** A · B: applying the product applies B first, then A. */
export function multiplyMat4(a: Mat4, b: Mat4): Mat4 {
  const m = new Float64Array(16);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[4 * r + k] * b[4 * k + c];
      m[4 * r + c] = s;
    }
  return m;
}

/** Determinant of the linear (upper-left 3×3) part: the signed volume scale; < 0 for a reflection. */
export function linearDeterminant(m: Mat4): number {
  return m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
}

/**
 * Inverse of an affine Mat4: [A t]⁻¹ = [A⁻¹, −A⁻¹t] (A⁻¹ by the adjugate). Returns null when A is
 * singular relative to its size (|det A| ≤ 1e-12 · ‖A‖³) or not finite, so callers can name the file.
 */
export function invertAffine(m: Mat4): Mat4 | null {
  const det = linearDeterminant(m);
  let norm = 0;
  for (const i of [0, 1, 2, 4, 5, 6, 8, 9, 10]) norm = Math.max(norm, Math.abs(m[i]));
  if (!Number.isFinite(det) || !(Math.abs(det) > 1e-12 * norm ** 3)) return null;
  const inv = new Float64Array(16);
  inv[0] = (m[5] * m[10] - m[6] * m[9]) / det;
  inv[1] = (m[2] * m[9] - m[1] * m[10]) / det;
  inv[2] = (m[1] * m[6] - m[2] * m[5]) / det;
  inv[4] = (m[6] * m[8] - m[4] * m[10]) / det;
  inv[5] = (m[0] * m[10] - m[2] * m[8]) / det;
  inv[6] = (m[2] * m[4] - m[0] * m[6]) / det;
  inv[8] = (m[4] * m[9] - m[5] * m[8]) / det;
  inv[9] = (m[1] * m[8] - m[0] * m[9]) / det;
  inv[10] = (m[0] * m[5] - m[1] * m[4]) / det;
  for (let r = 0; r < 3; r++) inv[4 * r + 3] = -(inv[4 * r] * m[3] + inv[4 * r + 1] * m[7] + inv[4 * r + 2] * m[11]);
  inv[15] = 1;
  return inv;
}

/** M · p for a point p (the affine part applies). */
export function transformPoint(m: Mat4, p: Vec3): Vec3 {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ];
}

/**
 * Converts a world-to-world transform between ITK's LPS and NIfTI's RAS (the same operation both
 * ways): with F = diag(−1, −1, 1, 1), x_lps = F x_ras, so y_ras = F·M_lps·F · x_ras. Negating rows 0–1
 * and columns 0–1 is exact in floating point. Example: an LPS translation (+2, +3, +4) is RAS (−2, −3, +4).
 */
export function switchLpsRas(m: Mat4): Mat4 {
  const flip = [-1, -1, 1, 1];
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) out[4 * r + c] = flip[r] * flip[c] * m[4 * r + c] + 0; // + 0: no -0 in output
  return out;
}

/**
 * How far the linear part is from a rotation: max |(AᵀA − I)ᵢⱼ| (0 for a rotation; ≈ 2·s for a small
 * scaling 1 + s), and det A (negative for a reflection, which no patient motion produces).
 */
export function rigidityDefect(m: Mat4): { orthonormalityError: number; determinant: number } {
  let worst = 0;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += m[4 * k + i] * m[4 * k + j];
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  return { orthonormalityError: worst, determinant: linearDeterminant(m) };
}

/** Lengths of the three columns of the linear part: the voxel spacing of a voxel-to-world matrix, mm. */
export function columnLengths(m: Mat4): Vec3 {
  const len = (c: number) => Math.hypot(m[c], m[4 + c], m[8 + c]);
  return [len(0), len(1), len(2)];
}
