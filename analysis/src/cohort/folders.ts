/**
 * Matching clinical.csv's rows with the folders `cases/<case_id>/`: the pure half of `cryomargin
 * validate`'s file checks. The I/O side lists the folders and their files; this names every case in the
 * CSV without a folder or without one of its files, and every folder without a CSV row.
 */
import { type CohortProblem, cohortProblem } from "./problems.js";

/**
 * The files every case folder must hold, by role, each with the names it may have (the first is the
 * documented one): a mask is NIfTI (gzipped or not), NRRD (.nrrd, or a detached .nhdr beside its data
 * file), a 3D Slicer .seg.nrrd, MetaImage (.mha, .mhd) or DICOM-SEG (.dcm); `segmentation.seg.nrrd`
 * may hold both masks (segments named tumor and ice ball). Exactly one name per role may be present.
 * In place of registration.tfm a case may hold its two scans (`CASE_SCAN_NAMES`): cryomargin then
 * registers them (`caseRegistrationSource`).
 */
export const CASE_FILE_NAMES = {
  tumor: [
    "tumor.nii.gz",
    "tumor.nii",
    "tumor.nrrd",
    "tumor.nhdr",
    "tumor.seg.nrrd",
    "tumor.mha",
    "tumor.mhd",
    "tumor.dcm",
    "segmentation.seg.nrrd",
  ],
  iceball: [
    "iceball.nii.gz",
    "iceball.nii",
    "iceball.nrrd",
    "iceball.nhdr",
    "iceball.seg.nrrd",
    "iceball.mha",
    "iceball.mhd",
    "iceball.dcm",
    "segmentation.seg.nrrd",
  ],
  transform: ["registration.tfm"],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A role of a case folder's file: the tumor mask, the ice-ball mask, the registration transform. */
export type CaseFileRole = keyof typeof CASE_FILE_NAMES;

/**
 * The pre-ablation (fixed) and post-ablation (moving) scans of a case, by role, each with the names it may
 * have (the first is the documented one): NIfTI, NRRD (.nrrd, or a detached .nhdr), MetaImage, or a
 * folder `pre/` / `post/` holding a DICOM series. Optional beside registration.tfm (the case pages show
 * them); without registration.tfm both are needed, and cryomargin registers them.
 */
export const CASE_SCAN_NAMES = {
  pre: ["pre.nii.gz", "pre.nii", "pre.nrrd", "pre.nhdr", "pre.mha", "pre.mhd", "pre"],
  post: ["post.nii.gz", "post.nii", "post.nrrd", "post.nhdr", "post.mha", "post.mhd", "post"],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** The scans' accepted names, for messages. */
const SCANS_TEXT =
  "pre.nii.gz and post.nii.gz (or .nii, .nrrd, .nhdr, .mha, .mhd, or DICOM series folders pre/ and post/)";

/** Where a case's registration comes from, as its folder's file names decide (`caseRegistrationSource`). */
export type CaseRegistrationSource =
  /** The case's registration.tfm; `scansPresent`: it also holds both scans, which are then not registered. */
  | { source: "supplied"; transform: string; scansPresent: boolean }
  /** No registration.tfm: cryomargin registers `post` (moving) to `pre` (fixed). */
  | { source: "register"; pre: string; post: string }
  /** Neither a transform nor both scans: `missing` names the role(s) absent. */
  | { source: "none"; missing: ("transform" | "pre" | "post")[] };

/**
 * Which registration a case folder's files give: its registration.tfm when present (the scans, if any,
 * are not registered), else its pre and post scans for cryomargin to register, else none. The first
 * accepted name present is used for each scan (a second one is `caseFolderProblems`' duplicate error).
 * Example: `caseRegistrationSource(["tumor.nii.gz", "iceball.nii.gz", "pre.nii.gz", "post.nii.gz"])` is
 * `{ source: "register", pre: "pre.nii.gz", post: "post.nii.gz" }`.
 */
export function caseRegistrationSource(files: readonly string[]): CaseRegistrationSource {
  const first = (names: readonly string[]) => names.find((name) => files.includes(name));
  const transform = first(CASE_FILE_NAMES.transform);
  const pre = first(CASE_SCAN_NAMES.pre);
  const post = first(CASE_SCAN_NAMES.post);
  if (transform) return { source: "supplied", transform, scansPresent: pre !== undefined && post !== undefined };
  if (pre && post) return { source: "register", pre, post };
  return {
    source: "none",
    missing: pre || post ? [pre ? "post" : "pre"] : ["transform"],
  };
}

/** "tumor.nii.gz (or tumor.nii)": the names a role's file may have, for messages. */
function acceptedNames(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names[0]} (or ${names.slice(1).join(", ")})`;
}

export interface CaseFolderListing {
  /** Folder name under cases/. */
  caseId: string;
  /** File names inside it. */
  files: readonly string[];
}

/**
 * Problems between the CSV's cases and the case folders. Example: a row "c07" with no folder gives
 * "clinical.csv line 8, case c07: no folder cases/c07/ …"; a folder "c99" without a row gives
 * "cases/c99: a case folder without a row in clinical.csv". A folder equal to a case id but for case is
 * reported as such (it works on macOS/Windows, not on Linux).
 */
export function caseFolderProblems(
  csvCases: readonly { caseId: string; line: number }[],
  folders: readonly CaseFolderListing[],
  {
    requiredFiles = CASE_FILE_NAMES,
    csvFile = "clinical.csv",
  }: { requiredFiles?: Readonly<Record<string, readonly string[]>>; csvFile?: string } = {},
): CohortProblem[] {
  const problems: CohortProblem[] = [];
  const byName = new Map(folders.map((f) => [f.caseId, f]));
  const byLower = new Map(folders.map((f) => [f.caseId.toLowerCase(), f]));
  const matched = new Set<string>();
  for (const c of csvCases) {
    const folder = byName.get(c.caseId);
    if (!folder) {
      const other = byLower.get(c.caseId.toLowerCase());
      if (other) matched.add(other.caseId);
      problems.push(
        cohortProblem({
          severity: "error",
          code: "missing-file",
          file: csvFile,
          line: c.line,
          caseId: c.caseId,
          field: "case_id",
          detail: other
            ? `the folder is cases/${other.caseId}/, which differs from the case id in upper/lower case`
            : `no folder cases/${c.caseId}/ for this case`,
        }),
      );
      continue;
    }
    matched.add(folder.caseId);
    const needed = Object.values(requiredFiles);
    const registration = caseRegistrationSource(folder.files);
    const neededText = needed
      .map((names) =>
        names === CASE_FILE_NAMES.transform
          ? `${acceptedNames(names)} (or the scans ${SCANS_TEXT} for cryomargin to register)`
          : acceptedNames(names),
      )
      .join(", ");
    // A supplied transform, or (without one) both scans; each file used has one name only.
    const registerScans =
      registration.source === "register" ||
      (registration.source === "none" && !registration.missing.includes("transform"));
    const checked = needed
      .filter((names) => !(registerScans && names === CASE_FILE_NAMES.transform))
      .concat(registerScans ? [CASE_SCAN_NAMES.pre, CASE_SCAN_NAMES.post] : []);
    for (const names of checked) {
      const present = names.filter((name) => folder.files.includes(name));
      if (present.length === 0)
        problems.push(
          cohortProblem({
            severity: "error",
            code: "missing-file",
            file: `cases/${c.caseId}/${names[0]}`,
            caseId: c.caseId,
            detail:
              names === CASE_SCAN_NAMES.pre || names === CASE_SCAN_NAMES.post
                ? `missing: without ${CASE_FILE_NAMES.transform[0]} cryomargin registers the case's scans and needs both, ${SCANS_TEXT}`
                : `missing: each case folder needs ${neededText}`,
          }),
        );
      else if (present.length > 1)
        problems.push(
          cohortProblem({
            severity: "error",
            code: "duplicate-file",
            file: `cases/${c.caseId}/${present[1]}`,
            caseId: c.caseId,
            detail: `both ${present.join(" and ")} are present: keep one (which one is the case's is not clear)`,
          }),
        );
    }
  }
  for (const f of folders)
    if (!matched.has(f.caseId))
      problems.push(
        cohortProblem({
          severity: "error",
          code: "orphan-file",
          file: `cases/${f.caseId}`,
          caseId: f.caseId,
          detail: `a case folder without a row in ${csvFile}`,
        }),
      );
  return problems;
}
