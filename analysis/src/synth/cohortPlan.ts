/**
 * The cohort before any geometry: options resolved, the design searched (the calibrated 32, or resampled
 * from it), the file order of the tumors, and each case's own random stream.
 */
import { createRandom, type Random } from "../stats/random.js";
import { type CaseDesign, type CohortDesign, paperDesign, resampledDesign } from "./design.js";
import type { ScanOptions } from "./images.js";
import { type CalibrationTargets, PAPER_CALIBRATION_TARGETS } from "./targets.js";

/** The default seed: the committed cohort in data/cohort/ is this seed's. */
export const DEFAULT_SYNTH_SEED = 2030;

export interface SyntheticCohortOptions {
  seed?: number;
  /** Number of tumors (default 32: the calibrated paper cohort; any other: drawn from it). */
  cases?: number;
  /** Also synthesise T2-like pre/post scans (default false). */
  images?: boolean;
  /** Scans cover the tumor's bounding box ± this many mm (default: the whole field of view). */
  imageRoiMm?: number;
  /** How the post scan departs from the plain T2 pair (with `images`; default: it does not). */
  scans?: ScanOptions;
  targets?: CalibrationTargets;
  /** Called with a line of progress per case. */
  onProgress?: (message: string) => void;
}

/** A case's independent stream: the cohort seed mixed with the case's index. */
export function caseRandom(seed: number, index: number): Random {
  return createRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

/**
 * File order: tumors in a shuffled "treatment order", a patient's rows in their design order (the
 * re-ablation after the ablation it repeats). Ids S01…, P01… follow that order.
 */
function fileOrder(cases: readonly CaseDesign[], rng: Random): number[] {
  const keys = [...new Set(cases.map((c) => c.patientKey))];
  const shuffledKeys = keys.map((k) => ({ k, u: rng.next() })).sort((a, b) => a.u - b.u);
  return shuffledKeys.flatMap(({ k }) => cases.flatMap((c, i) => (c.patientKey === k ? [i] : [])));
}

/** The cohort before any geometry: options resolved, the design, the file order. */
export interface CohortPlan {
  seed: number;
  n: number;
  targets: CalibrationTargets;
  images: boolean;
  /** Scans cover the tumor's bounding box ± this many mm; null: the whole field of view. */
  imageRoiMm: number | null;
  scans: ScanOptions;
  design: CohortDesign;
  /** Design row of each file position. */
  order: number[];
}

/** Resolves options and searches the design (the calibrated 32 first, resampled when n ≠ 32). */
export function planSyntheticCohort(options: SyntheticCohortOptions = {}): CohortPlan {
  const seed = options.seed ?? DEFAULT_SYNTH_SEED;
  const targets = options.targets ?? PAPER_CALIBRATION_TARGETS;
  const n = options.cases ?? targets.tumors;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`synth: the number of cases must be a positive integer, got ${n}`);
  const rng = createRandom(seed);
  const calibrated = paperDesign(targets, rng);
  const design = n === targets.tumors ? calibrated : resampledDesign(calibrated, n, targets, rng);
  const imageRoiMm = options.imageRoiMm ?? null;
  if (imageRoiMm !== null && !(imageRoiMm >= 0))
    throw new RangeError(`synth: the image region of interest must be ≥ 0 mm, got ${imageRoiMm}`);
  return {
    seed,
    n,
    targets,
    images: options.images ?? false,
    imageRoiMm,
    scans: options.scans ?? {},
    design,
    order: fileOrder(design.cases, rng),
  };
}
