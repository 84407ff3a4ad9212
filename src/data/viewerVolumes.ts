/**
 * The case viewer's volumes, on one small grid: the pre-ablation (tumor) grid cropped to the box that
 * holds the tumor and the ice ball brought into pre-ablation space, so NiiVue shows both in one frame and
 * the site ships kilobytes per case instead of whole scans. Pure geometry on typed arrays (no I/O):
 *
 * - `viewerBox`          the crop: tumor bounds ∪ the ice ball's bounds mapped back through the
 *                        registration (post → pre), padded and clamped to the tumor grid;
 * - `boxVoxelToWorld`    the crop's voxel → RAS matrix (the tumor grid's, moved to the box corner);
 * - `cropToBox`          a volume's values inside the box;
 * - `resampleNearest`    (analysis/src/margin/resample.ts, re-exported) a post-ablation volume on the crop
 *                        grid through the registration, for display only (nearest neighbour; the margins
 *                        themselves are never measured this way);
 * - `maskBackground`     the masks as one label volume (the page traces outlines from it).
 *
 * Conventions as the margin engine (analysis/src/margin/types.ts): RAS+ mm, row-major 4×4 matrices,
 * voxel (i, j, k) at index i + nx·(j + ny·k), and the transform maps pre-ablation to post-ablation world.
 */
import {
  applyAffine,
  invertAffine,
  type MaskVolume,
  type Mat4,
  maskBounds,
  multiplyMat4,
  type Vec3,
  voxelSpacingMm,
} from "@cryomargin/analysis";

/** An inclusive box of voxel indices [i, j, k] on a grid. */
export interface VoxelBox {
  min: Vec3;
  max: Vec3;
}

export type Dims = [number, number, number];

export { resampleNearest } from "@cryomargin/analysis";

/** Grid size of a box. Example: min [2, 0, 1], max [5, 3, 1] → [4, 4, 1]. */
export function boxDims(box: VoxelBox): Dims {
  return [0, 1, 2].map((a) => box.max[a] - box.min[a] + 1) as Dims;
}

/**
 * The crop on the tumor grid: the tumor's voxel bounds together with the ice ball's (its voxel box
 * corners, ±½ voxel, mapped post → pre world → tumor voxel index), padded by `paddingMm` on each side and
 * clamped to the grid. Example: a tumor and an ice ball in one frame (identity) give the ice ball's box
 * plus padding when it contains the tumor.
 */
export function viewerBox(tumor: MaskVolume, iceball: MaskVolume, preToPost: Mat4, paddingMm = 6): VoxelBox {
  const tumorBounds = maskBounds(tumor);
  const iceBounds = maskBounds(iceball);
  const lo: Vec3 = [...tumorBounds.min];
  const hi: Vec3 = [...tumorBounds.max];
  if (iceBounds.count > 0) {
    // ice voxel index → post world → pre world → tumor voxel index
    const iceToTumorVoxel = multiplyMat4(
      invertAffine(tumor.voxelToWorld, "tumor"),
      multiplyMat4(invertAffine(preToPost, "transform"), iceball.voxelToWorld),
    );
    for (let corner = 0; corner < 8; corner++) {
      const p: Vec3 = [0, 1, 2].map((a) =>
        corner & (1 << a) ? iceBounds.max[a] + 0.5 : iceBounds.min[a] - 0.5,
      ) as Vec3;
      const v = applyAffine(iceToTumorVoxel, p);
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a], Math.floor(v[a]));
        hi[a] = Math.max(hi[a], Math.ceil(v[a]));
      }
    }
  }
  const spacing = voxelSpacingMm(tumor.voxelToWorld);
  const min = [0, 0, 0] as Vec3;
  const max = [0, 0, 0] as Vec3;
  for (let a = 0; a < 3; a++) {
    const pad = Math.ceil(paddingMm / spacing[a]);
    min[a] = Math.max(0, lo[a] - pad);
    max[a] = Math.min(tumor.dims[a] - 1, hi[a] + pad);
  }
  return { min, max };
}

/** Voxel → world matrix of the crop: the grid's matrix with its origin moved to the box's first voxel. */
export function boxVoxelToWorld(voxelToWorld: Mat4, box: VoxelBox): Mat4 {
  const shift = new Float64Array([1, 0, 0, box.min[0], 0, 1, 0, box.min[1], 0, 0, 1, box.min[2], 0, 0, 0, 1]);
  return multiplyMat4(voxelToWorld, shift);
}

type Voxels = Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** The values of `data` (on a grid of `dims`) inside `box`, as a new array of the same type. */
export function cropToBox<T extends Voxels>(data: T, dims: Dims, box: VoxelBox): T {
  const [bx, by, bz] = boxDims(box);
  const out = new (data.constructor as new (n: number) => T)(bx * by * bz);
  const [nx, ny] = dims;
  for (let k = 0; k < bz; k++)
    for (let j = 0; j < by; j++) {
      const from = box.min[0] + nx * (box.min[1] + j + ny * (box.min[2] + k));
      out.set(data.subarray(from, from + bx) as ArrayLike<number> & T, bx * (j + by * k));
    }
  return out;
}

/**
 * The masks on the crop grid as one label volume — 1 ice ball only, 2 tumor outside the ice ball, 3 tumor
 * inside it (0 elsewhere) — from which the page traces both outlines, and which is the background when a
 * cohort has no pre/post images.
 */
export function maskBackground(tumor: ArrayLike<number>, iceballOnGrid: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(tumor.length);
  for (let idx = 0; idx < out.length; idx++) {
    const t = tumor[idx] > 0;
    const ice = iceballOnGrid[idx] > 0;
    out[idx] = t ? (ice ? 3 : 2) : ice ? 1 : 0;
  }
  return out;
}
