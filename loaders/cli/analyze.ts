/**
 * `cryomargin analyze DIR`: the paper's analysis plan on a cohort folder → tables (CSV, JSON, Markdown),
 * figures (SVG, PNG), per-case margins and, for the paper's twin, the reproduction report.
 * Margins are cached under OUT/.cache by content hash: a second run does not re-measure.
 */
import { join } from "node:path";
import {
  CONCAVE_CREASE_WARNING,
  DEFAULT_THRESHOLD_MM,
  FALLBACK_AT_MINIMUM_WARNING,
  type MarginsJson,
} from "@cryomargin/analysis";
import { analysisOutputFiles, analyzeCohortFolder, writeOutputFiles } from "../cohort/analyzeFolder.js";
import { cohortTumorOutline } from "../cohort/cohortFolder.js";
import { REGISTRATION_CACHE_PATH, registeredTransforms } from "../cohort/cohortRegistration.js";
import { CliUsageError } from "../errors.js";
import { writeFilesAtomic } from "../io/files.js";
import { DEFAULT_MAX_IMAGE_MB } from "../io/nifti.js";
import {
  choiceOption,
  listOption,
  maxImageMbOption,
  numberOption,
  type OptionSpec,
  parseCommandArgs,
  stringOption,
  tumorOutlineOption,
  UNCERTAINTY_OPTION_SPECS,
  uncertaintyOptions,
  wholeNumberOption,
} from "./args.js";

import { terminalProgressBar } from "./progress.js";
import { registrationProgressBar, registrationSummary } from "./registrationReport.js";
import type { Subcommand } from "./registry.js";

export const analyzeUsage = [
  `Usage: cryomargin analyze DIR [--out results/] [--threshold ${DEFAULT_THRESHOLD_MM}] [options]`,
  "",
  "Validates the cohort folder DIR, measures every case's margins (cached by file content), runs the",
  "paper's analysis plan and writes to --out: table1, table2, table3, mtm_by_outcome, size_vs_mtm,",
  "survival, follow_up, counts, ltp_site, margins, methods (each .csv, .json, .md), cases/<id>.json,",
  "figures/*.svg|png|vl.json, README.md and, for the paper's twin, reproduction.md/.json.",
  "A case without registration.tfm but with pre- and post-ablation scans is registered first (as",
  "cryomargin register, the tumor as region of interest; cached): registrations/<case_id>.tfm.",
  "",
  "Options:",
  "  --out DIR              output folder (default results)",
  `  --threshold MM         intended margin: coverage classes and the 'MTM >= MM' count (default ${DEFAULT_THRESHOLD_MM})`,
  "  --conventions r|spss   where R and SPSS 25 differ: Mann-Whitney p, Spearman p, Cox ties, quartiles",
  "                         (default: cohort.json's statistics_conventions, else r; the paper used SPSS)",
  "  --mtm rounded|raw      MTM in the statistics: rounded to the nearest mm as the paper (default) or raw",
  "  --mtm-reading fitted|as-drawn  which MTM the statistics use: the engine's mtm_mm (its fitted tumor",
  "                         surface, or as drawn where --tumor-outline says so) or the mask as drawn",
  "                         (mtm_as_drawn_mm; hand-drawn thick-slice masks) (default: cohort.json's",
  "                         mtm_reading, else fitted)",
  "  --tumor-outline auto|smooth|drawn  how each tumor's surface is measured (as margins; default:",
  "                         cohort.json's tumor_outline, else auto: read as drawn when its outlines do",
  "                         not follow one smooth surface from slice to slice); mtm_mm follows it,",
  "                         --mtm-reading as-drawn uses mtm_as_drawn_mm",
  "  --covariates a,b       further univariable Cox covariates (clinical.csv columns)",
  "  --allow-affine         accept registration transforms with scaling or shear",
  "  --invert               every registration.tfm maps post- to pre-ablation: invert it",
  `  --max-image-mb MB      refuse an image whose header announces more than MB (default ${DEFAULT_MAX_IMAGE_MB})`,
  "  --jobs N               worker threads for measuring (default: the number of cores)",
  "  --export DIR           also write each case's 3D Slicer segmentation and margin meshes to",
  "                         DIR/<case_id>/ (margins.seg.nrrd, tumor-margin.vtk, tumor-margin.ply)",
  "  --quiet                no progress bar",
  "  --uncertainty          every case's MTM interval under registration error (Monte-Carlo over rigid",
  "                         perturbations; as margins --uncertainty): in cases/<id>.json and as error",
  "                         bars on Fig. 6 (mtm-versus-size)",
  "  --samples N            Monte-Carlo draws (default 200)",
  "  --rotation-sd-deg D    SD of the rotation about each axis (default 1)",
  "  --translation-sd-mm M  SD of the translation along each axis (default 1)",
].join("\n");

const options: OptionSpec = {
  out: { type: "string" },
  threshold: { type: "string" },
  conventions: { type: "string" },
  mtm: { type: "string" },
  "mtm-reading": { type: "string" },
  "tumor-outline": { type: "string" },
  covariates: { type: "string" },
  "allow-affine": { type: "boolean" },
  invert: { type: "boolean" },
  "max-image-mb": { type: "string" },
  jobs: { type: "string" },
  export: { type: "string" },
  ...UNCERTAINTY_OPTION_SPECS,
  quiet: { type: "boolean" },
};

export async function runAnalyze(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliUsageError("analyze needs exactly one cohort folder");
  const dir = positionals[0];
  const out = stringOption(values, "out") ?? "results";
  const thresholdMm = numberOption(stringOption(values, "threshold"), "threshold", DEFAULT_THRESHOLD_MM);
  const conventions = choiceOption(values, "conventions", ["r", "spss"] as const);
  const mtm = choiceOption(values, "mtm", ["rounded", "raw"] as const, "rounded");
  const mtmReading = choiceOption(values, "mtm-reading", ["fitted", "as-drawn"] as const);
  const threads = wholeNumberOption(values, "jobs", 1);
  const tumorOutline = tumorOutlineOption(values);

  const analysis = await analyzeCohortFolder(dir, {
    thresholdMm,
    conventions,
    mtm,
    mtmReading,
    tumorOutline,
    extraCovariates: listOption(values, "covariates") ?? [],
    cacheDir: join(out, ".cache", "margins"),
    registrationCacheDir: join(out, REGISTRATION_CACHE_PATH),
    allowAffine: values["allow-affine"] === true,
    invert: values.invert === true,
    maxImageMb: maxImageMbOption(values),
    uncertainty: uncertaintyOptions(values),
    threads,
    onProgress: terminalProgressBar(values.quiet === true),
    onRegistrationProgress: registrationProgressBar(values.quiet === true),
  });
  const files = await analysisOutputFiles(analysis, out);
  writeOutputFiles(out, files);
  writeFilesAtomic(analysis.cacheEntries);
  const exportDir = stringOption(values, "export");
  const exported =
    exportDir === undefined
      ? 0
      : (await import("../cohort/exportCohort.js")).exportCohortCases(
          dir,
          analysis.cases.map((c) => c.caseId),
          {
            thresholdMm,
            allowAffine: values["allow-affine"] === true,
            invert: values.invert === true,
            tumorOutline: cohortTumorOutline(tumorOutline, analysis.info.tumorOutline),
          },
          exportDir,
          terminalProgressBar(values.quiet === true),
          registeredTransforms(analysis.registered, out),
        );
  const r = analysis.reproduction;
  const lines = [
    `${analysis.info.name}${analysis.info.synthetic ? " (synthetic)" : ""}: ${analysis.cases.length} cases, ` +
      `${analysis.measured} measured, ${analysis.fromCache} from cache; ${files.length} files written to ${out}`,
    `statistics: ${analysis.results.conventions.name.toUpperCase()} conventions` +
      (conventions === undefined && analysis.info.statisticsConventions
        ? " (cohort.json's statistics_conventions)"
        : ""),
    ...registrationSummary(analysis.registered, analysis.registrationSources.size, out),
    ...analysis.warnings.map((w) => `warning: ${w.message}`),
    ...analysis.results.warnings.map((w) => `warning: ${w}`),
    ...marginWarningSummary(analysis.margins),
  ];
  if (exportDir !== undefined)
    lines.push(`exported ${analysis.cases.length} cases (${exported} files) to ${join(exportDir, "<case_id>")}`);
  if (r)
    lines.push(
      `reproduction: ${r.summary.within} within tolerance, ${r.summary.outside} outside, ` +
        `${r.summary["not-reproducible"]} not reproducible from cohort data — see ${join(out, "reproduction.md")}`,
    );
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

export const analyzeCommand: Subcommand = {
  name: "analyze",
  usage: analyzeUsage,
  run: runAnalyze,
};

/**
 * One line for the cases whose margins carry engine warnings (their text is in margins.csv and each
 * case's JSON), counting apart those whose minimum lies at a concave crease of the ice ball and those
 * whose minimum rests on a fallback of the surface reconstruction.
 */
export function marginWarningSummary(margins: ReadonlyMap<string, MarginsJson>): string[] {
  const warned = [...margins.values()].filter((m) => m.warnings.length > 0);
  if (warned.length === 0) return [];
  const count = (start: string) => warned.filter((m) => m.warnings.some((w) => w.startsWith(start))).length;
  const crease = count(CONCAVE_CREASE_WARNING);
  const fallback = count(FALLBACK_AT_MINIMUM_WARNING);
  return [
    `warning: ${warned.length} of ${margins.size} cases carry margin warnings (margins.csv, column warnings)` +
      (crease > 0
        ? `; in ${crease} the minimum margin lies at a concave crease of the ice ball, where it may read high`
        : "") +
      (fallback > 0
        ? `; in ${fallback} it rests on a part of a surface the reconstruction could not model (see mtm_mask_range_mm)`
        : ""),
  ];
}
