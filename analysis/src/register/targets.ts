/**
 * Target registration error (TRE) of a rigid pre → post transform against the true one, over the
 * points a margin depends on: the tumor's surface and a shell around it.
 *
 *   TRE = √( (1/N) Σᵢ |T̂(pᵢ) − T(pᵢ)|² )
 *
 * with pᵢ the world centres (RAS mm) of the tumor's boundary voxels (inside, with a face neighbour
 * outside) and of every voxel outside the tumor within `shellMm` of it (exact anisotropic Euclidean
 * distance, analysis/src/margin/edt.ts). A margin is read at the tumor surface, and the ice ball's
 * edge lies within the shell, so this is the error the margin inherits (Fitzpatrick & West, IEEE TMI
 * 2001, define TRE at the targets of the intervention).
 */
import { applyAffine, voxelSpacingMm } from "../margin/affine.js";
import { squaredDistanceTransform } from "../margin/edt.js";
import { maskBounds } from "../margin/maskBounds.js";
import type { MaskVolume, Mat4, Vec3 } from "../margin/types.js";

/** Default shell thickness around the tumor, mm. */
export const TRE_SHELL_MM = 10;

/**
 * World points of the tumor surface and of the shell within `shellMm` outside it, as a flat
 * Float64Array [x0, y0, z0, x1, …]. Only a box around the tumor grown by the shell is visited.
 * Example: a single-voxel tumor on a 1 mm grid with shellMm 1 gives 7 points (itself and its 6 faces).
 */
export function tumorTargetPoints(tumor: MaskVolume, shellMm = TRE_SHELL_MM): Float64Array {
  const bounds = maskBounds(tumor);
  if (bounds.count === 0) return new Float64Array(0);
  const spacing = voxelSpacingMm(tumor.voxelToWorld);
  const [nx, ny] = tumor.dims;
  const lo = [0, 1, 2].map((a) => Math.max(0, bounds.min[a] - Math.ceil(shellMm / spacing[a]) - 1));
  const hi = [0, 1, 2].map((a) => Math.min(tumor.dims[a] - 1, bounds.max[a] + Math.ceil(shellMm / spacing[a]) + 1));
  const dims: [number, number, number] = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const [bx, by, bz] = dims;
  const inside = new Uint8Array(bx * by * bz);
  for (let k = 0; k < bz; k++)
    for (let j = 0; j < by; j++)
      for (let i = 0; i < bx; i++)
        inside[i + bx * (j + by * k)] = tumor.data[i + lo[0] + nx * (j + lo[1] + ny * (k + lo[2]))] ? 1 : 0;
  const d2 = squaredDistanceTransform(inside, dims, spacing);
  const isInside = (i: number, j: number, k: number) =>
    i >= 0 && j >= 0 && k >= 0 && i < bx && j < by && k < bz && inside[i + bx * (j + by * k)] === 1;
  const points: number[] = [];
  const m = tumor.voxelToWorld;
  for (let k = 0; k < bz; k++)
    for (let j = 0; j < by; j++)
      for (let i = 0; i < bx; i++) {
        const idx = i + bx * (j + by * k);
        const keep = inside[idx]
          ? !(
              isInside(i - 1, j, k) &&
              isInside(i + 1, j, k) &&
              isInside(i, j - 1, k) &&
              isInside(i, j + 1, k) &&
              isInside(i, j, k - 1) &&
              isInside(i, j, k + 1)
            )
          : d2[idx] <= shellMm * shellMm;
        if (!keep) continue;
        const [gi, gj, gk] = [i + lo[0], j + lo[1], k + lo[2]];
        points.push(
          m[0] * gi + m[1] * gj + m[2] * gk + m[3],
          m[4] * gi + m[5] * gj + m[6] * gk + m[7],
          m[8] * gi + m[9] * gj + m[10] * gk + m[11],
        );
      }
  return Float64Array.from(points);
}

/** RMS distance, mm, between the images of `points` (flat xyz) under two transforms (see the module comment). */
export function targetRegistrationErrorMm(points: Float64Array, estimated: Mat4, truth: Mat4): number {
  const n = points.length / 3;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let p = 0; p < n; p++) {
    const x: Vec3 = [points[3 * p], points[3 * p + 1], points[3 * p + 2]];
    const a = applyAffine(estimated, x);
    const b = applyAffine(truth, x);
    sum += (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
  }
  return Math.sqrt(sum / n);
}
