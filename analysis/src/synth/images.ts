/**
 * T2-weighted-like synthetic scans (HASTE look) for viewers and registration: a body cross-section
 * with subcutaneous fat, muscle and bowel-like soft tissue, the spine, both kidneys in their perirenal
 * fat, the tumor; on the post-ablation scan the same anatomy moved by the patient's motion, with the ice
 * ball and the probe shafts as signal voids. Intensities are arbitrary units in the range of a T2 HASTE
 * (fat ≈ 800, tumor ≈ 650, kidney ≈ 450, muscle ≈ 220), plus Gaussian noise (σ 18) and a smooth
 * coil-sensitivity shading. Voxel values are int16. By default each voxel shows the tissue at its
 * centre; with `partialVolume` it is the mean over its volume, as on a real scan.
 *
 * Three optional departures (`ScanOptions`; off by default): partial volume (harder segmentation), and
 * two that make registration harder: a T1-weighted-like post scan (fat bright, tumor darker than
 * kidney, marrow brighter than muscle: an intensity map that is not monotone in the T2 one, so only
 * a statistical metric such as mutual information relates the two), and breathing — the body wall,
 * spine, back muscles and bowel-like soft tissue take another rigid pose than the kidneys, their
 * perirenal fat, the tumor and the ice ball (which keep the true transform): the kidney slides
 * 5–15 mm cranio-caudally against the body wall, as it does between breath holds.
 */
import { applyAffine, identityMat4, invertAffine, multiplyMat4 } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { kidney, patientMotion } from "./anatomy.js";
import { type Ellipsoid, insideUnion, unionBounds } from "./ellipsoid.js";
import type { ProbeArray } from "./probes.js";
import { standardNormal, uniform } from "./sampling.js";
import { type GridSpec, indexBoxOfWorldBox } from "./voxelize.js";

/** An int16 scan on a grid (what loaders write as pre.nii.gz / post.nii.gz). */
export interface ScanImage extends GridSpec {
  data: Int16Array;
}

/** Tissue intensities of one contrast (arbitrary units). */
interface Contrast {
  fat: number;
  tumor: number;
  kidney: number;
  softTissue: number;
  muscle: number;
  bone: number;
}

/** T2 HASTE-like: fat ≈ 800, tumor ≈ 650, kidney ≈ 450, muscle ≈ 220, cortical bone dark. */
const T2: Contrast = { fat: 800, tumor: 650, kidney: 450, softTissue: 330, muscle: 220, bone: 120 };
/**
 * T1-weighted-like (e.g. a post-ablation VIBE): fat brightest, vertebral marrow bright, renal
 * parenchyma above the (hypo-intense) tumor, muscle darkest of the soft tissues.
 */
const T1: Contrast = { fat: 900, tumor: 340, kidney: 560, softTissue: 420, muscle: 290, bone: 650 };
const VOID = 15;
/** SD of the Gaussian noise of the synthetic scans (intensity units). */
export const SCAN_NOISE_SD = 18;
/** Probe shafts are drawn 150 mm back from their tips, 1.2 mm in radius (17-gauge). */
const SHAFT_LENGTH_MM = 150;
const SHAFT_RADIUS_MM = 1.2;

/**
 * The tissue intensity of the (pre-ablation) anatomy: the kidneys, their fat and the tumor read at the
 * organ point (x, y, z), the body (outline, subcutaneous fat, spine, muscles, soft tissue) at the body
 * point (bx, by) — the same point unless the body moves apart from the kidneys.
 */
function tissueAt(
  x: number,
  y: number,
  z: number,
  bx: number,
  by: number,
  kidneys: readonly Ellipsoid[],
  fat: readonly Ellipsoid[],
  tumor: readonly Ellipsoid[],
  contrast: Contrast,
): number {
  // Body: an elliptic cylinder 340 × 250 mm around (0, 0), skin to 15 mm of subcutaneous fat.
  const body = (bx / 170) ** 2 + (by / 125) ** 2;
  if (body > 1) return 0;
  if (insideUnion(tumor, x, y, z)) return contrast.tumor;
  if (insideUnion(kidneys, x, y, z)) return contrast.kidney;
  if (insideUnion(fat, x, y, z)) return contrast.fat;
  if (body > (1 - 15 / 125) ** 2) return contrast.fat;
  // Spine (vertebral body) and paraspinal muscles, posterior midline.
  if ((bx / 22) ** 2 + ((by + 75) / 20) ** 2 <= 1) return contrast.bone;
  if (((Math.abs(bx) - 35) / 25) ** 2 + ((by + 95) / 22) ** 2 <= 1) return contrast.muscle;
  return contrast.softTissue;
}

/** Squared distance from p to the segment from a to b. */
function segmentDistanceSquared(p: Vec3, a: Vec3, b: Vec3): number {
  const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const ap: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const len2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2;
  const t = Math.max(0, Math.min(1, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2));
  return (ap[0] - t * ab[0]) ** 2 + (ap[1] - t * ab[1]) ** 2 + (ap[2] - t * ab[2]) ** 2;
}

/** Sub-samples per axis of a voxel that holds an edge (partial volume): 3 × 3 × 3 points. */
const PARTIAL_VOLUME_SAMPLES = 3;

/**
 * Renders one scan: each voxel centre is mapped to pre-ablation world by `gridToPre` (identity for the
 * pre scan, T⁻¹ for the post scan) and classified; `ice`/`probes` (pre world) darken the post scan.
 *
 * With `partialVolume`, a voxel's signal is the mean over its volume, so a voxel an edge runs through takes
 * the mix of the tissues on either side, in proportion to their shares of the voxel (through a 3 mm
 * slice as well as in plane). A voxel whose 26 neighbours' centres all hold its own tissue is uniform;
 * any other is averaged over 3 × 3 × 3 points at the centres of its sub-boxes (the shares to 1/27).
 * Then the coil shading and the noise: Gaussian noise of SD σ on tissue, its magnitude |N(0, σ)| in
 * the air (a magnitude image of pure noise), one draw per voxel in index order.
 */
function render(
  grid: GridSpec,
  gridToPre: Mat4,
  anatomy: { kidneys: Ellipsoid[]; fat: Ellipsoid[]; tumor: readonly Ellipsoid[] },
  rng: Random,
  ice: readonly Ellipsoid[] | null,
  probes: ProbeArray | null,
  contrast: Contrast = T2,
  gridToPreBody: Mat4 | null = null,
  partialVolume = false,
): ScanImage {
  const [nx, ny, nz] = grid.dims;
  const n = nx * ny * nz;
  const m = grid.voxelToWorld;
  const g = gridToPre;
  const b = gridToPreBody;
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
  /** The tissue's signal (before shading and noise) at grid point (i, j, k), fractional indices allowed. */
  const signalAt = (i: number, j: number, k: number): number => {
    const wx = m[0] * i + m[1] * j + m[2] * k + m[3];
    const wy = m[4] * i + m[5] * j + m[6] * k + m[7];
    const wz = m[8] * i + m[9] * j + m[10] * k + m[11];
    const x = g[0] * wx + g[1] * wy + g[2] * wz + g[3];
    const y = g[4] * wx + g[5] * wy + g[6] * wz + g[7];
    const z = g[8] * wx + g[9] * wy + g[10] * wz + g[11];
    const bx = b ? b[0] * wx + b[1] * wy + b[2] * wz + b[3] : x;
    const by = b ? b[4] * wx + b[5] * wy + b[6] * wz + b[7] : y;
    let value = tissueAt(x, y, z, bx, by, anatomy.kidneys, anatomy.fat, anatomy.tumor, contrast);
    if (value > 0 && ice && insideUnion(ice, x, y, z)) value = VOID;
    if (value > 0 && shafts.length > 0) {
      for (const [a, c] of shafts) if (segmentDistanceSquared([x, y, z], a, c) <= SHAFT_RADIUS_MM ** 2) value = VOID;
    }
    return value;
  };
  const centre = new Float32Array(n);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, v++) centre[v] = signalAt(i, j, k);
  // Partial volume at the voxels next to a change of tissue.
  const signal = partialVolume ? centre.slice() : centre;
  const step = 1 / PARTIAL_VOLUME_SAMPLES;
  const offsets = Array.from({ length: PARTIAL_VOLUME_SAMPLES }, (_, s) => (s + 0.5) * step - 0.5);
  for (let k = 0, v = 0; partialVolume && k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        let uniform = true;
        for (let c = Math.max(0, k - 1); uniform && c <= Math.min(nz - 1, k + 1); c++)
          for (let bb = Math.max(0, j - 1); uniform && bb <= Math.min(ny - 1, j + 1); bb++)
            for (let a = Math.max(0, i - 1); a <= Math.min(nx - 1, i + 1); a++)
              if (centre[a + nx * (bb + ny * c)] !== centre[v]) {
                uniform = false;
                break;
              }
        if (uniform) continue;
        let sum = 0;
        for (const dk of offsets)
          for (const dj of offsets) for (const di of offsets) sum += signalAt(i + di, j + dj, k + dk);
        signal[v] = sum / PARTIAL_VOLUME_SAMPLES ** 3;
      }
  const data = new Int16Array(n);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        // Coil shading: brighter toward the posterior coil, ±15% (organ frame y at the voxel centre).
        const wx = m[0] * i + m[1] * j + m[2] * k + m[3];
        const wy = m[4] * i + m[5] * j + m[6] * k + m[7];
        const wz = m[8] * i + m[9] * j + m[10] * k + m[11];
        const y = g[4] * wx + g[5] * wy + g[6] * wz + g[7];
        const shading = 1 + 0.15 * Math.tanh(-y / 120);
        const value = signal[v];
        const noisy =
          value === 0
            ? Math.abs(SCAN_NOISE_SD * standardNormal(rng))
            : value * shading + SCAN_NOISE_SD * standardNormal(rng);
        data[v] = Math.max(0, Math.min(32767, Math.round(noisy)));
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

/** How the post-ablation scan departs from the plain T2 pair (every field off by default). */
export interface ScanOptions {
  /** "t1": the post scan has the T1-weighted-like contrast (default "t2", the pre scan's). */
  postContrast?: "t2" | "t1";
  /**
   * Breathing: the body wall, spine, muscles and soft tissue take another pose than the kidneys on the
   * post scan — relative to the kidneys' motion, a cranio-caudal shift of 5–15 mm (either sign), up to
   * 4 mm antero-posterior and 2 mm left-right, and a rotation of 0.5–2° about the body's axis origin.
   */
  breathing?: boolean;
  /**
   * Partial volume on both scans: each voxel the mean of the tissue over its volume (3 × 3 × 3 points
   * where an edge runs through it), so the voxels along every edge hold mixed intensities, as on a real
   * scan — across a 3 mm slice too. Off: each voxel shows the tissue at its centre.
   */
  partialVolume?: boolean;
}

/**
 * The body's pre → post transform under breathing: the kidneys' transform followed by the body's
 * displacement relative to them (see ScanOptions.breathing), drawn from `rng`.
 */
export function breathingBodyMotion(preToPost: Mat4, rng: Random): Mat4 {
  const relative = patientMotion(rng, 2, 0);
  const sign = rng.next() < 0.5 ? -1 : 1;
  relative[3] = uniform(rng, -2, 2);
  relative[7] = uniform(rng, -4, 4);
  relative[11] = sign * uniform(rng, 5, 15);
  return multiplyMat4(relative, preToPost);
}

/**
 * The pre- and post-ablation scans of a case (both kidneys drawn; the tumor and ice from the case).
 * With `roiMm`, each scan covers only the tumor's bounding box grown by roiMm on every side (on the post
 * scan, that box moved by the patient's motion): the voxels are those of the whole scan there.
 * `preToPost` is the kidneys' (the true) transform; with `options.breathing` the body's own transform
 * is drawn from `rng` before any voxel and returned as `bodyPreToPost` (else it is `preToPost`).
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
  options: ScanOptions = {},
): { pre: ScanImage; post: ScanImage; bodyPreToPost: Mat4 } {
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
  const bodyPreToPost = options.breathing ? breathingBodyMotion(preToPost, rng) : preToPost;
  return {
    pre: render(preScan, identityMat4(), anatomy, rng, null, null, T2, null, options.partialVolume),
    post: render(
      postScan,
      invertAffine(preToPost, "transform"),
      anatomy,
      rng,
      iceParts,
      probes,
      options.postContrast === "t1" ? T1 : T2,
      options.breathing ? invertAffine(bodyPreToPost, "transform") : null,
      options.partialVolume,
    ),
    bodyPreToPost,
  };
}
