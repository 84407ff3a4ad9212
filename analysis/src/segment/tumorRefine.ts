/**
 * Border refinement of an interpolated tumor mask to the scan's edges, within a band around the
 * interpolated surface, never moving a drawn voxel.
 *
 * Model (a two-class Markov random field on the band, solved by iterated conditional modes: J. Besag,
 * "On the statistical analysis of dirty pictures", J. R. Stat. Soc. B 48, 1986):
 * - Shading: MR intensities carry a smooth multiplicative bias. The tumor's intensity is fitted as an
 *   affine function of position over the drawn tumor voxels (least squares, the first-order bias
 *   field), and every voxel is divided by that fit relative to its mean: J = I · μ̄ / f(x).
 * - Tumor class: Gaussian N(μ_t, σ_t) of J, μ_t the median and σ_t 1.4826 × the median absolute
 *   deviation over the drawn tumor voxels (robust to a stray stroke).
 * - Background class: a kernel density (Gaussian kernel of width σ_t) of J over the voxels that are
 *   surely not tumor — those the user left blank on the drawn slices near the tumor, and the shell just
 *   outside the band — so kidney, fat, vessels and air all count, whatever their number.
 * - Data term D(v) = log p_t(J_v) − log p_b(J_v) (clamped to ±8), smoothness term β Σ w_uv [l_u ≠ l_v]
 *   over the 6 face neighbours, w = (smallest spacing / spacing along the neighbour's axis), so a 3 mm
 *   slice neighbour counts 0.4 of a 1.2 mm in-plane one.
 * - ICM from the interpolated mask: each band voxel takes the label that lowers the energy given its
 *   neighbours (l_v = 1 iff D(v) + β Σ w_uv (2 l_u − 1) > 0), sweeps repeated until no voxel changes
 *   (at most `maxSweeps`). Voxels outside the band keep the interpolated label; drawn voxels (tumor) and
 *   the blank voxels of drawn slices (not tumor) are fixed.
 * - End caps: beyond the outermost outlined slice along an axis the interpolation gives no shape, and
 *   with partial volume the voxels there mix tumor with kidney or fat — and a mix of kidney and fat reads
 *   like tumor (650 lies between 450 and 800 on T2). There the data term is the half-intensity reading
 *   along the axis (capHalfway: at least half tumor, between the tumor and the tissue just beyond), and a
 *   cap voxel is tumor only while its neighbour toward the outlined slices is (the cap grows from the
 *   tumor, column by column) and never where it sits on an edge between a darker and a brighter tissue
 *   across the axis (a kidney–fat edge beside the cap).
 * Then the components that hold a drawn voxel are kept and their holes filled.
 */
import { voxelSpacingMm } from "../margin/affine.js";
import { squaredDistanceTransform } from "../margin/edt.js";
import { boxAround, cropToBox, pasteFromBox } from "./box.js";
import { connectedComponents, fillHoles } from "./components.js";
import type { ScalarVolume } from "./types.js";

/** Options of {@link refineTumorBorder}. */
export interface TumorRefineOptions {
  /** Half-width of the band around the interpolated surface, mm (default 2 × the largest spacing). */
  bandMm?: number;
  /** Weight of the smoothness term (default 1). */
  beta?: number;
  /** Most ICM sweeps (default 12). */
  maxSweeps?: number;
}

/** What the refinement did (the CLI prints it as the quality summary). */
export interface TumorRefineReport {
  bandMm: number;
  beta: number;
  sweeps: number;
  bandVoxels: number;
  /** Band voxels of the end caps (beyond the outermost outlined slices), read by the half-intensity term. */
  capVoxels: number;
  /** Voxels the refinement added to / removed from the interpolated mask. */
  voxelsAdded: number;
  voxelsRemoved: number;
  /** Tumor class: median and robust SD of the shading-corrected intensity. */
  tumorMedian: number;
  tumorSd: number;
  /** Median shading-corrected intensity of the background samples, and how many there were. */
  backgroundMedian: number;
  backgroundSamples: number;
  /** |tumor median − background median| / tumor SD: the edge contrast the refinement worked with. */
  contrastToNoise: number;
  /** Range of the fitted shading over the band, relative to its mean: [min, max]. */
  shadingRange: [number, number];
  holesFilled: number;
}

function median(values: Float64Array): number {
  const s = values.slice().sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Least-squares affine fit of values over points (4 × 4 normal equations, Gaussian elimination with pivoting). */
function affineFit(points: number[][], values: number[]): [number, number, number, number] {
  const a = [0, 1, 2, 3].map(() => [0, 0, 0, 0, 0]);
  for (let n = 0; n < values.length; n++) {
    const row = [1, points[n][0], points[n][1], points[n][2]];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) a[r][c] += row[r] * row[c];
      a[r][4] += row[r] * values[n];
    }
  }
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    if (Math.abs(a[c][c]) < 1e-9) return [values.reduce((s, v) => s + v, 0) / values.length, 0, 0, 0];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k < 5; k++) a[r][k] -= f * a[c][k];
    }
  }
  return [a[0][4] / a[0][0], a[1][4] / a[1][1], a[2][4] / a[2][2], a[3][4] / a[3][3]];
}

/**
 * Refines `interpolated` (0/1 on the image's grid) to the image's edges. `drawn` marks the voxels the
 * user drew as tumor, `drawnSlices` every voxel of a slice the user drew on (its blank voxels are not
 * tumor), `outlinedSlices` the outlined slices' indices along [i, j, k]: along each axis with ≥ 2, the
 * band voxels beyond the outermost ones form the end caps. Returns the refined 0/1 mask and a report.
 */
export function refineTumorBorder(
  image: ScalarVolume,
  interpolated: Uint8Array,
  drawn: Uint8Array,
  drawnSlices: Uint8Array,
  options: TumorRefineOptions = {},
  outlinedSlices?: readonly [readonly number[], readonly number[], readonly number[]],
): { mask: Uint8Array; report: TumorRefineReport } {
  const spacing = voxelSpacingMm(image.voxelToWorld);
  const maxSpacing = Math.max(...spacing);
  const minSpacing = Math.min(...spacing);
  const bandMm = options.bandMm ?? 2 * maxSpacing;
  const beta = options.beta ?? 1;
  const maxSweeps = options.maxSweeps ?? 12;
  const shellMm = bandMm + 2 * maxSpacing;
  const full = image.dims;
  const margin = spacing.map((s) => Math.ceil(shellMm / s) + 1) as [number, number, number];
  const box = boxAround(interpolated, full, margin);
  if (!box) throw new RangeError("refineTumorBorder: the interpolated mask is empty");
  const dims = box.dims;
  const n = dims[0] * dims[1] * dims[2];
  const prior = cropToBox(interpolated, full, box, (m) => new Uint8Array(m));
  const fixedIn = cropToBox(drawn, full, box, (m) => new Uint8Array(m));
  const onSlice = cropToBox(drawnSlices, full, box, (m) => new Uint8Array(m));
  const intensity = cropToBox(image.data, full, box, (m) => new Float32Array(m));

  // Distances to the interpolated surface: outside voxels to the mask, inside voxels to the background.
  const outside2 = squaredDistanceTransform(prior, dims, spacing);
  const background = new Uint8Array(n);
  for (let v = 0; v < n; v++) background[v] = prior[v] ? 0 : 1;
  const inside2 = squaredDistanceTransform(background, dims, spacing);
  const band2 = bandMm * bandMm;
  const shell2 = shellMm * shellMm;

  // First-order shading fitted over the drawn tumor voxels (positions in mm, centred on the box).
  const [nx, ny] = dims;
  const position = (v: number) => {
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    return [(i - dims[0] / 2) * spacing[0], (j - dims[1] / 2) * spacing[1], (k - dims[2] / 2) * spacing[2]];
  };
  const points: number[][] = [];
  const values: number[] = [];
  for (let v = 0; v < n; v++)
    if (fixedIn[v]) {
      points.push(position(v));
      values.push(intensity[v]);
    }
  if (values.length === 0) throw new RangeError("refineTumorBorder: no drawn voxel");
  const fit =
    values.length >= 40 ? affineFit(points, values) : [values.reduce((s, x) => s + x, 0) / values.length, 0, 0, 0];
  const shadingAt = (v: number) => {
    const p = position(v);
    return fit[0] + fit[1] * p[0] + fit[2] * p[1] + fit[3] * p[2];
  };
  let fitMean = 0;
  for (let q = 0; q < points.length; q++)
    fitMean += fit[0] + fit[1] * points[q][0] + fit[2] * points[q][1] + fit[3] * points[q][2];
  fitMean /= points.length;
  const corrected = new Float32Array(n);
  let shadingMin = Number.POSITIVE_INFINITY;
  let shadingMax = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < n; v++) {
    const f = Math.max(shadingAt(v), 0.1 * Math.abs(fitMean) + 1e-6);
    corrected[v] = (intensity[v] * fitMean) / f;
    if (outside2[v] <= band2 && inside2[v] <= band2) {
      shadingMin = Math.min(shadingMin, f / fitMean);
      shadingMax = Math.max(shadingMax, f / fitMean);
    }
  }

  // Tumor class from the drawn voxels; background samples from the blank drawn-slice voxels near the
  // tumor and the shell just outside the band.
  const tumorValues = new Float64Array(values.length);
  for (let v = 0, q = 0; v < n; v++) if (fixedIn[v]) tumorValues[q++] = corrected[v];
  const tumorMedian = median(tumorValues);
  const deviations = tumorValues.map((x) => Math.abs(x - tumorMedian));
  const tumorSd = Math.max(1.4826 * median(deviations), 1e-3 * Math.abs(tumorMedian) + 1e-6);
  const backgroundList: number[] = [];
  for (let v = 0; v < n; v++) {
    if (prior[v] || fixedIn[v]) continue;
    const d2 = outside2[v];
    if ((onSlice[v] && d2 <= shell2) || (d2 > band2 && d2 <= shell2)) backgroundList.push(corrected[v]);
  }
  const backgroundSamples = Float64Array.from(backgroundList);
  const backgroundMedian = backgroundSamples.length ? median(backgroundSamples) : Number.NaN;

  // Background density on a histogram of bin width σ_t / 4, smoothed by a Gaussian of width σ_t.
  const binWidth = tumorSd / 4;
  let lo = tumorMedian - 10 * tumorSd;
  let hi = tumorMedian + 10 * tumorSd;
  for (const x of backgroundSamples) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  lo -= 4 * tumorSd;
  hi += 4 * tumorSd;
  const bins = Math.min(20000, Math.ceil((hi - lo) / binWidth) + 1);
  const width = (hi - lo) / (bins - 1);
  const counts = new Float64Array(bins);
  for (const x of backgroundSamples) counts[Math.round((x - lo) / width)]++;
  const kernelHalf = Math.ceil((4 * tumorSd) / width);
  const kernel = new Float64Array(2 * kernelHalf + 1);
  for (let t = -kernelHalf; t <= kernelHalf; t++)
    kernel[t + kernelHalf] = Math.exp(-0.5 * ((t * width) / tumorSd) ** 2);
  const density = new Float64Array(bins);
  const norm = 1 / (Math.max(1, backgroundSamples.length) * tumorSd * Math.sqrt(2 * Math.PI));
  for (let b = 0; b < bins; b++) {
    if (!counts[b]) continue;
    for (let t = -kernelHalf; t <= kernelHalf; t++) {
      const c = b + t;
      if (c >= 0 && c < bins) density[c] += counts[b] * kernel[t + kernelHalf] * norm;
    }
  }
  // A floor: the background may hold intensities no sample showed (1 % spread over the range).
  const floor = 0.01 / (hi - lo);
  const logTumorNorm = -Math.log(tumorSd * Math.sqrt(2 * Math.PI));
  const dataTerm = (x: number) => {
    const b = Math.round((x - lo) / width);
    const pb = (b >= 0 && b < bins ? density[b] : 0) + floor;
    const lt = logTumorNorm - 0.5 * ((x - tumorMedian) / tumorSd) ** 2;
    return Math.max(-8, Math.min(8, lt - Math.log(pb)));
  };

  // ICM on the band.
  const label = prior.slice();
  for (let v = 0; v < n; v++) {
    if (fixedIn[v]) label[v] = 1;
    else if (onSlice[v]) label[v] = 0;
  }
  const bandList: number[] = [];
  for (let v = 0; v < n; v++)
    if (!fixedIn[v] && !onSlice[v] && (prior[v] ? inside2[v] <= band2 : outside2[v] <= band2)) bandList.push(v);
  const band = Int32Array.from(bandList);
  const term = new Float32Array(band.length);
  for (let q = 0; q < band.length; q++) term[q] = dataTerm(corrected[band[q]]);
  // End caps: beyond the outermost outlined slice along an axis with outlines, the half-intensity
  // term along that axis (capHalfway), background on an edge between two other tissues across it
  // (acrossEdge), and a cap voxel is tumor only while its inward neighbour is.
  const capInward = new Int32Array(band.length).fill(-1);
  const capDepth = new Int32Array(band.length);
  let capVoxels = 0;
  // Opposite in-slice neighbour steps across each axis (the two in-slice axes and both diagonals).
  const strides = [1, nx, nx * ny];
  const across = [0, 1, 2].map((axis) => {
    const [a, b] = [0, 1, 2].filter((x) => x !== axis).map((x) => strides[x]);
    return [a, b, a + b, a - b];
  });
  for (let axis = 0; axis < 3; axis++) {
    const along = outlinedSlices?.[axis] ?? [];
    if (along.length < 2) continue;
    const stride = [1, nx, nx * ny][axis];
    const first = Math.min(...along) - box.lo[axis];
    const last = Math.max(...along) - box.lo[axis];
    for (let q = 0; q < band.length; q++) {
      const v = band[q];
      const at = axis === 0 ? v % nx : axis === 1 ? Math.floor(v / nx) % ny : Math.floor(v / (nx * ny));
      if ((at >= first && at <= last) || capInward[q] >= 0) continue;
      const side = at > last ? 1 : -1;
      capInward[q] = v - side * stride;
      capDepth[q] = side > 0 ? at - last : first - at;
      const beyond: number[] = [];
      for (let t = 1; t <= 2; t++)
        if (at + side * t >= 0 && at + side * t < dims[axis]) beyond.push(corrected[v + side * t * stride]);
      term[q] = capHalfway(corrected[v], beyond, tumorMedian, tumorSd);
      if (acrossEdge(corrected, v, across[axis], tumorMedian, tumorSd)) term[q] = -8;
      capVoxels++;
    }
  }
  // The caps start from their own reading, not from the interpolation (which leaves them empty: ICM
  // from an empty cap would keep it empty, every in-plane neighbour pulling toward background), layer
  // by layer outward, each voxel only where its inward neighbour is tumor.
  const capOrder: number[] = [];
  for (let q = 0; q < band.length; q++) if (capInward[q] >= 0) capOrder.push(q);
  capOrder.sort((a, b) => capDepth[a] - capDepth[b]);
  for (const q of capOrder) label[band[q]] = term[q] > 0 && label[capInward[q]] ? 1 : 0;
  const weight = spacing.map((s) => minSpacing / s);
  const slice = dims[0] * dims[1];
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let changed = 0;
    for (let q = 0; q < band.length; q++) {
      const v = band[q];
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / slice);
      let pull = 0;
      if (i > 0) pull += weight[0] * (2 * label[v - 1] - 1);
      if (i < dims[0] - 1) pull += weight[0] * (2 * label[v + 1] - 1);
      if (j > 0) pull += weight[1] * (2 * label[v - nx] - 1);
      if (j < dims[1] - 1) pull += weight[1] * (2 * label[v + nx] - 1);
      if (k > 0) pull += weight[2] * (2 * label[v - slice] - 1);
      if (k < dims[2] - 1) pull += weight[2] * (2 * label[v + slice] - 1);
      const next = (capInward[q] < 0 || label[capInward[q]]) && term[q] + beta * pull > 0 ? 1 : 0;
      if (next !== label[v]) {
        label[v] = next;
        changed++;
      }
    }
    if (changed === 0) {
      sweeps++;
      break;
    }
  }

  // Keep the components that hold a drawn voxel; fill their holes; drawn voxels stay tumor.
  const { labels: component } = connectedComponents(label, dims);
  const keep = new Set<number>();
  for (let v = 0; v < n; v++) if (fixedIn[v] && component[v]) keep.add(component[v]);
  const kept = new Uint8Array(n);
  for (let v = 0; v < n; v++) kept[v] = keep.has(component[v]) ? 1 : 0;
  const { mask: filled, filled: holesFilled } = fillHoles(kept, dims);
  for (let v = 0; v < n; v++) {
    if (fixedIn[v]) filled[v] = 1;
    else if (onSlice[v]) filled[v] = 0;
  }
  let voxelsAdded = 0;
  let voxelsRemoved = 0;
  for (let v = 0; v < n; v++) {
    if (filled[v] && !prior[v]) voxelsAdded++;
    if (!filled[v] && prior[v]) voxelsRemoved++;
  }
  const mask = new Uint8Array(interpolated.length);
  pasteFromBox(filled, mask, full, box);
  return {
    mask,
    report: {
      bandMm,
      beta,
      sweeps,
      bandVoxels: band.length,
      capVoxels,
      voxelsAdded,
      voxelsRemoved,
      tumorMedian,
      tumorSd,
      backgroundMedian,
      backgroundSamples: backgroundSamples.length,
      contrastToNoise: Math.abs(tumorMedian - backgroundMedian) / tumorSd,
      shadingRange: [shadingMin, shadingMax],
      holesFilled,
    },
  };
}

/** Least contrast (in tumor SDs) between the tumor and the tissue beyond a cap voxel for a half-intensity reading. */
const CAP_CONTRAST_SD = 3;
/** A cap voxel further than this (in tumor SDs) beyond the tumor's intensity, away from the tissue beyond it, is a third tissue. */
const CAP_THIRD_TISSUE_SD = 2.5;

/**
 * Data term of a voxel of an end cap (beyond the outermost outlined slice along an axis), from the
 * partial-volume model along that axis. A cap slice cuts the tumor's end obliquely or flat, so a voxel
 * there holds a fraction f of tumor and 1 − f of the tissue beyond it: I = f·μ_t + (1 − f)·B. It belongs
 * to the mask iff f ≥ ½ — its centre inside the tumor, the 0.5 partial-volume point — that is iff I lies
 * on the tumor's side of the half-way intensity (μ_t + B)/2. B is read on the first of the next two
 * voxels further out (`beyond`) whose intensity differs from the tumor's by ≥ CAP_CONTRAST_SD tumor SDs
 * (the next one may still be partly tumor). The term is (I − (μ_t + B)/2)·sign(μ_t − B)/σ_t, clamped
 * to ±8, and −8 for a voxel beyond μ_t by more than CAP_THIRD_TISSUE_SD σ_t on the side away from B (a
 * mix of two other tissues, e.g. kidney and fat, not of tumor and B). With no contrast along the axis
 * the voxel beyond reads like tumor: a mix of kidney and fat does that as well as tumor does, so the
 * term leans to background (−1) and the neighbours decide.
 */
function capHalfway(value: number, beyond: readonly number[], tumor: number, sd: number): number {
  const tissue = beyond.find((b) => Math.abs(b - tumor) >= CAP_CONTRAST_SD * sd);
  if (tissue === undefined) return -1;
  const towardTissue = Math.sign(tumor - tissue);
  if (towardTissue * (value - tumor) > CAP_THIRD_TISSUE_SD * sd) return -8;
  return Math.max(-8, Math.min(8, (towardTissue * (value - 0.5 * (tumor + tissue))) / sd));
}

/** A cap voxel further than this (in tumor SDs) from the tumor's intensity on both sides of it across the axis lies on an edge between two other tissues. */
const ACROSS_EDGE_SD = 2;

/**
 * Whether voxel v lies on an edge between a tissue darker and a tissue brighter than the tumor, across
 * the cap's axis: on some in-slice line through v, one neighbour below μ_t − ACROSS_EDGE_SD·σ_t and the
 * opposite one above μ_t + ACROSS_EDGE_SD·σ_t. A cap voxel mixes tumor with the tissue beyond it along
 * the axis; one that sits on such an edge is a mix of those two tissues (kidney and fat), whatever it reads.
 */
function acrossEdge(values: Float32Array, v: number, steps: readonly number[], tumor: number, sd: number): boolean {
  const dark = tumor - ACROSS_EDGE_SD * sd;
  const bright = tumor + ACROSS_EDGE_SD * sd;
  for (const d of steps) {
    const a = values[v - d];
    const b = values[v + d];
    if (a === undefined || b === undefined) continue;
    if ((a < dark && b > bright) || (a > bright && b < dark)) return true;
  }
  return false;
}
