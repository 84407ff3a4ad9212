/**
 * Which voxels of the region of interest move with the tumor. Breathing slides the kidney (with its
 * perirenal fat, the tumor and the ice ball) against the body wall, spine and back muscles, so the
 * region around a tumor holds two rigid motions: the kidney's (the one a margin needs) and the body's.
 * A registration over the whole region settles between them. Given a candidate for the kidney's motion
 * T and the body's motion B (a registration of the whole field of view, which the body fills), each
 * fixed voxel's own evidence for either is its pointwise mutual information (mutualInformation.ts,
 * `pointwiseMutualInformation`) under each, averaged over a small neighbourhood N(x) of included voxels:
 *
 *   e_T(x) = mean_{y ∈ N(x)} pmi_T(y),   e_B(x) = mean_{y ∈ N(x)} pmi_B(y),
 *
 * and x is kept for the kidney's registration when e_T(x) ≥ e_B(x): its neighbourhood matches at least
 * as well under the candidate as under the body's motion (a two-layer motion segmentation; Wang &
 * Adelson, IEEE TIP 1994, do the same with optical-flow residuals). Registering again on the kept
 * voxels and repeating moves T toward the kidney's motion and the layer toward the kidney's tissue.
 */
import type { Mat4 } from "../margin/types.js";
import type { ScalarVolume } from "../segment/types.js";
import { pointwiseMutualInformation, prepareNmiSamples } from "./mutualInformation.js";

/**
 * The mean of `values` over the voxels with `weight` 1 in the box of half-widths `radius` (voxels)
 * around each voxel, 0 where the box holds none: separable running sums of values·weight and of
 * weight along each axis, O(n) whatever the radius. Example: values 1, 2, 3 in a row, weights 1, 0, 1,
 * radius 1: means 1, 2, 3.
 */
export function weightedBoxMean(
  values: Float32Array,
  weight: Uint8Array,
  dims: readonly [number, number, number],
  radius: readonly [number, number, number],
): Float32Array {
  let sum = new Float64Array(values.length);
  let count = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    sum[i] = weight[i] ? values[i] : 0;
    count[i] = weight[i];
  }
  const strides = [1, dims[0], dims[0] * dims[1]];
  for (let axis = 0; axis < 3; axis++) {
    const r = radius[axis];
    if (r <= 0) continue;
    const n = dims[axis];
    const stride = strides[axis];
    const nextSum = new Float64Array(values.length);
    const nextCount = new Float64Array(values.length);
    // Every line along `axis`: its first voxel's index runs over the other two axes.
    for (let start = 0; start < values.length; start++) {
      if (Math.floor(start / stride) % n !== 0) continue;
      let s = 0;
      let c = 0;
      for (let q = 0; q < Math.min(r, n); q++) {
        s += sum[start + q * stride];
        c += count[start + q * stride];
      }
      for (let q = 0; q < n; q++) {
        const enter = q + r;
        const leave = q - r - 1;
        if (enter < n) {
          s += sum[start + enter * stride];
          c += count[start + enter * stride];
        }
        if (leave >= 0) {
          s -= sum[start + leave * stride];
          c -= count[start + leave * stride];
        }
        nextSum[start + q * stride] = s;
        nextCount[start + q * stride] = c;
      }
    }
    sum = nextSum;
    count = nextCount;
  }
  const mean = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) mean[i] = count[i] > 0.5 ? sum[i] / count[i] : 0;
  return mean;
}

/** Half-width of the neighbourhood over which a voxel's evidence is averaged, mm (per axis: round(mm / spacing) voxels, at least 1). */
export const LAYER_NEIGHBOURHOOD_MM = 3;

/**
 * The fixed voxels (of `fixed`, on its own grid) among `include` whose neighbourhood matches the moving
 * image at least as well through `candidate` as through `other` (see the module comment), as a test on
 * the voxel index.
 */
export function movesWithCandidate(
  fixed: ScalarVolume,
  moving: ScalarVolume,
  candidate: Mat4,
  other: Mat4,
  include: (index: number) => boolean,
  spacingMm: readonly [number, number, number],
): (index: number) => boolean {
  const samples = prepareNmiSamples(fixed, moving, { include });
  const n = fixed.data.length;
  const [nx, ny] = fixed.dims;
  const weight = new Uint8Array(n);
  const index = new Int32Array(samples.fixedBin.length);
  for (let s = 0; s < index.length; s++) {
    index[s] = samples.ijk[3 * s] + nx * (samples.ijk[3 * s + 1] + ny * samples.ijk[3 * s + 2]);
    weight[index[s]] = 1;
  }
  const radius = spacingMm.map((s) => Math.max(1, Math.round(LAYER_NEIGHBOURHOOD_MM / s))) as [number, number, number];
  const evidence = (t: Mat4) => {
    const pmi = pointwiseMutualInformation(samples, moving, t);
    const values = new Float32Array(n);
    for (let s = 0; s < index.length; s++) values[index[s]] = pmi[s];
    return weightedBoxMean(values, weight, fixed.dims, radius);
  };
  const forCandidate = evidence(candidate);
  const forOther = evidence(other);
  return (i: number) => weight[i] === 1 && forCandidate[i] >= forOther[i];
}
