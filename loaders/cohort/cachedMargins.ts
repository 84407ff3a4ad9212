/**
 * Margins of every case of a cohort, measured once: each case's result is stored under the content hash
 * of its input files and options (`caseInputHash`), so a second `cryomargin analyze` reads the cache
 * instead of measuring, and a changed mask, transform or option (or a new engine version) is re-measured.
 * Cases not in the cache are measured in parallel worker threads (`measureCohort`).
 *
 * A case without registration.tfm but with both scans is registered first (cohortRegistration.ts, its
 * own cache beside this one); its margins are then keyed on the transform made.
 *
 * A cache entry is input like any other: one that is not JSON or not of the shape `marginsJson` writes
 * (`checkMarginsJson`) counts as absent and is re-measured. New entries are returned, not written: the
 * caller writes them (`writeFilesAtomic`) only once its own output is written, so a refused analysis
 * leaves the output folder, cache included, as it was.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CohortProblem, checkMarginsJson, cohortProblem, type MarginsJson } from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";
import { cohortTumorOutline, type LoadedCohort, loadCohortFolder } from "./cohortFolder.js";
import { measureCohort } from "./cohortMargins.js";
import {
  type CaseRegistration,
  type CaseRegistrationJson,
  cohortRegistrations,
  registeredTransforms,
} from "./cohortRegistration.js";
import { type CaseOptions, caseInputHash, cohortCaseFiles } from "./measureCase.js";

/** A cache entry to write: its path and its JSON text. */
export interface CacheEntry {
  path: string;
  content: string;
}

export interface CohortMarginsOutcome {
  /** Measured margins by case id (cases that could not be measured are absent). */
  margins: Map<string, MarginsJson>;
  /** By case id, every case with a usable registration: where it came from (the per-case JSON's `registration`). */
  registrationSources: Map<string, CaseRegistrationJson>;
  /** The registrations cryomargin made (now or from its cache), by case id: their transforms are outputs. */
  registered: Map<string, CaseRegistration>;
  /** One problem per case that could not be measured, naming its file. */
  problems: CohortProblem[];
  /** How many cases came from the cache and how many were measured now. */
  fromCache: number;
  measured: number;
  /** The entries of the cases measured and registered now (none without a cache folder), for `writeFilesAtomic`. */
  cacheEntries: CacheEntry[];
}

export interface CohortMarginsOptions {
  options: CaseOptions;
  /** Folder of the cache (created when needed); undefined → no cache. */
  cacheDir?: string;
  /** Folder of the registration cache; undefined → no cache. */
  registrationCacheDir?: string;
  /**
   * false (`cryomargin validate`): cases without registration.tfm are not registered, only their scans and
   * masks checked (`checkRegistrationInputs`), and not measured. Default true.
   */
  register?: boolean;
  threads?: number;
  onProgress?: (done: number, total: number, caseId: string) => void;
  /** Called after each case registered (a progress bar of its own). */
  onRegistrationProgress?: (done: number, total: number, caseId: string) => void;
}

/**
 * A problem of a case's images (an error that stopped its measurement, or a warning of its reading):
 * in the file the message names, relative to the cohort folder, else in the case's folder.
 */
function caseProblem(dir: string, caseId: string, message: string, severity: "error" | "warning"): CohortProblem {
  const files = cohortCaseFiles(dir, caseId);
  const role = (["tumor", "iceball", "transform"] as const).find((r) => message.startsWith(files[r]));
  const file = role ? files[role].slice(dir.length).replace(/^[/\\]/, "") : `cases/${caseId}`;
  const detail = role ? message.slice(files[role].length).replace(/^:\s*/, "") : message;
  return cohortProblem({ severity, code: "image", file, caseId, detail });
}

/**
 * Reads a cached result; an entry that is not JSON, or not of the shape of `marginsJson` (a hand-edited
 * or truncated file, another version's format), counts as absent: the case is re-measured.
 */
function readCached(path: string): MarginsJson | null {
  if (!existsSync(path)) return null;
  try {
    const checked = checkMarginsJson(JSON.parse(readFileSync(path, "utf8")));
    return "json" in checked ? checked.json : null;
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
  {
    options,
    cacheDir,
    registrationCacheDir,
    register = true,
    threads,
    onProgress,
    onRegistrationProgress,
  }: CohortMarginsOptions,
): Promise<CohortMarginsOutcome> {
  const margins = new Map<string, MarginsJson>();
  const problems: CohortProblem[] = [];
  const cacheEntries: CacheEntry[] = [];
  const hashes = new Map<string, string>();
  const toMeasure: string[] = [];
  const registration = await cohortRegistrations(dir, caseIds, {
    options,
    register,
    cacheDir: registrationCacheDir,
    threads: Math.max(1, Math.min(2, threads ?? 2)),
    onProgress: onRegistrationProgress,
  });
  problems.push(...registration.problems);
  cacheEntries.push(...registration.cacheEntries);
  const registered = registeredTransforms(registration.registered);
  for (const caseId of caseIds) {
    if (!registration.sources.has(caseId) && registration.plan.get(caseId)?.source === "register") continue;
    let hash: string;
    const files = cohortCaseFiles(dir, caseId);
    const made = registered.get(caseId);
    try {
      hash = caseInputHash(made ? { ...files, transform: made.tfm, preToPost: made.preToPost } : files, options);
    } catch (error) {
      if (!(error instanceof CryomarginError)) throw error;
      problems.push(caseProblem(dir, caseId, error.message, "error"));
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
      registered,
      threads,
      onProgress: onProgress && ((done, _n, caseId) => onProgress(offset + done, total, caseId)),
    });
    for (const r of results) {
      if (r.json) {
        measured++;
        margins.set(r.caseId, r.json);
        const hash = hashes.get(r.caseId);
        if (cacheDir && hash)
          cacheEntries.push({ path: join(cacheDir, `${hash}.json`), content: JSON.stringify(r.json) });
      } else problems.push(caseProblem(dir, r.caseId, r.error ?? "could not be measured", "error"));
    }
  }
  const registrationSources = new Map([...registration.sources].filter(([caseId]) => margins.has(caseId)));
  return {
    margins,
    registrationSources,
    registered: registration.registered,
    problems,
    fromCache,
    measured,
    cacheEntries,
  };
}

/** A cohort folder read and its cases measured: every problem found, in one list. */
export interface CheckedCohort {
  loaded: LoadedCohort;
  measured: CohortMarginsOutcome;
  /**
   * The folder's problems (clinical.csv, cohort.json, case folders), then each measured case's: an error
   * for a case that could not be measured, a warning for each warning of its reading and measuring (the
   * same text as in its margins JSON).
   */
  problems: CohortProblem[];
}

/**
 * Reads a cohort folder and measures (or reads from the cache) every case with a usable clinical row and
 * a complete folder (with `options.options.tumorOutline`, else cohort.json's `tumor_outline`, else auto), so that one run lists every problem: of the table, of the folders and of the images
 * (`cryomargin validate` prints them; `analyze` refuses to run on any error and lists them all).
 */
export async function checkCohortFolder(dir: string, options: CohortMarginsOptions): Promise<CheckedCohort> {
  const loaded = loadCohortFolder(dir);
  const folderless = new Set(
    loaded.problems
      .filter((p) => p.caseId && (p.code === "missing-file" || p.code === "duplicate-file"))
      .map((p) => p.caseId),
  );
  const measurable = loaded.records.map((r) => r.caseId).filter((id) => !folderless.has(id));
  // The cases are measured with the command's --tumor-outline, else the cohort's own (cohort.json).
  const tumorOutline = cohortTumorOutline(options.options.tumorOutline, loaded.info.tumorOutline);
  const measured: CohortMarginsOutcome =
    measurable.length > 0
      ? await measureCohortMargins(dir, measurable, { ...options, options: { ...options.options, tumorOutline } })
      : {
          margins: new Map(),
          registrationSources: new Map(),
          registered: new Map(),
          problems: [],
          fromCache: 0,
          measured: 0,
          cacheEntries: [],
        };
  const problems = loaded.problems.concat(measured.problems);
  for (const [caseId, json] of measured.margins)
    for (const w of json.warnings) problems.push(caseProblem(dir, caseId, w, "warning"));
  return { loaded, measured, problems };
}
