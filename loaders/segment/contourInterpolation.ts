/**
 * Morphological contour interpolation (A. B. Albu, T. Beugeling, D. Laurendeau, "A morphology-based
 * approach for interslice interpolation of anatomical slices from volumetric images", IEEE Trans.
 * Biomed. Eng. 55, 2008; ITK's implementation, D. Zukić et al., Insight Journal 2016) through
 * `@itk-wasm/morphological-contour-interpolation`, run in the shared itk worker thread
 * (loaders/io/itk.ts): the WebAssembly pipeline blocks its thread and writes to stdout, so it never
 * runs on the command's thread and its output never reaches the command's JSON.
 *
 * The pipeline is asked to interpolate along the last axis (`axis: 2`): any axis is first rolled to
 * the last position (analysis/src/segment/slices.ts) and the result rolled back.
 */
import { rollAxisLast, unrollAxisLast } from "@cryomargin/analysis";
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
  const rolled = rollAxisLast(labels, dims, axis);
  const order = rolled.spacingOrder;
  const result = itkCall(
    "interpolateContours",
    [
      {
        size: rolled.dims,
        spacing: [spacingMm[order[0]], spacingMm[order[1]], spacingMm[order[2]]],
        origin: [0, 0, 0],
        direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
        componentType: "uint8",
        components: 1,
        data: rolled.data,
      },
    ],
    file,
    "bad-segmentation-input",
  );
  const out = new Uint8Array(labels.length);
  for (let v = 0; v < out.length; v++) out[v] = result.data[v] ? 1 : 0;
  return unrollAxisLast(out, dims, axis);
}
