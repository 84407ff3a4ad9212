/**
 * Morphological contour interpolation (A. B. Albu, T. Beugeling, D. Laurendeau, "A morphology-based
 * approach for interslice interpolation of anatomical slices from volumetric images", IEEE Trans.
 * Biomed. Eng. 55, 2008; ITK's implementation, D. Zukić et al., Insight Journal 2016, compiled to
 * WebAssembly as `@itk-wasm/morphological-contour-interpolation`): what the pipeline is given and what is
 * taken from its answer, shared by the command line (loaders/segment/contourInterpolation.ts, in a Node
 * worker thread) and the workstation page (src/components/workstationWorker.ts, in a web worker), so both
 * interpolate the same image with the same options and read the result the same way. The pipeline itself
 * is WebAssembly and runs outside this package.
 *
 * The pipeline interpolates along the image's last axis (CONTOUR_INTERPOLATION_OPTIONS.axis = 2): any grid
 * axis is first rolled to the last position (rollAxisLast: a cyclic shift, the other two keep their order),
 * the spacing with it, and the result rolled back. It fills every slice strictly between two outlined
 * slices (slices holding a drawn voxel); ITK's heuristic alignment bridges outlines that do not overlap.
 */
import { rollAxisLast, unrollAxisLast } from "./slices.js";

type Dims = readonly [number, number, number];

/** The pipeline's options: interpolate along the last axis, every other option at ITK's default. */
export const CONTOUR_INTERPOLATION_OPTIONS = { axis: 2 } as const;

/** The pipeline's input image (uint8 labels, ITK's axis order: x fastest), as plain fields. */
export interface ContourInterpolationInput {
  size: [number, number, number];
  /** Voxel spacing (mm) of the reordered axes. */
  spacing: [number, number, number];
  origin: [number, number, number];
  /** Row-major 3 × 3 direction cosines (identity: the geometry plays no part beyond the spacing). */
  direction: number[];
  data: Uint8Array;
}

/**
 * The image to interpolate the outlines of `labels` (0/1 on `dims`, voxel spacing `spacingMm`) along grid
 * axis `axis`: the labels with `axis` rolled last, their spacing in the same order.
 */
export function contourInterpolationInput(
  labels: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  axis: number,
): ContourInterpolationInput {
  const rolled = rollAxisLast(labels, dims, axis);
  const order = rolled.spacingOrder;
  return {
    size: rolled.dims,
    spacing: [spacingMm[order[0]], spacingMm[order[1]], spacingMm[order[2]]],
    origin: [0, 0, 0],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    data: rolled.data,
  };
}

/**
 * The interpolated mask on `dims` (0/1) from the pipeline's output voxels (on the rolled grid of
 * {@link contourInterpolationInput} for the same `dims` and `axis`; any non-zero label counts).
 */
export function contourInterpolationOutput(output: ArrayLike<number>, dims: Dims, axis: number): Uint8Array {
  const mask = new Uint8Array(output.length);
  for (let v = 0; v < mask.length; v++) mask[v] = output[v] ? 1 : 0;
  return unrollAxisLast(mask, dims, axis);
}
