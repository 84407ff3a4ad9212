/**
 * Registration of the cohort cases that hold their two scans instead of a registration.tfm
 * (`caseRegistrationSource`): `analyze` and `margins --cohort` register the post-ablation scan (moving) to
 * the pre-ablation scan (fixed) with the tumor mask as region of interest — the strategy of `cryomargin
 * register` (loaders/register/registerScans.ts), with its defaults — before measuring the margins.
 *
 * - Output: each transform is an output file, `<out>/registrations/<case_id>.tfm` (ITK text, pre → post,
 *   the convention of registration.tfm); nothing is written into the cohort folder.
 * - Cache: a registration is stored under `<out>/.cache/registrations/<key>.json`, `key` the SHA-256 of
 *   the scans' and the tumor mask's bytes, the options that change the result (ROI margin, mask label and
 *   segment), the elastix package version and the registration code (`codeFingerprint`). An entry that
 *   is not JSON, not of the shape written here, or whose transform is not a plausible rigid motion
 *   counts as absent: the case is registered again. Entries are returned, not written: the caller
 *   writes them with its outputs, so a refused run leaves the output folder as it was.
 * - Errors: a case whose scans cannot be read or registered ("registration failed: …") is a case
 *   problem naming its moving scan; the other cases are registered all the same.
 *
 * Cases are registered one after another: each registration already runs its elastix starts in parallel
 * worker threads.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type CaseRegistrationSource,
  type CohortProblem,
  caseRegistrationSource,
  cohortProblem,
  DEFAULT_ROI_MARGIN_MM,
  MAX_ROTATION_DEG,
  MAX_TRANSLATION_MM,
  type Mat4,
  rigidMotionSize,
} from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";
import { readInputFile } from "../io/files.js";
import { InputFileError } from "../io/inputErrors.js";
import { readMaskFile } from "../io/readMaskFile.js";
import { volumeInputFiles } from "../io/readVolume.js";
import { checkRigid, formatItkTransform, parseItkTransform } from "../io/transform.js";
import { projectPath } from "../projectRoot.js";
import { registerScans } from "../register/registerScans.js";
import { checkMaskOnGrid, readScan } from "../register/scans.js";
import type { CacheEntry } from "./cachedMargins.js";
import type { RegisteredTransform } from "./cohortMargins.js";
import { type CaseOptions, codeFingerprint, cohortCaseFiles } from "./measureCase.js";

/** Where, under the output folder, the transforms cryomargin made are written (`<case_id>.tfm`). */
export const REGISTRATIONS_PATH = "registrations";

/** Where, under the output folder, registrations are cached. */
export const REGISTRATION_CACHE_PATH = ".cache/registrations";

/** The region of interest of a cohort registration: the tumor's box grown by this (`cryomargin register`'s default). */
export const COHORT_ROI_MARGIN_MM = DEFAULT_ROI_MARGIN_MM;

/** The metric a registration is judged by (registerScans.ts), as the per-case JSON names it. */
const METRIC = "normalized mutual information over the region of interest, ice-ball void excluded";

/** The code a registration runs (sources and compiled): part of its cache key. */
const REGISTER_CODE_FOLDERS = [
  "loaders/register",
  "build/loaders/register",
  "analysis/src/register",
  "analysis/dist/register",
];

/** How a case's registration is reported in its per-case JSON (`registration`). */
export type CaseRegistrationJson =
  | {
      source: "cryomargin register";
      /** The transform written, relative to the output folder. */
      tfm: string;
      /** The scans registered and the region-of-interest mask, relative to the cohort folder. */
      fixed: string;
      moving: string;
      roi_mask: string;
      roi_margin_mm: number;
      metric: string;
      final_metric: number;
      initial_metric: number;
      /** Size of the motion found: rotation, and displacement of the ROI centre. */
      rotation_deg: number;
      translation_mm: number;
      /** Wall time of the registration when it was made (a cached one keeps its time). */
      seconds: number;
    }
  | {
      source: "supplied";
      /** The cohort's transform, relative to the cohort folder. */
      tfm: string;
      /** Said when the case also holds both scans: they are not registered. */
      note?: string;
    };

/** A registration made (or read from the cache) for one case. */
export interface CaseRegistration {
  /** Pre → post, RAS mm. */
  preToPost: Mat4;
  /** The ITK text written to `<out>/registrations/<case_id>.tfm`. */
  tfmText: string;
  json: CaseRegistrationJson & { source: "cryomargin register" };
  fromCache: boolean;
}

/** The registrations of a cohort's cases without a transform file. */
export interface CohortRegistrations {
  /** By case id: the cases registered (now or from the cache). */
  registrations: Map<string, CaseRegistration>;
  /** By case id: the cases that could not be registered, with the file to name and what went wrong. */
  failures: Map<string, { file: string; detail: string }>;
  /** Cache entries of the registrations made now (none without a cache folder). */
  cacheEntries: CacheEntry[];
}

/** Options of `registerCohortCases`. */
export interface CohortRegistrationOptions {
  /** The measurement options: the tumor mask's label and segment pick the region of interest. */
  options: CaseOptions;
  /** Cache folder (`<out>/.cache/registrations`); undefined → no cache. */
  cacheDir?: string;
  /** Worker threads of each registration's elastix runs (default 2). */
  threads?: number;
  /** Called after each registered case (a progress bar). */
  onProgress?: (done: number, total: number, caseId: string) => void;
}

/**
 * The registrations made, as the measurement takes them (cohortMargins.ts `RegisteredTransform`): the
 * matrix, and the transform's path under `outDir` (or relative to the output folder without it).
 */
export function registeredTransforms(
  registered: ReadonlyMap<string, CaseRegistration>,
  outDir?: string,
): Map<string, RegisteredTransform> {
  return new Map(
    [...registered].map(([caseId, r]) => [
      caseId,
      { preToPost: r.preToPost, tfm: outDir === undefined ? r.json.tfm : join(outDir, r.json.tfm) },
    ]),
  );
}

/** The names of the files in a case's folder ([] when it has none). */
function caseFolderFiles(dir: string, caseId: string): string[] {
  const folder = join(dir, "cases", caseId);
  return existsSync(folder) && statSync(folder).isDirectory() ? readdirSync(folder) : [];
}

/**
 * Where each case's registration comes from (`caseRegistrationSource` on its folder's files).
 * Example: for data/cohort every case is `{ source: "supplied", scansPresent: true, … }`.
 */
export function cohortRegistrationPlan(dir: string, caseIds: readonly string[]): Map<string, CaseRegistrationSource> {
  return new Map(caseIds.map((caseId) => [caseId, caseRegistrationSource(caseFolderFiles(dir, caseId))]));
}

/** The per-case JSON of a case whose registration.tfm is used. */
export function suppliedRegistrationJson(
  caseId: string,
  source: CaseRegistrationSource & { source: "supplied" },
): CaseRegistrationJson {
  return {
    source: "supplied",
    tfm: `cases/${caseId}/${source.transform}`,
    ...(source.scansPresent
      ? {
          note: "the case also holds pre- and post-ablation scans: its registration.tfm is used, they are not registered",
        }
      : {}),
  };
}

/** The version of the elastix package (part of the cache key); "unknown" when its package.json cannot be read. */
function elastixVersion(): string {
  try {
    return JSON.parse(readFileSync(projectPath("node_modules", "@itk-wasm", "elastix", "package.json"), "utf8"))
      .version;
  } catch {
    return "unknown";
  }
}

/** `path` relative to the cohort folder `dir` it lies in. */
function relativeTo(dir: string, path: string): string {
  return path.slice(dir.length).replace(/^[/\\]/, "");
}

/**
 * A user-facing error as the file it names (an InputFileError's, else `fallbackFile`) and the rest of
 * its message; any other error is a bug and is thrown on.
 */
function caseFailure(error: unknown, fallbackFile: string): { file: string; detail: string } {
  if (!(error instanceof CryomarginError)) throw error;
  const file = error instanceof InputFileError ? error.file : fallbackFile;
  return { file, detail: error.message.startsWith(`${file}: `) ? error.message.slice(file.length + 2) : error.message };
}

/** The files a registration reads (cohort-relative names beside the paths). */
interface RegistrationInputs {
  pre: string;
  post: string;
  tumor: string;
}

function registrationInputs(dir: string, caseId: string, pre: string, post: string): RegistrationInputs {
  const folder = join(dir, "cases", caseId);
  return { pre: join(folder, pre), post: join(folder, post), tumor: cohortCaseFiles(dir, caseId).tumor };
}

/**
 * The cache key of a case's registration: SHA-256 of the settings, the registration code and the bytes
 * of both scans and the tumor mask. Missing or unreadable files are InputFileErrors naming them.
 */
export function registrationKey(inputs: RegistrationInputs, options: CaseOptions): string {
  const hash = createHash("sha256");
  const settings = {
    roiMarginMm: COHORT_ROI_MARGIN_MM,
    label: options.label ?? null,
    tumorSegment: options.tumorSegment ?? null,
    elastix: elastixVersion(),
    code: codeFingerprint(REGISTER_CODE_FOLDERS),
  };
  hash.update(`cryomargin-registration-v1\n${JSON.stringify(settings)}\n`);
  for (const role of ["pre", "post", "tumor"] as const)
    for (const file of volumeInputFiles(inputs[role])) {
      const bytes = readInputFile(file);
      hash.update(`${role}:${bytes.length}\n`);
      hash.update(bytes);
    }
  return hash.digest("hex");
}

/** The cache entry's form: the per-case JSON without the output path, and the transform's ITK text. */
interface CachedRegistration {
  format: "cryomargin-registration-v1";
  tfm_text: string;
  json: Omit<CaseRegistrationJson & { source: "cryomargin register" }, "tfm">;
}

/**
 * A cached registration, or null when the entry is absent or unusable: not JSON, another shape, a
 * number not finite, a transform that does not parse or is not rigid, or a motion larger than a
 * registration may end with (`MAX_ROTATION_DEG`; `MAX_TRANSLATION_MM` for the stored ROI displacement).
 */
export function readCachedRegistration(
  path: string,
): { preToPost: Mat4; tfmText: string; json: CachedRegistration["json"] } | null {
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as Partial<CachedRegistration>;
    if (value.format !== "cryomargin-registration-v1" || typeof value.tfm_text !== "string") return null;
    const json = value.json;
    if (typeof json !== "object" || json === null || json.source !== "cryomargin register") return null;
    for (const key of [
      "roi_margin_mm",
      "final_metric",
      "initial_metric",
      "rotation_deg",
      "translation_mm",
      "seconds",
    ] as const)
      if (typeof json[key] !== "number" || !Number.isFinite(json[key])) return null;
    for (const key of ["fixed", "moving", "roi_mask", "metric"] as const)
      if (typeof json[key] !== "string") return null;
    if (json.rotation_deg > MAX_ROTATION_DEG || json.translation_mm > MAX_TRANSLATION_MM) return null;
    const preToPost = parseItkTransform(value.tfm_text, path);
    checkRigid(preToPost, path);
    if (rigidMotionSize(preToPost, [0, 0, 0]).rotationDeg > MAX_ROTATION_DEG) return null;
    return { preToPost, tfmText: value.tfm_text, json };
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof CryomarginError) return null;
    throw error;
  }
}

/** Reads both scans and the tumor mask, which must lie on the pre-ablation scan's grid; errors name the file. */
function readRegistrationInputs(inputs: RegistrationInputs, options: CaseOptions) {
  const fixed = readScan(inputs.pre);
  const moving = readScan(inputs.post);
  const { mask } = readMaskFile(inputs.tumor, {
    label: options.label,
    segment: options.tumorSegment,
    role: "tumor",
    maxImageMb: options.maxImageMb,
  });
  checkMaskOnGrid(mask, inputs.tumor, fixed, inputs.pre);
  return { fixed, moving, mask };
}

/** Registers one case (see the module comment); throws the reader's or the registration's typed errors. */
async function registerCase(
  dir: string,
  inputs: RegistrationInputs,
  options: CaseOptions,
  threads: number | undefined,
): Promise<{ preToPost: Mat4; json: CachedRegistration["json"] }> {
  const { fixed, moving, mask } = readRegistrationInputs(inputs, options);
  const result = await registerScans(fixed, moving, mask, {
    roiMarginMm: COHORT_ROI_MARGIN_MM,
    movingFile: inputs.post,
    threads,
  });
  const relative = (path: string) => relativeTo(dir, path);
  return {
    preToPost: result.fixedToMoving,
    json: {
      source: "cryomargin register",
      fixed: relative(inputs.pre),
      moving: relative(inputs.post),
      roi_mask: relative(inputs.tumor),
      roi_margin_mm: COHORT_ROI_MARGIN_MM,
      metric: METRIC,
      final_metric: Number(result.nmi.toFixed(6)),
      initial_metric: Number(result.initialNmi.toFixed(6)),
      rotation_deg: Number(result.rotationDeg.toFixed(3)),
      translation_mm: Number(result.translationMm.toFixed(3)),
      seconds: Number(result.seconds.toFixed(2)),
    },
  };
}

/** The per-case JSON of a registration with the path of its transform, second after `source`. */
function withTfm(json: CachedRegistration["json"], tfm: string): CaseRegistration["json"] {
  const { source, ...rest } = json;
  return { source, tfm, ...rest };
}

/**
 * Registers (or reads from the cache) every listed case whose folder has no registration.tfm but both
 * scans; other cases are skipped. See the module comment.
 */
export async function registerCohortCases(
  dir: string,
  caseIds: readonly string[],
  { options, cacheDir, threads, onProgress }: CohortRegistrationOptions,
): Promise<CohortRegistrations> {
  const registrations = new Map<string, CaseRegistration>();
  const failures = new Map<string, { file: string; detail: string }>();
  const cacheEntries: CacheEntry[] = [];
  const plan = [...cohortRegistrationPlan(dir, caseIds)].flatMap(([caseId, source]) =>
    source.source === "register" ? [{ caseId, inputs: registrationInputs(dir, caseId, source.pre, source.post) }] : [],
  );
  let done = 0;
  for (const { caseId, inputs } of plan) {
    const tfm = `${REGISTRATIONS_PATH}/${caseId}.tfm`;
    try {
      const key = registrationKey(inputs, options);
      const cachePath = cacheDir === undefined ? undefined : join(cacheDir, `${key}.json`);
      const cached = cachePath === undefined ? null : readCachedRegistration(cachePath);
      if (cached) {
        registrations.set(caseId, {
          ...cached,
          json: withTfm(cached.json, tfm),
          fromCache: true,
        });
      } else {
        const made = await registerCase(dir, inputs, options, threads);
        const tfmText = formatItkTransform(made.preToPost);
        // Store what the outputs will read back: the transform through its ITK text (bit-exact for "affine").
        const preToPost = parseItkTransform(tfmText, tfm);
        registrations.set(caseId, {
          preToPost,
          tfmText,
          json: withTfm(made.json, tfm),
          fromCache: false,
        });
        if (cachePath !== undefined) {
          const entry: CachedRegistration = {
            format: "cryomargin-registration-v1",
            tfm_text: tfmText,
            json: made.json,
          };
          cacheEntries.push({ path: cachePath, content: `${JSON.stringify(entry, null, 2)}\n` });
        }
      }
    } catch (error) {
      const failure = caseFailure(error, inputs.post);
      failures.set(caseId, {
        file: failure.file,
        detail: `${failure.detail} (registering ${relativeTo(dir, inputs.post)} to the pre-ablation scan, the tumor as region of interest)`,
      });
    }
    onProgress?.(++done, plan.length, caseId);
  }
  return { registrations, failures, cacheEntries };
}

/**
 * Checks, without registering, what `registerCohortCases` would read for a case: both scans readable
 * 3-D images and the tumor mask on the pre-ablation scan's grid (`cryomargin validate`). Returns the
 * problem like a failure of `registerCohortCases`, or null.
 */
export function checkRegistrationInputs(
  dir: string,
  caseId: string,
  source: CaseRegistrationSource & { source: "register" },
  options: CaseOptions,
): { file: string; detail: string } | null {
  const inputs = registrationInputs(dir, caseId, source.pre, source.post);
  try {
    readRegistrationInputs(inputs, options);
    readMaskFile(cohortCaseFiles(dir, caseId).iceball, {
      label: options.label,
      segment: options.iceballSegment,
      role: "iceball",
      maxImageMb: options.maxImageMb,
    });
    return null;
  } catch (error) {
    return caseFailure(error, inputs.post);
  }
}

/**
 * The registrations of the listed cases: the source of each usable one (`sources`), the transforms
 * cryomargin made (`registered`) and the problems of the cases it could not register. With `register`
 * false the scans are only checked.
 */
export async function cohortRegistrations(
  dir: string,
  caseIds: readonly string[],
  {
    options,
    register,
    cacheDir,
    threads,
    onProgress,
  }: {
    options: CaseOptions;
    register: boolean;
    cacheDir?: string;
    threads: number;
    onProgress?: (done: number, total: number, caseId: string) => void;
  },
): Promise<{
  plan: Map<string, CaseRegistrationSource>;
  sources: Map<string, CaseRegistrationJson>;
  registered: Map<string, CaseRegistration>;
  problems: CohortProblem[];
  cacheEntries: CacheEntry[];
}> {
  const plan = cohortRegistrationPlan(dir, caseIds);
  const sources = new Map<string, CaseRegistrationJson>();
  const problems: CohortProblem[] = [];
  const relative = (file: string) => (file.startsWith(dir) ? file.slice(dir.length).replace(/^[/\\]/, "") : file);
  const problem = (caseId: string, failure: { file: string; detail: string }) =>
    cohortProblem({
      severity: "error",
      code: "registration",
      file: relative(failure.file),
      caseId,
      detail: failure.detail,
    });
  for (const [caseId, source] of plan)
    if (source.source === "supplied") sources.set(caseId, suppliedRegistrationJson(caseId, source));
  const toRegister = caseIds.filter((caseId) => plan.get(caseId)?.source === "register");
  if (!register) {
    for (const caseId of toRegister) {
      const source = plan.get(caseId) as CaseRegistrationSource & { source: "register" };
      const failure = checkRegistrationInputs(dir, caseId, source, options);
      if (failure) problems.push(problem(caseId, failure));
    }
    return { plan, sources, registered: new Map(), problems, cacheEntries: [] };
  }
  const made = await registerCohortCases(dir, toRegister, { options, cacheDir, threads, onProgress });
  for (const [caseId, failure] of made.failures) problems.push(problem(caseId, failure));
  for (const [caseId, r] of made.registrations) sources.set(caseId, r.json);
  return { plan, sources, registered: made.registrations, problems, cacheEntries: made.cacheEntries };
}
