/**
 * A local orthonormal frame about a surface normal, in which the surface patches (refineSurface.ts,
 * smoothSurface.ts) are written as functions of the tangent coordinates (u, v) and the height w.
 */

/** Orthonormal frame [u, v, n] (row by row into `out`) with n the given unit normal. */
export function tangentFrame(nx: number, ny: number, nz: number, out: Float64Array): void {
  let ux: number;
  let uy: number;
  let uz: number;
  if (Math.abs(nx) < 0.9) {
    ux = 0;
    uy = nz;
    uz = -ny;
  } else {
    ux = -nz;
    uy = 0;
    uz = nx;
  }
  const ul = Math.hypot(ux, uy, uz);
  ux /= ul;
  uy /= ul;
  uz /= ul;
  out[0] = ux;
  out[1] = uy;
  out[2] = uz;
  out[3] = ny * uz - nz * uy;
  out[4] = nz * ux - nx * uz;
  out[5] = nx * uy - ny * ux;
  out[6] = nx;
  out[7] = ny;
  out[8] = nz;
}
