/**
 * Morphological contour interpolation on the command line: the image and options of
 * analysis/src/segment/contourInterpolation.ts (shared with the workstation page), run by
 * `@itk-wasm/morphological-contour-interpolation` in the shared itk worker thread (loaders/io/itk.ts):
 * the WebAssembly pipeline blocks its thread and writes to stdout, so it never runs on the command's
 * thread and its output never reaches the command's JSON.
 */
import {
  CONTOUR_INTERPOLATION_OPTIONS,
  contourInterpolationInput,
  contourInterpolationOutput,
} from "@cryomargin/analysis";
import { itkCall } from "../io/itk.js";

/**
 * Interpolates the outlines of `labels` (0/1 on `dims`, spacing in mm) along grid axis `axis`: the
 * slices between two outlined slices get the morphological in-between of their neighbours. `file`
 * names the scribbles in an error.
 */
export function interpolateContours(
  labels: Uint8Array,
  dims: [number, number, number],
  spacingMm: readonly [number, number, number],
  axis: number,
  file: string,
): Uint8Array {
  const input = contourInterpolationInput(labels, dims, spacingMm, axis);
  const result = itkCall(
    "interpolateContours",
    [{ ...input, componentType: "uint8", components: 1 }, CONTOUR_INTERPOLATION_OPTIONS],
    file,
    "bad-segmentation-input",
  );
  return contourInterpolationOutput(result.data, dims, axis);
}
