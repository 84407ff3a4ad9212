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

/** An inclusive voxel-index box [min, max] on a grid. */
export interface IndexBox {
  min: [number, number, number];
  max: [number, number, number];
}

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
  const min = [0, 1, 2].map((a) => Math.max(0, Math.ceil(lo[a] - grow[a] - 1e-6))) as [number, number, number];
  const max = [0, 1, 2].map((a) => Math.min(grid.dims[a] - 1, Math.floor(hi[a] + grow[a] + 1e-6))) as [
    number,
    number,
    number,
  ];
  return min.every((v, a) => v <= max[a]) ? { min, max } : null;
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
  const box: IndexBox = { min: lo as [number, number, number], max: hi as [number, number, number] };
  const local = cropVolume(mask.data, mask.dims, mask.voxelToWorld, box);
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
 * Copies the voxels of `box` out of a volume (index i + nx·(j + ny·k)) into a new array of the same
 * type, and gives the cropped grid's voxel-to-world matrix (the origin moved to the box's corner).
 */
export function cropVolume<T extends Float32Array | Int16Array | Uint8Array>(
  data: T,
  dims: readonly [number, number, number],
  voxelToWorld: Float64Array,
  box: IndexBox,
): { data: T; dims: [number, number, number]; voxelToWorld: Float64Array } {
  const [nx, ny] = dims;
  const size: [number, number, number] = [
    box.max[0] - box.min[0] + 1,
    box.max[1] - box.min[1] + 1,
    box.max[2] - box.min[2] + 1,
  ];
  const out = new (data.constructor as new (n: number) => T)(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++) {
      const from = box.min[0] + nx * (box.min[1] + j + ny * (box.min[2] + k));
      out.set(data.subarray(from, from + size[0]) as never, size[0] * (j + size[1] * k));
    }
  const m = Float64Array.from(voxelToWorld);
  const [i0, j0, k0] = box.min;
  for (let r = 0; r < 3; r++) m[4 * r + 3] += m[4 * r] * i0 + m[4 * r + 1] * j0 + m[4 * r + 2] * k0;
  return { data: out, dims: size, voxelToWorld: m };
}
