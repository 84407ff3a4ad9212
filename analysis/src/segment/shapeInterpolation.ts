/**
 * Shape-based interpolation between outlined slices (S. P. Raya and J. K. Udupa, "Shape-based
 * interpolation of multidimensional objects", IEEE Trans. Med. Imaging 9, 1990; G. T. Herman, J. Zheng
 * and C. A. Bucholtz, "Shape-based interpolation", IEEE Comput. Graph. Appl. 12, 1992): pure TypeScript,
 * so the browser's workstation page interpolates without WebAssembly. The command line uses ITK's
 * morphological contour interpolation (loaders/segment/contourInterpolation.ts); both fill the slices
 * between two outlined ones and leave the outlined slices as drawn.
 *
 * Each outlined slice becomes a signed distance map in its plane (mm, through the exact Euclidean
 * distance transform of edt.ts): d(x) = +distance to the nearest blank voxel inside the outline,
 * −distance to the nearest drawn voxel outside it, so |d| ≥ one in-plane spacing everywhere and the zero
 * crossing lies half-way between the last drawn and the first blank voxel centre. A slice at fraction
 * t ∈ (0, 1) of the way from outlined slice a to the next outlined slice b takes the voxels where
 *   (1 − t)·d_a(x) + t·d_b(x) > 0,
 * the linear blend of the two shapes: where they overlap the section moves smoothly from one to the
 * other (a disc of radius r_a to one of radius r_b gives radius (1 − t)·r_a + t·r_b). Every voxel it
 * takes lies inside a or b, so only the union of the outlines' boxes is visited. Shapes that do not
 * overlap in plane are not bridged (ITK's method aligns them first); outlines of one tumor overlap.
 */
import { squaredDistanceTransform } from "../margin/edt.js";
import { rollAxisLast, unrollAxisLast } from "./slices.js";

/**
 * Interpolates the outlines of `labels` (0/1 on `dims`, voxel spacing `spacingMm`) along grid axis
 * `axis`: every slice strictly between two consecutive outlined slices (slices along `axis` holding a
 * drawn voxel) gets the shape-based in-between; the outlined slices keep their voxels; slices before
 * the first and after the last outlined one stay empty. Returns a 0/1 mask on `dims`.
 * Example: discs of radius 4 mm on slices 0 and 4 and of radius 8 mm on slice 8 give a disc of about
 * 6 mm on slice 6.
 */
export function interpolateShapeBased(
  labels: Uint8Array,
  dims: readonly [number, number, number],
  spacingMm: readonly [number, number, number],
  axis: number,
): Uint8Array {
  const rolled = rollAxisLast(labels, dims, axis);
  const [nu, nw, ns] = rolled.dims;
  const [su, sw] = [spacingMm[rolled.spacingOrder[0]], spacingMm[rolled.spacingOrder[1]]];
  const plane = nu * nw;
  const data = rolled.data;
  // Outlined slices and the box (in plane) of every drawn voxel.
  const outlined: number[] = [];
  let [u0, u1, w0, w1] = [nu, -1, nw, -1];
  for (let s = 0; s < ns; s++) {
    let any = false;
    for (let w = 0, v = s * plane; w < nw; w++)
      for (let u = 0; u < nu; u++, v++)
        if (data[v]) {
          any = true;
          if (u < u0) u0 = u;
          if (u > u1) u1 = u;
          if (w < w0) w0 = w;
          if (w > w1) w1 = w;
        }
    if (any) outlined.push(s);
  }
  const out = new Uint8Array(data.length);
  for (let v = 0; v < data.length; v++) out[v] = data[v] ? 1 : 0;
  if (outlined.length < 2) return unrollAxisLast(out, dims, axis);
  // One blank voxel around the box, so a shape's border is measured against a blank neighbour.
  u0 = Math.max(0, u0 - 1);
  w0 = Math.max(0, w0 - 1);
  u1 = Math.min(nu - 1, u1 + 1);
  w1 = Math.min(nw - 1, w1 + 1);
  const bu = u1 - u0 + 1;
  const bw = w1 - w0 + 1;
  const boxDims: [number, number, number] = [bu, bw, 1];
  const boxSpacing: [number, number, number] = [su, sw, 1];
  const inside = new Uint8Array(bu * bw);
  const blank = new Uint8Array(bu * bw);
  /** The signed distance map (mm) of outlined slice s over the box. */
  const signedMap = (s: number): Float64Array => {
    for (let w = 0, b = 0; w < bw; w++)
      for (let u = 0; u < bu; u++, b++) {
        const on = data[s * plane + (w0 + w) * nu + u0 + u] ? 1 : 0;
        inside[b] = on;
        blank[b] = 1 - on;
      }
    const toBlank = squaredDistanceTransform(blank, boxDims, boxSpacing);
    const toDrawn = squaredDistanceTransform(inside, boxDims, boxSpacing);
    const d = new Float64Array(bu * bw);
    for (let b = 0; b < d.length; b++) d[b] = inside[b] ? Math.sqrt(toBlank[b]) : -Math.sqrt(toDrawn[b]);
    return d;
  };
  let lower = signedMap(outlined[0]);
  for (let n = 1; n < outlined.length; n++) {
    const [a, z] = [outlined[n - 1], outlined[n]];
    const upper = signedMap(z);
    for (let s = a + 1; s < z; s++) {
      const t = (s - a) / (z - a);
      for (let w = 0, b = 0; w < bw; w++)
        for (let u = 0; u < bu; u++, b++)
          if ((1 - t) * lower[b] + t * upper[b] > 0) out[s * plane + (w0 + w) * nu + u0 + u] = 1;
    }
    lower = upper;
  }
  return unrollAxisLast(out, dims, axis);
}
