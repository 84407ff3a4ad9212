/**
 * Binary masks of analytic solids on a scanner grid: a voxel is inside when its centre is inside the
 * solid (what a careful segmentation of a 1.2 × 1.2 × 3.0 mm MR scan records). Only the voxels in the
 * solid's bounding box are tested.
 */
import { invertAffine, linearDeterminant } from "../margin/affine.js";
import type { MaskVolume, Mat4, Vec3 } from "../margin/types.js";
import { type Ellipsoid, insideUnion, unionBounds } from "./ellipsoid.js";

/** A scanner grid: size and voxel-to-world (RAS mm) matrix. */
export interface GridSpec {
  dims: [number, number, number];
  voxelToWorld: Mat4;
}

/** Index box [lo, hi] (inclusive, clamped to the grid) that holds every voxel centre of a world box. */
export function indexBoxOfWorldBox(grid: GridSpec, box: readonly [Readonly<Vec3>, Readonly<Vec3>]): [Vec3, Vec3] {
  const inv = invertAffine(grid.voxelToWorld, "options");
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const p: Vec3 = [box[c & 1][0], box[(c >> 1) & 1][1], box[(c >> 2) & 1][2]];
    for (let r = 0; r < 3; r++) {
      const v = inv[4 * r] * p[0] + inv[4 * r + 1] * p[1] + inv[4 * r + 2] * p[2] + inv[4 * r + 3];
      lo[r] = Math.min(lo[r], v);
      hi[r] = Math.max(hi[r], v);
    }
  }
  return [
    [0, 1, 2].map((r) => Math.max(0, Math.floor(lo[r]))) as Vec3,
    [0, 1, 2].map((r) => Math.min(grid.dims[r] - 1, Math.ceil(hi[r]))) as Vec3,
  ];
}

/** A mask that knows its voxel count (so volumes need no second pass over the grid). */
export interface CountedMask extends MaskVolume {
  voxelCount: number;
}

/**
 * The mask of a union of ellipsoids on `grid`. Example: a sphere of radius 10 mm on a 1 mm grid has
 * ≈ 4,189 voxels (4.19 ml).
 */
export function voxelizeUnion(parts: readonly Ellipsoid[], grid: GridSpec): CountedMask {
  const [nx, ny, nz] = grid.dims;
  const data = new Uint8Array(nx * ny * nz);
  const [lo, hi] = indexBoxOfWorldBox(grid, unionBounds(parts));
  const m = grid.voxelToWorld;
  let voxelCount = 0;
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      for (let i = lo[0]; i <= hi[0]; i++) {
        const x = m[0] * i + m[1] * j + m[2] * k + m[3];
        const y = m[4] * i + m[5] * j + m[6] * k + m[7];
        const z = m[8] * i + m[9] * j + m[10] * k + m[11];
        if (insideUnion(parts, x, y, z)) {
          data[i + nx * (j + ny * k)] = 1;
          voxelCount++;
        }
      }
    }
  }
  return { dims: [nx, ny, nz], voxelToWorld: grid.voxelToWorld, data, voxelCount };
}

/** Number of voxels set in a mask (its stored count when it has one). */
export function maskVoxelCount(mask: MaskVolume | CountedMask): number {
  if ("voxelCount" in mask) return mask.voxelCount;
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i];
  return n;
}

/** A mask's volume in ml: voxel count × |det| of the voxel-to-world linear part / 1000. */
export function maskVolumeMl(mask: MaskVolume): number {
  return (maskVoxelCount(mask) * Math.abs(linearDeterminant(mask.voxelToWorld))) / 1000;
}
