/**
 * What a user would give the segmentation, simulated from a known mask: outlines on a few slices
 * (the tumor) and a click in the middle of the ice ball.
 */
import { voxelSpacingMm } from "../margin/affine.js";
import { squaredDistanceTransform } from "../margin/edt.js";
import type { MaskVolume, Vec3 } from "../margin/types.js";

/**
 * The mask's voxels on three axial slices — the centres of the top, middle and bottom thirds of its
 * axial extent (at 1/6, 1/2 and 5/6 of the way from its lowest to its highest slice) — and on the
 * sagittal slice through the middle of its left–right extent: a radiologist outlining the tumor on
 * three axial slices and one sagittal.
 */
export function simulatedScribbles(truth: MaskVolume): { scribbles: Uint8Array; axial: number[]; sagittal: number } {
  const [nx, ny, nz] = truth.dims;
  let [k0, k1, i0, i1] = [nz, -1, nx, -1];
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++)
        if (truth.data[v]) {
          k0 = Math.min(k0, k);
          k1 = Math.max(k1, k);
          i0 = Math.min(i0, i);
          i1 = Math.max(i1, i);
        }
  if (k1 < 0) throw new RangeError("simulatedScribbles: the mask is empty");
  const axial = [...new Set([1 / 6, 1 / 2, 5 / 6].map((f) => Math.round(k0 + f * (k1 - k0))))];
  const sagittal = Math.round((i0 + i1) / 2);
  const scribbles = new Uint8Array(truth.data.length);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) if (truth.data[v] && (axial.includes(k) || i === sagittal)) scribbles[v] = 1;
  return { scribbles, axial, sagittal };
}

/** World position (RAS mm) of the mask's voxel farthest from its surface: where one clicks "in the middle". */
export function deepestPointRas(mask: MaskVolume): Vec3 {
  const background = Uint8Array.from(mask.data, (x) => (x ? 0 : 1));
  const d2 = squaredDistanceTransform(background, mask.dims, voxelSpacingMm(mask.voxelToWorld));
  let best = -1;
  for (let v = 0; v < d2.length; v++) if (mask.data[v] && (best < 0 || d2[v] > d2[best])) best = v;
  if (best < 0) throw new RangeError("deepestPointRas: the mask is empty");
  const [nx, ny] = mask.dims;
  const c = [best % nx, Math.floor(best / nx) % ny, Math.floor(best / (nx * ny))];
  const m = mask.voxelToWorld;
  return [0, 1, 2].map((r) => m[4 * r] * c[0] + m[4 * r + 1] * c[1] + m[4 * r + 2] * c[2] + m[4 * r + 3]) as Vec3;
}
