/**
 * How well `cryomargin segment` does on synthetic cases whose truth is known: cases of the synthetic
 * cohort rendered as scans (analysis/src/synth/images.ts) on grids cropped around the tumor and the
 * ice ball (the same voxel centres as the full scans), the tumor segmented from simulated outlines on
 * three axial slices and one sagittal, the ice ball from one click at its deepest point, and the
 * segmented masks compared with the true ones: Dice, HD95 and the MTM. Used by
 * test/segment-synth.test.ts and bench/segment.ts.
 */
import {
  boxAround,
  type CohortPlan,
  createRandom,
  deepestPointRas,
  diceCoefficient,
  feasibleIceballVolumes,
  finishSyntheticCase,
  finishTumorSegmentation,
  type GridSpec,
  hausdorff95Mm,
  type IndexBox,
  iceMask,
  type MaskVolume,
  type Mat4,
  measureMargins,
  multiplyMat4,
  perturbScan,
  planTumorInterpolation,
  prepareSyntheticCase,
  SCAN_NOISE_SD,
  type ScanImage,
  segmentIceball,
  simulatedScribbles,
  synthesizeScans,
  voxelizeUnion,
  voxelSpacingMm,
} from "@cryomargin/analysis";
import { interpolateContours } from "./contourInterpolation.js";

/** How the scans are rendered: the tissue at each voxel centre, or the mean over each voxel (ScanOptions.partialVolume; the default here). */
export type ScanRendering = "voxel centres" | "partial volume";

/** One synthetic case ready for segmentation: scans and true masks on cropped grids. */
export interface SegmentationCase {
  caseId: string;
  rendering: ScanRendering;
  pre: ScanImage;
  post: ScanImage;
  tumorTruth: MaskVolume;
  iceTruth: MaskVolume;
  preToPost: Mat4;
  /** The margin engine's MTM of the true masks: what the segmented masks' MTM is held to, for every scan variant. */
  mtmTrueMm: number;
}

/** The grid of `box` inside `grid` (same voxel centres). */
function croppedGrid(grid: GridSpec, box: IndexBox): GridSpec {
  const shift = new Float64Array(16);
  shift[0] = shift[5] = shift[10] = shift[15] = 1;
  shift[3] = box.lo[0];
  shift[7] = box.lo[1];
  shift[11] = box.lo[2];
  return { dims: box.dims, voxelToWorld: multiplyMat4(grid.voxelToWorld, shift) };
}

/** Margin (mm) around the true masks kept in the cropped scans. */
const CROP_MARGIN_MM = 45;

/** A box of `dims` voxels centred on `box` (it may reach beyond the original grid: the lattice goes on). */
function centredBox(box: IndexBox, dims: [number, number, number]): IndexBox {
  const lo = [0, 1, 2].map((a) => Math.round((box.lo[a] + box.hi[a]) / 2 - dims[a] / 2)) as [number, number, number];
  return { lo, hi: [lo[0] + dims[0] - 1, lo[1] + dims[1] - 1, lo[2] + dims[2] - 1], dims };
}

/**
 * Case k of a cohort plan, rendered: the geometry as `cryomargin synth` makes it (the ice volume in the
 * middle of the case's feasible range, to a 2 ml tolerance), the scans and true masks on the case's
 * lattices cropped to the masks plus 45 mm — or, with `scanDims`, on grids of that size centred on them.
 * The true masks hold the voxels whose centres are inside, whichever the rendering.
 */
export function segmentationCase(
  plan: CohortPlan,
  k: number,
  rendering: ScanRendering = "partial volume",
  scanDims?: [number, number, number],
): SegmentationCase {
  const c = prepareSyntheticCase(plan, k);
  const [lo, hi] = feasibleIceballVolumes(c);
  const finished = finishSyntheticCase(c, (lo + hi) / 2, { volumeTolMl: 2 });
  const margin = (g: GridSpec) =>
    voxelSpacingMm(g.voxelToWorld).map((s) => Math.ceil(CROP_MARGIN_MM / s)) as [number, number, number];
  let preBox = boxAround(c.tumor.mask.data, c.preGrid.dims, margin(c.preGrid)) as IndexBox;
  let postBox = boxAround(finished.iceball.data, c.postGrid.dims, margin(c.postGrid)) as IndexBox;
  if (scanDims) {
    preBox = centredBox(preBox, scanDims);
    postBox = centredBox(postBox, scanDims);
  }
  const preGrid = croppedGrid(c.preGrid, preBox);
  const postGrid = croppedGrid(c.postGrid, postBox);
  const scans = synthesizeScans(
    c.tumor.parts,
    finished.ice.parts,
    finished.ice.probes,
    c.preToPost,
    preGrid,
    postGrid,
    createRandom(plan.seed + k),
    undefined,
    { partialVolume: rendering === "partial volume" },
  );
  const tumorTruth = voxelizeUnion(c.tumor.parts, preGrid);
  const iceTruth = iceMask(finished.ice.parts, c.preToPost, postGrid);
  const tumorMask: MaskVolume = { dims: tumorTruth.dims, voxelToWorld: tumorTruth.voxelToWorld, data: tumorTruth.data };
  return {
    caseId: `S${String(k + 1).padStart(2, "0")}`,
    rendering,
    pre: scans.pre,
    post: scans.post,
    tumorTruth: tumorMask,
    iceTruth,
    preToPost: c.preToPost,
    mtmTrueMm: measureMargins(tumorMask, iceTruth, c.preToPost).mtmMm,
  };
}

/** The scan variants of the robustness check. */
export type ScanVariant = "standard" | "noise x2" | "shading ±20 %";

/** A case's scans under a variant: as rendered, the noise SD doubled (σ√3 added), or a ±20 % linear shading across the field. */
export function scanVariant(
  c: SegmentationCase,
  variant: ScanVariant,
  seed: number,
): { pre: ScanImage; post: ScanImage } {
  if (variant === "standard") return { pre: c.pre, post: c.post };
  const rng = createRandom(seed);
  const perturbation =
    variant === "noise x2" ? { addedNoiseSd: SCAN_NOISE_SD * Math.sqrt(3) } : { shadingAmplitude: 0.2 };
  return { pre: perturbScan(c.pre, perturbation, rng), post: perturbScan(c.post, perturbation, rng) };
}

/** One case's agreement with the truth, and the time each segmentation took. */
export interface SegmentationScore {
  caseId: string;
  rendering: ScanRendering;
  variant: ScanVariant;
  tumorDice: number;
  tumorHd95Mm: number;
  /** HD95 in voxel diagonals (√(sx² + sy² + sz²)). */
  tumorHd95Diagonals: number;
  iceDice: number;
  mtmTrueMm: number;
  mtmSegmentedMm: number;
  tumorMs: number;
  iceMs: number;
}

/** Segments a case's tumor (simulated outlines) and ice ball (one click) and scores them. */
export function scoreSegmentation(
  c: SegmentationCase,
  scans: { pre: ScanImage; post: ScanImage },
  variant: ScanVariant,
): SegmentationScore {
  const t0 = performance.now();
  const { scribbles } = simulatedScribbles(c.tumorTruth);
  const drawn: MaskVolume = { dims: c.tumorTruth.dims, voxelToWorld: c.tumorTruth.voxelToWorld, data: scribbles };
  const plan = planTumorInterpolation(scans.pre, drawn);
  const spacing = voxelSpacingMm(scans.pre.voxelToWorld);
  const interpolations: Uint8Array[] = [];
  for (const job of plan.jobs)
    interpolations.push(interpolateContours(job.labels, scans.pre.dims, spacing, job.axis, c.caseId));
  const tumor = finishTumorSegmentation(scans.pre, plan, interpolations).mask;
  const t1 = performance.now();
  const ice = segmentIceball(scans.post, [deepestPointRas(c.iceTruth)]).mask;
  const t2 = performance.now();
  const hd95 = hausdorff95Mm(tumor, c.tumorTruth.data, c.tumorTruth.dims, spacing);
  const tumorMask = { ...c.tumorTruth, data: tumor };
  const iceMask = { ...c.iceTruth, data: ice };
  return {
    caseId: c.caseId,
    rendering: c.rendering,
    variant,
    tumorDice: diceCoefficient(tumor, c.tumorTruth.data),
    tumorHd95Mm: hd95,
    tumorHd95Diagonals: hd95 / Math.hypot(...spacing),
    iceDice: diceCoefficient(ice, c.iceTruth.data),
    mtmTrueMm: c.mtmTrueMm,
    mtmSegmentedMm: measureMargins(tumorMask, iceMask, c.preToPost).mtmMm,
    tumorMs: t1 - t0,
    iceMs: t2 - t1,
  };
}

/** The per-case table the test and the benchmark print. */
export function formatScoreTable(scores: readonly SegmentationScore[]): string {
  const header = "case  rendering       variant         tumor Dice  HD95 mm (diag)  ice Dice  MTM true  MTM seg  Δ mm";
  const rows = scores.map(
    (s) =>
      `${s.caseId.padEnd(5)} ${s.rendering.padEnd(15)} ${s.variant.padEnd(15)} ${s.tumorDice.toFixed(4).padStart(10)}  ${s.tumorHd95Mm.toFixed(2).padStart(7)} (${s.tumorHd95Diagonals.toFixed(2)})  ${s.iceDice.toFixed(4).padStart(8)}  ${s.mtmTrueMm.toFixed(2).padStart(8)}  ${s.mtmSegmentedMm.toFixed(2).padStart(7)}  ${(s.mtmSegmentedMm - s.mtmTrueMm).toFixed(2).padStart(5)}`,
  );
  return [header, ...rows].join("\n");
}
