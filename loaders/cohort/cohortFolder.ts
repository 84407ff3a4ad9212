/**
 * A cohort folder on disk (issue 5's format, the same for the synthetic twin and a user's own cohort):
 *
 *   DIR/clinical.csv                 one row per treated tumor (analysis/src/cohort/schema.ts)
 *   DIR/cohort.json                  name, synthetic or not, generator, seed, units, notes (optional)
 *   DIR/cases/<case_id>/tumor.nii.gz, iceball.nii.gz, registration.tfm  (pre.nii.gz, post.nii.gz optional;
 *                                    without registration.tfm both scans, which cryomargin registers)
 *
 * Reading it yields the typed clinical records and every problem found, in the one shape the pure
 * validator uses (`CohortProblem`), so `cryomargin validate` prints a single list and `analyze` refuses to
 * run on errors. Image problems are found by measuring (`measureCohortMargins`): a mask the margin engine
 * cannot read or measure is a problem of that case's file.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type CaseFolderListing,
  type ClinicalRecord,
  type CohortProblem,
  caseFolderProblems,
  cohortProblem,
  MAX_CLINICAL_ROWS,
  parseClinicalCsv,
} from "@cryomargin/analysis";
import { readInputFile } from "../io/files.js";
import { InputFileError } from "../io/inputErrors.js";

/** `cohort.json`: what the cohort is. Unknown keys are kept. */
export interface CohortInfo {
  name: string;
  /** True for generated data (the report says so on every page). */
  synthetic: boolean;
  /**
   * True when the cohort declares itself the paper's twin: `analyze` then writes the reproduction report
   * (every figure of published-values.json beside the reproduced one).
   */
  paperTwin: boolean;
  /**
   * The statistical conventions the cohort's analysis follows by default (`statistics_conventions` in
   * cohort.json: "r" or "spss"); null → the tool's default (R). The paper's twin says "spss": the paper's
   * figures are SPSS 25's (e.g. its quartiles are type 6).
   */
  statisticsConventions: "r" | "spss" | null;
  /**
   * Which MTM the cohort's analysis uses by default (`mtm_reading` in cohort.json: "fitted" or
   * "as-drawn", as `analyze --mtm-reading`); null → fitted.
   */
  mtmReading: "fitted" | "as-drawn" | null;
  /**
   * How the cohort's tumor surfaces are read by default (`tumor_outline` in cohort.json: "auto", "smooth"
   * or "drawn", as `--tumor-outline` of validate, analyze and margins --cohort); null → auto.
   */
  tumorOutline: "auto" | "smooth" | "drawn" | null;
  [key: string]: unknown;
}

export interface LoadedCohort {
  dir: string;
  info: CohortInfo;
  /** The clinical rows without errors, in file order. */
  records: ClinicalRecord[];
  /** Every problem found in clinical.csv, cohort.json and the case folders (images are checked by measuring). */
  problems: CohortProblem[];
}

const CLINICAL_FILE = "clinical.csv";

/**
 * The largest clinical.csv read, in bytes: 256 MB is ~1000 bytes for each of `MAX_CLINICAL_ROWS` rows, and
 * stays below the longest string V8 can hold (~512 MB), whose overflow would be an untyped crash.
 */
const MAX_CLINICAL_BYTES = 256 * 2 ** 20;

/** The text of a cohort's clinical.csv; a file beyond MAX_CLINICAL_BYTES is refused unread (InputFileError). */
export function readClinicalText(path: string): string {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // missing or unreadable: readInputFile names the problem
  }
  if (size > MAX_CLINICAL_BYTES)
    throw new InputFileError(
      path,
      "bad-table",
      `is ${(size / 2 ** 20).toFixed(0)} MB; a clinical table (one row per tumor, at most ${MAX_CLINICAL_ROWS} rows) is far smaller`,
    );
  return readInputFile(path).toString("utf8");
}
const INFO_FILE = "cohort.json";

/** What a cohort without a readable cohort.json is: named after its folder, not synthetic, every default. */
const unnamedCohortInfo = (dir: string): CohortInfo => ({
  name: dir,
  synthetic: false,
  paperTwin: false,
  statisticsConventions: null,
  mtmReading: null,
  tumorOutline: null,
});

/** Reads cohort.json; absent → an unnamed, non-synthetic cohort; malformed → a problem. */
function readCohortInfo(dir: string, problems: CohortProblem[]): CohortInfo {
  const fallback = unnamedCohortInfo(dir);
  const path = join(dir, INFO_FILE);
  if (!existsSync(path)) return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readInputFile(path).toString("utf8"));
  } catch (error) {
    problems.push(
      cohortProblem({
        severity: "error",
        code: "unreadable",
        file: INFO_FILE,
        detail: `not valid JSON (${(error as Error).message})`,
      }),
    );
    return fallback;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(
      cohortProblem({ severity: "error", code: "unreadable", file: INFO_FILE, detail: "must hold a JSON object" }),
    );
    return fallback;
  }
  const o = parsed as Record<string, unknown>;
  /** The value of `field` when it is one of `allowed`; absent → null; anything else → a problem, null. */
  const choice = <T extends string>(field: string, allowed: readonly T[]): T | null => {
    const value = o[field];
    if (value === undefined) return null;
    if ((allowed as readonly unknown[]).includes(value)) return value as T;
    problems.push(
      cohortProblem({
        severity: "error",
        code: "unknown-code",
        file: INFO_FILE,
        field,
        value: String(value),
        detail: `must be ${allowed.map((a) => `"${a}"`).join(" or ")}`,
      }),
    );
    return null;
  };
  return {
    ...o,
    name: typeof o.name === "string" ? o.name : fallback.name,
    synthetic: o.synthetic === true,
    paperTwin: o.paper_twin === true,
    statisticsConventions: choice("statistics_conventions", ["r", "spss"] as const),
    mtmReading: choice("mtm_reading", ["fitted", "as-drawn"] as const),
    tumorOutline: choice("tumor_outline", ["auto", "smooth", "drawn"] as const),
  };
}

/** The folders under DIR/cases and the files in each. */
function listCaseFolders(dir: string): CaseFolderListing[] {
  const casesDir = join(dir, "cases");
  if (!existsSync(casesDir)) return [];
  return readdirSync(casesDir)
    .filter((name) => !name.startsWith(".") && statSync(join(casesDir, name)).isDirectory())
    .sort()
    .map((caseId) => ({ caseId, files: readdirSync(join(casesDir, caseId)) }));
}

/**
 * The tumor outline mode a cohort's cases are measured with: the command's `--tumor-outline` when given,
 * else cohort.json's `tumor_outline`, else "auto".
 */
export function cohortTumorOutline(
  asked: CohortInfo["tumorOutline"] | undefined,
  cohortDefault: CohortInfo["tumorOutline"],
): "auto" | "smooth" | "drawn" {
  return asked ?? cohortDefault ?? "auto";
}

/**
 * The cohort's default tumor outline mode (cohort.json's `tumor_outline`; null when absent or when there is
 * no cohort.json), for the commands that read only the case list (`margins --cohort`). A cohort.json that
 * cannot be read, or an unknown `tumor_outline`, is an InputFileError naming the file and field.
 */
export function readCohortTumorOutline(dir: string): CohortInfo["tumorOutline"] {
  const problems: CohortProblem[] = [];
  const info = readCohortInfo(dir, problems);
  const fatal = problems.find((p) => p.severity === "error" && (p.field === null || p.field === "tumor_outline"));
  if (fatal)
    throw new InputFileError(
      join(dir, INFO_FILE),
      "bad-table",
      fatal.field === null ? fatal.detail : `field ${fatal.field}: '${fatal.value}' ${fatal.detail}`,
    );
  return info.tumorOutline;
}

/**
 * Reads a cohort folder's table and layout and lists every problem (not only the first). Never throws for
 * a problem in the data: a missing clinical.csv is itself a problem.
 * Example: `loadCohortFolder("data/cohort").records.length` is 32 for the synthetic twin.
 */
export function loadCohortFolder(dir: string): LoadedCohort {
  const problems: CohortProblem[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problems.push(
      cohortProblem({ severity: "error", code: "missing-file", file: dir, detail: "no such cohort folder" }),
    );
    return {
      dir,
      info: unnamedCohortInfo(dir),
      records: [],
      problems,
    };
  }
  const info = readCohortInfo(dir, problems);
  const clinicalPath = join(dir, CLINICAL_FILE);
  if (!existsSync(clinicalPath)) {
    problems.push(
      cohortProblem({
        severity: "error",
        code: "missing-file",
        file: CLINICAL_FILE,
        detail: "the cohort has no clinical table (one row per tumor; see the README's cohort format)",
      }),
    );
    return { dir, info, records: [], problems };
  }
  const parsed = parseClinicalCsv(readClinicalText(clinicalPath), { file: CLINICAL_FILE });
  for (const p of parsed.problems) problems.push(p);
  // Every CSV row with a usable id takes part in the folder check, even rows with other errors.
  const csvCases = parsed.records.map((r) => ({ caseId: r.caseId, line: r.line }));
  const known = new Set(csvCases.map((c) => c.caseId));
  for (const p of parsed.problems)
    if (p.caseId && !known.has(p.caseId) && p.line !== null) {
      known.add(p.caseId);
      csvCases.push({ caseId: p.caseId, line: p.line });
    }
  return {
    dir,
    info,
    records: parsed.records,
    problems: problems.concat(caseFolderProblems(csvCases, listCaseFolders(dir), { csvFile: CLINICAL_FILE })),
  };
}
