/**
 * Rigid registration of the post-ablation scan (moving) to the pre-ablation scan (fixed), local to the
 * tumor: the strategy behind `cryomargin register`, the cohort pipeline's registration of cases
 * without a transform and the workstation page's Register step. Pure: elastix is injected (`RunElastix`,
 * elastixInterface.ts): loaders/register/registerScans.ts runs it in Node worker threads, the workstation
 * in Web Workers. See the README (`cryomargin register`) for the measured reasons.
 *
 * 1. Region of interest: the fixed image is cropped to the tumor mask's bounding box grown by
 *    `roiMarginMm` (elastix's Node API takes no mask; samples of fixed voxels outside the crop do not
 *    exist for it). Breathing moves the kidney against the spine and body wall; the crop keeps most of
 *    the still structures out of the metric.
 * 2. Capture range: a translation search in this thread scores a grid of offsets about the initial
 *    transform (±15 mm cranio-caudal in 3 mm steps, ±6 mm in-plane in 3 mm steps) by normalized mutual
 *    information over the ROI — without the tumor grown by `voidExclusionMm`, where the post scan shows
 *    the ice ball's signal void instead of tissue — and keeps the best few, apart by ≥ 4 mm, as starts.
 * 3. Multiple starts: elastix (rigid Euler, Mattes MI, 3 resolutions, adaptive stochastic gradient
 *    descent) runs from the initial transform and from each start, in worker threads; every result is
 *    scored by the same masked NMI and the best kept. elastix reports no metric value through its
 *    wasm interface, and its own metric cannot leave the void out, so the final choice is this one.
 * 4. Motion layers: breathing slides the kidney (with its fat, the tumor and the ice ball) against the
 *    body wall, spine and back muscles, and the ROI box holds some of both, so stage 3 settles between
 *    the two motions. elastix registers the other motion (both images averaged to BODY_VOXEL_MM voxels):
 *    on a field of view of at least BODY_MIN_FIELD_RATIO ROI boxes the whole image, whose answer follows
 *    the body, which fills it; on a smaller one (scans cropped around the tumor, where the whole image's
 *    answer stays near stage 3's) the field of view outside the ROI box, its voxels inside made
 *    uninformative. When it lies at least LAYER_MIN_SEPARATION_MM from stage 3's result (RMS over the
 *    tumor's target points), `layerRounds` rounds (default 3) each keep the ROI voxels whose 3 mm
 *    neighbourhood has a pointwise mutual information under the current result at least as high as
 *    under the other motion (motionLayers.ts), fill the others as the void is filled, and register
 *    again from the current result (the first round at 3 resolutions, the later ones at 2). Closer than
 *    that, the stage does nothing. The stage is refused (stage 3's result stands) when a round ends
 *    farther from stage 3's result than the other motion lies, or when the rounds drift instead of
 *    settling (LAYER_SETTLED_STEP_MM).
 * 4b. The nearer box, on a field of view under BODY_MIN_FIELD_RATIO ROI boxes where stage 4 did not
 *    change the result (the outer motion within LAYER_MIN_SEPARATION_MM, or the rounds refused): when
 *    the outer motion lies at least NEAR_MIN_SEPARATION_MM from stage 3's result, the scan shows a
 *    second motion beside the ROI's, and stages 2–3 run again on the tumor's box grown by
 *    NEAR_ROI_MARGIN_MM (less of the body wall, more of the kidney). That answer is the result when it
 *    lies farther from the outer motion than stage 3's result does (it leaves stage 3's compromise on
 *    the side away from the other motion); otherwise stage 3's result stands.
 * 5. Error estimate (when asked: `refineStarts`; `cryomargin register` asks for 4): elastix runs again
 *    from starts perturbed about the result (1.5° about one axis and 1.5 mm along another, about the
 *    tumor centroid; 2 resolutions), alternately on the voxels the result's registration used (the
 *    last round's motion layer, or the ROI box when stage 4 did not run) and on those of them within
 *    `roiMarginMm` of the tumor; with stage 4 they start about the last round's start and run beside
 *    it. The spread of the result and these runs, in the uncertainty model's terms (pooled per-axis SDs
 *    of rotation and of the tumor centroid's displacement, analysis/src/register/rigid.ts
 *    `rigidSpread`), is the registration's own error estimate. It measures how far the answer moves
 *    with the start and with the tissue the metric sees, not a bias every run shares (see the README
 *    for how it compares with the true error on synthetic pairs).
 * 6. Guard: a result turning by more than 20°, moving the ROI centre by more than 50 mm, or a stage 3
 *    that ends no better than where it started is refused ("registration failed: …").
 */
import { applyAffine, identityMat4, invertAffine, multiplyMat4, voxelSpacingMm } from "../margin/affine.js";
import { maskBounds } from "../margin/maskBounds.js";
import { maskCentroid } from "../margin/measure.js";
import type { MaskVolume, Mat4, Vec3 } from "../margin/types.js";
import { clampedBox, type IndexBox } from "../segment/box.js";
import {
  defaultRigidParameterMap,
  type ElastixParameterMap,
  elastixIterations,
  type FloatVolume,
  type RunElastix,
} from "./elastixInterface.js";
import { movesWithCandidate } from "./motionLayers.js";
import { normalizedMutualInformation, prepareNmiSamples } from "./mutualInformation.js";
import { type RigidMotionSize, type RigidSpread, rigidAbout, rigidMotionSize, rigidSpread } from "./rigid.js";
import { blockAveraged, cropVolume, fartherThanFromMask, regionOfInterest } from "./roi.js";
import { targetRegistrationErrorMm, tumorTargetPoints } from "./targets.js";

/** Options of `stagedRegistration`. */
export interface StagedRegistrationOptions {
  /** ROI = the mask's bounding box grown by this, mm (default 30). */
  roiMarginMm?: number;
  /** Fixed → moving world transform to start from (default identity). */
  initial?: Mat4;
  /** Number of elastix starts besides the initial transform (default 1). */
  extraStarts?: number;
  /** Tumor voxels grown by this (mm) are left out of the NMI: the ice ball's void on the post scan (default 10). */
  voidExclusionMm?: number;
  /** "roi" (default): the strategy above. "elastix-default": elastix's default rigid map alone, once (for comparison). */
  strategy?: "roi" | "elastix-default";
  /** elastix runs from perturbed starts about the result, for its error estimate (default 0: none, no estimate; `register` asks for 4). */
  refineStarts?: number;
  /**
   * Rounds of the motion-layer stage (default 3; 0 = none): each keeps the ROI voxels that match better
   * under the current result than under the whole image's (the body's) motion, and registers on them
   * again from the current result (motionLayers.ts).
   */
  layerRounds?: number;
  /**
   * Stage 4b on a field of view too small for stage 4 (default true): when the field of view outside the
   * ROI box moves otherwise than the ROI, stage 3 again on the nearer box (NEAR_ROI_MARGIN_MM).
   */
  nearRegion?: boolean;
  /** Make the excluded void region uninformative for elastix too (default true; see `uninformative`). */
  fillVoid?: boolean;
  /** elastix parameters that replace the defaults' (e.g. {NumberOfSpatialSamples: ["8192"]}). */
  parameterOverrides?: ElastixParameterMap;
  /** Called as each elastix run ends: runs finished and runs in all (the starts, then the error estimate's). */
  onProgress?: (finished: number, total: number) => void;
}

/** A registration's result. */
export interface RegistrationResult {
  /** Fixed (pre) world → moving (post) world, RAS mm. */
  fixedToMoving: Mat4;
  /** Masked NMI of the result and of the initial transform. */
  nmi: number;
  initialNmi: number;
  /** Rotation (deg) and displacement of the ROI centre (mm) of the result. */
  rotationDeg: number;
  translationMm: number;
  /** The ROI box on the fixed grid (inclusive voxel indices), or null for the whole image. */
  roiBox: IndexBox | null;
  /** Each elastix run: its start's offset from the initial transform (mm), the NMI it ended at, its iterations. */
  runs: { startOffsetMm: Vec3; nmi: number; iterations: number; seconds: number }[];
  /** Wall time, s. */
  seconds: number;
  /** Stage 3's result (the best start's), before the motion-layer rounds; the error estimate's runs do not change the result. */
  firstStage: Mat4;
  /** The error estimate's runs (fixed → moving), each from a perturbed start. */
  refined: Mat4[];
  /** The spread of the result and the error estimate's runs (rigidSpread), or null without those runs. */
  errorEstimate: RigidSpread | null;
  /**
   * Stage 4 (motion layers), or null when it did not run: no mask, `layerRounds` 0 or elastix-default.
   * On a fixed image under BODY_MIN_FIELD_RATIO times the ROI box's voxels, `bodyToResultMm` is the
   * distance of the outer field's motion (the field of view outside the ROI box).
   */
  layer: LayerStage | null;
  /** Stage 4b (the nearer region on a cropped field of view), or null when it did not run. */
  near: NearStage | null;
}

/** What stage 4b did: the outer field of view's motion, and the nearer box's answer against stage 3's. */
export interface NearStage {
  /** RMS distance (tumor target points) between the registration of the field of view outside the ROI box and stage 3's result, mm. */
  outerToResultMm: number;
  /** The nearer box's margin, mm, and its answer's distances from stage 3's result and from the outer motion, mm (NaN when it did not run). */
  nearMarginMm: number;
  nearToResultMm: number;
  nearToOuterMm: number;
  /** The nearer box's answer is the result. */
  used: boolean;
}

/** What stage 4 did: how far the body's motion lies from stage 3's result, its rounds and the share of ROI voxels kept. */
export interface LayerStage {
  /** RMS distance between the whole image's (the body's) transform and stage 3's result over the tumor's target points, mm. */
  bodyToResultMm: number;
  /** Rounds run (0 when the two transforms are within LAYER_MIN_SEPARATION_MM: one motion, nothing to separate). */
  rounds: number;
  /** Share of the ROI's voxels (outside the void) kept in the last round. */
  keptFraction: number;
  /** Each round's result's RMS distance from stage 3's over the tumor's target points, mm. */
  shiftsMm: readonly number[];
  /**
   * Stage 4 was refused and the result is stage 3's: a round ended farther from stage 3's result than
   * the body's motion lies (`bodyToResultMm`; the kidney's motion is on the other side of stage 3's
   * compromise, and nearer), or the rounds drifted instead of settling (LAYER_SETTLED_STEP_MM).
   */
  refused: boolean;
}

/**
 * Stage 4 runs only when the body's motion lies at least this far (RMS over the tumor's target points)
 * from stage 3's result: closer, the two motions cannot be told apart at the registration's precision
 * and the layer test would only split noise.
 */
export const LAYER_MIN_SEPARATION_MM = 1;

/**
 * Stage 4's rounds settle: each moves the result less than the one before. A round moving it by more
 * than the round before and by more than this (RMS over the tumor's target points; about the scatter
 * of elastix's own runs from nearby starts, whose spreads are 0.2–0.7 mm on the bench's pairs) means
 * the layer and the result feed each other away from both motions: stage 4 is refused.
 */
export const LAYER_SETTLED_STEP_MM = 0.5;

/** What is wrong: the result must not be used ("failed"), or the images do not overlap at the start. */
export type RegistrationProblem = "failed" | "outside-field-of-view";

/**
 * A registration that cannot give a transform. "failed": the message reads "registration failed: …"
 * (a result refused by the guard, or no better than the start); "outside-field-of-view": the moving
 * image does not overlap the fixed region of interest (the caller names the moving image's file).
 */
export class RegistrationError extends Error {
  override name = "RegistrationError";
  constructor(
    readonly problem: RegistrationProblem,
    readonly detail: string,
  ) {
    super(problem === "failed" ? `registration failed: ${detail}` : detail);
  }
}

/** `cryomargin register`'s defaults (the workstation's too): ROI = the tumor's box grown by this, mm. */
export const DEFAULT_ROI_MARGIN_MM = 30;
/** `cryomargin register`'s default number of error-estimate runs (`--error-runs`). */
export const DEFAULT_ERROR_RUNS = 4;

export const MAX_ROTATION_DEG = 20;
/** The error estimate's starts: the result turned by this about one axis and moved by PERTURBED_START_MM along another. */
export const PERTURBED_START_DEG = 1.5;
export const PERTURBED_START_MM = 1.5;
export const MAX_TRANSLATION_MM = 50;

/**
 * Refuses a registration result that is not a patient's motion between two scans: a rotation above
 * MAX_ROTATION_DEG or a displacement of `centre` (the ROI's) above MAX_TRANSLATION_MM. Returns the sizes.
 */
export function checkPlausibleMotion(fixedToMoving: Mat4, centre: Readonly<Vec3>): RigidMotionSize {
  const size = rigidMotionSize(fixedToMoving, centre);
  if (size.rotationDeg > MAX_ROTATION_DEG)
    throw new RegistrationError(
      "failed",
      `the result turns by ${size.rotationDeg.toFixed(1)}° (more than ${MAX_ROTATION_DEG}°): not a patient's motion between two scans`,
    );
  if (size.translationMm > MAX_TRANSLATION_MM)
    throw new RegistrationError(
      "failed",
      `the result moves the region of interest by ${size.translationMm.toFixed(1)} mm (more than ${MAX_TRANSLATION_MM} mm)`,
    );
  return size;
}

/**
 * Stage 4 takes the whole image's registration as the body's motion when the fixed image holds at
 * least this many times the ROI box's voxels: the whole image's registration follows the body only where
 * the body fills it. On a scan cropped near the ROI (data/cohort's tumor box ± 40 mm: 2.0–2.4×; ± 50 mm:
 * about 3×) it settles where stage 3 did (measured: 0.7 mm apart on the ± 50 mm pair of
 * test/register.test.ts); there stage 4 takes the field of view outside the ROI box instead, and stage
 * 4b may run. A full field of view (288 × 240 × 48 voxels) holds 16–32 ROI boxes (bench pairs).
 */
export const BODY_MIN_FIELD_RATIO = 4;

/**
 * Stage 4b's nearer box: the tumor's box grown by this (mm; at most the ROI's margin). Measured on
 * cropped hard pairs: see the README.
 */
export const NEAR_ROI_MARGIN_MM = 20;

/**
 * Stage 4b runs the nearer box only when the field of view outside the ROI box moves at least this far
 * (RMS over the tumor's target points) from stage 3's result. It is about the scatter of elastix's own
 * runs from nearby starts (LAYER_SETTLED_STEP_MM); closer, the scan shows one motion (data/cohort's
 * plain pairs: 0.1–0.4 mm).
 */
export const NEAR_MIN_SEPARATION_MM = 0.5;

/** The body's motion is registered on voxels of about this size (mm): it is needed to a few millimetres only. */
export const BODY_VOXEL_MM = 2.4;

/** Block factors taking a grid's voxels to about BODY_VOXEL_MM along each axis (1 where they are that size already). */
function bodyGridFactors(voxelToWorld: Mat4): [number, number, number] {
  return voxelSpacingMm(voxelToWorld).map((s) => Math.max(1, Math.floor(BODY_VOXEL_MM / s + 1e-6))) as [
    number,
    number,
    number,
  ];
}

/** Whether voxel `index` of a grid of `dims` lies in `box`. */
function insideBox(box: IndexBox, dims: readonly [number, number, number], index: number): boolean {
  const i = index % dims[0];
  const j = Math.floor(index / dims[0]) % dims[1];
  const k = Math.floor(index / (dims[0] * dims[1]));
  return i >= box.lo[0] && i <= box.hi[0] && j >= box.lo[1] && j <= box.hi[1] && k >= box.lo[2] && k <= box.hi[2];
}

/** The world centre of an index box on a grid. */
function boxCentre(box: IndexBox, voxelToWorld: Mat4): Vec3 {
  return applyAffine(voxelToWorld, [
    (box.lo[0] + box.hi[0]) / 2,
    (box.lo[1] + box.hi[1]) / 2,
    (box.lo[2] + box.hi[2]) / 2,
  ]);
}

/** The moving volume re-posed so that its world is the start's pre-image: elastix then starts at `start`. */
function reposed(moving: FloatVolume, start: Mat4): FloatVolume {
  return { ...moving, voxelToWorld: multiplyMat4(invertAffine(start, "transform"), moving.voxelToWorld) };
}

/**
 * The fixed image with every voxel that `include` leaves out replaced by the value of a randomly drawn
 * included voxel (a fixed-seed xorshift): those voxels then carry no information about the transform —
 * the joint histogram of their values with any moving values is, in expectation, the product of the
 * marginals, so they add no gradient to the mutual information. This is how a region is kept from
 * steering elastix, whose Node API takes no mask.
 */
function uninformative(volume: FloatVolume, include: (index: number) => boolean): FloatVolume {
  const kept: number[] = [];
  const data = Float32Array.from(volume.data);
  for (let i = 0; i < data.length; i++) if (include(i)) kept.push(data[i]);
  if (kept.length === 0) return volume;
  let state = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    if (include(i)) continue;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    data[i] = kept[(state >>> 0) % kept.length];
  }
  return { ...volume, data };
}

/**
 * Registers `moving` (post) to `fixed` (pre) around `mask` (the tumor, in pre-ablation world on any grid; null = whole
 * image, no void exclusion), running elastix through `runElastix`. See the module comment for the strategy.
 * Throws RegistrationError ("failed" or "outside-field-of-view") and whatever `runElastix` throws.
 */
export async function stagedRegistration(
  fixed: FloatVolume,
  moving: FloatVolume,
  mask: MaskVolume | null,
  runElastix: RunElastix,
  options: StagedRegistrationOptions = {},
): Promise<RegistrationResult> {
  const started = performance.now();
  const roiMarginMm = options.roiMarginMm ?? DEFAULT_ROI_MARGIN_MM;
  const initial = options.initial ?? identityMat4();
  const box = mask ? regionOfInterest(mask, roiMarginMm, fixed) : null;
  if (mask && !box)
    throw new RegistrationError("failed", "the region of interest (the mask's box) lies outside the fixed image");
  const parameterMaps = [{ ...defaultRigidParameterMap(), ...options.parameterOverrides }];
  /**
   * Stage 1–2 on a box of the fixed grid (null: the whole image): the crop, the voxels outside the void,
   * the masked NMI, and the starts (the initial transform and the best offsets of the capture-range grid).
   */
  const prepareRegion = (regionBox: IndexBox | null) => {
    const image: FloatVolume = regionBox ? cropVolume(fixed.data, fixed.dims, fixed.voxelToWorld, regionBox) : fixed;
    const outside = mask ? fartherThanFromMask(mask, options.voidExclusionMm ?? 10, image) : undefined;
    const forElastix = outside && options.fillVoid !== false ? uninformative(image, outside) : image;
    const samples = prepareNmiSamples(image, moving, { include: outside });
    const regionCentre = boxCentre(regionBox ?? clampedBox([0, 0, 0], fixed.dims, fixed.dims), fixed.voxelToWorld);
    const offsets: Vec3[] = [[0, 0, 0]];
    if (options.strategy !== "elastix-default") {
      const coarse = prepareNmiSamples(image, moving, { include: outside, step: 2 });
      const grid: { offset: Vec3; nmi: number }[] = [];
      for (let dz = -15; dz <= 15; dz += 3)
        for (let dy = -6; dy <= 6; dy += 3)
          for (let dx = -6; dx <= 6; dx += 3) {
            const offset: Vec3 = [dx, dy, dz];
            const r = normalizedMutualInformation(
              coarse,
              moving,
              multiplyMat4(rigidAbout([0, 0, 0], regionCentre, offset), initial),
            );
            if (r.insideFraction >= 0.5) grid.push({ offset, nmi: r.nmi });
          }
      grid.sort((a, b) => b.nmi - a.nmi);
      for (const g of grid) {
        if (offsets.length > (options.extraStarts ?? 1)) break;
        if (offsets.every((o) => Math.hypot(o[0] - g.offset[0], o[1] - g.offset[1], o[2] - g.offset[2]) >= 4))
          offsets.push(g.offset);
      }
    }
    return {
      image,
      outside,
      forElastix,
      centre: regionCentre,
      offsets,
      score: (t: Mat4) => normalizedMutualInformation(samples, moving, t),
    };
  };
  const roi = prepareRegion(box);
  const fixedRoi = roi.image;
  const outsideVoid = roi.outside;
  const fixedForElastix = roi.forElastix;
  const score = roi.score;
  const centre = roi.centre;
  const initialScore = score(initial);
  if (!(initialScore.insideFraction >= 0.5))
    throw new RegistrationError(
      "outside-field-of-view",
      `does not overlap the fixed image: ${(100 * (initialScore.insideFraction || 0)).toFixed(0)} % of the fixed region of interest maps inside the moving image at the initial transform`,
    );

  const refineStarts = options.strategy === "elastix-default" || !mask ? 0 : (options.refineStarts ?? 0);
  // The whole image shows the body's motion on a field of view well beyond the ROI (BODY_MIN_FIELD_RATIO).
  const bodyVisible = fixedRoi.data.length * BODY_MIN_FIELD_RATIO <= fixed.data.length;
  const layerRounds = options.strategy === "elastix-default" || !outsideVoid ? 0 : (options.layerRounds ?? 3);
  // Stage 4b: on a smaller field of view, the nearer box (when it is smaller than the ROI box).
  const nearBox =
    mask && box && outsideVoid && !bodyVisible && options.strategy !== "elastix-default" && options.nearRegion !== false
      ? regionOfInterest(mask, Math.min(NEAR_ROI_MARGIN_MM, roiMarginMm), fixed)
      : null;
  const nearRegion = nearBox?.dims.some((n, a) => n < (box?.dims[a] ?? 0)) ? nearBox : null;
  // The nearer box is prepared (cropped, its starts searched) only when stage 4b registers it; the
  // progress counts its most starts (stage 2 keeps 1 + extraStarts at most) and the unused as done.
  const nearStarts = nearRegion ? 1 + (options.extraStarts ?? 1) : 0;
  const totalRuns =
    roi.offsets.length +
    (layerRounds > 0 || nearRegion ? 1 : 0) +
    layerRounds +
    nearStarts +
    (outsideVoid ? refineStarts : 0);
  let finishedRuns = 0;
  const ran = <T>(result: T): T => {
    options.onProgress?.(++finishedRuns, totalRuns);
    return result;
  };
  /** Stage 3 on a prepared region: elastix from each start, every result scored by the region's masked NMI. */
  const runStarts = (region: ReturnType<typeof prepareRegion>) =>
    Promise.all(
      region.offsets.map(async (offset) => {
        const start = multiplyMat4(rigidAbout([0, 0, 0], region.centre, offset), initial);
        const r = ran(
          await runElastix(
            parameterMaps,
            options.strategy === "elastix-default" ? region.image : region.forElastix,
            reposed(moving, start),
          ),
        );
        const fixedToMoving = multiplyMat4(start, r.fixedToMoving);
        return {
          offset,
          fixedToMoving,
          nmi: region.score(fixedToMoving).nmi,
          iterations: elastixIterations(parameterMaps),
          seconds: r.seconds,
        };
      }),
    );
  const runsDone = runStarts(roi);
  // The other motion for stages 4 and 4b, from the initial transform with both images averaged to
  // BODY_VOXEL_MM voxels: the whole fixed image (which the body fills) on a full field of view, else
  // the field of view outside the ROI box (its voxels inside made uninformative).
  const bodyRun =
    layerRounds > 0 || nearRegion
      ? runElastix(
          parameterMaps,
          blockAveraged(
            bodyVisible || !box ? fixed : uninformative(fixed, (i) => !insideBox(box, fixed.dims, i)),
            bodyGridFactors(fixed.voxelToWorld),
          ),
          reposed(blockAveraged(moving, bodyGridFactors(moving.voxelToWorld)), initial),
        ).then((r) => ran(multiplyMat4(initial, r.fixedToMoving)))
      : null;
  const runs = await runsDone;
  const best = runs.reduce((a, b) => (b.nmi > a.nmi ? b : a));
  let result = best.fixedToMoving;
  let layer: (LayerStage & { shiftsMm: number[] }) | null = null;
  // The voxels the result's registration used (for the error estimate's runs) and their image for elastix.
  let used = outsideVoid;
  let fixedUsed = fixedForElastix;
  const refined: Mat4[] = [];
  let errorEstimate: RigidSpread | null = null;
  const tumorCentre = mask ? maskCentroid(mask, maskBounds(mask)) : centre;
  const beyond = mask && refineStarts > 0 ? fartherThanFromMask(mask, roiMarginMm, fixedRoi) : null;
  /**
   * Stage 5's runs: elastix from starts perturbed about `about` (1.5° about one axis and 1.5 mm along
   * another, about the tumor centroid; 2 resolutions), alternately on the voxels the result's
   * registration used and on those of them within roiMarginMm of the tumor (a shell: the box's corners
   * left out).
   */
  const errorRuns = (about: Mat4): Promise<Mat4>[] => {
    if (!beyond || !used) return [];
    const inUse = used;
    const fixedShell = uninformative(fixedRoi, (i) => inUse(i) && !beyond(i));
    const degree = Math.PI / 180;
    const refineMaps = parameterMaps.map((map) => ({ ...map, NumberOfResolutions: ["2"] }));
    return Array.from({ length: refineStarts }, async (_, k) => {
      const sign = k % 4 < 2 ? 1 : -1;
      const omega: Vec3 = [0, 0, 0];
      const t: Vec3 = [0, 0, 0];
      omega[k % 3] = sign * PERTURBED_START_DEG * degree;
      t[(k + 1) % 3] = -sign * PERTURBED_START_MM;
      const start = multiplyMat4(about, rigidAbout(omega, tumorCentre, t));
      const r = ran(await runElastix(refineMaps, k % 2 === 0 ? fixedUsed : fixedShell, reposed(moving, start)));
      return multiplyMat4(start, r.fixedToMoving);
    });
  };
  let pendingErrorRuns: Promise<Mat4>[] | null = null;
  if (bodyRun && layerRounds > 0 && mask && outsideVoid) {
    // Stage 4, the motion layers: the other motion (the whole image's or the outer field's) against the
    // result; while they differ, register again on the ROI voxels the result explains at least as
    // well. The last round runs beside stage 5's runs (started about the previous round's result).
    const body = await bodyRun;
    const targets = tumorTargetPoints(mask);
    const separationMm = targetRegistrationErrorMm(targets, body, result);
    layer = { bodyToResultMm: separationMm, rounds: 0, keptFraction: 1, shiftsMm: [], refused: false };
    if (separationMm >= LAYER_MIN_SEPARATION_MM) {
      const spacing = voxelSpacingMm(fixed.voxelToWorld);
      let included = 0;
      for (let i = 0; i < fixedRoi.data.length; i++) if (outsideVoid(i)) included++;
      let previousStepMm = Number.POSITIVE_INFINITY;
      for (let round = 0; round < layerRounds; round++) {
        const keep = movesWithCandidate(fixedRoi, moving, result, body, outsideVoid, spacing);
        let kept = 0;
        for (let i = 0; i < fixedRoi.data.length; i++) if (keep(i)) kept++;
        used = keep;
        fixedUsed = uninformative(fixedRoi, keep);
        if (round === layerRounds - 1) pendingErrorRuns = errorRuns(result);
        // The first round starts where stage 3 ended, up to a few mm off; later ones near their answer (2 resolutions).
        const maps = round === 0 ? parameterMaps : parameterMaps.map((map) => ({ ...map, NumberOfResolutions: ["2"] }));
        const r = ran(await runElastix(maps, fixedUsed, reposed(moving, result)));
        const next = multiplyMat4(result, r.fixedToMoving);
        const stepMm = targetRegistrationErrorMm(targets, next, result);
        const shiftMm = targetRegistrationErrorMm(targets, next, best.fixedToMoving);
        layer.shiftsMm.push(shiftMm);
        layer.keptFraction = kept / Math.max(1, included);
        result = next;
        layer.rounds = round + 1;
        // Refused: a round farther from stage 3 than the body's motion lies (the kidney's motion is on
        // the other side of stage 3's compromise, and nearer), or one that moves by more than the
        // round before it and more than LAYER_SETTLED_STEP_MM (the rounds drift instead of settling).
        if (shiftMm > separationMm || (stepMm > previousStepMm && stepMm > LAYER_SETTLED_STEP_MM)) {
          layer.refused = true;
          for (let rest = round + 1; rest < layerRounds; rest++) ran(null);
          break;
        }
        previousStepMm = stepMm;
      }
      if (layer.refused) {
        // Stage 3's result stands; the error runs (if any) start about it, on the ROI box.
        if (pendingErrorRuns) await Promise.allSettled(pendingErrorRuns);
        pendingErrorRuns = null;
        result = best.fixedToMoving;
        used = outsideVoid;
        fixedUsed = fixedForElastix;
      }
    } else for (let round = 0; round < layerRounds; round++) ran(null);
  }
  let nearStage: NearStage | null = null;
  if (nearRegion && bodyRun && mask && layer && layer.rounds > 0 && !layer.refused)
    for (let k = 0; k < nearStarts; k++) ran(null);
  else if (nearRegion && bodyRun && mask) {
    // Stage 4b (stage 4 left the result as it was): when the ROI and the field of view beyond it
    // disagree (two motions), the nearer box's answer, kept when it lies farther from the outer motion
    // than stage 3's does (it leaves the compromise on the side away from the other motion).
    const targets = tumorTargetPoints(mask);
    const outer = await bodyRun;
    const outerToResultMm = targetRegistrationErrorMm(targets, outer, result);
    nearStage = {
      outerToResultMm,
      nearMarginMm: Math.min(NEAR_ROI_MARGIN_MM, roiMarginMm),
      nearToResultMm: Number.NaN,
      nearToOuterMm: Number.NaN,
      used: false,
    };
    if (outerToResultMm >= NEAR_MIN_SEPARATION_MM) {
      const near = prepareRegion(nearRegion);
      const nearRuns = await runStarts(near);
      for (let k = near.offsets.length; k < nearStarts; k++) ran(null);
      const nearBest = nearRuns.reduce((a, b) => (b.nmi > a.nmi ? b : a)).fixedToMoving;
      nearStage.nearToResultMm = targetRegistrationErrorMm(targets, nearBest, result);
      nearStage.nearToOuterMm = targetRegistrationErrorMm(targets, nearBest, outer);
      nearStage.used = nearStage.nearToOuterMm > outerToResultMm;
      if (nearStage.used) result = nearBest;
    } else for (let k = 0; k < nearStarts; k++) ran(null);
  }
  if (refineStarts > 0 && mask && outsideVoid) {
    // Stage 5, the error estimate: the spread of the result and the runs from perturbed starts is how
    // far the answer moves with the start and with the tissue the metric sees.
    const results = await Promise.all(pendingErrorRuns ?? errorRuns(result));
    refined.push(...results);
    errorEstimate = rigidSpread(result, [result, ...results], tumorCentre);
  }
  const size = checkPlausibleMotion(result, centre);
  if (!(best.nmi + 1e-4 >= initialScore.nmi))
    throw new RegistrationError(
      "failed",
      `did not converge: no start ended with a better match than the initial transform (NMI ${best.nmi.toFixed(4)} vs ${initialScore.nmi.toFixed(4)})`,
    );
  return {
    fixedToMoving: result,
    nmi: score(result).nmi,
    initialNmi: initialScore.nmi,
    rotationDeg: size.rotationDeg,
    translationMm: size.translationMm,
    roiBox: box,
    runs: runs.map((r) => ({ startOffsetMm: r.offset, nmi: r.nmi, iterations: r.iterations, seconds: r.seconds })),
    seconds: (performance.now() - started) / 1000,
    firstStage: best.fixedToMoving,
    refined,
    errorEstimate,
    layer,
    near: nearStage,
  };
}
