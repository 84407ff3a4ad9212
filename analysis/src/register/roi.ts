/**
 * The registration's region of interest: the bounding box of a mask (the tumor) grown by a margin in
 * mm, as an index box on the fixed grid (the mask's own or another). The box grows by margin /
 * spacingₐ voxels along each grid axis a, so it holds every voxel centre within `marginMm` (along the
 * grid axes) of the mask's box; it is clipped to the grid.
 */
import { applyAffine, invertAffine, multiplyMat4, voxelSpacingMm } from "../margin/affine.js";
import { squaredDistanceTransform } from "../margin/edt.js";
import { maskBounds } from "../margin/maskBounds.js";
import type { MaskVolume, Mat4, Vec3 } from "../margin/types.js";
import { clampedBox, cropToBox, type IndexBox } from "../segment/box.js";

/**
 * The ROI box of `mask` grown by `marginMm`, on the grid `grid` (default: the mask's own), or null
 * when the mask is empty or the box misses the grid. On another grid, the mask's box (voxel centres)
 * is mapped corner by corner into the grid's index space and the box around those corners taken.
 */
export function regionOfInterest(
  mask: MaskVolume,
  marginMm: number,
  grid: { dims: readonly [number, number, number]; voxelToWorld: Mat4 } = mask,
): IndexBox | null {
  const bounds = maskBounds(mask);
  if (bounds.count === 0) return null;
  const toGrid = multiplyMat4(invertAffine(grid.voxelToWorld, "options"), mask.voxelToWorld);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const corner: Vec3 = [
      c & 1 ? bounds.max[0] : bounds.min[0],
      c & 2 ? bounds.max[1] : bounds.min[1],
      c & 4 ? bounds.max[2] : bounds.min[2],
    ];
    const p = applyAffine(toGrid, corner);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], p[a]);
      hi[a] = Math.max(hi[a], p[a]);
    }
  }
  const spacing = voxelSpacingMm(grid.voxelToWorld);
  const grow = spacing.map((s) => marginMm / s);
  const first = [0, 1, 2].map((a) => Math.ceil(lo[a] - grow[a] - 1e-6));
  const last = [0, 1, 2].map((a) => Math.floor(hi[a] + grow[a] + 1e-6));
  if (first.some((v, a) => v > grid.dims[a] - 1 || last[a] < 0 || v > last[a])) return null;
  return clampedBox(first, last, grid.dims);
}

/**
 * For each voxel of a grid, whether it lies farther than `mm` from `mask` (exact Euclidean distance on
 * the mask's grid, read at the mask voxel nearest to the grid voxel's centre; voxels beyond the
 * mask's box grown by `mm` + 2 voxels are far). Returns a test on the grid's voxel index.
 */
export function fartherThanFromMask(
  mask: MaskVolume,
  mm: number,
  grid: { dims: readonly [number, number, number]; voxelToWorld: Mat4 },
): (index: number) => boolean {
  const bounds = maskBounds(mask);
  if (bounds.count === 0) return () => true;
  const spacing = voxelSpacingMm(mask.voxelToWorld);
  const lo = [0, 1, 2].map((a) => Math.max(0, bounds.min[a] - Math.ceil(mm / spacing[a]) - 2));
  const hi = [0, 1, 2].map((a) => Math.min(mask.dims[a] - 1, bounds.max[a] + Math.ceil(mm / spacing[a]) + 2));
  const local = cropVolume(mask.data, mask.dims, mask.voxelToWorld, clampedBox(lo, hi, mask.dims));
  const d2 = squaredDistanceTransform(local.data, local.dims, spacing);
  const toLocal = multiplyMat4(invertAffine(local.voxelToWorld, "options"), grid.voxelToWorld);
  const [nx, ny] = grid.dims;
  const [lx, ly, lz] = local.dims;
  const limit = mm * mm;
  return (index: number) => {
    const i = index % nx;
    const j = Math.floor(index / nx) % ny;
    const k = Math.floor(index / (nx * ny));
    const p = applyAffine(toLocal, [i, j, k]);
    const [a, b, c] = [Math.round(p[0]), Math.round(p[1]), Math.round(p[2])];
    if (a < 0 || b < 0 || c < 0 || a >= lx || b >= ly || c >= lz) return true;
    return d2[a + lx * (b + ly * c)] > limit;
  };
}

/**
 * The voxels of `box` of a volume as a new array of the same type (segment/box.ts `cropToBox`), and the
 * cropped grid's voxel-to-world matrix (the origin moved to the box's first voxel).
 */
export function cropVolume<T extends Float32Array | Uint8Array>(
  data: T,
  dims: readonly [number, number, number],
  voxelToWorld: Mat4,
  box: IndexBox,
): { data: T; dims: [number, number, number]; voxelToWorld: Mat4 } {
  const out = cropToBox(data, dims, box, (n) => new (data.constructor as new (n: number) => T)(n));
  const m = Float64Array.from(voxelToWorld);
  const [i0, j0, k0] = box.lo;
  for (let r = 0; r < 3; r++) m[4 * r + 3] += m[4 * r] * i0 + m[4 * r + 1] * j0 + m[4 * r + 2] * k0;
  return { data: out, dims: [...box.dims], voxelToWorld: m };
}

/**
 * A volume with its voxels averaged in blocks of `factors` voxels along the grid axes (trailing voxels
 * that fill no whole block dropped): the same field of view on a grid `factors` times coarser, for a
 * registration that needs the whole image at a few millimetres' precision only. Voxel (i, j, k) of the
 * result is the mean of the block starting at (fᵢ·i, fⱼ·j, fₖ·k), so its centre lies at that block's
 * centre: the columns of voxel-to-world scale by the factors and the origin moves by (f − 1)/2 voxels.
 * Example: factors [2, 2, 1] on 288 × 240 × 48 give 144 × 120 × 48.
 */
export function blockAveraged(
  volume: { dims: readonly [number, number, number]; voxelToWorld: Mat4; data: ArrayLike<number> },
  factors: readonly [number, number, number],
): { dims: [number, number, number]; voxelToWorld: Mat4; data: Float32Array } {
  const [fx, fy, fz] = factors;
  const [nx, ny] = volume.dims;
  const dims = volume.dims.map((n, a) => Math.max(1, Math.floor(n / factors[a]))) as [number, number, number];
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const scale = 1 / (fx * fy * fz);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) {
        let sum = 0;
        for (let c = 0; c < fz; c++)
          for (let b = 0; b < fy; b++) {
            const row = nx * (j * fy + b + ny * (k * fz + c));
            for (let a = 0; a < fx; a++) sum += volume.data[row + i * fx + a];
          }
        data[v] = sum * scale;
      }
  const m = Float64Array.from(volume.voxelToWorld);
  for (let r = 0; r < 3; r++) {
    for (let a = 0; a < 3; a++) m[4 * r + 3] += (m[4 * r + a] * (factors[a] - 1)) / 2;
    for (let a = 0; a < 3; a++) m[4 * r + a] *= factors[a];
  }
  return { dims, voxelToWorld: m, data };
}
