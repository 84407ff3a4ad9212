/**
 * Parsing and validating `clinical.csv` text into typed `ClinicalRecord`s, reporting every problem found
 * (not only the first), each naming the file, line, case and field. Pure: the caller reads the file (and
 * adds its own file and image checks); the same code validates a cohort in the browser.
 *
 * Reading: comma or semicolon separator, decimal comma with a semicolon separator, UTF-8 BOM, quotes (all
 * by `parseDelimited`); header names and category codes are matched case-insensitively; columns beyond the
 * schema are kept as text in `record.extra` (user covariates).
 *
 * Errors (the row is left out of `records`, the cohort is not usable): missing columns; a missing or
 * duplicate case id (also ids equal but for case, which clash as folder names on macOS/Windows); an
 * unknown category code; a cell that is not a number; impossible values — age < 0 or > 120, negative or
 * missing follow-up, months_to_ltp < 0 or beyond follow-up, RENAL score outside the integers 4–12,
 * cryoprobes < 1 or not an integer, a 0/1 flag with another value, ltp_octant not an octant name; LTP = 1
 * without months_to_ltp or ltp_type; LTP = 0 with any LTP field filled.
 * Warnings (the row is kept): an empty descriptive cell (the value is left out of its table row); LTP = 1
 * without ltp_octant (left out of the site-agreement count); follow-up longer than the time to LTP (the
 * schema ends follow-up at LTP detection; survival uses months_to_ltp); one patient with two sexes.
 */
import {
  type DelimitedTable,
  DelimitedTextError,
  isMissing,
  parseDelimited,
  parseNumberCell,
} from "../table/delimited.js";
import { type CohortProblem, type CohortProblemCode, cohortProblem } from "./problems.js";
import type { ClinicalRecord } from "./record.js";
import { CLINICAL_CATEGORIES, CLINICAL_COLUMNS, CLINICAL_OCTANT_CODES, type ClinicalColumn } from "./schema.js";

export interface ClinicalParseOptions {
  /** File name used in messages (default "clinical.csv"). */
  file?: string;
}

export interface ClinicalParseResult {
  /** The rows without errors, in file order. */
  records: ClinicalRecord[];
  /** Every problem found, in file order (file-level problems first). */
  problems: CohortProblem[];
  /** Data rows read, including those with errors. */
  rowCount: number;
  separator: "," | ";" | null;
  decimalComma: boolean;
  /** Columns beyond the schema, as written in the header. */
  extraColumns: string[];
}

/**
 * The most rows a clinical table may have: one per treated tumor, so 100 000 is far beyond any cohort
 * (the largest renal-ablation registries hold a few thousand); a larger file is refused before it is
 * read through, with one problem, instead of growing a problem list per row.
 */
export const MAX_CLINICAL_ROWS = 100_000;

/** Lowest and highest plausible age in years (the validator's "impossible value" bounds). */
export const AGE_RANGE_YEARS: readonly [number, number] = [0, 120];
/** The RENAL nephrometry score's range (sum of five components scored 1–3, minus the hilar suffix). */
export const RENAL_SCORE_RANGE: readonly [number, number] = [4, 12];

/** Reads one row's cells, collecting problems with the row's file, line and case. */
class RowReader {
  errors = 0;
  constructor(
    private readonly cells: (column: ClinicalColumn) => string | null,
    private readonly decimalComma: boolean,
    private readonly file: string,
    readonly line: number,
    readonly caseId: string | null,
    private readonly problems: CohortProblem[],
  ) {}

  report(
    severity: "error" | "warning",
    code: CohortProblemCode,
    field: string,
    detail: string,
    value: string | null = null,
  ): void {
    if (severity === "error") this.errors++;
    this.problems.push(
      cohortProblem({ severity, code, file: this.file, line: this.line, caseId: this.caseId, field, value, detail }),
    );
  }

  /** Trimmed text of a cell, "" when missing or when the column is absent. */
  text(column: ClinicalColumn): string {
    const cell = this.cells(column);
    return cell === null || isMissing(cell) ? "" : cell.trim();
  }

  /** Whether the column exists in the header (an absent column is reported once, not on every row). */
  has(column: ClinicalColumn): boolean {
    return this.cells(column) !== null;
  }

  /**
   * A numeric cell: null when empty (an error if `required`, else a warning), the number otherwise. Checks
   * integrality and bounds, reporting an impossible value with the allowed range.
   */
  number(
    column: ClinicalColumn,
    { required = false, integer = false, min = -Infinity, max = Infinity, unit = "" } = {},
  ): number | null {
    if (!this.has(column)) return null;
    const raw = this.text(column);
    if (raw === "") {
      this.report(required ? "error" : "warning", "missing-value", column, "the value is missing");
      return null;
    }
    let value: number;
    try {
      value = parseNumberCell(raw, this.decimalComma, column, this.line);
    } catch (e) {
      if (!(e instanceof DelimitedTextError)) throw e;
      this.report("error", "not-a-number", column, `is not a number${unit ? ` (${unit})` : ""}`, raw);
      return null;
    }
    const bounds = `${Number.isFinite(min) ? `≥ ${min}` : ""}${Number.isFinite(min) && Number.isFinite(max) ? " and " : ""}${Number.isFinite(max) ? `≤ ${max}` : ""}`;
    if ((integer && !Number.isInteger(value)) || value < min || value > max) {
      this.report(
        "error",
        "impossible-value",
        column,
        `is impossible: ${column} must be ${integer ? "an integer " : ""}${bounds}${unit ? ` ${unit}` : ""}`,
        raw,
      );
      return null;
    }
    return value;
  }

  /** A 0/1 flag cell. */
  flag(column: ClinicalColumn, { required = false } = {}): boolean | null {
    const v = this.number(column, { required, integer: true, min: 0, max: 1 });
    return v === null ? null : v === 1;
  }

  /** A coded cell, matched case-insensitively against the allowed codes; returns the canonical code. */
  code<T extends string>(column: ClinicalColumn, codes: readonly T[], { warnIfMissing = true } = {}): T | null {
    if (!this.has(column)) return null;
    const raw = this.text(column);
    if (raw === "") {
      if (warnIfMissing) this.report("warning", "missing-value", column, "the value is missing");
      return null;
    }
    const found = codes.find((c) => c.toLowerCase() === raw.toLowerCase());
    if (found === undefined)
      this.report("error", "unknown-code", column, `is not a known code; allowed: ${codes.join(", ")}`, raw);
    return found ?? null;
  }
}

/** Maps each schema column to its index in the header (case-insensitive), or -1 when absent. */
function headerIndex(table: DelimitedTable): Map<ClinicalColumn, number> {
  const lower = table.columns.map((c) => c.trim().toLowerCase());
  return new Map(CLINICAL_COLUMNS.map((c) => [c, lower.indexOf(c)]));
}

/**
 * Checks a case id can name the folder `cases/<case_id>/` and a page of the study report on any system:
 * letters, digits, '.', '_' and '-', starting with a letter or digit. The one rule for every reader of a
 * cohort (validate, analyze, margins --cohort). Example: `caseIdProblem("../c01")` is a message;
 * `caseIdProblem("S01")` is null.
 */
export function caseIdProblem(caseId: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(caseId))
    return "must be letters, digits, '.', '_' or '-', starting with a letter or digit (it names a folder)";
  return null;
}

/** LTP fields against the LTP flag and the follow-up (see the module comment). */
function checkLtpConsistency(
  row: RowReader,
  ltp: boolean | null,
  followupMonths: number | null,
  monthsToLtp: number | null,
): void {
  if (ltp === true) {
    if (row.has("months_to_ltp") && row.text("months_to_ltp") === "")
      row.report("error", "inconsistent-ltp", "months_to_ltp", "ltp = 1 but the time to LTP is missing");
    if (row.has("ltp_type") && row.text("ltp_type") === "")
      row.report("error", "inconsistent-ltp", "ltp_type", "ltp = 1 but the LTP type (residual/recurrent) is missing");
    if (row.has("ltp_octant") && row.text("ltp_octant") === "")
      row.report(
        "warning",
        "missing-value",
        "ltp_octant",
        "ltp = 1 but the regrowth octant is missing: the case is left out of the LTP-site agreement count",
      );
    if (monthsToLtp !== null && followupMonths !== null) {
      if (monthsToLtp > followupMonths)
        row.report(
          "error",
          "impossible-value",
          "months_to_ltp",
          `is beyond the follow-up (followup_months = ${followupMonths})`,
          row.text("months_to_ltp"),
        );
      else if (monthsToLtp < followupMonths)
        row.report(
          "warning",
          "inconsistent-ltp",
          "followup_months",
          `follow-up ends at LTP detection (months_to_ltp = ${monthsToLtp}); survival uses months_to_ltp`,
          row.text("followup_months"),
        );
    }
  } else if (ltp === false) {
    for (const column of ["ltp_type", "months_to_ltp", "ltp_octant"] as const)
      if (row.text(column) !== "")
        row.report("error", "inconsistent-ltp", column, "is filled but ltp = 0 (leave it empty)", row.text(column));
  }
}

/** Reads one data row into a record (null when the row has an error). */
function readRow(
  table: DelimitedTable,
  index: Map<ClinicalColumn, number>,
  rowIndex: number,
  file: string,
  problems: CohortProblem[],
  extraColumns: readonly string[],
): ClinicalRecord | null {
  const cells = table.rows[rowIndex];
  const line = table.lines[rowIndex];
  const cellOf = (column: ClinicalColumn): string | null => {
    const j = index.get(column) ?? -1;
    return j < 0 ? null : cells[j];
  };
  const caseIdCell = cellOf("case_id");
  const caseId = caseIdCell === null || isMissing(caseIdCell) ? "" : caseIdCell.trim();
  const row = new RowReader(cellOf, table.decimalComma, file, line, caseId || null, problems);
  if (row.has("case_id") && caseId === "") row.report("error", "missing-value", "case_id", "the case id is missing");
  const badId = caseId ? caseIdProblem(caseId) : null;
  if (badId) row.report("error", "invalid-case-id", "case_id", badId, caseId);
  const patientId = row.text("patient_id");
  if (row.has("patient_id") && patientId === "")
    row.report("error", "missing-value", "patient_id", "the patient id is missing");

  const ageYears = row.number("age_years", { min: AGE_RANGE_YEARS[0], max: AGE_RANGE_YEARS[1], unit: "years" });
  const sex = row.code("sex", CLINICAL_CATEGORIES.sex);
  const asa = row.code("asa", CLINICAL_CATEGORIES.asa);
  const side = row.code("side", CLINICAL_CATEGORIES.side);
  const location = row.code("location", CLINICAL_CATEGORIES.location);
  const site = row.code("site", CLINICAL_CATEGORIES.site);
  const histology = row.code("histology", CLINICAL_CATEGORIES.histology);
  const renalScore = row.number("renal_score", {
    integer: true,
    min: RENAL_SCORE_RANGE[0],
    max: RENAL_SCORE_RANGE[1],
  });
  const priorAblation = row.flag("prior_ablation");
  const cryoprobes = row.number("cryoprobes", { integer: true, min: 1 });
  const majorComplication = row.flag("major_complication");
  const followupMonths = row.number("followup_months", { required: true, min: 0, unit: "months" });
  const ltp = row.flag("ltp", { required: true });
  const ltpType = row.code("ltp_type", CLINICAL_CATEGORIES.ltp_type, { warnIfMissing: false });
  const monthsToLtp = row.text("months_to_ltp") === "" ? null : row.number("months_to_ltp", { min: 0, unit: "months" });
  const ltpOctant = row.code("ltp_octant", CLINICAL_OCTANT_CODES, { warnIfMissing: false });
  checkLtpConsistency(row, ltp, followupMonths, monthsToLtp);

  if (row.errors > 0 || followupMonths === null || ltp === null) return null;
  const extra: Record<string, string> = {};
  for (const name of extraColumns) {
    const cell = cells[table.columns.indexOf(name)];
    extra[name] = isMissing(cell) ? "" : cell.trim();
  }
  return {
    caseId,
    patientId,
    ageYears,
    sex,
    asa,
    side,
    location,
    site,
    histology,
    renalScore,
    priorAblation,
    cryoprobes,
    majorComplication,
    followupMonths,
    ltp,
    ltpType,
    monthsToLtp,
    ltpOctant,
    extra,
    line,
  };
}

/**
 * Duplicate case ids: every row after the first with the same id (compared case-insensitively, since the
 * ids name folders) is an error naming the first line. Returns the lines to drop.
 */
function duplicateCaseIds(table: DelimitedTable, caseIdColumn: number, file: string, problems: CohortProblem[]) {
  const firstLine = new Map<string, { line: number; id: string }>();
  const dropped = new Set<number>();
  table.rows.forEach((cells, i) => {
    const id = cells[caseIdColumn].trim();
    if (isMissing(id)) return;
    const key = id.toLowerCase();
    const first = firstLine.get(key);
    if (first === undefined) {
      firstLine.set(key, { line: table.lines[i], id });
      return;
    }
    dropped.add(table.lines[i]);
    const how = first.id === id ? "" : ` ('${first.id}': ids equal but for case name the same folder)`;
    problems.push(
      cohortProblem({
        severity: "error",
        code: "duplicate-case-id",
        file,
        line: table.lines[i],
        caseId: id,
        field: "case_id",
        detail: `duplicate case id: already used on line ${first.line}${how}`,
      }),
    );
  });
  return dropped;
}

/** Rows of one patient should agree on sex; a disagreement is reported on the later row. */
function patientConsistency(records: readonly ClinicalRecord[], file: string, problems: CohortProblem[]): void {
  const first = new Map<string, ClinicalRecord>();
  for (const r of records) {
    const f = first.get(r.patientId);
    if (f === undefined) first.set(r.patientId, r);
    else if (f.sex !== null && r.sex !== null && f.sex !== r.sex)
      problems.push(
        cohortProblem({
          severity: "warning",
          code: "inconsistent-patient",
          file,
          line: r.line,
          caseId: r.caseId,
          field: "sex",
          value: r.sex,
          detail: `patient ${r.patientId} is '${f.sex}' on line ${f.line}; per-patient rows use the first row`,
        }),
      );
  }
}

/**
 * Parses and validates the text of clinical.csv. Never throws on bad data: every problem is in
 * `problems`, and `records` holds the rows without errors.
 * Example: `parseClinicalCsv("case_id;patient_id;…\nc01;p01;71;male;…").records[0].ageYears` = 71.
 */
export function parseClinicalCsv(
  text: string,
  { file = "clinical.csv" }: ClinicalParseOptions = {},
): ClinicalParseResult {
  const problems: CohortProblem[] = [];
  let table: DelimitedTable;
  try {
    table = parseDelimited(text, { maxRows: MAX_CLINICAL_ROWS });
  } catch (e) {
    if (!(e instanceof DelimitedTextError)) throw e;
    const line = /line (\d+)/.exec(e.message);
    problems.push(
      cohortProblem({
        severity: "error",
        code: e.message.includes("empty") ? "empty" : "unreadable",
        file,
        line: line ? Number(line[1]) : null,
        detail: `cannot be read as CSV: ${e.message}`,
      }),
    );
    return { records: [], problems, rowCount: 0, separator: null, decimalComma: false, extraColumns: [] };
  }
  const index = headerIndex(table);
  for (const [column, j] of index)
    if (j < 0)
      problems.push(
        cohortProblem({
          severity: "error",
          code: "missing-column",
          file,
          line: 1,
          field: column,
          detail: `the column '${column}' is missing from the header (columns: ${CLINICAL_COLUMNS.join(", ")})`,
        }),
      );
  const known = new Set<string>(CLINICAL_COLUMNS);
  const extraColumns = table.columns.filter((c) => !known.has(c.trim().toLowerCase()));
  if (table.rows.length === 0)
    problems.push(cohortProblem({ severity: "error", code: "empty", file, detail: "the table has no data rows" }));
  const caseIdColumn = index.get("case_id") ?? -1;
  const dropped = caseIdColumn >= 0 ? duplicateCaseIds(table, caseIdColumn, file, problems) : new Set<number>();
  const records: ClinicalRecord[] = [];
  for (let i = 0; i < table.rows.length; i++) {
    const record = readRow(table, index, i, file, problems, extraColumns);
    if (record !== null && !dropped.has(record.line)) records.push(record);
  }
  patientConsistency(records, file, problems);
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    records,
    problems,
    rowCount: table.rows.length,
    separator: table.separator,
    decimalComma: table.decimalComma,
    extraColumns,
  };
}
