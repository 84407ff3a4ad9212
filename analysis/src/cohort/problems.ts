/**
 * A problem found in a cohort folder, named so that a user can find and fix it: the file, the line, the
 * case and the field. The parser of clinical.csv reports every problem it meets (not only the first); the
 * I/O side (loaders/) adds its file and image problems in the same shape, so `cryomargin validate` prints
 * one list.
 */

/** What kind of problem it is (stable codes, for tests and for tools that filter the list). */
export type CohortProblemCode =
  | "unreadable"
  | "empty"
  | "missing-column"
  | "duplicate-case-id"
  | "invalid-case-id"
  | "missing-value"
  | "not-a-number"
  | "unknown-code"
  | "impossible-value"
  | "inconsistent-ltp"
  | "inconsistent-patient"
  | "missing-file"
  | "duplicate-file"
  | "orphan-file"
  | "image"
  /** A case's scans could not be registered (a case without registration.tfm). */
  | "registration";

/**
 * `error`: the cohort cannot be analysed as it is (validate exits 1). `warning`: it can, but a figure will
 * be incomplete or a value looks doubtful (e.g. a missing ASA class is left out of Table 1's ASA rows).
 */
export type CohortProblemSeverity = "error" | "warning";

export interface CohortProblem {
  severity: CohortProblemSeverity;
  code: CohortProblemCode;
  /** File the problem is in, relative to the cohort folder (e.g. "clinical.csv", "cases/c07/tumor.nii.gz"). */
  file: string;
  /** 1-based line in the file, when it has one. */
  line: number | null;
  caseId: string | null;
  /** Column (field) name, when the problem is in one cell or column. */
  field: string | null;
  /** The offending text as written, when there is one. */
  value: string | null;
  /** What is wrong and what is expected, without the location (the message adds it). */
  detail: string;
  /** One line for a person: "clinical.csv line 7, case c05, field age_years: '130' is impossible (…)". */
  message: string;
}

/** The location prefix of a problem's message: file, line, case and field, those that are known. */
function problemLocation(p: Omit<CohortProblem, "message">): string {
  let where = p.file;
  if (p.line !== null) where += ` line ${p.line}`;
  if (p.caseId) where += `, case ${p.caseId}`;
  if (p.field) where += `, field ${p.field}`;
  return where;
}

/**
 * Builds a problem and its message. Example: `cohortProblem({severity: "error", code: "impossible-value",
 * file: "clinical.csv", line: 7, caseId: "c05", field: "age_years", value: "130", detail: "age must be 0–120"})`
 * has message "clinical.csv line 7, case c05, field age_years: '130' — age must be 0–120".
 */
export function cohortProblem(
  p: Omit<CohortProblem, "message" | "line" | "caseId" | "field" | "value"> &
    Partial<Pick<CohortProblem, "line" | "caseId" | "field" | "value">>,
): CohortProblem {
  const full = { line: null, caseId: null, field: null, value: null, ...p };
  const value = full.value !== null ? `'${full.value}' — ` : "";
  return { ...full, message: `${problemLocation(full)}: ${value}${full.detail}` };
}

/** True when none of the problems is an error (warnings allow the analysis to run). */
export function cohortIsUsable(problems: readonly CohortProblem[]): boolean {
  return problems.every((p) => p.severity !== "error");
}
