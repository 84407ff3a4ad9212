/**
 * Margins of every case of a cohort, measured once: each case's result is stored under the content hash
 * of its input files and options (`caseInputHash`), so a second `cryomargin analyze` reads the cache
 * instead of measuring, and a changed mask, transform or option (or a new engine version) is re-measured.
 * Cases not in the cache are measured in parallel worker threads (`measureCohort`).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CohortProblem, cohortProblem, type MarginsJson } from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";
import { writeFileAtomic } from "../io/files.js";
import { measureCohort } from "./cohortMargins.js";
import { type CaseOptions, caseInputHash, cohortCaseFiles } from "./measureCase.js";

export interface CohortMarginsOutcome {
  /** Measured margins by case id (cases that could not be measured are absent). */
  margins: Map<string, MarginsJson>;
  /** One problem per case that could not be measured, naming its file. */
  problems: CohortProblem[];
  /** How many cases came from the cache and how many were measured now. */
  fromCache: number;
  measured: number;
}

export interface CohortMarginsOptions {
  options: CaseOptions;
  /** Folder of the cache (created when needed); undefined → no cache. */
  cacheDir?: string;
  threads?: number;
  onProgress?: (done: number, total: number, caseId: string) => void;
}

/** The problem for a case whose files could not be read or measured: in the file the message names. */
function caseProblem(dir: string, caseId: string, message: string): CohortProblem {
  const files = cohortCaseFiles(dir, caseId);
  const role = (["tumor", "iceball", "transform"] as const).find((r) => message.startsWith(files[r]));
  const file = role ? files[role].slice(dir.length).replace(/^[/\\]/, "") : `cases/${caseId}`;
  const detail = role ? message.slice(files[role].length).replace(/^:\s*/, "") : message;
  return cohortProblem({ severity: "error", code: "image", file, caseId, detail });
}

/** Reads a cached result; a corrupt cache entry counts as absent (it is re-measured and rewritten). */
function readCached(path: string): MarginsJson | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as MarginsJson;
  } catch {
    return null;
  }
}

/**
 * Measures (or reads from the cache) every listed case. A case whose input files are missing or wrong
 * becomes a problem; the others are measured all the same.
 */
export async function measureCohortMargins(
  dir: string,
  caseIds: readonly string[],
  { options, cacheDir, threads, onProgress }: CohortMarginsOptions,
): Promise<CohortMarginsOutcome> {
  const margins = new Map<string, MarginsJson>();
  const problems: CohortProblem[] = [];
  const hashes = new Map<string, string>();
  const toMeasure: string[] = [];
  for (const caseId of caseIds) {
    let hash: string;
    try {
      hash = caseInputHash(cohortCaseFiles(dir, caseId), options);
    } catch (error) {
      if (!(error instanceof CryomarginError)) throw error;
      problems.push(caseProblem(dir, caseId, error.message));
      continue;
    }
    hashes.set(caseId, hash);
    const cached = cacheDir ? readCached(join(cacheDir, `${hash}.json`)) : null;
    if (cached) margins.set(caseId, cached);
    else toMeasure.push(caseId);
  }
  const fromCache = margins.size;
  let measured = 0;
  if (toMeasure.length > 0) {
    const offset = fromCache;
    const total = fromCache + toMeasure.length;
    const results = await measureCohort(dir, toMeasure, {
      options,
      threads,
      onProgress: onProgress && ((done, _n, caseId) => onProgress(offset + done, total, caseId)),
    });
    if (cacheDir) mkdirSync(cacheDir, { recursive: true });
    for (const r of results) {
      if (r.json) {
        measured++;
        margins.set(r.caseId, r.json);
        const hash = hashes.get(r.caseId);
        if (cacheDir && hash) writeFileAtomic(join(cacheDir, `${hash}.json`), JSON.stringify(r.json));
      } else problems.push(caseProblem(dir, r.caseId, r.error ?? "could not be measured"));
    }
  }
  return { margins, problems, fromCache, measured };
}
