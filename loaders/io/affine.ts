/**
 * The affine helpers file reading uses on top of the margin engine's own: building a Mat4 from rows,
 * inverting without throwing, and switching between ITK's LPS and NIfTI's RAS world. They live in the
 * analysis package (analysis/src/margin/affine.ts), which the browser also runs; re-exported here for
 * the readers.
 *
 * A Mat4 is a row-major Float64Array(16), m[4·r + c], acting on column vectors: p' = M · [x, y, z, 1]ᵀ
 * (analysis/src/margin/types.ts).
 */
export { inverseOrNull, mat4FromRows, switchLpsRas } from "@cryomargin/analysis";
