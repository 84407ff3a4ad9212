/**
 * Nearest-neighbour resampling of a post-ablation volume onto a pre-ablation grid through the
 * registration: for the case viewer (src/data/viewerVolumes.ts) and the ice-ball segment of
 * `margins --export`. Display and export only — the margin engine never resamples one mask onto the
 * other's grid.
 */
import { invertAffine, multiplyMat4 } from "./affine.js";
import type { Mat4 } from "./types.js";

/** The typed arrays a resampled volume may be written into. */
export type ResampleTarget = Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/**
 * Values of a post-ablation volume at the voxel centres of a pre-ablation grid (`dims`, `voxelToWorld`):
 * each centre p goes to T(p) in post world, then to the nearest source voxel; outside the source → 0.
 * Nearest neighbour moves an edge by up to half a voxel, which is why this is for display only.
 * Example: with T = identity and the same grid, it returns the source values unchanged.
 */
export function resampleNearest(
  source: { dims: [number, number, number]; voxelToWorld: Mat4; data: ArrayLike<number> },
  dims: [number, number, number],
  voxelToWorld: Mat4,
  preToPost: Mat4,
  out: ResampleTarget = new Uint8Array(dims[0] * dims[1] * dims[2]),
): ResampleTarget {
  const m = multiplyMat4(invertAffine(source.voxelToWorld, "iceball"), multiplyMat4(preToPost, voxelToWorld));
  const [sx, sy, sz] = source.dims;
  const [nx, ny, nz] = dims;
  let idx = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, idx++) {
        const u = Math.round(m[0] * i + m[1] * j + m[2] * k + m[3]);
        const v = Math.round(m[4] * i + m[5] * j + m[6] * k + m[7]);
        const w = Math.round(m[8] * i + m[9] * j + m[10] * k + m[11]);
        out[idx] = u < 0 || v < 0 || w < 0 || u >= sx || v >= sy || w >= sz ? 0 : source.data[u + sx * (v + sy * w)];
      }
  return out;
}
