/** Reading the scans a registration takes: any format `readVolume` reads, 3-D, one component, as float32. */
import { applyAffine, type FloatVolume, invertAffine, type MaskVolume } from "@cryomargin/analysis";
import { InputFileError } from "../io/inputErrors.js";
import { readVolume } from "../io/readVolume.js";

/** A scan as a float32 volume (scaled values), refusing 2-D images and multi-component ones, naming the file. */
export function readScan(path: string): FloatVolume {
  const volume = readVolume(path);
  if (volume.components !== 1)
    throw new InputFileError(path, "not-3d", `has ${volume.components} values per voxel; a scan has one`);
  const flat = volume.dims.filter((n) => n < 2).length;
  if (flat > 0)
    throw new InputFileError(
      path,
      "not-3d",
      `is a 2-D image (${volume.dims.join("×")}); registration needs a 3-D scan`,
    );
  const data = new Float32Array(volume.data.length);
  const { sclSlope, sclInter } = volume;
  for (let i = 0; i < data.length; i++) data[i] = volume.data[i] * sclSlope + sclInter;
  return { dims: volume.dims, voxelToWorld: volume.voxelToWorld, data };
}

/**
 * Refuses a mask that is not on the scan's voxel lattice: the same spacing and orientation (linear part
 * of voxel-to-world within 1e-3 mm) and an origin a whole number of voxels away (within 1e-3 voxel) —
 * the scan's grid itself or a crop of it, as a cohort's tumor.nii.gz is of a cropped pre.nii.gz. Names
 * the mask's file.
 */
export function checkMaskOnGrid(mask: MaskVolume, maskFile: string, scan: FloatVolume, scanFile: string): void {
  let linear = 0;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++)
      linear = Math.max(linear, Math.abs(mask.voxelToWorld[4 * r + c] - scan.voxelToWorld[4 * r + c]));
  const offset = applyAffine(invertAffine(scan.voxelToWorld, "options"), [
    mask.voxelToWorld[3],
    mask.voxelToWorld[7],
    mask.voxelToWorld[11],
  ]);
  const fractional = Math.max(...offset.map((v) => Math.abs(v - Math.round(v))));
  if (linear > 1e-3 || fractional > 1e-3)
    throw new InputFileError(
      maskFile,
      "grid-mismatch",
      `is not on the grid of ${scanFile} (${linear > 1e-3 ? `spacing or orientation differs by up to ${linear.toFixed(3)} mm` : `its voxels are shifted by ${fractional.toFixed(3)} voxel`}); the ROI mask must be drawn on the fixed (pre-ablation) scan`,
    );
}
