/**
 * `cryomargin synth`: generates the calibrated synthetic cohort (a digital twin of the paper's 32
 * tumors, or a cohort of another size drawn from it) and writes it as a cohort folder.
 *
 * Exit codes: 0 written; 1 the folder cannot be written; 2 a usage error.
 */
import { mkdirSync } from "node:fs";
import { DEFAULT_SYNTH_SEED, maxOf } from "@cryomargin/analysis";
import { type WrittenSyntheticCohort, writeSyntheticCohortInParallel } from "../cohort/synth.js";
import { CliUsageError } from "../errors.js";
import { OutputFileError } from "../io/inputErrors.js";
import { choiceOption, type OptionSpec, parseCommandArgs, wholeNumberOption } from "./args.js";
import { terminalProgressBar } from "./progress.js";
import type { Subcommand } from "./registry.js";

export const synthUsage = [
  "Usage: cryomargin synth [--seed N] [--out DIR] [--cases N] [--images [--image-roi-mm MM] [--post-contrast t1] [--breathing] [--partial-volume]] [--jobs N] [--quiet]",
  "",
  "Generates a SYNTHETIC cohort folder: clinical.csv, cohort.json and cases/<case_id>/ with tumor.nii.gz",
  "(pre-ablation grid), iceball.nii.gz (post-ablation grid, its own pose) and registration.tfm (the true",
  "pre → post transform). The default 32 tumors are calibrated so that the margin engine and the analysis",
  "plan reproduce the paper's published figures; other sizes are drawn from that design. Same seed, same",
  "bytes.",
  "",
  "Options:",
  `  --seed N     random seed (default ${DEFAULT_SYNTH_SEED}: the committed data/cohort)`,
  "  --out DIR    output folder (default synthetic-cohort; use data/cohort to regenerate the committed one)",
  "  --cases N    number of tumors (default 32)",
  "  --images     also write T2-like pre.nii.gz / post.nii.gz scans (≈ 4 MB per case)",
  "  --image-roi-mm MM  scans cover only the tumor's bounding box ± MM (data/cohort: 40; ≈ 0.5 MB per case)",
  "  --post-contrast t1   with --images: a T1-weighted-like post scan (default t2, the pre scan's contrast)",
  "  --breathing  with --images: the body wall, spine and muscles move apart from the kidneys on the post",
  "               scan (5–15 mm cranio-caudal); registration.tfm stays the kidneys' (true) transform",
  "  --partial-volume  with --images: each voxel the mean of the tissue over its volume, as on MRI (mixed",
  "               voxels along every edge; ≈ 1.5× the scans' time); default: the tissue at each voxel's centre",
  "  --jobs N     worker threads (default: the number of cores)",
  "  --quiet      no progress on stderr (on a terminal a bar per phase with rate and ETA, else a line per step)",
].join("\n");

const options: OptionSpec = {
  seed: { type: "string" },
  out: { type: "string" },
  cases: { type: "string" },
  images: { type: "boolean" },
  "image-roi-mm": { type: "string" },
  "post-contrast": { type: "string" },
  breathing: { type: "boolean" },
  "partial-volume": { type: "boolean" },
  jobs: { type: "string" },
  quiet: { type: "boolean" },
};

/** One line per case summarising what the engine read against the design. */
function summary(cohort: WrittenSyntheticCohort, outDir: string, seconds: number): string {
  const off = cohort.cases.filter((c) => c.check.engineMtmMmRounded !== c.check.intendedMtmMm);
  const worst = maxOf(cohort.cases.map((c) => Math.abs(c.check.engineMtmMm - c.check.intendedMtmMm)));
  const runs = cohort.cases.reduce((s, c) => s + c.check.engineRuns, 0);
  return [
    `wrote ${cohort.cases.length} synthetic cases (${cohort.metadata.patients} patients, seed ${cohort.metadata.seed}) to ${outDir} in ${seconds.toFixed(1)} s`,
    `margin engine: rounded MTM = intended in ${cohort.cases.length - off.length}/${cohort.cases.length} cases, largest |engine − intended| ${worst.toFixed(2)} mm, ${runs} engine runs`,
    ...off.map(
      (c) => `  ${c.caseId}: intended ${c.check.intendedMtmMm} mm, engine ${c.check.engineMtmMm.toFixed(2)} mm`,
    ),
    "",
  ].join("\n");
}

/** Runs `cryomargin synth` with the arguments after `synth`; resolves to the exit code. */
export async function runSynth(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const seed = wholeNumberOption(values, "seed", 0, DEFAULT_SYNTH_SEED);
  if (seed > 0xffffffff) throw new CliUsageError(`--seed must be below 2^32, got ${seed}`);
  const cases = wholeNumberOption(values, "cases", 1, 32);
  const jobs = wholeNumberOption(values, "jobs", 1);
  const out = values.out ?? "synthetic-cohort";
  if (typeof out !== "string" || out.trim() === "") throw new CliUsageError("--out needs a folder");
  try {
    mkdirSync(out, { recursive: true });
  } catch (error) {
    throw new OutputFileError(out, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  const imageRoiMm = wholeNumberOption(values, "image-roi-mm", 0);
  if (imageRoiMm !== undefined && values.images !== true) throw new CliUsageError("--image-roi-mm needs --images");
  const postContrast = choiceOption(values, "post-contrast", ["t2", "t1"] as const, "t2");
  const breathing = values.breathing === true;
  const partialVolume = values["partial-volume"] === true;
  if ((postContrast !== "t2" || breathing || partialVolume) && values.images !== true)
    throw new CliUsageError("--post-contrast, --breathing and --partial-volume shape the scans: they need --images");
  const quiet = values.quiet === true;
  // On a terminal: one bar per phase with its rate and ETA; elsewhere (a log, a pipe): a line per step.
  const tumorBar = terminalProgressBar(quiet, { label: "tumors and probes" });
  const iceBar = terminalProgressBar(quiet, { label: "ice balls        " });
  const start = performance.now();
  const cohort = await writeSyntheticCohortInParallel(out, {
    seed,
    cases,
    images: values.images === true,
    scans: { postContrast, breathing, partialVolume },
    imageRoiMm,
    threads: jobs,
    onProgress: quiet || tumorBar ? undefined : (line) => process.stderr.write(`${line}\n`),
    onCaseDone: tumorBar && iceBar && ((phase, ...step) => (phase === "tumor" ? tumorBar : iceBar)(...step)),
  });
  process.stdout.write(summary(cohort, out, (performance.now() - start) / 1000));
  return 0;
}

export const synthCommand: Subcommand = {
  name: "synth",
  usage: synthUsage,
  run: runSynth,
};
