/**
 * The affine helpers file reading needs on top of the margin engine's own (analysis/src/margin/affine.ts:
 * identityMat4, multiplyMat4, invertAffine, applyAffine, voxelSpacingMm, linearDeterminant): building a
 * Mat4 from rows, inverting without throwing, and switching between ITK's LPS and NIfTI's RAS world.
 *
 * A Mat4 is a row-major Float64Array(16), m[4·r + c], acting on column vectors: p' = M · [x, y, z, 1]ᵀ
 * (analysis/src/margin/types.ts).
 */
import { invertAffine, MarginInputError, type Mat4 } from "@cryomargin/analysis";

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
 * The inverse of an affine Mat4, or null when it is singular or not finite (the engine's
 * `invertAffine` throws instead; callers here turn null into an error naming the file).
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
