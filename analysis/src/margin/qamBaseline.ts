/**
 * The QAM-style baseline: the minimal treatment margin as the Bern "Quantitative Ablation Margin" tool
 * computes it (artorg-unibe-ch/qam, surface_distances/margin.py), for comparison with the engine.
 *
 * QAM needs both masks on one grid, so the tumor is resampled onto the ice ball's grid by nearest
 * neighbour (through the registration transform). Each mask's border is mask XOR its 6-connected
 * erosion. The ice ball's distance map is the exact Euclidean distance (voxel spacing in mm) to its
 * border voxels, signed + inside the ice-ball mask and − outside; the margins are that map sampled at
 * the tumor's border voxels, and the MTM is their minimum. Nothing is sub-voxel: both borders are
 * voxel centres up to a voxel inside the true surfaces, and the nearest-neighbour resampling moves the
 * tumor by up to half a voxel on each axis — which is what the phantom suite measures.
 */
import { applyAffine, invertAffine, multiplyMat4, voxelSpacingMm } from "./affine.js";
import { squaredDistanceTransform } from "./edt.js";
import { MarginInputError } from "./errors.js";
import { maskBounds } from "./maskBounds.js";
import type { MaskVolume, Mat4, Vec3 } from "./types.js";

export interface QamBaselineResult {
  /** min over tumor border voxels of the ice ball's signed border-distance map, mm (NaN if none is on the grid). */
  mtmMm: number;
  /** The tumor border voxel attaining it, post-ablation RAS mm. */
  minMarginPointRas: Vec3;
  /** Tumor border voxels sampled. */
  borderVoxels: number;
}

/**
 * QAM's minimal margin for one tumor / ice-ball pair (see the module comment).
 * Example: `minimalTreatmentMarginQamBaseline(tumor, ice, identity).mtmMm` next to
 * `measureMargins(tumor, ice, identity).mtmMm`.
 */
export function minimalTreatmentMarginQamBaseline(
  tumor: MaskVolume,
  iceball: MaskVolume,
  preToPost: Mat4,
): QamBaselineResult {
  const iceBounds = maskBounds(iceball);
  if (iceBounds.count === 0) throw new MarginInputError("the ice-ball mask is empty (no voxel > 0)", "iceball");
  const tumorBounds = maskBounds(tumor);
  if (tumorBounds.count === 0) throw new MarginInputError("the tumor mask is empty (no voxel > 0)", "tumor");
  const [nx, ny, nz] = iceball.dims;
  // Tumor voxel index → ice voxel index, and back (for the nearest-neighbour resampling).
  const tumorToIce = multiplyMat4(
    invertAffine(iceball.voxelToWorld, "iceball"),
    multiplyMat4(preToPost, tumor.voxelToWorld),
  );
  const iceToTumor = invertAffine(tumorToIce, "transform");
  // Crop: the ice ball's box ∪ the mapped tumor box, one voxel of padding, clipped to the grid.
  const lo = [...iceBounds.min];
  const hi = [...iceBounds.max];
  for (let corner = 0; corner < 8; corner++) {
    const v = applyAffine(tumorToIce, [
      corner & 1 ? tumorBounds.max[0] + 0.5 : tumorBounds.min[0] - 0.5,
      corner & 2 ? tumorBounds.max[1] + 0.5 : tumorBounds.min[1] - 0.5,
      corner & 4 ? tumorBounds.max[2] + 0.5 : tumorBounds.min[2] - 0.5,
    ]);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], Math.floor(v[a]));
      hi[a] = Math.max(hi[a], Math.ceil(v[a]));
    }
  }
  const dims = [nx, ny, nz];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(0, lo[a] - 1);
    hi[a] = Math.min(dims[a] - 1, hi[a] + 1);
  }
  const cx = hi[0] - lo[0] + 1;
  const cy = hi[1] - lo[1] + 1;
  const cz = hi[2] - lo[2] + 1;
  const n = cx * cy * cz;
  const ice = new Uint8Array(n);
  const tum = new Uint8Array(n);
  const [tnx, tny, tnz] = tumor.dims;
  for (let k = 0; k < cz; k++) {
    for (let j = 0; j < cy; j++) {
      for (let i = 0; i < cx; i++) {
        const c = i + cx * (j + cy * k);
        const gi = i + lo[0];
        const gj = j + lo[1];
        const gk = k + lo[2];
        ice[c] = iceball.data[gi + nx * (gj + ny * gk)] !== 0 ? 1 : 0;
        const t = applyAffine(iceToTumor, [gi, gj, gk]);
        const ti = Math.round(t[0]);
        const tj = Math.round(t[1]);
        const tk = Math.round(t[2]);
        if (ti >= 0 && tj >= 0 && tk >= 0 && ti < tnx && tj < tny && tk < tnz) {
          tum[c] = tumor.data[ti + tnx * (tj + tny * tk)] !== 0 ? 1 : 0;
        }
      }
    }
  }
  const cropDims: [number, number, number] = [cx, cy, cz];
  const iceBorder = border6(ice, cropDims);
  const tumorBorder = border6(tum, cropDims);
  const d2 = squaredDistanceTransform(iceBorder, cropDims, voxelSpacingMm(iceball.voxelToWorld));
  let mtmMm = Number.POSITIVE_INFINITY;
  let at = -1;
  let borderVoxels = 0;
  for (let c = 0; c < n; c++) {
    if (!tumorBorder[c]) continue;
    borderVoxels++;
    const m = (ice[c] ? 1 : -1) * Math.sqrt(d2[c]);
    if (m < mtmMm) {
      mtmMm = m;
      at = c;
    }
  }
  if (at < 0) return { mtmMm: Number.NaN, minMarginPointRas: [Number.NaN, Number.NaN, Number.NaN], borderVoxels };
  const i = at % cx;
  const j = Math.floor(at / cx) % cy;
  const k = Math.floor(at / (cx * cy));
  return {
    mtmMm,
    minMarginPointRas: applyAffine(iceball.voxelToWorld, [i + lo[0], j + lo[1], k + lo[2]]),
    borderVoxels,
  };
}

/**
 * Border of a mask: mask XOR its erosion by the 6-connected cross (scipy's binary_erosion with
 * generate_binary_structure(3, 1); outside the array counts as background, as scipy's default).
 */
function border6(mask: Uint8Array, dims: [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(mask.length);
  const sxy = nx * ny;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const c = i + nx * (j + ny * k);
        if (!mask[c]) continue;
        const interior =
          i > 0 &&
          i < nx - 1 &&
          j > 0 &&
          j < ny - 1 &&
          k > 0 &&
          k < nz - 1 &&
          mask[c - 1] &&
          mask[c + 1] &&
          mask[c - nx] &&
          mask[c + nx] &&
          mask[c - sxy] &&
          mask[c + sxy];
        if (!interior) out[c] = 1;
      }
    }
  }
  return out;
}
