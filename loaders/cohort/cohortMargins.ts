/**
 * `cryomargin margins --cohort DIR`: every case listed in DIR/clinical.csv, measured in parallel
 * worker threads (min(cores, cases)), then one JSON per case and a CSV summary written atomically.
 *
 * A case whose files are wrong does not stop the others: its error is kept (and shown in the summary's
 * `error` column), the rest are measured, and the command exits 1 at the end naming every failed case.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  caseIdProblem,
  DelimitedTextError,
  MAX_CLINICAL_ROWS,
  type MarginsJson,
  type Mat4,
  parseDelimited,
  textColumn,
} from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";
import { writeFileAtomic } from "../io/files.js";
import { InputFileError, type InputProblem } from "../io/inputErrors.js";
import { readClinicalText } from "./cohortFolder.js";
import type { CaseRegistrationJson } from "./cohortRegistration.js";
import { type CaseOptions, cohortCaseFiles, measureCase } from "./measureCase.js";

/** One case sent to a worker. */
export interface CaseTask {
  index: number;
  caseId: string;
  cohortDir: string;
  options: CaseOptions;
  /** The registration cryomargin made for a case without registration.tfm: the matrix and where it is written. */
  registered?: RegisteredTransform;
}

/** A registration made by cryomargin, as a case's measurement takes it. */
export interface RegisteredTransform {
  /** Pre → post, RAS mm. */
  preToPost: Mat4;
  /** Where the transform is written (for messages). */
  tfm: string;
}

/** A worker's answer: the JSON, or the user-facing error message. */
export interface CaseTaskResult {
  index: number;
  caseId: string;
  json?: MarginsJson;
  error?: string;
  problem?: InputProblem;
}

/** Measures one cohort case (in whichever thread calls it). */
export function runCaseTask(task: CaseTask): CaseTaskResult {
  const files = cohortCaseFiles(task.cohortDir, task.caseId);
  const { json } = measureCase(
    task.registered ? { ...files, transform: task.registered.tfm, preToPost: task.registered.preToPost } : files,
    task.options,
  );
  return { index: task.index, caseId: task.caseId, json };
}

/**
 * The case ids of a cohort folder, from the `case_id` column of DIR/clinical.csv, in file order.
 * Errors name clinical.csv: unreadable, no case_id column, an empty, repeated or path-like id.
 */
export function readCohortCaseIds(cohortDir: string): string[] {
  const path = join(cohortDir, "clinical.csv");
  const text = readClinicalText(path);
  let ids: string[];
  let lines: number[];
  try {
    const table = parseDelimited(text, { maxRows: MAX_CLINICAL_ROWS });
    ids = textColumn(table, "case_id");
    lines = table.lines;
  } catch (error) {
    if (error instanceof DelimitedTextError) throw new InputFileError(path, "bad-table", error.message);
    throw error;
  }
  if (ids.length === 0) throw new InputFileError(path, "bad-table", "lists no case (no data row)");
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === "") throw new InputFileError(path, "bad-table", `line ${lines[i]}: case_id is empty`);
    const badId = caseIdProblem(id);
    if (badId) throw new InputFileError(path, "bad-table", `line ${lines[i]}: case_id '${id}' ${badId}`);
    const first = seen.get(id);
    if (first !== undefined)
      throw new InputFileError(path, "bad-table", `line ${lines[i]}: case_id '${id}' repeats line ${first}`);
    seen.set(id, lines[i]);
  });
  return ids;
}

/** Options of `measureCohort`. */
export interface CohortRunOptions {
  options: CaseOptions;
  /** By case id: the registrations cryomargin made (cases without registration.tfm). */
  registered?: ReadonlyMap<string, RegisteredTransform>;
  /** Worker threads (default min(available cores, cases)); 0 measures in this thread. */
  threads?: number;
  /** Called after each case (for a progress bar). */
  onProgress?: (done: number, total: number, caseId: string) => void;
}

/** The compiled worker next to this module, or null when running from TypeScript sources (tests). */
function workerFile(): string | null {
  const url = new URL("./marginWorker.js", import.meta.url);
  const path = fileURLToPath(url);
  return existsSync(path) ? path : null;
}

/**
 * Measures every case of a cohort. Resolves to one result per case, in the order of `caseIds`; a case
 * with bad files carries its error message instead of a JSON. A bug in a worker rejects.
 */
export async function measureCohort(
  cohortDir: string,
  caseIds: readonly string[],
  { options, registered, threads, onProgress }: CohortRunOptions,
): Promise<CaseTaskResult[]> {
  const tasks: CaseTask[] = caseIds.map((caseId, index) => ({
    index,
    caseId,
    cohortDir,
    options,
    registered: registered?.get(caseId),
  }));
  const results: CaseTaskResult[] = new Array(tasks.length);
  const file = workerFile();
  const count = Math.min(threads ?? availableParallelism(), tasks.length);
  let done = 0;
  const record = (r: CaseTaskResult) => {
    results[r.index] = r;
    done++;
    onProgress?.(done, tasks.length, r.caseId);
  };
  if (file === null || count <= 0) {
    for (const task of tasks) record(runInThisThread(task));
    return results;
  }
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let failed = false;
    const workers: Worker[] = [];
    const finish = (error?: Error) => {
      if (failed) return;
      if (error) failed = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve();
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(file);
      workers.push(worker);
      const feed = () => {
        if (next < tasks.length) worker.postMessage(tasks[next++]);
      };
      worker.on("message", (r: CaseTaskResult) => {
        record(r);
        if (done === tasks.length) finish();
        else feed();
      });
      worker.on("error", (error) => finish(error));
      feed();
    }
  });
  return results;
}

function runInThisThread(task: CaseTask): CaseTaskResult {
  try {
    return runCaseTask(task);
  } catch (error) {
    if (!(error instanceof CryomarginError)) throw error;
    const problem = error instanceof InputFileError ? error.problem : undefined;
    return { index: task.index, caseId: task.caseId, error: error.message, problem };
  }
}

/** Columns of the cohort summary CSV. */
export const SUMMARY_COLUMNS = [
  "case_id",
  "mtm_mm",
  "mtm_mm_rounded",
  "mtm_mask_range_lo_mm",
  "mtm_mask_range_hi_mm",
  "mtm_as_drawn_mm",
  "tumor_outline_reading",
  "min_margin_octant",
  "min_margin_x_ras",
  "min_margin_y_ras",
  "min_margin_z_ras",
  "threshold_mm",
  "tumor_volume_ml",
  "iceball_volume_ml",
  "tumor_max_diameter_mm",
  "fraction_green",
  "fraction_yellow",
  "fraction_red",
  "warnings",
  "error",
] as const;

/** A CSV cell: quoted (RFC 4180) when it holds a comma, quote or line break. */
function csvCell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The summary table: one row per case, measured or not (then `error` says why). */
export function cohortSummaryCsv(results: readonly CaseTaskResult[]): string {
  const rows = results.map((r) => {
    const j = r.json;
    const row: Record<(typeof SUMMARY_COLUMNS)[number], string | number | null | undefined> = {
      case_id: r.caseId,
      mtm_mm: j?.mtm_mm,
      mtm_mm_rounded: j?.mtm_mm_rounded,
      mtm_mask_range_lo_mm: j?.mtm_mask_range_mm?.[0],
      mtm_mask_range_hi_mm: j?.mtm_mask_range_mm?.[1],
      mtm_as_drawn_mm: j?.mtm_as_drawn_mm,
      tumor_outline_reading: j?.tumor_outline?.reading,
      min_margin_octant: j?.min_margin_octant,
      min_margin_x_ras: j?.min_margin_point_ras[0],
      min_margin_y_ras: j?.min_margin_point_ras[1],
      min_margin_z_ras: j?.min_margin_point_ras[2],
      threshold_mm: j?.threshold_mm,
      tumor_volume_ml: j?.tumor_volume_ml,
      iceball_volume_ml: j?.iceball_volume_ml,
      tumor_max_diameter_mm: j?.tumor_max_diameter_mm,
      fraction_green: j?.coverage.fraction_green,
      fraction_yellow: j?.coverage.fraction_yellow,
      fraction_red: j?.coverage.fraction_red,
      warnings: j?.warnings.join(" | "),
      error: r.error,
    };
    return SUMMARY_COLUMNS.map((c) => csvCell(row[c])).join(",");
  });
  return `${[SUMMARY_COLUMNS.join(","), ...rows].join("\n")}\n`;
}

/**
 * Writes `<out>/<case_id>.json` for each measured case (with `registration`, where its transform came
 * from, when `registrations` has the case) and `<out>/margins.csv` for all, each file atomically.
 * Returns the summary's path.
 */
export function writeCohortMargins(
  outDir: string,
  results: readonly CaseTaskResult[],
  registrations?: ReadonlyMap<string, CaseRegistrationJson>,
): string {
  for (const r of results)
    if (r.json)
      writeFileAtomic(
        join(outDir, `${r.caseId}.json`),
        `${JSON.stringify({ ...r.json, registration: registrations?.get(r.caseId) }, null, 2)}\n`,
      );
  const summary = join(outDir, "margins.csv");
  writeFileAtomic(summary, cohortSummaryCsv(results));
  return summary;
}
