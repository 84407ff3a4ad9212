/** Reading the scans a registration takes: any format `readVolume` reads, 3-D, one component, as float32. */
import type { MaskVolume } from "@cryomargin/analysis";
import { InputFileError } from "../io/inputErrors.js";
import { readVolume } from "../io/readVolume.js";
import type { FloatVolume } from "./elastix.js";

/** A scan as a float32 volume (scaled values), refusing 2-D images and multi-component ones, naming the file. */
export function readScan(path: string): FloatVolume {
  const volume = readVolume(path);
  if (volume.components !== 1)
    throw new InputFileError(path, "not-3d", `has ${volume.components} values per voxel; a scan has one`);
  const flat = volume.dims.filter((n) => n < 2).length;
  if (flat > 0)
    throw new InputFileError(path, "not-3d", `is a 2-D image (${volume.dims.join("×")}); registration needs a 3-D scan`);
  const data = new Float32Array(volume.data.length);
  const { sclSlope, sclInter } = volume;
  for (let i = 0; i < data.length; i++) data[i] = volume.data[i] * sclSlope + sclInter;
  return { dims: volume.dims, voxelToWorld: volume.voxelToWorld, data };
}

/** Refuses a mask that is not on the scan's grid (same size, voxel-to-world within 1e-3 mm), naming the mask's file. */
export function checkMaskOnGrid(mask: MaskVolume, maskFile: string, scan: FloatVolume, scanFile: string): void {
  const sameSize = mask.dims.every((n, a) => n === scan.dims[a]);
  let worst = 0;
  for (let i = 0; i < 12; i++) worst = Math.max(worst, Math.abs(mask.voxelToWorld[i] - scan.voxelToWorld[i]));
  if (!sameSize || worst > 1e-3)
    throw new InputFileError(
      maskFile,
      "grid-mismatch",
      `is not on the grid of ${scanFile} (${mask.dims.join("×")} vs ${scan.dims.join("×")} voxels, voxel-to-world differs by up to ${worst.toFixed(3)} mm); the ROI mask must be drawn on the fixed (pre-ablation) scan`,
    );
}
