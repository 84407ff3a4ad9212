/**
 * `cryomargin margins`: the minimal treatment margin, octants, coverage, diameter and volumes of one
 * tumor / ice-ball pair (printed as JSON or a table), or of every case of a cohort folder (one JSON per
 * case and a CSV summary written to --out).
 *
 * Exit codes: 0 measured; 1 a problem with the files (the message names the file, and for a cohort the
 * case); 2 a usage error.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_THRESHOLD_MM } from "@cryomargin/analysis";
import { cohortTumorOutline, readCohortTumorOutline } from "../cohort/cohortFolder.js";
import { measureCohort, readCohortCaseIds, writeCohortMargins } from "../cohort/cohortMargins.js";
import { cohortRegistrations, REGISTRATION_CACHE_PATH, registeredTransforms } from "../cohort/cohortRegistration.js";
import { type CaseOptions, measureCase } from "../cohort/measureCase.js";
import { CliUsageError, CryomarginError } from "../errors.js";
import { writeFilesAtomic } from "../io/files.js";
import { OutputFileError } from "../io/inputErrors.js";
import { DEFAULT_MAX_IMAGE_MB } from "../io/nifti.js";
import {
  choiceOption,
  maxImageMbOption,
  numberOption,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
  tumorOutlineOption,
  UNCERTAINTY_OPTION_SPECS,
  UNCERTAINTY_USAGE,
  uncertaintyOptions,
  wholeNumberOption,
} from "./args.js";
import { terminalProgressBar } from "./progress.js";
import { registrationProgressBar, registrationSummary } from "./registrationReport.js";
import type { Subcommand } from "./registry.js";
import { renderResultTable } from "./textTable.js";

export const marginsUsage = [
  "Usage: cryomargin margins --tumor T.nii.gz --iceball I.nii.gz [--transform F] [options]",
  "       cryomargin margins --cohort DIR [--out DIR/margins] [options]",
  "",
  "Measures the minimal treatment margin (MTM): the signed distance (mm, positive inside the ice ball)",
  "from the tumor (pre-ablation scan) to the ice-ball surface (post-ablation scan), minimised over the",
  "tumor, with octant coverage, maximum tumor diameter and volumes. World coordinates are RAS mm.",
  "",
  "Options:",
  "  --tumor FILE       tumor mask on the pre-ablation grid: NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr),",
  "                     3D Slicer .seg.nrrd, MetaImage (.mha, .mhd), DICOM-SEG (.dcm) or a DICOM series folder",
  "  --iceball FILE     ice-ball mask on the post-ablation grid (same formats; may be the tumor's .seg.nrrd)",
  "  --tumor-segment NAME    the tumor's segment in a .seg.nrrd / DICOM-SEG (default: its only segment, or 'tumor')",
  "  --iceball-segment NAME  the ice ball's segment (default: its only segment, or 'ice ball')",
  "  --tumor-scan DIR   the pre-ablation DICOM series: a DICOM-SEG tumor mask must reference it",
  "  --iceball-scan DIR the post-ablation DICOM series: a DICOM-SEG ice-ball mask must reference it",
  "  --transform FILE   registration: ITK text transform (.tfm/.txt, LPS) or JSON",
  '                     {"space": "RAS"|"LPS", "matrix": [[...4 rows...]]}; maps pre-ablation to',
  "                     post-ablation points (ITK's fixed = pre). Default: identity (one shared frame)",
  "  --invert           the transform maps post to pre (registration run with fixed = post): invert it",
  "  --allow-affine     accept a transform with scaling or shear (refused by default: motion is rigid)",
  `  --threshold MM     coverage threshold: green >= MM, yellow 0..MM, red < 0 (default ${DEFAULT_THRESHOLD_MM})`,
  "  --label N          a mask voxel is inside when its value equals N (default: any value > 0)",
  "  --tumor-outline auto|smooth|drawn  how the tumor's surface is read (default auto): smooth fits a",
  "                     smooth surface through the mask (phantoms, masks exported from a smooth model);",
  "                     drawn reads the mask as drawn, its voxel edges' midpoints (hand-drawn masks);",
  "                     auto reads it as drawn when its outlines do not follow one smooth surface from",
  "                     slice to slice (tumor_outline in the JSON says which, and a warning says why);",
  "                     with --cohort the default is DIR/cohort.json's tumor_outline, else auto",
  `  --max-image-mb MB  refuse an image whose header announces more than MB (default ${DEFAULT_MAX_IMAGE_MB})`,
  "  --format json|table  output for one case (default json)",
  "  --export DIR       also write DIR/margins.seg.nrrd (3D Slicer: tumor, ice ball through the registration,",
  "                     coverage green/yellow/red at the threshold) and the tumor surface with the signed",
  "                     margin per vertex, DIR/tumor-margin.vtk (point array margin_mm) and .ply;",
  "                     with --cohort, DIR/<case_id>/…",
  "  --cohort DIR       every case of DIR/clinical.csv (case_id), files in DIR/cases/<case_id>/",
  "                     tumor.nii.gz, iceball.nii.gz, registration.tfm; in parallel worker threads.",
  "                     A case with pre.nii.gz and post.nii.gz instead of registration.tfm is registered",
  "                     first (as cryomargin register, the tumor as region of interest): the transform",
  "                     is written to OUT/registrations/<case_id>.tfm and cached in OUT/.cache",
  "  --out DIR          where --cohort writes <case_id>.json and margins.csv (default DIR/margins)",
  "  --jobs N           worker threads for --cohort (default: the number of cores)",
  ...UNCERTAINTY_USAGE,
].join("\n");

const options: OptionSpec = {
  tumor: { type: "string" },
  iceball: { type: "string" },
  transform: { type: "string" },
  invert: { type: "boolean" },
  "allow-affine": { type: "boolean" },
  threshold: { type: "string" },
  label: { type: "string" },
  "tumor-segment": { type: "string" },
  "iceball-segment": { type: "string" },
  format: { type: "string" },
  export: { type: "string" },
  "tumor-scan": { type: "string" },
  "iceball-scan": { type: "string" },
  cohort: { type: "string" },
  out: { type: "string" },
  jobs: { type: "string" },
  "max-image-mb": { type: "string" },
  "tumor-outline": { type: "string" },
  ...UNCERTAINTY_OPTION_SPECS,
};

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** The measurement options shared by one case and a cohort. */
function caseOptions(values: Values): CaseOptions {
  const thresholdMm = numberOption(stringOption(values, "threshold"), "threshold", DEFAULT_THRESHOLD_MM);
  if (thresholdMm < 0) throw new CliUsageError(`--threshold must be >= 0 mm, got ${thresholdMm}`);
  const labelText = stringOption(values, "label");
  const label = labelText === undefined ? undefined : numberOption(labelText, "label", 0);
  return {
    thresholdMm,
    label,
    invert: values.invert === true,
    allowAffine: values["allow-affine"] === true,
    tumorSegment: stringOption(values, "tumor-segment"),
    iceballSegment: stringOption(values, "iceball-segment"),
    maxImageMb: maxImageMbOption(values),
    uncertainty: uncertaintyOptions(values),
    tumorOutline: tumorOutlineOption(values),
  };
}

/** Runs `cryomargin margins` with the arguments after `margins`; resolves to the exit code. */
export async function runMargins(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const measurement = caseOptions(values);
  const format = choiceOption(values, "format", ["json", "table"] as const, "json");
  const cohort = stringOption(values, "cohort");
  if (cohort !== undefined) {
    for (const single of ["tumor", "iceball", "transform", "tumor-scan", "iceball-scan"])
      if (values[single] !== undefined) throw new CliUsageError(`--${single} cannot be used with --cohort`);
    return runCohort(cohort, stringOption(values, "out") ?? join(cohort, "margins"), measurement, values);
  }
  for (const cohortOnly of ["out", "jobs"])
    if (values[cohortOnly] !== undefined) throw new CliUsageError(`--${cohortOnly} is for --cohort only`);
  const tumor = stringOption(values, "tumor");
  const iceball = stringOption(values, "iceball");
  if (tumor === undefined || iceball === undefined)
    throw new CliUsageError("margins needs --tumor and --iceball (or --cohort DIR)");
  const exportDir = stringOption(values, "export");
  const files = {
    tumor,
    iceball,
    transform: stringOption(values, "transform"),
    tumorScan: stringOption(values, "tumor-scan"),
    iceballScan: stringOption(values, "iceball-scan"),
  };
  const measured = measureCase(files, measurement, {
    keepInputs: exportDir !== undefined,
  });
  const { json } = measured;
  if (exportDir !== undefined && measured.inputs) {
    const { exportCase } = await import("../io/exportCase.js"); // loaded only when exporting
    exportCase(exportDir, { ...measured.inputs, result: measured.result }, `${tumor} / ${iceball}`);
  }
  process.stdout.write(format === "table" ? renderResultTable({ ...json }) : `${JSON.stringify(json, null, 2)}\n`);
  return 0;
}

async function runCohort(cohortDir: string, outDir: string, measurement: CaseOptions, values: Values): Promise<number> {
  const jobs = wholeNumberOption(values, "jobs", 1);
  const caseIds = readCohortCaseIds(cohortDir);
  // The command's --tumor-outline, else the cohort's own (cohort.json), else auto: as analyze measures it.
  measurement = {
    ...measurement,
    tumorOutline: cohortTumorOutline(measurement.tumorOutline, readCohortTumorOutline(cohortDir)),
  };
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new OutputFileError(outDir, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  const registration = await cohortRegistrations(cohortDir, caseIds, {
    options: measurement,
    register: true,
    cacheDir: join(outDir, REGISTRATION_CACHE_PATH),
    threads: Math.max(1, Math.min(2, jobs ?? 2)),
    onProgress: registrationProgressBar(),
  });
  const failedRegistration = new Map(registration.problems.map((p) => [p.caseId, p]));
  const registered = registeredTransforms(registration.registered, outDir);
  const measuredCases = await measureCohort(
    cohortDir,
    caseIds.filter((caseId) => !failedRegistration.has(caseId)),
    {
      options: measurement,
      registered,
      threads: jobs,
      onProgress: terminalProgressBar(),
    },
  );
  const byCase = new Map(measuredCases.map((r) => [r.caseId, r]));
  const results = caseIds.map((caseId, index) => {
    const failure = failedRegistration.get(caseId);
    const r = byCase.get(caseId);
    return failure || !r
      ? { index, caseId, error: failure ? `${failure.file}: ${failure.detail}` : "could not be measured" }
      : { ...r, index };
  });
  writeFilesAtomic([
    ...[...registration.registered.values()].map((r) => ({ path: join(outDir, r.json.tfm), content: r.tfmText })),
    ...registration.cacheEntries,
  ]);
  const summary = writeCohortMargins(outDir, results, registration.sources);
  const failed = results.filter((r) => r.error !== undefined);
  const exportDir = stringOption(values, "export");
  if (exportDir !== undefined) {
    const measured = results.filter((r) => r.error === undefined).map((r) => r.caseId);
    const { exportCohortCases } = await import("../cohort/exportCohort.js");
    const written = exportCohortCases(cohortDir, measured, measurement, exportDir, terminalProgressBar(), registered);
    process.stdout.write(`exported ${measured.length} cases (${written} files) to ${join(exportDir, "<case_id>")}\n`);
  }
  for (const line of registrationSummary(registration.registered, results.length, outDir))
    process.stdout.write(`${line}\n`);
  process.stdout.write(
    `${results.length - failed.length} of ${results.length} cases measured; wrote ${join(outDir, "<case_id>.json")} and ${summary}\n`,
  );
  if (failed.length === 0) return 0;
  for (const r of failed) process.stderr.write(`cryomargin: case ${r.caseId}: ${r.error}\n`);
  throw new CryomarginError(`${failed.length} of ${results.length} cases could not be measured (listed above)`);
}

export const marginsCommand: Subcommand = {
  name: "margins",
  usage: marginsUsage,
  run: runMargins,
};
