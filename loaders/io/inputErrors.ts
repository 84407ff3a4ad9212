/**
 * The errors a user meets when an input file (a NIfTI mask, a transform file, a cohort case) is wrong.
 * Each names the file and says what is wrong in words a radiologist or physicist can act on; `problem`
 * is a stable code tests and `cryomargin validate` can match without parsing the message. The CLI
 * prints the message and exits 1 (see loaders/cli/main.ts).
 */
import { CryomarginError } from "../errors.js";

/** What is wrong with an input file (stable codes; the message says it in words). */
export type InputProblem =
  /** The file does not exist. */
  | "missing"
  /** It exists but cannot be read (permissions, a directory, an I/O error). */
  | "unreadable"
  /** The gzip stream or the voxel data ends early. */
  | "truncated"
  /** The image is larger than allowed (its header's promise, or what its gzip stream inflates to). */
  | "too-large"
  /** Neither NIfTI-1 nor NIfTI-2 (wrong magic / header size), or an unsupported NIfTI flavour. */
  | "bad-magic"
  /** A datatype other than uint8, int16, uint16, int32, float32, float64. */
  | "unsupported-datatype"
  /** More than three dimensions with extent > 1 (a time series, a vector image). */
  | "not-3d"
  /** A header field that cannot be right (negative dimension, vox_offset inside the header, ...). */
  | "bad-header"
  /** Voxel spacing zero, negative or not a number. */
  | "bad-spacing"
  /** The voxel-to-world affine is singular or not finite. */
  | "singular-affine"
  /** The mask selects no voxel. */
  | "empty-mask"
  /** The tumor, mapped through the transform, lies wholly outside the post-ablation scan. */
  | "outside-field-of-view"
  /** The transform is not rigid (scaling, shear or a reflection) and affine was not allowed. */
  | "non-rigid"
  /** The transform file cannot be parsed or has an unsupported transform type. */
  | "bad-transform"
  /** A table (a cohort's clinical.csv) cannot be read or lacks what is needed (case ids). */
  | "bad-table"
  /** A mask that must lie on another image's grid (size and voxel-to-world) does not. */
  | "grid-mismatch"
  /** A segmentation file (.seg.nrrd, DICOM-SEG) has no segment of the name asked for. */
  | "missing-segment"
  /** A DICOM folder holds more than one series. */
  | "several-series"
  /** A DICOM series has missing slices (a gap in positions) or repeated positions. */
  | "slice-gap"
  /** A DICOM series' slices are not parallel or not on one line. */
  | "non-parallel-slices"
  /** A DICOM-SEG segments another series than the scan it is given with. */
  | "wrong-reference"
  /** Two files that must share a voxel grid (scribbles and their scan) do not. */
  | "grid-mismatch"
  /** A segmentation cannot start from the input: no drawn voxel, a seed off the scan or not in the ice ball. */
  | "bad-segmentation-input"
  /** A `register --format json` report without a usable `error_estimate`. */
  | "bad-registration-report";

/**
 * An input file is wrong. `file` is the path as the user gave it; the message starts with it.
 * Example: `new InputFileError("t.nii.gz", "empty-mask", "the mask has no voxel > 0")` has the message
 * "t.nii.gz: the mask has no voxel > 0".
 */
export class InputFileError extends CryomarginError {
  override name = "InputFileError";
  constructor(
    readonly file: string,
    readonly problem: InputProblem,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/**
 * An output file could not be written (no such folder, no permission, disk full). Nothing is left
 * half-written: files are written to a temporary name and renamed (loaders/io/files.ts).
 */
export class OutputFileError extends CryomarginError {
  override name = "OutputFileError";
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: cannot write: ${detail}`);
  }
}
