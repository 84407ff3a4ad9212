/**
 * Registration transform files: ITK text transforms and JSON 4×4 matrices, read from disk and parsed by
 * the analysis package's parser (analysis/src/register/transformText.ts: the conventions, ITK's
 * parameter layouts and the LPS ↔ RAS switch are documented there), which the browser's workstation
 * page runs too. A parse problem becomes an InputFileError naming the file.
 *
 * Convention: the returned Mat4 maps PRE-ablation RAS world points (mm) to POST-ablation RAS world
 * points (ITK's fixed = pre, moving = post); `invert` takes the other direction.
 */
import {
  checkRigid as checkRigidMatrix,
  formatItkTransform,
  identityMat4,
  type Mat4,
  parseItkTransform as parseItkTransformText,
  parseTransformText,
  RIGID_TOLERANCE,
  type TransformReadOptions,
  TransformTextError,
} from "@cryomargin/analysis";
import { readInputFile } from "./files.js";
import { InputFileError } from "./inputErrors.js";

export { formatItkTransform, RIGID_TOLERANCE, type TransformReadOptions };

/** Runs a parse, turning the parser's error into one naming the file. */
function named<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TransformTextError) throw new InputFileError(error.source, error.problem, error.detail);
    throw error;
  }
}

/**
 * Reads a transform file and returns the pre → post RAS matrix. `path` undefined → identity (the two
 * scans share one world frame). ITK text (`#Insight Transform File V1.0`) or JSON
 * (`{"space": "RAS" | "LPS", "matrix": [[…], […], […], [0, 0, 0, 1]]}`), told apart by content.
 * Example: a file with `Transform: TranslationTransform_double_3_3` and `Parameters: 1 2 3` (LPS) gives
 * a RAS translation (−1, −2, 3).
 */
export function readTransformFile(path: string | undefined, options: TransformReadOptions = {}): Mat4 {
  if (path === undefined) return identityMat4();
  const bytes = readInputFile(path);
  // A binary MATLAB transform starts with the ASCII word; decoding it as latin1 keeps that test exact.
  const text = bytes.subarray(0, 6).toString("latin1") === "MATLAB" ? "MATLAB" : bytes.toString("utf8");
  return named(() => parseTransformText(text, path, options));
}

/**
 * Refuses a transform that is not rigid (scaling or shear beyond RIGID_TOLERANCE, or a reflection) with
 * an InputFileError naming `path`.
 */
export function checkRigid(m: Mat4, path: string): void {
  named(() => checkRigidMatrix(m, path));
}

/** Parses the text of an ITK transform file → RAS Mat4; `source` names it in errors (InputFileError). */
export function parseItkTransform(text: string, source: string): Mat4 {
  return named(() => parseItkTransformText(text, source));
}
