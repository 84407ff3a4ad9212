/**
 * `cryomargin segment`'s file side: reads the scan (and the scribbles) in any format readVolume reads,
 * runs the segmentation of analysis/src/segment (the contour interpolation in the itk worker thread),
 * writes the mask atomically on
 * the scan's grid, and returns the JSON record of what was done. Any problem with the input is an
 * InputFileError naming the file, raised before anything is written.
 */
import {
  finishTumorSegmentation,
  type IceballReport,
  planTumorInterpolation,
  type ScalarVolume,
  SegmentationInputError,
  segmentIceball,
  type TumorRefineOptions,
  type TumorSegmentation,
  type Vec3,
  voxelSpacingMm,
} from "@cryomargin/analysis";
import { InputFileError } from "../io/inputErrors.js";
import { writeNiftiFile } from "../io/nifti.js";
import { readMaskFile } from "../io/readMaskFile.js";
import { readVolume } from "../io/readVolume.js";
import { interpolateContours } from "./contourInterpolation.js";

/** A scan as the segmentation reads it, in any format readVolume reads (intensities after rescaling). */
export function readScan(path: string): ScalarVolume {
  const volume = readVolume(path);
  if (volume.components !== 1)
    throw new InputFileError(path, "not-3d", `a scan has one value per voxel; this file has ${volume.components}`);
  const { data, sclSlope, sclInter } = volume;
  const values = new Float32Array(data.length);
  for (let v = 0; v < data.length; v++) values[v] = data[v] * sclSlope + sclInter;
  return { dims: volume.dims, voxelToWorld: volume.voxelToWorld, data: values };
}

/** Turns the analysis package's input error into one naming the file it is about. */
function namedError(error: unknown, files: { image: string; scribbles?: string }): never {
  if (error instanceof SegmentationInputError) {
    const file = error.input === "scribbles" && files.scribbles ? files.scribbles : files.image;
    const problem = error.message.includes("another grid") ? "grid-mismatch" : "bad-segmentation-input";
    throw new InputFileError(file, problem, error.message);
  }
  throw error;
}

/** The JSON record of a tumor segmentation. */
export interface TumorSegmentRecord {
  command: "segment tumor";
  image: string;
  scribbles: string;
  out: string;
  volume_ml: number;
  method: string;
  parameters: { band_mm: number; beta: number; interpolation: string; interpolated_axes: string[] };
  drawn_slices: TumorSegmentation["report"]["slices"];
  quality: {
    interpolated_volume_ml: number;
    voxels_added_by_refinement: number;
    voxels_removed_by_refinement: number;
    band_voxels: number;
    icm_sweeps: number;
    tumor_intensity_median: number;
    tumor_intensity_sd: number;
    background_intensity_median: number;
    contrast_to_noise: number;
    shading_range: [number, number];
    holes_filled: number;
  };
}

const AXIS_NAMES = ["sagittal", "coronal", "axial"];

/** Segments the tumor from scribbles; computes everything before writing `out`. */
export function segmentTumorFiles(
  files: { image: string; scribbles: string; out: string },
  options: TumorRefineOptions = {},
): TumorSegmentRecord {
  const image = readScan(files.image);
  let scribbles: ReturnType<typeof readMaskFile>["mask"];
  try {
    scribbles = readMaskFile(files.scribbles).mask;
  } catch (error) {
    if (error instanceof InputFileError && error.problem === "empty-mask")
      throw new InputFileError(
        files.scribbles,
        "bad-segmentation-input",
        "the scribbles hold no drawn voxel (no value > 0)",
      );
    throw error;
  }
  let result: TumorSegmentation;
  let axes: string[];
  try {
    const plan = planTumorInterpolation(image, scribbles);
    const spacing = voxelSpacingMm(image.voxelToWorld);
    const interpolations: Uint8Array[] = [];
    for (const job of plan.jobs)
      interpolations.push(interpolateContours(job.labels, image.dims, spacing, job.axis, files.scribbles));
    axes = plan.jobs.map((j) => AXIS_NAMES[j.axis]);
    result = finishTumorSegmentation(image, plan, interpolations, options);
  } catch (error) {
    namedError(error, files);
  }
  writeNiftiFile(files.out, {
    dims: image.dims,
    voxelToWorld: image.voxelToWorld,
    data: result.mask,
    description: "tumor mask (cryomargin segment)",
  });
  const r = result.report;
  const q = r.refinement;
  return {
    command: "segment tumor",
    image: files.image,
    scribbles: files.scribbles,
    out: files.out,
    volume_ml: round(r.volumeMl, 3),
    method: r.method,
    parameters: {
      band_mm: q.bandMm,
      beta: q.beta,
      interpolation:
        "@itk-wasm/morphological-contour-interpolation (default options) along each axis with ≥ 2 outlined slices",
      interpolated_axes: axes,
    },
    drawn_slices: r.slices,
    quality: {
      interpolated_volume_ml: round(r.interpolatedVolumeMl, 3),
      voxels_added_by_refinement: q.voxelsAdded,
      voxels_removed_by_refinement: q.voxelsRemoved,
      band_voxels: q.bandVoxels,
      icm_sweeps: q.sweeps,
      tumor_intensity_median: round(q.tumorMedian, 1),
      tumor_intensity_sd: round(q.tumorSd, 1),
      background_intensity_median: round(q.backgroundMedian, 1),
      contrast_to_noise: round(q.contrastToNoise, 2),
      shading_range: [round(q.shadingRange[0], 3), round(q.shadingRange[1], 3)],
      holes_filled: q.holesFilled,
    },
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The JSON record of an ice-ball segmentation. */
export interface IceballSegmentRecord {
  command: "segment iceball";
  image: string;
  out: string;
  seeds_ras: Vec3[];
  volume_ml: number;
  method: string;
  parameters: { threshold: number; box_margin_mm: number; opening_radius_mm: number };
  quality: {
    otsu_separability: number;
    seed_intensities: number[];
    seeds_outside_ice_ball: number[];
    grown_voxels: number;
    holes_filled: number;
    voxels_cut_by_opening: number;
    mean_intensity_inside: number;
    mean_intensity_shell: number;
  };
  warnings: string[];
}

/** Segments the ice ball from seeds; computes everything before writing `out`. */
export function segmentIceballFiles(
  files: { image: string; out: string },
  seedsRas: Vec3[],
  options: { boxMarginMm?: number; openingRadiusMm?: number } = {},
): IceballSegmentRecord {
  const image = readScan(files.image);
  let mask: Uint8Array;
  let report: IceballReport;
  try {
    ({ mask, report } = segmentIceball(image, seedsRas, options));
  } catch (error) {
    namedError(error, files);
  }
  writeNiftiFile(files.out, {
    dims: image.dims,
    voxelToWorld: image.voxelToWorld,
    data: mask,
    description: "ice-ball mask (cryomargin segment)",
  });
  return {
    command: "segment iceball",
    image: files.image,
    out: files.out,
    seeds_ras: seedsRas,
    volume_ml: round(report.volumeMl, 3),
    method: report.method,
    parameters: {
      threshold: round(report.threshold, 1),
      box_margin_mm: report.boxMarginMm,
      opening_radius_mm: report.openingRadiusMm,
    },
    quality: {
      otsu_separability: round(report.separability, 3),
      seed_intensities: report.seedIntensities,
      seeds_outside_ice_ball: report.seedsOutside.map((s) => s + 1),
      grown_voxels: report.grownVoxels,
      holes_filled: report.holesFilled,
      voxels_cut_by_opening: report.voxelsCut,
      mean_intensity_inside: round(report.meanInside, 1),
      mean_intensity_shell: round(report.meanShell, 1),
    },
    warnings: report.warnings,
  };
}
