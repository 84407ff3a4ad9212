/**
 * Agreement of a segmentation with a reference mask on the same grid: Dice's coefficient and the 95 %
 * Hausdorff distance, as segmentation challenges report them (e.g. MONAI's
 * `compute_hausdorff_distance(percentile=95)`): the surface voxels of each mask (a voxel with a face
 * neighbour outside it) and the distance from each to the nearest surface voxel of the other, exact on
 * the anisotropic grid (margin/edt.ts); HD95 = max of the two directed 95th percentiles.
 */
import { squaredDistanceTransform } from "../margin/edt.js";

type Dims = readonly [number, number, number];
type Spacing = readonly [number, number, number];

/** Dice = 2|A ∩ B| / (|A| + |B|); 1 for two empty masks. */
export function diceCoefficient(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let na = 0;
  let nb = 0;
  for (let v = 0; v < a.length; v++) {
    na += a[v] ? 1 : 0;
    nb += b[v] ? 1 : 0;
    both += a[v] && b[v] ? 1 : 0;
  }
  return na + nb === 0 ? 1 : (2 * both) / (na + nb);
}

/** Surface voxels of a mask: inside, with a face neighbour outside it or on the grid's border. */
export function surfaceVoxels(mask: Uint8Array, dims: Dims): Uint8Array {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = i + nx * j + slice * k;
        if (!mask[v]) continue;
        const edge =
          i === 0 ||
          j === 0 ||
          k === 0 ||
          i === nx - 1 ||
          j === ny - 1 ||
          k === nz - 1 ||
          !mask[v - 1] ||
          !mask[v + 1] ||
          !mask[v - nx] ||
          !mask[v + nx] ||
          !mask[v - slice] ||
          !mask[v + slice];
        out[v] = edge ? 1 : 0;
      }
  return out;
}

/** The q-quantile (0…1) of `values` by linear interpolation between order statistics (R type 7). */
function quantile(values: Float64Array, q: number): number {
  const sorted = values.slice().sort();
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

/** Directed distances (mm) from each surface voxel of `from` to the nearest surface voxel of `to`. */
function directedSurfaceDistances(from: Uint8Array, to: Uint8Array, dims: Dims, spacingMm: Spacing): Float64Array {
  const d2 = squaredDistanceTransform(to, dims, spacingMm);
  const out: number[] = [];
  for (let v = 0; v < from.length; v++) if (from[v]) out.push(Math.sqrt(d2[v]));
  return Float64Array.from(out);
}

/**
 * The 95 % Hausdorff distance (mm) between two non-empty masks on one grid.
 * Example: two concentric spheres of radii 10 and 12 mm on a 1 mm grid give ≈ 2 mm.
 */
export function hausdorff95Mm(a: Uint8Array, b: Uint8Array, dims: Dims, spacingMm: Spacing): number {
  const sa = surfaceVoxels(a, dims);
  const sb = surfaceVoxels(b, dims);
  const ab = directedSurfaceDistances(sa, sb, dims, spacingMm);
  const ba = directedSurfaceDistances(sb, sa, dims, spacingMm);
  if (ab.length === 0 || ba.length === 0) throw new RangeError("hausdorff95Mm: a mask is empty");
  return Math.max(quantile(ab, 0.95), quantile(ba, 0.95));
}
