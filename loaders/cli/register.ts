/**
 * `cryomargin register`: rigid registration of the post-ablation scan (moving) to the pre-ablation
 * scan (fixed), local to the tumor, with elastix (loaders/register/registerScans.ts). Writes an ITK
 * transform mapping fixed (pre) world → moving (post) world, the convention of the cohort folder's
 * registration.tfm, so `margins --transform` and `analyze` take it unchanged.
 *
 * Exit codes: 0 registered; 1 bad input (the message names the file) or "registration failed: …";
 * 2 a usage error.
 */
import { DEFAULT_ERROR_RUNS, DEFAULT_ROI_MARGIN_MM, type Mat4, voxelSpacingMm } from "@cryomargin/analysis";
import { CliUsageError } from "../errors.js";
import { writeFileAtomic } from "../io/files.js";
import { OutputFileError } from "../io/inputErrors.js";
import { readMaskFile } from "../io/readMaskFile.js";
import { formatItkTransform, readTransformFile } from "../io/transform.js";
import { registerScans } from "../register/registerScans.js";
import { checkMaskOnGrid, readScan } from "../register/scans.js";
import {
  choiceOption,
  numberOption,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
  wholeNumberOption,
} from "./args.js";
import type { Subcommand } from "./registry.js";

export const registerUsage = [
  "Usage: cryomargin register --fixed PRE --moving POST --out registration.tfm [--mask TUMOR] [options]",
  "",
  "Rigid registration (6 parameters) of the post-ablation scan to the pre-ablation scan with elastix",
  "(Mattes mutual information, 3 resolutions), local to the tumor: the fixed scan is cropped to the",
  "mask's bounding box grown by --roi-margin-mm; the ice ball's void around the tumor is kept from",
  "steering; two starts, the better kept by masked normalized mutual information. Writes an ITK",
  "transform mapping pre-ablation world to post-ablation world (what margins --transform reads).",
  "",
  "Options:",
  "  --fixed FILE        pre-ablation scan (NIfTI, NRRD, MetaImage or a DICOM series folder)",
  "  --moving FILE       post-ablation scan (any contrast)",
  "  --mask FILE         tumor mask on the fixed scan's grid: the region of interest (default: whole image)",
  "  --roi-margin-mm MM  ROI = the mask's bounding box grown by MM (default 30)",
  "  --initial FILE      start from this transform (ITK text or JSON, pre → post; default identity)",
  "  --out FILE          where to write the ITK transform (.tfm)",
  "  --error-runs N      elastix runs from perturbed starts for the error estimate (default 4; 0 = none)",
  "  --format json|text  what to print (default text: one line; json: matrix, metric, runs, error",
  "                      estimate, time)",
].join("\n");

/** How `error_estimate` is made (analysis/src/register/stagedRegistration.ts, stage 5). */
const REGISTRATION_ERROR_METHOD =
  "spread of the result and of elastix runs from perturbed starts (±1.5° and ±1.5 mm about the tumor centroid), alternately on the fixed voxels the result was registered on (the motion layer, or the ROI box) and on those within roi-margin-mm of the tumor: pooled per-axis SD of their rotation vectors and of their displacement of the tumor centroid";

const options: OptionSpec = {
  fixed: { type: "string" },
  moving: { type: "string" },
  mask: { type: "string" },
  "roi-margin-mm": { type: "string" },
  initial: { type: "string" },
  out: { type: "string" },
  format: { type: "string" },
  "error-runs": { type: "string" },
};

/** The rows of a Mat4 (4 × 4), rounded to 1e-9. */
function matrixRows(m: Mat4): number[][] {
  return [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => Math.round(m[4 * r + c] * 1e9) / 1e9 + 0));
}

/** Runs `cryomargin register` with the arguments after `register`; resolves to the exit code. */
export async function runRegister(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const fixedFile = stringOption(values, "fixed");
  const movingFile = stringOption(values, "moving");
  const out = stringOption(values, "out");
  if (fixedFile === undefined || movingFile === undefined || out === undefined)
    throw new CliUsageError("register needs --fixed, --moving and --out");
  const roiMarginMm = numberOption(stringOption(values, "roi-margin-mm"), "roi-margin-mm", DEFAULT_ROI_MARGIN_MM);
  if (!(roiMarginMm >= 0)) throw new CliUsageError(`--roi-margin-mm must be >= 0, got ${roiMarginMm}`);
  const format = choiceOption(values, "format", ["text", "json"] as const, "text");
  const maskFile = stringOption(values, "mask");
  const initialFile = stringOption(values, "initial");

  const fixed = readScan(fixedFile);
  const moving = readScan(movingFile);
  const mask = maskFile === undefined ? null : readMaskFile(maskFile).mask;
  if (mask && maskFile) checkMaskOnGrid(mask, maskFile, fixed, fixedFile);
  const initial = initialFile === undefined ? undefined : readTransformFile(initialFile);
  const refineStarts = wholeNumberOption(values, "error-runs", 0, DEFAULT_ERROR_RUNS);
  if (refineStarts === 1) throw new CliUsageError("--error-runs must be 0 or at least 2 (a spread needs two runs)");
  const result = await registerScans(fixed, moving, mask, { roiMarginMm, initial, movingFile, refineStarts });
  try {
    writeFileAtomic(out, formatItkTransform(result.fixedToMoving));
  } catch (error) {
    throw new OutputFileError(out, (error as Error).message);
  }
  const json = {
    fixed: fixedFile,
    moving: movingFile,
    mask: maskFile ?? null,
    out,
    transform: "fixed (pre-ablation) world → moving (post-ablation) world",
    matrix_ras: matrixRows(result.fixedToMoving),
    rotation_deg: Number(result.rotationDeg.toFixed(3)),
    translation_mm: Number(result.translationMm.toFixed(3)),
    metric: "normalized mutual information over the region of interest, ice-ball void excluded",
    final_metric: Number(result.nmi.toFixed(6)),
    initial_metric: Number(result.initialNmi.toFixed(6)),
    roi_margin_mm: mask ? roiMarginMm : null,
    roi_box_voxels: result.roiBox ? { first: result.roiBox.lo, last: result.roiBox.hi } : null,
    roi_size_mm: result.roiBox
      ? voxelSpacingMm(fixed.voxelToWorld).map((s, a) => Number((s * (result.roiBox?.dims[a] ?? 0)).toFixed(1)))
      : null,
    iterations: result.runs.reduce((sum, r) => sum + r.iterations, 0),
    runs: result.runs.map((r) => ({
      start_offset_mm: r.startOffsetMm,
      final_metric: Number(r.nmi.toFixed(6)),
      iterations: r.iterations,
      seconds: Number(r.seconds.toFixed(2)),
    })),
    error_estimate: result.errorEstimate
      ? {
          rotation_sd_deg: Number(result.errorEstimate.rotationSdDeg.toFixed(3)),
          translation_sd_mm: Number(result.errorEstimate.translationSdMm.toFixed(3)),
          runs: result.refined.length,
          method: REGISTRATION_ERROR_METHOD,
          use: "margins --uncertainty --registration-error <this JSON>",
        }
      : null,
    seconds: Number(result.seconds.toFixed(2)),
  };
  process.stdout.write(
    format === "json"
      ? `${JSON.stringify(json, null, 2)}\n`
      : `registered ${movingFile} to ${fixedFile}: rotation ${json.rotation_deg.toFixed(2)}°, ROI centre moved ${json.translation_mm.toFixed(2)} mm, NMI ${json.initial_metric.toFixed(4)} → ${json.final_metric.toFixed(4)}, ${json.seconds.toFixed(1)} s; wrote ${out}\n`,
  );
  return 0;
}

export const registerCommand: Subcommand = {
  name: "register",
  usage: registerUsage,
  run: runRegister,
};
