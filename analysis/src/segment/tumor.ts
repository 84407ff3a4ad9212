/**
 * Tumor segmentation from outlines drawn on a few slices, in two steps around an external contour
 * interpolator (loaders/ runs ITK's morphological contour interpolation in a worker thread):
 * {@link planTumorInterpolation} checks the scribbles and says which axes to interpolate along, with
 * the drawn slices of each; {@link finishTumorSegmentation} joins the interpolations with the drawing
 * and refines the border to the scan's edges (tumorRefine.ts).
 */
import { linearDeterminant } from "../margin/affine.js";
import type { MaskVolume } from "../margin/types.js";
import { annotatedSlices, slicesMask } from "./slices.js";
import { refineTumorBorder, type TumorRefineOptions, type TumorRefineReport } from "./tumorRefine.js";
import { type ScalarVolume, SegmentationInputError } from "./types.js";

/** The largest difference between two grids' voxel-to-world entries (mm) that still counts as one grid. */
const SAME_GRID_TOLERANCE_MM = 1e-3;

/** What to interpolate: the drawn outlines of each axis (only those slices), for axes with ≥ 2 drawn slices. */
export interface TumorInterpolationPlan {
  /** Drawn voxels (0/1) on the image's grid. */
  drawn: Uint8Array;
  /** Slices holding an outline along [i, j, k]. */
  slices: [number[], number[], number[]];
  /** One entry per axis to interpolate along: the drawn voxels of that axis's outlined slices only. */
  jobs: { axis: number; labels: Uint8Array }[];
}

/**
 * Checks that the scribbles lie on the image's grid and hold a drawn voxel, and finds the outlined
 * slices. Throws SegmentationInputError("scribbles") otherwise.
 */
export function planTumorInterpolation(image: ScalarVolume, scribbles: MaskVolume): TumorInterpolationPlan {
  const [a, b] = [image.dims, scribbles.dims];
  if (a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2])
    throw new SegmentationInputError(
      `the scribbles are on another grid than the image: ${b.join(" × ")} voxels against ${a.join(" × ")}`,
      "scribbles",
    );
  let worst = 0;
  for (let r = 0; r < 12; r++) worst = Math.max(worst, Math.abs(image.voxelToWorld[r] - scribbles.voxelToWorld[r]));
  if (worst > SAME_GRID_TOLERANCE_MM)
    throw new SegmentationInputError(
      `the scribbles are on another grid than the image: their voxel-to-world matrices differ by up to ${worst.toFixed(3)} mm`,
      "scribbles",
    );
  const drawn = scribbles.data;
  let count = 0;
  for (let v = 0; v < drawn.length; v++) count += drawn[v] ? 1 : 0;
  if (count === 0) throw new SegmentationInputError("the scribbles hold no drawn voxel (no value > 0)", "scribbles");
  const slices = annotatedSlices(drawn, a);
  if (slices.every((s) => s.length === 0))
    throw new SegmentationInputError(
      "the scribbles hold no outline: draw the tumor filled on at least one slice (a region at least 3 × 3 voxels)",
      "scribbles",
    );
  const jobs = [0, 1, 2]
    .filter((axis) => slices[axis].length >= 2)
    .map((axis) => {
      const only: [number[], number[], number[]] = [[], [], []];
      only[axis] = slices[axis];
      const on = slicesMask(a, only);
      const labels = new Uint8Array(drawn.length);
      for (let v = 0; v < drawn.length; v++) labels[v] = drawn[v] && on[v] ? 1 : 0;
      return { axis, labels };
    });
  const binary = new Uint8Array(drawn.length);
  for (let v = 0; v < drawn.length; v++) binary[v] = drawn[v] ? 1 : 0;
  return { drawn: binary, slices, jobs };
}

/** The result of {@link finishTumorSegmentation}. */
export interface TumorSegmentation {
  mask: Uint8Array;
  /** The interpolated mask before refinement (drawing ∪ interpolations). */
  interpolated: Uint8Array;
  report: {
    method: string;
    slices: { sagittal: number[]; coronal: number[]; axial: number[] };
    interpolatedVolumeMl: number;
    volumeMl: number;
    refinement: TumorRefineReport;
  };
}

/**
 * Joins the drawn voxels and the interpolations (one 0/1 mask per job of the plan, on the image's grid)
 * and refines the border to the image's edges.
 */
export function finishTumorSegmentation(
  image: ScalarVolume,
  plan: TumorInterpolationPlan,
  interpolations: readonly Uint8Array[],
  options: TumorRefineOptions = {},
): TumorSegmentation {
  const n = plan.drawn.length;
  const interpolated = plan.drawn.slice();
  for (const m of interpolations) for (let v = 0; v < n; v++) if (m[v]) interpolated[v] = 1;
  const { mask, report } = refineTumorBorder(
    image,
    interpolated,
    plan.drawn,
    slicesMask(image.dims, plan.slices),
    options,
    plan.slices,
  );
  const voxelMl = Math.abs(linearDeterminant(image.voxelToWorld)) / 1000;
  const count = (m: Uint8Array) => {
    let voxels = 0;
    for (let v = 0; v < m.length; v++) voxels += m[v];
    return voxels;
  };
  return {
    mask,
    interpolated,
    report: {
      method:
        "morphological contour interpolation between the outlined slices (Albu et al. 2008, ITK); border refined within a band around the interpolated surface by a two-class Markov random field (shading-corrected Gaussian tumor vs kernel-density background, Potts smoothness, ICM); end caps beyond the outlined slices at the half-way intensity between tumor and the tissue beyond (the 0.5 partial-volume point), grown column by column; drawn voxels fixed",
      slices: { sagittal: plan.slices[0], coronal: plan.slices[1], axial: plan.slices[2] },
      interpolatedVolumeMl: count(interpolated) * voxelMl,
      volumeMl: count(mask) * voxelMl,
      refinement: report,
    },
  };
}
