/**
 * T2-weighted-like synthetic scans (HASTE look) for viewers and future registration work: a body
 * cross-section with subcutaneous fat, muscle and bowel-like soft tissue, the spine, both kidneys in
 * their perirenal fat, the tumor; on the post-ablation scan the same anatomy moved by the patient's
 * motion, with the ice ball and the probe shafts as signal voids. Intensities are arbitrary units in the
 * range of a T2 HASTE (fat ≈ 800, tumor ≈ 650, kidney ≈ 450, muscle ≈ 220), plus Gaussian noise (σ 18)
 * and a smooth coil-sensitivity shading. Voxel values are int16.
 */
import { applyAffine, identityMat4, invertAffine } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { kidney } from "./anatomy.js";
import { type Ellipsoid, insideUnion, unionBounds } from "./ellipsoid.js";
import type { ProbeArray } from "./probes.js";
import { standardNormal } from "./sampling.js";
import { type GridSpec, indexBoxOfWorldBox } from "./voxelize.js";

/** An int16 scan on a grid (what loaders write as pre.nii.gz / post.nii.gz). */
export interface ScanImage extends GridSpec {
  data: Int16Array;
}

const FAT = 800;
const TUMOR = 650;
const KIDNEY = 450;
const SOFT_TISSUE = 330;
const MUSCLE = 220;
const BONE = 120;
const VOID = 15;
/** SD of the Gaussian noise of the synthetic scans (intensity units). */
export const SCAN_NOISE_SD = 18;
/** Probe shafts are drawn 150 mm back from their tips, 1.2 mm in radius (17-gauge). */
const SHAFT_LENGTH_MM = 150;
const SHAFT_RADIUS_MM = 1.2;

/** The tissue intensity at a world point of the (pre-ablation) anatomy. */
function tissueAt(
  x: number,
  y: number,
  z: number,
  kidneys: readonly Ellipsoid[],
  fat: readonly Ellipsoid[],
  tumor: readonly Ellipsoid[],
): number {
  // Body: an elliptic cylinder 340 × 250 mm around (0, 0), skin to 15 mm of subcutaneous fat.
  const body = (x / 170) ** 2 + (y / 125) ** 2;
  if (body > 1) return 0;
  if (insideUnion(tumor, x, y, z)) return TUMOR;
  if (insideUnion(kidneys, x, y, z)) return KIDNEY;
  if (insideUnion(fat, x, y, z)) return FAT;
  if (body > (1 - 15 / 125) ** 2) return FAT;
  // Spine (vertebral body) and paraspinal muscles, posterior midline.
  if ((x / 22) ** 2 + ((y + 75) / 20) ** 2 <= 1) return BONE;
  if (((Math.abs(x) - 35) / 25) ** 2 + ((y + 95) / 22) ** 2 <= 1) return MUSCLE;
  return SOFT_TISSUE;
}

/** Squared distance from p to the segment from a to b. */
function segmentDistanceSquared(p: Vec3, a: Vec3, b: Vec3): number {
  const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const ap: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const len2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2;
  const t = Math.max(0, Math.min(1, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2));
  return (ap[0] - t * ab[0]) ** 2 + (ap[1] - t * ab[1]) ** 2 + (ap[2] - t * ab[2]) ** 2;
}

/**
 * Renders one scan: each voxel centre is mapped to pre-ablation world by `gridToPre` (identity for the
 * pre scan, T⁻¹ for the post scan) and classified; `ice`/`probes` (pre world) darken the post scan.
 */
function render(
  grid: GridSpec,
  gridToPre: Mat4,
  anatomy: { kidneys: Ellipsoid[]; fat: Ellipsoid[]; tumor: readonly Ellipsoid[] },
  rng: Random,
  ice: readonly Ellipsoid[] | null,
  probes: ProbeArray | null,
): ScanImage {
  const [nx, ny, nz] = grid.dims;
  const data = new Int16Array(nx * ny * nz);
  const m = grid.voxelToWorld;
  const g = gridToPre;
  const shafts = probes
    ? probes.tipsRas.map((tip): [Vec3, Vec3] => [
        tip,
        [
          tip[0] - SHAFT_LENGTH_MM * probes.directionRas[0],
          tip[1] - SHAFT_LENGTH_MM * probes.directionRas[1],
          tip[2] - SHAFT_LENGTH_MM * probes.directionRas[2],
        ],
      ])
    : [];
  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, index++) {
        const wx = m[0] * i + m[1] * j + m[2] * k + m[3];
        const wy = m[4] * i + m[5] * j + m[6] * k + m[7];
        const wz = m[8] * i + m[9] * j + m[10] * k + m[11];
        const x = g[0] * wx + g[1] * wy + g[2] * wz + g[3];
        const y = g[4] * wx + g[5] * wy + g[6] * wz + g[7];
        const z = g[8] * wx + g[9] * wy + g[10] * wz + g[11];
        let value = tissueAt(x, y, z, anatomy.kidneys, anatomy.fat, anatomy.tumor);
        if (value > 0 && ice && insideUnion(ice, x, y, z)) value = VOID;
        if (value > 0 && shafts.length > 0) {
          for (const [a, b] of shafts)
            if (segmentDistanceSquared([x, y, z], a, b) <= SHAFT_RADIUS_MM ** 2) value = VOID;
        }
        // Coil shading: brighter toward the posterior coil, ±15%.
        const shading = 1 + 0.15 * Math.tanh(-y / 120);
        const noisy =
          value === 0
            ? Math.abs(SCAN_NOISE_SD * standardNormal(rng))
            : value * shading + SCAN_NOISE_SD * standardNormal(rng);
        data[index] = Math.max(0, Math.min(32767, Math.round(noisy)));
      }
    }
  }
  return { dims: [nx, ny, nz], voxelToWorld: grid.voxelToWorld, data };
}

/** Kidneys and their perirenal fat (the kidney grown by ≈ 12 mm) on both sides. */
function kidneysAndFat(): { kidneys: Ellipsoid[]; fat: Ellipsoid[] } {
  const kidneys = [kidney("left"), kidney("right")];
  const fat = kidneys.map((k) => ({
    ...k,
    semiAxesMm: [k.semiAxesMm[0] + 14, k.semiAxesMm[1] + 12, k.semiAxesMm[2] + 12] as Vec3,
  }));
  return { kidneys, fat };
}

/**
 * The part of `grid` that holds every voxel centre of the world box `box` mapped by `boxToGrid` (the box's
 * eight corners are mapped and their bounding box taken): the same voxels, with the origin moved to the
 * first one. The matrix keeps float32 values, as the scanner grids do (anatomy.ts, axialGrid).
 * Example: a box inside the grid gives a grid a few voxels larger than the box, on the same lattice.
 */
export function regionOfInterestGrid(grid: GridSpec, box: readonly [Vec3, Vec3], boxToGrid: Mat4): GridSpec {
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const p = applyAffine(boxToGrid, [box[c & 1][0], box[(c >> 1) & 1][1], box[(c >> 2) & 1][2]]);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], p[a]);
      hi[a] = Math.max(hi[a], p[a]);
    }
  }
  const [first, last] = indexBoxOfWorldBox(grid, [lo, hi]);
  const m = grid.voxelToWorld;
  const voxelToWorld = Float64Array.from(m);
  for (let r = 0; r < 3; r++)
    voxelToWorld[4 * r + 3] = Math.fround(
      m[4 * r] * first[0] + m[4 * r + 1] * first[1] + m[4 * r + 2] * first[2] + m[4 * r + 3],
    );
  return { dims: [0, 1, 2].map((a) => last[a] - first[a] + 1) as [number, number, number], voxelToWorld };
}

/**
 * The pre- and post-ablation scans of a case (both kidneys drawn; the tumor and ice from the case).
 * With `roiMm`, each scan covers only the tumor's bounding box grown by roiMm on every side (on the post
 * scan, that box moved by the patient's motion): the voxels are those of the whole scan there.
 */
export function synthesizeScans(
  tumorParts: readonly Ellipsoid[],
  iceParts: readonly Ellipsoid[],
  probes: ProbeArray,
  preToPost: Mat4,
  preGrid: GridSpec,
  postGrid: GridSpec,
  rng: Random,
  roiMm?: number,
): { pre: ScanImage; post: ScanImage } {
  const { kidneys, fat } = kidneysAndFat();
  const anatomy = { kidneys, fat, tumor: tumorParts };
  let preScan = preGrid;
  let postScan = postGrid;
  if (roiMm !== undefined) {
    const [lo, hi] = unionBounds(tumorParts);
    const box: [Vec3, Vec3] = [lo.map((v) => v - roiMm) as Vec3, hi.map((v) => v + roiMm) as Vec3];
    preScan = regionOfInterestGrid(preGrid, box, identityMat4());
    postScan = regionOfInterestGrid(postGrid, box, preToPost);
  }
  return {
    pre: render(preScan, identityMat4(), anatomy, rng, null, null),
    post: render(postScan, invertAffine(preToPost, "transform"), anatomy, rng, iceParts, probes),
  };
}
