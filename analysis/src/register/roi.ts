/**
 * The registration's region of interest: the bounding box of a mask (the tumor, on the fixed grid)
 * grown by a margin in mm, as an index box on that grid. The box grows by ⌈margin / spacingₐ⌉ voxels
 * along each grid axis a, so it holds every voxel centre within `marginMm` (along the grid axes) of
 * the mask's box; it is clipped to the grid.
 */
import { voxelSpacingMm } from "../margin/affine.js";
import { maskBounds } from "../margin/maskBounds.js";
import type { MaskVolume } from "../margin/types.js";

/** An inclusive voxel-index box [min, max] on a grid. */
export interface IndexBox {
  min: [number, number, number];
  max: [number, number, number];
}

/** The ROI box of `mask` grown by `marginMm`, or null when the mask is empty. */
export function regionOfInterest(mask: MaskVolume, marginMm: number): IndexBox | null {
  const bounds = maskBounds(mask);
  if (bounds.count === 0) return null;
  const spacing = voxelSpacingMm(mask.voxelToWorld);
  const grow = spacing.map((s) => Math.ceil(marginMm / s - 1e-9));
  return {
    min: [0, 1, 2].map((a) => Math.max(0, bounds.min[a] - grow[a])) as [number, number, number],
    max: [0, 1, 2].map((a) => Math.min(mask.dims[a] - 1, bounds.max[a] + grow[a])) as [number, number, number],
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
