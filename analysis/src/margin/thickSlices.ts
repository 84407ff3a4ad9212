/**
 * Thick-slice masks made from a thin-slice one, for checking the margin engine against a truth finer
 * than the mask it reads (bench/real-shapes.ts, the reslice mode). The thick grid keeps the thin grid's
 * in-plane axes and voxels and replaces the slice axis' spacing t by the thickness T; its slabs start at
 * a given phase, so a thick slab boundary can fall anywhere within a thin voxel.
 *
 * Thin voxel w spans [w − ½, w + ½] along the slice axis (voxel units); thick slab k spans
 * [s₀ + k·r, s₀ + (k + 1)·r], r = T / t, s₀ = −½ − phase/t − 2r, so two empty slabs lie beyond each end
 * of the thin grid. Two rules decide a thick voxel:
 * - `slab` (partial volume thresholded at half): inside when the thin mask fills at least half of the
 *   slab's length along the slice axis at that in-plane voxel, f = Σ_w |[w − ½, w + ½] ∩ slab| · m(w) / r
 *   ≥ ½ — what drawing on a thick-slice image of the same object gives, each voxel of that image being
 *   the mean over its slab (the partial-volume effect) and the outline drawn at half contrast;
 * - `centre` (voxel centre): the thin mask at the thick slab's centre s₀ + (k + ½)·r, i.e. the thin voxel
 *   containing it. Along an in-plane voxel's line the thin mask's 0.5 iso-surface crosses half-way
 *   between thin centres, so this is the iso-surface's solid sampled at the thick voxel centres, as the
 *   synthetic suites rasterise a continuous surface (voxel centre inside → 1).
 */
import { voxelSpacingMm } from "./affine.js";
import type { MaskVolume } from "./types.js";

export type ThickSliceRule = "slab" | "centre";

export interface ThickSliceOptions {
  /** Grid axis (0, 1, 2) of the thin mask along which its slices are stacked. */
  sliceAxis: 0 | 1 | 2;
  /** Thickness (spacing) of the thick slices, mm. */
  thicknessMm: number;
  /** Where the first slab starts within a thick slice, mm in [0, thicknessMm). */
  phaseMm: number;
  rule: ThickSliceRule;
}

/** Slabs of at least half their length filled count as inside (a tie included, to rounding). */
const HALF_FILLED = 0.5 - 1e-9;

/** The thick-slice mask made from `thin` by `options.rule` (module comment), same world frame. */
export function thickSliceMask(thin: MaskVolume, options: ThickSliceOptions): MaskVolume {
  const { sliceAxis: a, thicknessMm, phaseMm, rule } = options;
  const thinMm = voxelSpacingMm(thin.voxelToWorld)[a];
  const r = thicknessMm / thinMm;
  const n = thin.dims[a];
  const s0 = -0.5 - phaseMm / thinMm - 2 * r;
  const slabs = Math.ceil((n - 0.5 + 2 * r - s0) / r);
  // Per thick slab: the thin slices it reads and their weights (overlap / r, or 1 for the centre rule).
  const taps: { w: number; weight: number }[][] = [];
  for (let k = 0; k < slabs; k++) {
    const lo = s0 + k * r;
    const hi = lo + r;
    const list: { w: number; weight: number }[] = [];
    if (rule === "centre") {
      const w = Math.round(lo + r / 2);
      if (w >= 0 && w < n) list.push({ w, weight: 1 });
    } else {
      for (let w = Math.max(0, Math.ceil(lo - 0.5)); w < n && w - 0.5 < hi; w++) {
        const overlap = Math.min(hi, w + 0.5) - Math.max(lo, w - 0.5);
        if (overlap > 0) list.push({ w, weight: overlap / r });
      }
    }
    taps.push(list);
  }
  const dims: [number, number, number] = [...thin.dims];
  dims[a] = slabs;
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const thinStride = [1, thin.dims[0], thin.dims[0] * thin.dims[1]];
  const thickStride = [1, dims[0], dims[0] * dims[1]];
  const [b, c] = [0, 1, 2].filter((x) => x !== a);
  for (let k = 0; k < slabs; k++) {
    const list = taps[k];
    if (list.length === 0) continue;
    for (let v = 0; v < dims[c]; v++)
      for (let u = 0; u < dims[b]; u++) {
        const inPlane = u * thinStride[b] + v * thinStride[c];
        let filled = 0;
        for (const { w, weight } of list) if (thin.data[inPlane + w * thinStride[a]]) filled += weight;
        if (filled >= HALF_FILLED) data[u * thickStride[b] + v * thickStride[c] + k * thickStride[a]] = 1;
      }
  }
  // Thick voxel k's centre is thin voxel coordinate s₀ + (k + ½)·r along the slice axis.
  const m = Float64Array.from(thin.voxelToWorld);
  const first = s0 + r / 2;
  for (let row = 0; row < 3; row++) {
    m[4 * row + 3] += m[4 * row + a] * first;
    m[4 * row + a] *= r;
  }
  return { dims, voxelToWorld: m, data };
}
