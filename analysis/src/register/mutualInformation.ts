/**
 * Normalized mutual information between a fixed image and a moving image seen through a transform,
 * over chosen fixed voxels — the registration's own judge between candidate transforms (elastix
 * optimises its Mattes MI but does not report it, and cannot be told which voxels to ignore):
 *
 *   NMI = (H(F) + H(M)) / H(F, M)        (Studholme, Hill & Hawkes, Pattern Recognit. 1999)
 *
 * with H the Shannon entropies of a joint histogram of (fixed value, moving value at T(x)) over the
 * sampled fixed voxels x whose image lies inside the moving grid (trilinear interpolation). NMI is
 * 1 for independent images and 2 for identical ones; unlike MI it does not reward a transform for
 * overlapping less. Intensities are binned linearly between the 0.5th and 99.5th percentiles of each
 * image's samples (outliers clamped), so the contrast of either scan does not matter.
 */
import { invertAffine, multiplyMat4 } from "../margin/affine.js";
import type { Mat4 } from "../margin/types.js";
import type { ScalarVolume } from "../segment/types.js";

/** The fixed side, prepared once: sample voxel indices, their values and bins. */
export interface NmiSamples {
  /** Fixed voxel indices (i, j, k) of each sample, flat. */
  ijk: Int32Array;
  /** Bin of each sample's fixed value. */
  fixedBin: Uint8Array;
  bins: number;
  fixedVoxelToWorld: Mat4;
  /** Moving intensity binning: bin = (v − lo) · scale, clamped. */
  movingLo: number;
  movingScale: number;
}

/** The value at quantile q of a sample of values (sorts a copy). */
function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * Prepares NMI samples: every `step`-th voxel along each axis of `fixed` for which `include` is true
 * (all when omitted). `moving` is read once for its intensity range.
 */
export function prepareNmiSamples(
  fixed: ScalarVolume,
  moving: ScalarVolume,
  options: { step?: number; bins?: number; include?: (index: number) => boolean } = {},
): NmiSamples {
  const step = options.step ?? 1;
  const bins = options.bins ?? 32;
  const [nx, ny, nz] = fixed.dims;
  const ijk: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < nz; k += step)
    for (let j = 0; j < ny; j += step)
      for (let i = 0; i < nx; i += step) {
        const index = i + nx * (j + ny * k);
        if (options.include && !options.include(index)) continue;
        ijk.push(i, j, k);
        values.push(fixed.data[index]);
      }
  const fixedValues = Float32Array.from(values);
  const [flo, fhi] = [quantile(fixedValues, 0.005), quantile(fixedValues, 0.995)];
  const fscale = (bins - 1e-6) / Math.max(fhi - flo, 1e-6);
  const fixedBin = new Uint8Array(fixedValues.length);
  for (let s = 0; s < fixedValues.length; s++)
    fixedBin[s] = Math.min(bins - 1, Math.max(0, Math.floor((fixedValues[s] - flo) * fscale)));
  const movingStride = Math.max(1, Math.floor(moving.data.length / 200_000));
  const movingSample = new Float32Array(Math.floor(moving.data.length / movingStride));
  for (let s = 0; s < movingSample.length; s++) movingSample[s] = moving.data[s * movingStride];
  const [mlo, mhi] = [quantile(movingSample, 0.005), quantile(movingSample, 0.995)];
  return {
    ijk: Int32Array.from(ijk),
    fixedBin,
    bins,
    fixedVoxelToWorld: fixed.voxelToWorld,
    movingLo: mlo,
    movingScale: (bins - 1e-6) / Math.max(mhi - mlo, 1e-6),
  };
}

/**
 * The joint histogram (fixed bin × moving bin) of the samples against `moving` through `fixedToMoving`
 * (world → world, trilinear interpolation), the number of samples that landed inside the moving grid,
 * and, when `movingBins` is given, each sample's moving bin written into it (−1: outside).
 */
function jointHistogram(
  samples: NmiSamples,
  moving: ScalarVolume,
  fixedToMoving: Mat4,
  movingBins?: Int16Array,
): { joint: Float64Array; inside: number } {
  // Fixed voxel index → moving voxel index, one matrix.
  const m = multiplyMat4(
    invertAffine(moving.voxelToWorld, "options"),
    multiplyMat4(fixedToMoving, samples.fixedVoxelToWorld),
  );
  const [nx, ny, nz] = moving.dims;
  const data = moving.data;
  const bins = samples.bins;
  const joint = new Float64Array(bins * bins);
  const { ijk, fixedBin, movingLo, movingScale } = samples;
  const n = fixedBin.length;
  let inside = 0;
  for (let s = 0; s < n; s++) {
    const i = ijk[3 * s];
    const j = ijk[3 * s + 1];
    const k = ijk[3 * s + 2];
    const x = m[0] * i + m[1] * j + m[2] * k + m[3];
    const y = m[4] * i + m[5] * j + m[6] * k + m[7];
    const z = m[8] * i + m[9] * j + m[10] * k + m[11];
    if (!(x >= 0 && y >= 0 && z >= 0 && x <= nx - 1 && y <= ny - 1 && z <= nz - 1)) {
      if (movingBins) movingBins[s] = -1;
      continue;
    }
    const x0 = Math.min(Math.floor(x), nx - 2);
    const y0 = Math.min(Math.floor(y), ny - 2);
    const z0 = Math.min(Math.floor(z), nz - 2);
    const fx = x - x0;
    const fy = y - y0;
    const fz = z - z0;
    const base = x0 + nx * (y0 + ny * z0);
    const sx = nx;
    const sz = nx * ny;
    const c00 = data[base] * (1 - fx) + data[base + 1] * fx;
    const c10 = data[base + sx] * (1 - fx) + data[base + sx + 1] * fx;
    const c01 = data[base + sz] * (1 - fx) + data[base + sz + 1] * fx;
    const c11 = data[base + sz + sx] * (1 - fx) + data[base + sz + sx + 1] * fx;
    const value = (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
    const mb = Math.min(bins - 1, Math.max(0, Math.floor((value - movingLo) * movingScale)));
    if (movingBins) movingBins[s] = mb;
    joint[fixedBin[s] * bins + mb]++;
    inside++;
  }
  return { joint, inside };
}

/** The marginals of a joint histogram (row sums: fixed; column sums: moving), as counts. */
function marginals(joint: Float64Array, bins: number): { fixed: Float64Array; moving: Float64Array } {
  const fixed = new Float64Array(bins);
  const moving = new Float64Array(bins);
  for (let a = 0; a < bins; a++)
    for (let b = 0; b < bins; b++) {
      fixed[a] += joint[a * bins + b];
      moving[b] += joint[a * bins + b];
    }
  return { fixed, moving };
}

/** NMI of the samples against `moving` through `fixedToMoving` (world → world), and the fraction of samples that landed inside. */
export function normalizedMutualInformation(
  samples: NmiSamples,
  moving: ScalarVolume,
  fixedToMoving: Mat4,
): { nmi: number; insideFraction: number } {
  const bins = samples.bins;
  const n = samples.fixedBin.length;
  const { joint, inside } = jointHistogram(samples, moving, fixedToMoving);
  if (inside === 0) return { nmi: Number.NaN, insideFraction: 0 };
  const counts = marginals(joint, bins);
  let hJoint = 0;
  for (let c = 0; c < joint.length; c++) {
    if (joint[c] === 0) continue;
    const p = joint[c] / inside;
    hJoint -= p * Math.log(p);
  }
  let hf = 0;
  let hm = 0;
  for (let a = 0; a < bins; a++) {
    const pf = counts.fixed[a] / inside;
    const pm = counts.moving[a] / inside;
    if (pf > 0) hf -= pf * Math.log(pf);
    if (pm > 0) hm -= pm * Math.log(pm);
  }
  return { nmi: hJoint > 0 ? (hf + hm) / hJoint : Number.NaN, insideFraction: inside / n };
}

/**
 * Each sample's pointwise mutual information through `fixedToMoving`:
 *
 *   pmi(x) = log [ p(f(x), m(T x)) / (p(f(x)) · p(m(T x))) ]
 *
 * with p the joint and marginal distributions of the samples' histogram at this T (the same binning as
 * `normalizedMutualInformation`; MI is the mean of pmi over the samples). A sample whose value pair is
 * common under T scores high, one T pairs with unusual moving values scores low: the sample's own
 * evidence for T. Samples that land outside the moving grid score 0 (no evidence either way).
 */
export function pointwiseMutualInformation(
  samples: NmiSamples,
  moving: ScalarVolume,
  fixedToMoving: Mat4,
): Float32Array {
  const bins = samples.bins;
  const n = samples.fixedBin.length;
  const movingBins = new Int16Array(n);
  const { joint, inside } = jointHistogram(samples, moving, fixedToMoving, movingBins);
  const out = new Float32Array(n);
  if (inside === 0) return out;
  const counts = marginals(joint, bins);
  for (let s = 0; s < n; s++) {
    const b = movingBins[s];
    if (b < 0) continue;
    const a = samples.fixedBin[s];
    out[s] = Math.log((joint[a * bins + b] * inside) / (counts.fixed[a] * counts.moving[b]));
  }
  return out;
}
