/**
 * The staged strategy's plumbing with elastix replaced by a runner whose answer is known: the starts'
 * composition (each run sees the moving image re-posed by its start; start · answer is the result), the
 * region of interest handed to elastix, the motion layers' rounds and their refusal, the guard, the
 * non-overlap error, progress and the error estimate's runs. elastix itself runs in test/register.test.ts (Node) and the workstation's e2e test
 * (chromium).
 */
import { describe, expect, it } from "vitest";
import { invertAffine, multiplyMat4 } from "../margin/affine.js";
import type { MaskVolume, Mat4 } from "../margin/types.js";
import type { ElastixParameterMap, FloatVolume, RunElastix } from "./elastixInterface.js";
import { rigidAbout, rigidMotionSize } from "./rigid.js";
import { RegistrationError, stagedRegistration } from "./stagedRegistration.js";

const DIMS: [number, number, number] = [48, 48, 24];
/** 2 × 2 × 3 mm voxels, origin at (−48, −48, −36) mm. */
const GRID: Mat4 = Float64Array.from([2, 0, 0, -48, 0, 2, 0, -48, 0, 0, 3, -36, 0, 0, 0, 1]);
/** Tumor: a sphere of radius 8 mm about the grid's centre. */
const CENTRE = [0, 0, 0];

/** A textured scan: smooth waves of three frequencies and a dark sphere (the tumor), world-fixed. */
function scan(voxelToWorld: Mat4): FloatVolume {
  const [nx, ny, nz] = DIMS;
  const data = new Float32Array(nx * ny * nz);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        // Texture in the scan's own voxel frame: the moving scan is the same object posed elsewhere.
        const [x, y, z] = [2 * i - 48, 2 * j - 48, 3 * k - 36];
        const r = Math.hypot(x - CENTRE[0], y - CENTRE[1], z - CENTRE[2]);
        data[v] = 100 + 40 * Math.sin(x / 7) * Math.cos(y / 11) + 30 * Math.sin(z / 9 + x / 13) + (r < 8 ? -80 : 0);
      }
  return { dims: DIMS, voxelToWorld, data };
}

function tumorMask(): MaskVolume {
  const [nx, ny, nz] = DIMS;
  const data = new Uint8Array(nx * ny * nz);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) data[v] = Math.hypot(2 * i - 48, 2 * j - 48, 3 * k - 36) < 8 ? 1 : 0;
  return { dims: DIMS, voxelToWorld: GRID, data };
}

/** The true pre → post motion: 3° about z, 4° about x, then (2, −3, 4) mm. */
const TRUTH = rigidAbout([(4 * Math.PI) / 180, 0, (3 * Math.PI) / 180], [0, 0, 0], [2, -3, 4]);
const fixed = scan(GRID);
/** The post scan: the same object, its world moved by TRUTH (moving world = TRUTH · fixed world). */
const moving = scan(multiplyMat4(TRUTH, GRID));

/**
 * An elastix that always finds `answer` (fixed → moving of the un-posed moving image): handed a moving
 * image re-posed by a start S (voxel-to-world S⁻¹ · M), it returns S⁻¹ · answer, so that S · result = answer.
 */
function knownAnswer(
  answer: Mat4 | ((call: number, fixed: FloatVolume) => Mat4),
  calls: { maps: ElastixParameterMap[]; fixed: FloatVolume }[],
): RunElastix {
  return async (maps, f, m) => {
    calls.push({ maps, fixed: f });
    const startInverse = multiplyMat4(m.voxelToWorld, invertAffine(moving.voxelToWorld, "options"));
    const found = typeof answer === "function" ? answer(calls.length - 1, f) : answer;
    return { fixedToMoving: multiplyMat4(startInverse, found), seconds: 0 };
  };
}

describe("stagedRegistration with an injected elastix", () => {
  it("composes each start with elastix's answer, crops the ROI, reports progress and keeps the best", async () => {
    const calls: { maps: ElastixParameterMap[]; fixed: FloatVolume }[] = [];
    const progress: [number, number][] = [];
    const result = await stagedRegistration(fixed, moving, tumorMask(), knownAnswer(TRUTH, calls), {
      roiMarginMm: 10,
      initial: rigidAbout([0, 0.02, 0], [5, 0, 0], [1, 1, -2]),
      onProgress: (done, total) => progress.push([done, total]),
    });
    for (let e = 0; e < 16; e++) expect(result.fixedToMoving[e]).toBeCloseTo(TRUTH[e], 9);
    expect(result.nmi).toBeGreaterThan(result.initialNmi);
    expect(result.rotationDeg).toBeCloseTo(rigidMotionSize(TRUTH, [0, 0, 0]).rotationDeg, 6);
    // Two starts (the initial transform and the best grid offset), two elastix runs.
    expect(result.runs).toHaveLength(2);
    // Both starts (the initial transform and a grid offset from it) end at the truth, so at one NMI.
    expect(result.runs[1].startOffsetMm).not.toEqual([0, 0, 0]);
    expect(result.runs[1].nmi).toBeCloseTo(result.runs[0].nmi, 9);
    // … and the whole image (stage 4's body motion: the grid holds 17 ROI boxes); it agrees with the
    // result, so there is one motion and no layer rounds (counted as done in the progress).
    expect(calls).toHaveLength(3);
    expect(calls[2].fixed.dims).toEqual(DIMS);
    expect(result.layer).toMatchObject({ rounds: 0, refused: false });
    expect(result.layer?.bodyToResultMm).toBeLessThan(1e-6);
    expect(progress.map(([, total]) => total)).toEqual([6, 6, 6, 6, 6, 6]);
    expect(progress.at(-1)).toEqual([6, 6]);
    // elastix sees the ROI: the tumor's voxels (x, y = 2i − 48 within ±8 mm: i = 21…27; z = 3k − 36:
    // k = 10…14) grown by 10 mm (5 voxels in-plane, 3.33 slices): i, j = 16…32, k = 7…17.
    expect(result.roiBox?.lo).toEqual([16, 16, 7]);
    expect(calls[0].fixed.dims).toEqual([17, 17, 11]);
    // … with the void region (tumor + 10 mm) uninformative: its voxels replaced by values drawn from outside it.
    const centreVoxel = 8 + 17 * (8 + 17 * 5);
    const roiCentreValue = fixed.data[24 + 48 * (24 + 48 * 12)];
    expect(calls[0].fixed.data[centreVoxel]).not.toBe(roiCentreValue);
    expect(calls[0].maps[0].Transform).toEqual(["EulerTransform"]);
  });

  it("the error estimate's runs: 2-resolution maps from perturbed starts; a runner that always agrees gives zero spread", async () => {
    const calls: { maps: ElastixParameterMap[]; fixed: FloatVolume }[] = [];
    const result = await stagedRegistration(fixed, moving, tumorMask(), knownAnswer(TRUTH, calls), {
      roiMarginMm: 10,
      refineStarts: 2,
    });
    // The two starts, the whole image (stage 4, one motion: no rounds), then the two error runs.
    expect(calls.map((c) => c.maps[0].NumberOfResolutions[0])).toEqual(["3", "3", "3", "2", "2"]);
    expect(result.refined).toHaveLength(2);
    expect(result.errorEstimate?.rotationSdDeg).toBeLessThan(1e-6);
    expect(result.errorEstimate?.translationSdMm).toBeLessThan(1e-6);
  });

  it("stage 4: with the whole image (the body) elsewhere, three layer rounds on the ROI; refused (stage 3's result) when a round ends farther from stage 3 than the body or the rounds drift", async () => {
    // The body moved 6 mm apart from the kidney (TRUTH); the ROI's runs find TRUTH.
    const body = multiplyMat4(rigidAbout([0, 0, 0], [0, 0, 0], [0, 0, 6]), TRUTH);
    const isWhole = (f: FloatVolume) => f.dims[0] === DIMS[0] && f.dims[1] === DIMS[1] && f.dims[2] === DIMS[2];
    const calls: { maps: ElastixParameterMap[]; fixed: FloatVolume }[] = [];
    const result = await stagedRegistration(
      fixed,
      moving,
      tumorMask(),
      knownAnswer((_, f) => (isWhole(f) ? body : TRUTH), calls),
      { roiMarginMm: 10 },
    );
    expect(result.layer?.bodyToResultMm).toBeCloseTo(6, 6);
    expect(result.layer).toMatchObject({ rounds: 3, refused: false });
    expect(calls.map((c) => c.maps[0].NumberOfResolutions[0])).toEqual(["3", "3", "3", "3", "2", "2"]);
    // The rounds register the ROI (17 × 17 × 11 voxels) with the voxels that match the body better filled.
    for (const c of calls.slice(3)) expect(c.fixed.dims).toEqual([17, 17, 11]);
    for (let e = 0; e < 16; e++) expect(result.fixedToMoving[e]).toBeCloseTo(TRUTH[e], 9);
    // A first round that lands 10 mm from stage 3's answer (farther than the body's 6 mm) is refused,
    // the rounds after it are not run, and the result stays stage 3's.
    const astray = multiplyMat4(rigidAbout([0, 0, 0], [0, 0, 0], [10, 0, 0]), TRUTH);
    const refusedCalls: { maps: ElastixParameterMap[]; fixed: FloatVolume }[] = [];
    const refused = await stagedRegistration(
      fixed,
      moving,
      tumorMask(),
      knownAnswer((call, f) => (isWhole(f) ? body : call >= 3 ? astray : TRUTH), refusedCalls),
      { roiMarginMm: 10 },
    );
    expect(refused.layer).toMatchObject({ rounds: 1, refused: true });
    expect(refused.layer?.shiftsMm[0]).toBeCloseTo(10, 6);
    expect(refusedCalls).toHaveLength(4);
    for (let e = 0; e < 16; e++) expect(refused.fixedToMoving[e]).toBeCloseTo(TRUTH[e], 9);
    // Rounds that drift (0.6, then 1.5, then 2.8 mm from stage 3: a second step of 0.9 mm, larger than
    // the first and than 0.5 mm) are refused at the second round, though still nearer than the body.
    const drift = [0.6, 1.5, 2.8].map((x) => multiplyMat4(rigidAbout([0, 0, 0], [0, 0, 0], [x, 0, 0]), TRUTH));
    const drifting = await stagedRegistration(
      fixed,
      moving,
      tumorMask(),
      knownAnswer((call, f) => (isWhole(f) ? body : call >= 3 ? drift[call - 3] : TRUTH), []),
      { roiMarginMm: 10 },
    );
    expect(drifting.layer).toMatchObject({ rounds: 2, refused: true });
    expect(drifting.layer?.shiftsMm.map((v) => Math.round(v * 10) / 10)).toEqual([0.6, 1.5]);
    for (let e = 0; e < 16; e++) expect(drifting.fixedToMoving[e]).toBeCloseTo(TRUTH[e], 9);
  });

  it("on a field of view under 4 ROI boxes: stage 4 against the outer field's motion; stage 4b (the nearer box) where stage 4 leaves the result, kept when it leaves the outer motion; nothing when one motion", async () => {
    // ROI margin 30 mm: the ROI box (37 × 37 × 24 voxels) is over a quarter of the 48 × 48 × 24 grid. The
    // outer field (the whole grid, its ROI box made uninformative) is registered instead of the whole
    // image. The ROI's runs settle at 1 mm along x from TRUTH; the nearer box (tumor box + 20 mm) finds
    // `nearAnswer`.
    const shifted = (mm: number) => multiplyMat4(rigidAbout([0, 0, 0], [0, 0, 0], [mm, 0, 0]), TRUTH);
    const isWhole = (f: FloatVolume) => f.dims[0] === DIMS[0];
    const isNear = (f: FloatVolume) => f.dims[0] === 27;
    const run = (nearAnswer: Mat4, outer: Mat4) => {
      const calls: { maps: ElastixParameterMap[]; fixed: FloatVolume }[] = [];
      const runner = knownAnswer((_, f) => (isWhole(f) ? outer : isNear(f) ? nearAnswer : shifted(1)), calls);
      return stagedRegistration(fixed, moving, tumorMask(), runner, { roiMarginMm: 30 }).then((r) => ({ r, calls }));
    };
    // The outer field 6 mm away (≥ 1 mm): stage 4's three rounds on the ROI; they keep its answer, so
    // stage 4b does not run.
    const { r: layered, calls: layerCalls } = await run(TRUTH, shifted(7));
    expect(layered.layer).toMatchObject({ rounds: 3, refused: false });
    expect(layered.layer?.bodyToResultMm).toBeCloseTo(6, 6);
    expect(layered.near).toBeNull();
    expect(layerCalls.map((c) => c.fixed.dims[0])).toEqual([37, 37, 48, 37, 37, 37]);
    // The outer field's image: the ROI box's voxels replaced (uninformative), those beyond it kept.
    expect(layerCalls[2].fixed.data[0]).toBe(fixed.data[0]);
    // The outer field 0.8 mm away (under stage 4's 1 mm, over 4b's 0.5 mm): the nearer box's answer,
    // 1.8 mm from the outer motion (farther than stage 3's 0.8), is the result.
    const { r: used, calls } = await run(TRUTH, shifted(1.8));
    expect(used.layer).toMatchObject({ rounds: 0 });
    expect(used.near).toMatchObject({ nearMarginMm: 20, used: true });
    expect(used.near?.outerToResultMm).toBeCloseTo(0.8, 6);
    expect(used.near?.nearToResultMm).toBeCloseTo(1, 6);
    expect(used.near?.nearToOuterMm).toBeCloseTo(1.8, 6);
    for (let e = 0; e < 16; e++) expect(used.fixedToMoving[e]).toBeCloseTo(TRUTH[e], 9);
    for (let e = 0; e < 16; e++) expect(used.firstStage[e]).toBeCloseTo(shifted(1)[e], 9);
    // The ROI's two starts and the outer field at once, then the nearer box's two starts: tumor box
    // (i = 21…27) + 20 mm (10 voxels) = i 11…37, 27 voxels.
    expect(calls.map((c) => c.fixed.dims[0])).toEqual([37, 37, 48, 27, 27]);
    // A nearer answer that moves toward the outer motion is refused: stage 3's result stands.
    const { r: refused } = await run(shifted(1.5), shifted(1.8));
    expect(refused.near).toMatchObject({ used: false });
    for (let e = 0; e < 16; e++) expect(refused.fixedToMoving[e]).toBeCloseTo(shifted(1)[e], 9);
    // One motion (the outer field within 0.5 mm of the ROI's answer): the nearer box is not registered.
    const { r: one, calls: oneCalls } = await run(TRUTH, shifted(1.3));
    expect(one.near).toMatchObject({ used: false });
    expect(one.near?.nearToResultMm).toBeNaN();
    expect(oneCalls).toHaveLength(3);
    for (let e = 0; e < 16; e++) expect(one.fixedToMoving[e]).toBeCloseTo(shifted(1)[e], 9);
  });

  it("refuses a result turning by more than 20° as 'registration failed', and images that do not overlap", async () => {
    const turned = rigidAbout([(25 * Math.PI) / 180, 0, 0], [0, 0, 0], [0, 0, 0]);
    await expect(stagedRegistration(fixed, moving, tumorMask(), knownAnswer(turned, []), {})).rejects.toThrow(
      /^registration failed: the result turns by 25\.0°/,
    );
    const far = { ...moving, voxelToWorld: multiplyMat4(rigidAbout([0, 0, 0], [0, 0, 0], [0, 0, 400]), GRID) };
    const error = await stagedRegistration(fixed, far, tumorMask(), knownAnswer(TRUTH, []), {}).catch((e) => e);
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error.problem).toBe("outside-field-of-view");
    expect(error.message).toMatch(/^does not overlap the fixed image: 0 %/);
  });
});
