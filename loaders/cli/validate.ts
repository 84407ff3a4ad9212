/**
 * `cryomargin validate DIR`: checks a cohort folder and lists every problem at once, each naming the file,
 * line, case and field: the clinical table (missing columns, duplicate ids, unknown codes, impossible
 * values), the case folders (a row without images, images without a row) and the images themselves (every
 * case is read and measured, so anything the margin engine would refuse is found here).
 *
 * Exit 0 when there is no error (warnings are printed), 1 otherwise.
 */
import { basename } from "node:path";
import { checkCohortFolder } from "../cohort/cachedMargins.js";
import { cohortRegistrationPlan } from "../cohort/cohortRegistration.js";
import { cohortCaseFiles } from "../cohort/measureCase.js";
import { CliUsageError } from "../errors.js";
import { DEFAULT_MAX_IMAGE_MB } from "../io/nifti.js";
import { maxImageMbOption, type OptionSpec, parseCommandArgs, tumorOutlineOption } from "./args.js";
import { terminalProgressBar } from "./progress.js";
import type { Subcommand } from "./registry.js";

export const validateUsage = [
  "Usage: cryomargin validate DIR [--allow-affine] [--invert] [--tumor-outline auto|smooth|drawn]",
  "                             [--max-image-mb MB] [--quiet]",
  "",
  "Checks the cohort folder DIR (clinical.csv, cohort.json, cases/<case_id>/tumor.nii.gz,",
  "iceball.nii.gz, registration.tfm) and lists every problem, each naming file, line, case and field.",
  "Every case's images are read and measured; their warnings are listed too. Says which mask files it",
  "uses where a case holds another accepted name (tumor.nrrd, segmentation.seg.nrrd, … — see the README).",
  "A case with pre- and post-ablation scans instead of registration.tfm is accepted: its scans and masks",
  "are read and checked, and validate says that analyze and margins --cohort will register it (it does",
  "not register, so it neither measures it). A case with both uses its registration.tfm.",
  "Exit 0 when there is no error, 1 otherwise.",
  "",
  "Options:",
  "  --allow-affine     accept registration transforms with scaling or shear",
  "  --invert           every registration.tfm maps post- to pre-ablation: invert it",
  "  --tumor-outline auto|smooth|drawn  how each tumor's surface is read (as margins and analyze; default",
  "                     cohort.json's tumor_outline, else auto)",
  `  --max-image-mb MB  refuse an image whose header announces more than MB (default ${DEFAULT_MAX_IMAGE_MB})`,
  "  --quiet            no progress bar",
].join("\n");

const options: OptionSpec = {
  "allow-affine": { type: "boolean" },
  invert: { type: "boolean" },
  "tumor-outline": { type: "string" },
  "max-image-mb": { type: "string" },
  quiet: { type: "boolean" },
};

export async function runValidate(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliUsageError("validate needs exactly one cohort folder");
  const dir = positionals[0];
  const { loaded, problems } = await checkCohortFolder(dir, {
    options: {
      allowAffine: values["allow-affine"] === true,
      invert: values.invert === true,
      maxImageMb: maxImageMbOption(values),
      tumorOutline: tumorOutlineOption(values),
    },
    register: false,
    onProgress: terminalProgressBar(values.quiet === true),
  });
  const errors = problems.filter((p) => p.severity === "error");
  const warnings = problems.filter((p) => p.severity === "warning");
  for (const p of errors) process.stdout.write(`error: ${p.message}\n`);
  for (const p of warnings) process.stdout.write(`warning: ${p.message}\n`);
  const caseIds = loaded.records.map((r) => r.caseId);
  process.stdout.write(caseFilesReport(dir, caseIds));
  process.stdout.write(registrationReport(dir, caseIds));
  const rows = loaded.records.length;
  process.stdout.write(
    errors.length === 0
      ? `${dir}: valid — ${rows} case(s)${loaded.info.synthetic ? " (synthetic cohort)" : ""}, ${warnings.length} warning(s)\n`
      : `${dir}: ${errors.length} error(s), ${warnings.length} warning(s)\n`,
  );
  return errors.length === 0 ? 0 : 1;
}

/**
 * Which mask files the cases use: one line per case whose masks are not tumor.nii.gz / iceball.nii.gz
 * (another accepted name), and a count of the others.
 */
function caseFilesReport(dir: string, caseIds: string[]): string {
  const lines: string[] = [];
  let documented = 0;
  for (const caseId of caseIds) {
    const files = cohortCaseFiles(dir, caseId);
    const tumor = basename(files.tumor);
    const iceball = basename(files.iceball);
    if (tumor === "tumor.nii.gz" && iceball === "iceball.nii.gz") documented++;
    else lines.push(`files: case ${caseId}: tumor ${tumor}, ice ball ${iceball}\n`);
  }
  if (documented > 0 && lines.length > 0)
    lines.push(`files: ${documented} other case(s): tumor.nii.gz, iceball.nii.gz\n`);
  return lines.join("");
}

/**
 * Where the cases' registrations will come from: the cases cryomargin will register (no
 * registration.tfm, both scans) and the cases with both a transform and scans (the transform is used).
 */
function registrationReport(dir: string, caseIds: string[]): string {
  const plan = [...cohortRegistrationPlan(dir, caseIds)];
  const toRegister = plan.filter(([, s]) => s.source === "register").map(([caseId]) => caseId);
  const both = plan.filter(([, s]) => s.source === "supplied" && s.scansPresent).map(([caseId]) => caseId);
  const lines: string[] = [];
  if (toRegister.length > 0)
    lines.push(
      `registration: ${toRegister.length} case(s) without registration.tfm will be registered by cryomargin ` +
        `(analyze, margins --cohort: post scan to pre scan, the tumor as region of interest, as cryomargin register): ${toRegister.join(", ")}\n`,
    );
  if (both.length > 0)
    lines.push(
      `registration: ${both.length} case(s) hold registration.tfm and pre/post scans: the registration.tfm is used, the scans are not registered` +
        (both.length <= 10 ? ` (${both.join(", ")})` : "") +
        "\n",
    );
  return lines.join("");
}

export const validateCommand: Subcommand = {
  name: "validate",
  usage: validateUsage,
  run: runValidate,
};
