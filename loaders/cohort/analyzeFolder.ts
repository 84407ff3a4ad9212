/**
 * `cryomargin analyze DIR`: the paper's analysis plan on a cohort folder. Reads and validates the folder,
 * measures every case's margins (cached by content hash), runs `analyzeCohort`, and writes every table (CSV,
 * JSON, Markdown), the figures (SVG and PNG, from the same vega-lite specs the site draws) and, for a cohort
 * that declares itself the paper's twin, the reproduction report. Everything is computed before anything is
 * written, and each file is written atomically, so a failure never leaves half-written output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AnalysisOptions,
  type AnalysisResults,
  analyzeCohort,
  type CaseRecord,
  type CohortProblem,
  DEFAULT_THRESHOLD_MM,
  formatResults,
  type MarginsJson,
  marginResultFromJson,
  PlanInputError,
  type ReproductionReport,
  reproduce,
  reproductionToMarkdown,
  studyFigures,
} from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";
import { cachedFigure } from "../figures/figureCache.js";
import { writeFilesAtomic } from "../io/files.js";
import { projectPath } from "../projectRoot.js";
import { type CacheEntry, checkCohortFolder } from "./cachedMargins.js";
import type { CohortInfo } from "./cohortFolder.js";
import {
  type CaseRegistration,
  type CaseRegistrationJson,
  COHORT_ROI_MARGIN_MM,
  REGISTRATIONS_PATH,
} from "./cohortRegistration.js";
import type { CaseOptions } from "./measureCase.js";

/** The cohort has errors: the analysis does not run. Carries every problem (validate prints the same list). */
export class CohortInvalidError extends CryomarginError {
  override name = "CohortInvalidError";
  constructor(
    readonly dir: string,
    readonly problems: readonly CohortProblem[],
  ) {
    const errors = problems.filter((p) => p.severity === "error");
    super(
      `${dir}: the cohort has ${errors.length} problem(s); nothing was written:\n` +
        errors.map((p) => `  ${p.message}`).join("\n"),
    );
  }
}

/** The published figures of the paper (data/paper/published-values.json, shipped with the project). */
export const PUBLISHED_VALUES_PATH = projectPath("data", "paper", "published-values.json");

export function readPublishedValues(): unknown {
  return JSON.parse(readFileSync(PUBLISHED_VALUES_PATH, "utf8"));
}

export interface AnalyzeFolderOptions {
  thresholdMm?: number;
  /** Default: the cohort's `statistics_conventions` (cohort.json), else R's. */
  conventions?: AnalysisOptions["conventions"];
  mtm?: AnalysisOptions["mtm"];
  /** Default: the cohort's `mtm_reading` (cohort.json), else "fitted". */
  mtmReading?: AnalysisOptions["mtmReading"];
  /** How each tumor's surface is read (`--tumor-outline`; default "auto"). */
  tumorOutline?: CaseOptions["tumorOutline"];
  extraCovariates?: readonly string[];
  /** Cache folder of measured margins (default: none). */
  cacheDir?: string;
  /** Cache folder of the registrations cryomargin makes (cases without registration.tfm; default: none). */
  registrationCacheDir?: string;
  /** Accept non-rigid (affine) registration transforms. */
  allowAffine?: boolean;
  /** Every registration transform maps post → pre: invert it. */
  invert?: boolean;
  /** Refuse a mask whose header announces more than this many MB (default DEFAULT_MAX_IMAGE_MB). */
  maxImageMb?: number;
  /** Every case's MTM interval under registration error (`analyze --uncertainty`): per-case JSON and Fig. 6's error bars. */
  uncertainty?: CaseOptions["uncertainty"];
  threads?: number;
  onProgress?: (done: number, total: number, caseId: string) => void;
  /** Called after each case registered (cases without registration.tfm). */
  onRegistrationProgress?: (done: number, total: number, caseId: string) => void;
}

/** A measured and analysed cohort, in memory. */
export interface CohortAnalysis {
  info: CohortInfo;
  cases: CaseRecord[];
  /** Each case's margins as `cryomargin margins` prints them. */
  margins: Map<string, MarginsJson>;
  /** Each case's registration: supplied (registration.tfm) or made by cryomargin (per-case JSON `registration`). */
  registrationSources: Map<string, CaseRegistrationJson>;
  /** The registrations cryomargin made (now or from its cache), by case id: written to registrations/<case_id>.tfm. */
  registered: Map<string, CaseRegistration>;
  results: AnalysisResults;
  /** For a paper twin; null otherwise. */
  reproduction: ReproductionReport | null;
  /** Warnings of the folder check (the analysis ran despite them). */
  warnings: CohortProblem[];
  fromCache: number;
  measured: number;
  /** Cache entries of the cases measured in this run: written after the outputs (`writeFilesAtomic`). */
  cacheEntries: CacheEntry[];
}

/**
 * Loads, validates, measures and analyses a cohort folder; writes nothing. Throws CohortInvalidError
 * listing every problem when the folder or any case cannot be used.
 */
export async function analyzeCohortFolder(dir: string, options: AnalyzeFolderOptions = {}): Promise<CohortAnalysis> {
  const thresholdMm = options.thresholdMm ?? DEFAULT_THRESHOLD_MM;
  const { loaded, measured, problems } = await checkCohortFolder(dir, {
    options: {
      thresholdMm,
      allowAffine: options.allowAffine,
      invert: options.invert,
      maxImageMb: options.maxImageMb,
      uncertainty: options.uncertainty,
      tumorOutline: options.tumorOutline,
    },
    cacheDir: options.cacheDir,
    registrationCacheDir: options.registrationCacheDir,
    threads: options.threads,
    onProgress: options.onProgress,
    onRegistrationProgress: options.onRegistrationProgress,
  });
  if (problems.some((p) => p.severity === "error")) throw new CohortInvalidError(dir, problems);
  const cases: CaseRecord[] = loaded.records.map((r) => ({
    ...r,
    margin: marginResultFromJson(measured.margins.get(r.caseId) as MarginsJson),
  }));
  let results: AnalysisResults;
  try {
    results = analyzeCohort(cases, {
      thresholdMm,
      conventions: options.conventions ?? loaded.info.statisticsConventions ?? "r",
      mtm: options.mtm,
      mtmReading: options.mtmReading ?? loaded.info.mtmReading ?? "fitted",
      extraCovariates: options.extraCovariates,
    });
  } catch (error) {
    if (error instanceof PlanInputError) throw new CryomarginError(`${join(dir, "clinical.csv")}: ${error.message}`);
    throw error;
  }
  return {
    info: loaded.info,
    cases,
    margins: measured.margins,
    registrationSources: measured.registrationSources,
    registered: measured.registered,
    results,
    reproduction: loaded.info.paperTwin ? reproduce(results, readPublishedValues()) : null,
    warnings: loaded.problems,
    fromCache: measured.fromCache,
    measured: measured.measured,
    cacheEntries: measured.cacheEntries,
  };
}

/** One output file, path relative to the output folder. */
export interface OutputFile {
  path: string;
  content: string | Uint8Array;
}

/** Where, under the output folder, rendered figures are cached (loaders/figures/figureCache.ts). */
export const FIGURE_CACHE_PATH = ".cache/figures";

/**
 * Every output file of an analysis, in memory (tables, per-case margins, figures, reproduction, index).
 * With `outDir`, figures already drawn for the same spec are read from its figure cache, and the cache
 * entries of newly drawn ones are among the files returned.
 */
export async function analysisOutputFiles(analysis: CohortAnalysis, outDir?: string): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  const formatted = formatResults(analysis.results, {
    registration: registrationMethodText(analysis.registrationSources),
  });
  for (const t of formatted) {
    files.push({ path: `${t.name}.csv`, content: t.csv });
    files.push({ path: `${t.name}.md`, content: t.markdown });
    files.push({ path: `${t.name}.json`, content: t.json });
  }
  for (const [caseId, json] of analysis.margins) {
    const registration = analysis.registrationSources.get(caseId);
    files.push({ path: `cases/${caseId}.json`, content: `${JSON.stringify({ ...json, registration }, null, 2)}\n` });
  }
  for (const r of analysis.registered.values()) files.push({ path: r.json.tfm, content: r.tfmText });
  const intervals = new Map<string, [number, number]>();
  for (const [caseId, json] of analysis.margins) {
    const u = json.uncertainty;
    if (u && u.p2_5_mm !== null && u.p97_5_mm !== null) intervals.set(caseId, [u.p2_5_mm, u.p97_5_mm]);
  }
  const figures = studyFigures(analysis.results, intervals.size > 0 ? intervals : undefined);
  for (const f of figures) {
    const rendered = await cachedFigure(f.spec, outDir === undefined ? undefined : join(outDir, FIGURE_CACHE_PATH));
    for (const entry of rendered.newEntries)
      files.push({ path: `${FIGURE_CACHE_PATH}/${entry.name}`, content: entry.content });
    files.push({ path: `figures/${f.name}.svg`, content: rendered.svg });
    files.push({ path: `figures/${f.name}.png`, content: rendered.png });
    files.push({ path: `figures/${f.name}.vl.json`, content: `${JSON.stringify(f.spec, null, 2)}\n` });
  }
  if (analysis.reproduction) {
    files.push({ path: "reproduction.md", content: reproductionToMarkdown(analysis.reproduction) });
    files.push({ path: "reproduction.json", content: `${JSON.stringify(analysis.reproduction, null, 2)}\n` });
  }
  const synthetic = analysis.info.synthetic
    ? "\n> **Synthetic cohort.** These results come from generated data, not from patients.\n"
    : "";
  const index = [
    `# ${analysis.info.name}: analysis results`,
    synthetic,
    `Conventions: ${analysis.results.conventions.name}. ${analysis.results.mtmStatement}.`,
    "",
    ...formatted.map((t) => `## ${t.title}\n\n${t.markdown}`),
    "## Figures",
    "",
    ...figures.map(
      (f) =>
        `- ![${f.spec.title.text}](figures/${f.name}.svg)${f.paperFigure ? ` (the paper's ${f.paperFigure})` : ""}`,
    ),
    "",
  ].join("\n");
  files.push({ path: "README.md", content: index });
  return files;
}

/** "S01, S02 and S05": case ids in words. */
function caseList(ids: readonly string[]): string {
  return ids.length <= 1 ? ids.join("") : `${ids.slice(0, -1).join(", ")} and ${ids[ids.length - 1]}`;
}

/**
 * The methods' "Registration" row: which cases cryomargin registered (and how) and which came with their
 * transform. Example: "S01 and S05 (2 of 6 cases): registered by cryomargin … The other 4 cases: the
 * transform supplied with the cohort (registration.tfm)."
 */
export function registrationMethodText(sources: ReadonlyMap<string, CaseRegistrationJson>): string {
  const all = [...sources];
  const registered = all.filter(([, s]) => s.source === "cryomargin register").map(([caseId]) => caseId);
  const supplied = all.filter(([, s]) => s.source === "supplied");
  const withScans = supplied.filter(([, s]) => s.source === "supplied" && s.note !== undefined).length;
  const parts: string[] = [];
  if (registered.length > 0)
    parts.push(
      `${caseList(registered)} (${registered.length} of ${all.length} cases): registered by cryomargin, as \`cryomargin register\` does ` +
        `(rigid, elastix 5.2 through @itk-wasm/elastix, post-ablation scan to pre-ablation scan, local to the tumor: ` +
        `its bounding box grown by ${COHORT_ROI_MARGIN_MM} mm; see the README); the transforms are in ${REGISTRATIONS_PATH}/<case_id>.tfm.`,
    );
  if (supplied.length > 0) {
    const which =
      registered.length === 0
        ? `All ${supplied.length} cases`
        : supplied.length === 1
          ? "The other case"
          : `The other ${supplied.length} cases`;
    const scans =
      withScans === 0
        ? ""
        : supplied.length === 1
          ? "; it also holds pre- and post-ablation scans, which were not registered"
          : `; ${withScans === supplied.length ? "they" : `${withScans} of them`} also hold${withScans === 1 ? "s" : ""} pre- and post-ablation scans, which were not registered`;
    parts.push(`${which}: the transform supplied with the cohort (registration.tfm)${scans}.`);
  }
  return parts.join(" ");
}

/** Whether the file at `path` exists and holds exactly `content` (then rewriting it changes nothing). */
function sameContent(path: string, content: string | Uint8Array): boolean {
  try {
    const existing = readFileSync(path);
    return existing.equals(typeof content === "string" ? Buffer.from(content, "utf8") : content);
  } catch {
    return false;
  }
}

/** Writes the files under `outDir` (folders created), each atomically; a file already as it should be is left alone. */
export function writeOutputFiles(outDir: string, files: readonly OutputFile[]): void {
  writeFilesAtomic(
    files
      .map((f) => ({ path: join(outDir, f.path), content: f.content }))
      .filter((f) => !sameContent(f.path, f.content)),
  );
}
