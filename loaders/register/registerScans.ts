/**
 * `cryomargin register`'s and the cohort pipeline's registration: the staged strategy of
 * analysis/src/register/stagedRegistration.ts (ROI, capture-range starts, best masked NMI, guard, error
 * estimate; documented there) with elastix run in Node worker threads (elastix.ts), and its errors as
 * the command line's typed errors (exit 1, naming the moving image's file).
 */
import {
  type FloatVolume,
  type MaskVolume,
  RegistrationError,
  type RegistrationResult,
  type StagedRegistrationOptions,
  stagedRegistration,
} from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";
import { InputFileError } from "../io/inputErrors.js";
import { ElastixPool } from "./elastix.js";

export type { RegistrationResult };

/** Options of `registerScans`: the strategy's, and where elastix runs. */
export interface RegisterOptions extends StagedRegistrationOptions {
  /** Worker threads for elastix (default 2). */
  threads?: number;
  /** The moving image's file, for the error when the images do not overlap. */
  movingFile?: string;
}

/** A registration that ended where it must not be used ("registration failed: …"). Exit 1. */
export class RegistrationFailedError extends CryomarginError {
  override name = "RegistrationFailedError";
  constructor(detail: string) {
    super(`registration failed: ${detail}`);
  }
}

/**
 * Registers `moving` (post) to `fixed` (pre) around `mask` (the tumor, in pre-ablation world on any grid;
 * null = whole image, no void exclusion) with the staged strategy, elastix in `threads` worker threads.
 */
export async function registerScans(
  fixed: FloatVolume,
  moving: FloatVolume,
  mask: MaskVolume | null,
  options: RegisterOptions = {},
): Promise<RegistrationResult> {
  const { threads, movingFile, ...strategy } = options;
  const pool = new ElastixPool(threads ?? 2);
  try {
    return await stagedRegistration(fixed, moving, mask, (maps, f, m) => pool.run(maps, f, m), strategy);
  } catch (error) {
    if (error instanceof RegistrationError)
      throw error.problem === "failed"
        ? new RegistrationFailedError(error.detail)
        : new InputFileError(movingFile ?? "the moving image", error.problem, error.detail);
    throw error;
  } finally {
    await pool.close();
  }
}
