/**
 * One case of the margin pipeline: read the tumor and ice-ball masks and the registration transform,
 * run the margin engine, and shape the result as the JSON `cryomargin margins` prints. Shared by
 * `cryomargin margins` (one case or a cohort, in worker threads) and `cryomargin analyze` (which caches
 * results under `caseInputHash`).
 *
 * Every problem a user can meet is an InputFileError naming the file: unreadable or malformed inputs
 * (loaders/io), empty masks, and a tumor that maps wholly outside the post-ablation scan's field of
 * view (whether ice covers it cannot be known). A tumor partly outside is measured over the part inside,
 * with a warning giving the fraction.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import {
  ANALYSIS_VERSION,
  CASE_FILE_NAMES,
  type CaseFileRole,
  DEFAULT_THRESHOLD_MM,
  MarginInputError,
  type MarginResult,
  type MarginSurfaces,
  type MarginsJson,
  type MarginUncertaintyOptions,
  type MaskVolume,
  type Mat4,
  marginSurfaces,
  marginsJson,
  marginUncertainty,
  marginUncertaintyJson,
  measureMargins,
  type TumorOutlineMode,
} from "@cryomargin/analysis";
import { checkSegReferencesSeries } from "../io/dicom.js";
import { readInputFile } from "../io/files.js";
import { InputFileError } from "../io/inputErrors.js";
import { readMaskFile } from "../io/readMaskFile.js";
import { volumeFormatOf, volumeInputFiles } from "../io/readVolume.js";
import { formatItkTransform, readTransformFile } from "../io/transform.js";
import { projectPath } from "../projectRoot.js";

/** The input files of one case. */
export interface CaseFiles {
  /** Tumor mask on the pre-ablation grid. */
  tumor: string;
  /** Ice-ball mask on the post-ablation grid. */
  iceball: string;
  /** Registration transform (pre → post unless `invert`); undefined → identity (one shared frame). */
  transform?: string;
  /**
   * The registration as a matrix (pre → post RAS), made by cryomargin for a case without a transform
   * file (cohortRegistration.ts): used instead of reading `transform`, which then only names it, and
   * never inverted.
   */
  preToPost?: Mat4;
  /** The pre-ablation scan as a DICOM series folder: a DICOM-SEG tumor mask must reference its series. */
  tumorScan?: string;
  /** The post-ablation scan as a DICOM series folder: a DICOM-SEG ice-ball mask must reference its series. */
  iceballScan?: string;
}

/** How a case is measured (the CLI's options). */
export interface CaseOptions {
  /** Coverage threshold, mm (default 5). */
  thresholdMm?: number;
  /** Mask label in both files (default: every voxel > 0). */
  label?: number;
  /** The transform file maps post → pre: invert it. */
  invert?: boolean;
  /** Accept a non-rigid (affine) transform. */
  allowAffine?: boolean;
  /** The tumor's segment name in a segmentation file (.seg.nrrd, DICOM-SEG); default: its only segment or "tumor". */
  tumorSegment?: string;
  /** The ice ball's segment name in a segmentation file; default: its only segment or "ice ball". */
  iceballSegment?: string;
  /** Refuse a mask whose header announces more than this many MB (default DEFAULT_MAX_IMAGE_MB). */
  maxImageMb?: number;
  /** Also the MTM's interval under registration error (`margins --uncertainty`; margin/uncertainty.ts). */
  uncertainty?: MarginUncertaintyOptions;
  /** How the tumor's surface is read (`--tumor-outline`; margin/drawnOutline.ts): default "auto". */
  tumorOutline?: TumorOutlineMode;
}

/** One measured case: the engine's full result and its JSON form. */
export interface CaseMeasurement {
  result: MarginResult;
  json: MarginsJson;
  /** With `keepInputs`: the masks and the transform measured (for `--export`). */
  inputs?: { tumor: MaskVolume; iceball: MaskVolume; preToPost: Mat4 };
}

/**
 * The files of case `caseId` in a cohort folder: for each role the first accepted name present
 * (`CASE_FILE_NAMES`: tumor.nii.gz or tumor.nii, …), else the documented name (whose absence is then the
 * reader's "no such file"). Example: `cohortCaseFiles("data/cohort", "c01").tumor` is
 * "data/cohort/cases/c01/tumor.nii.gz".
 */
export function cohortCaseFiles(
  cohortDir: string,
  caseId: string,
): Required<Pick<CaseFiles, "tumor" | "iceball" | "transform">> & CaseFiles {
  const dir = join(cohortDir, "cases", caseId);
  const path = (role: CaseFileRole) => {
    const names = CASE_FILE_NAMES[role];
    return join(dir, names.find((name) => existsSync(join(dir, name))) ?? names[0]);
  };
  const files: Required<Pick<CaseFiles, "tumor" | "iceball" | "transform">> & CaseFiles = {
    tumor: path("tumor"),
    iceball: path("iceball"),
    transform: path("transform"),
  };
  // pre/ and post/ as DICOM series folders: a DICOM-SEG mask must reference them
  for (const [scan, role] of [
    ["pre", "tumorScan"],
    ["post", "iceballScan"],
  ] as const)
    if (existsSync(join(dir, scan)) && statSync(join(dir, scan)).isDirectory()) files[role] = join(dir, scan);
  return files;
}

/**
 * Reads one case's files and measures its margins. Throws InputFileError naming the file for every
 * input problem (see the module comment).
 * Example: `measureCase({ tumor: "t.nii.gz", iceball: "i.nii.gz", transform: "r.tfm" }).json.mtm_mm`.
 */
export function measureCase(
  files: CaseFiles,
  options: CaseOptions = {},
  { keepInputs = false }: { keepInputs?: boolean } = {},
): CaseMeasurement {
  const label = options.label;
  for (const [mask, scan] of [
    [files.tumor, files.tumorScan],
    [files.iceball, files.iceballScan],
  ] as const)
    if (scan !== undefined && volumeFormatOf(mask) === "dicom-seg") checkSegReferencesSeries(mask, scan);
  const tumor = readMaskFile(files.tumor, {
    label,
    segment: options.tumorSegment,
    role: "tumor",
    maxImageMb: options.maxImageMb,
  });
  const iceball = readMaskFile(files.iceball, {
    label,
    segment: options.iceballSegment,
    role: "iceball",
    maxImageMb: options.maxImageMb,
  });
  const preToPost =
    files.preToPost ?? readTransformFile(files.transform, { invert: options.invert, allowAffine: options.allowAffine });
  let result: MarginResult;
  // Built once for the margins and, with --uncertainty, its draws.
  let surfaces: MarginSurfaces;
  try {
    surfaces = marginSurfaces(tumor.mask, iceball.mask, options.tumorOutline ?? "auto");
    result = measureMargins(tumor.mask, iceball.mask, preToPost, {
      thresholdMm: options.thresholdMm,
      tumorOutline: options.tumorOutline ?? "auto",
      voxelMargins: keepInputs,
      surfaceMargins: keepInputs,
      surfaces,
    });
  } catch (error) {
    if (error instanceof MarginInputError) {
      const file =
        error.input === "tumor"
          ? files.tumor
          : error.input === "iceball"
            ? files.iceball
            : (files.transform ?? "(identity transform)");
      throw new InputFileError(file, error.input === "transform" ? "bad-transform" : "bad-header", error.message);
    }
    throw error;
  }
  if (result.fractionOutsideFieldOfView >= 1)
    throw new InputFileError(
      files.tumor,
      "outside-field-of-view",
      `the tumor maps wholly outside the post-ablation scan (${files.iceball}) through ${files.transform ?? "the identity transform"}, ` +
        "so whether the ice ball covers it cannot be known; check the transform and its direction (--invert)",
    );
  const warnings = [...tumor.warnings, ...iceball.warnings, ...result.warnings];
  const json = marginsJson(result, warnings);
  if (options.uncertainty)
    json.uncertainty = marginUncertaintyJson(
      marginUncertainty(tumor.mask, iceball.mask, preToPost, {
        thresholdMm: options.thresholdMm,
        ...options.uncertainty,
        surfaces,
      }),
    );
  return keepInputs
    ? { result, json, inputs: { tumor: tumor.mask, iceball: iceball.mask, preToPost } }
    : { result, json };
}

/** The code a measurement runs: the margin engine and the readers, as sources and as compiled. */
const ENGINE_CODE_FOLDERS = ["analysis/src/margin", "analysis/dist/margin", "loaders/io", "build/loaders/io"];

const fingerprintMemo = new Map<string, string>();

/**
 * A hash of the code in `folders` (project-relative; sources and compiled files, tests excepted), computed
 * once per process: part of a cache key, so changed code without a version bump is never served old results.
 */
export function codeFingerprint(folders: readonly string[]): string {
  const key = folders.join("\n");
  const memo = fingerprintMemo.get(key);
  if (memo !== undefined) return memo;
  const hash = createHash("sha256");
  for (const folder of folders) {
    const dir = projectPath(folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort())
      if (/\.(js|ts)$/.test(name) && !/\.(test|d)\.ts$/.test(name))
        hash.update(`${folder}/${name}\n`).update(readFileSync(join(dir, name)));
  }
  const digest = hash.digest("hex");
  fingerprintMemo.set(key, digest);
  return digest;
}

/** A hash of the margin engine's and the readers' code (`codeFingerprint`): part of every margin cache key. */
export function engineFingerprint(): string {
  return codeFingerprint(ENGINE_CODE_FOLDERS);
}

/**
 * A content hash of everything a case's result depends on: the bytes of its input files (for a case
 * cryomargin registered, the ITK text of the transform it made instead of a transform file), the options,
 * the analysis package version and the engine's code (a changed engine re-measures). Hex SHA-256. Use it as a cache key:
 * equal hashes ⇒ equal results; a changed mask, transform or option ⇒ a new hash.
 * Missing files are InputFileErrors (nothing to hash).
 */
export function caseInputHash(files: CaseFiles, options: CaseOptions = {}): string {
  const hash = createHash("sha256");
  const settings = {
    engine: ANALYSIS_VERSION,
    engineCode: engineFingerprint(),
    thresholdMm: options.thresholdMm ?? DEFAULT_THRESHOLD_MM,
    label: options.label ?? null,
    invert: options.invert ?? false,
    allowAffine: options.allowAffine ?? false,
    tumorSegment: options.tumorSegment ?? null,
    iceballSegment: options.iceballSegment ?? null,
    tumorOutline: options.tumorOutline ?? "auto",
    ...(options.uncertainty ? { uncertainty: options.uncertainty } : {}),
  };
  hash.update(`cryomargin-case-v1\n${JSON.stringify(settings)}\n`);
  if (files.preToPost) hash.update(`transform:registered\n${formatItkTransform(files.preToPost)}`);
  for (const role of ["tumor", "iceball", "transform"] as const) {
    if (role === "transform" && files.preToPost) continue;
    const path = files[role];
    if (path === undefined) {
      hash.update(`${role}:none\n`);
      continue;
    }
    for (const file of role === "transform" ? [path] : volumeInputFiles(path)) {
      const bytes = readInputFile(file);
      hash.update(`${role}:${bytes.length}\n`);
      hash.update(bytes);
    }
  }
  // A DICOM scan only decides whether its DICOM-SEG references it: its files' names and sizes stand
  // for it (hashing a whole series would cost more than the measurement).
  for (const role of ["tumorScan", "iceballScan"] as const) {
    const folder = files[role];
    if (folder === undefined) continue;
    for (const file of volumeInputFiles(folder)) hash.update(`${role}:${basename(file)}:${statSync(file).size}\n`);
  }
  return hash.digest("hex");
}
