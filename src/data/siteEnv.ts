/**
 * Where the study report gets its data and how it shows it, from the environment (Node only: the config
 * and the data loaders read it; pages only see what the loaders wrote):
 *
 * - `CRYOMARGIN_COHORT`  the cohort folder (default data/cohort; a relative path is from the current folder).
 * - `CRYOMARGIN_PUBLISH` "1" (or "true") for publish mode: row-level tables and case pages carry
 *   pseudonyms ("case-01", "patient-01") instead of case and patient ids, user columns beyond the cohort
 *   format are dropped, and file paths are scrubbed from messages. (NIfTI header free text never reaches
 *   the site in any mode: the viewer's volumes are re-encoded without it.)
 *
 * Example: `CRYOMARGIN_COHORT=/data/my-cohort CRYOMARGIN_PUBLISH=1 npm run build`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { caseIdProblem } from "@cryomargin/analysis";
import { PROJECT_ROOT } from "../../build/loaders/projectRoot.js";

export { PROJECT_ROOT };

/** The default cohort folder: the committed synthetic twin. */
export const DEFAULT_COHORT_DIR = join(PROJECT_ROOT, "data", "cohort");

/**
 * Cache of measured margins shared by the data loaders, keyed like `cryomargin analyze`'s by each case's
 * files, options and the engine's code (`caseInputHash`). The folder's name starts with "_" so the
 * config's invalidation of loader outputs keeps it.
 */
export function marginCacheDir(): string {
  return join(PROJECT_ROOT, "src", ".observablehq", "cache", "_cryomargin-margins");
}

/** Cache of the registrations cryomargin makes for cases without registration.tfm, keyed like `analyze`'s. */
export function registrationCacheDir(): string {
  return join(PROJECT_ROOT, "src", ".observablehq", "cache", "_cryomargin-registrations");
}

export type SiteEnv = Partial<Record<"CRYOMARGIN_COHORT" | "CRYOMARGIN_PUBLISH", string>>;

/** The cohort folder the site is built from (absolute). */
export function siteCohortDir(env: SiteEnv = process.env): string {
  const dir = env.CRYOMARGIN_COHORT?.trim();
  return dir ? resolve(dir) : DEFAULT_COHORT_DIR;
}

/** True in publish mode (CRYOMARGIN_PUBLISH=1 or true). */
export function isPublishMode(env: SiteEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.CRYOMARGIN_PUBLISH?.trim() ?? "");
}

/** Whether `dir` holds a cohort (its clinical table). */
export function cohortExists(dir: string): boolean {
  return existsSync(join(dir, "clinical.csv"));
}

/** `prefix-01`, `prefix-02`, … zero-padded to the width of `count`. */
export function pseudonym(prefix: string, index: number, count: number): string {
  return `${prefix}-${String(index + 1).padStart(Math.max(2, String(count).length), "0")}`;
}

/**
 * The id each case has on the site, in clinical.csv order: its own case id, or in publish mode (or when
 * the id is not safe in a URL) a pseudonym `case-NN` by position. The config (page paths) and the data
 * loader (file names) both call this, so they always agree.
 * Example: `siteCaseIds(["R-7", "R 8"], false)` → Map { "R-7" → "R-7", "R 8" → "case-02" }.
 */
export function siteCaseIds(caseIds: readonly string[], publish: boolean): Map<string, string> {
  return new Map(
    caseIds.map((id, i) => [id, publish || caseIdProblem(id) !== null ? pseudonym("case", i, caseIds.length) : id]),
  );
}

/**
 * A fingerprint of everything the loaders' outputs depend on beyond their own source: the cohort folder
 * (every file's path, size and modification time), the mode, and the Node code the loaders import
 * (the compiled build/loaders and analysis/dist, and src/data). Framework re-runs a data loader only when the loader file itself
 * changes; the config clears the cached outputs when this fingerprint changes.
 */
export function siteInputsFingerprint(env: SiteEnv = process.env): string {
  const cohort = siteCohortDir(env);
  const parts: string[] = [`cohort=${cohort}`, `publish=${isPublishMode(env)}`];
  const walk = (dir: string, label: string) => {
    if (!existsSync(dir)) {
      parts.push(`${label}:absent`);
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${label}/${entry.name}`);
      else {
        const s = statSync(path);
        parts.push(`${label}/${entry.name}:${s.size}:${Math.round(s.mtimeMs)}`);
      }
    }
  };
  walk(cohort, "cohort");
  for (const code of ["build/loaders", "analysis/dist", "src/data"]) walk(join(PROJECT_ROOT, code), code);
  return parts.join("\n");
}
