/**
 * The data side of `cryomargin stats`: a CSV file read into the columns one analysis uses, with the rows
 * that miss a value in any of them dropped and counted, and every problem a user can meet turned into a
 * CryomarginError that names the file, the column and (where there is one) the line.
 *
 * Parsing itself (separators, decimal comma, BOM, quotes, missing-value spellings) is the analysis
 * package's delimited-text reader; this module only adds file I/O and the per-analysis column rules.
 */
import { readFileSync } from "node:fs";
import {
  columnIndex,
  type DelimitedTable,
  DelimitedTextError,
  isMissing,
  parseDelimited,
  parseNumberCell,
  sortedLevels,
} from "@cryomargin/analysis";
import { CryomarginError } from "../errors.js";

/** One CSV file, parsed, with the path as the user typed it (every message names it). */
export interface CsvInput {
  file: string;
  table: DelimitedTable;
}

/**
 * Reads and parses a CSV file. A missing or unreadable file, and anything the delimited-text reader refuses
 * (ragged rows, duplicate header names, an unterminated quote), is a CryomarginError naming the file.
 * Example: `readCsv("cohort.csv").table.columns` → ["id", "mtm_mm", "ltp", …].
 */
export function readCsv(file: string): CsvInput {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a CSV file" : code;
    throw new CryomarginError(`${file}: cannot read the data file (${why ?? (error as Error).message})`);
  }
  return inFile(file, () => ({ file, table: parseDelimited(text) }));
}

/**
 * Runs `work` and re-throws the reader's DelimitedTextError, and the RangeError by which the analysis
 * engine refuses its input (too few values, a single group, …), as a CryomarginError prefixed with the
 * file name — both are problems with the user's data, not bugs, so they exit 1 with a message. The
 * engine's refusals start with the refusing function's name ("shapiroWilk: sample size …"); a RangeError
 * of the JavaScript runtime ("Invalid array length") does not, and escapes as the bug it is.
 */
export function inFile<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const engineRefusal = error instanceof RangeError && /^[A-Za-z]+: /.test(error.message);
    if (error instanceof DelimitedTextError || engineRefusal) throw new CryomarginError(`${file}: ${error.message}`);
    throw error;
  }
}

/** A column as read: numbers (NaN where missing) or trimmed labels ("" where missing). */
export type ColumnValues = number[] | string[];

/** The rows kept for an analysis: their indices in the table, their line numbers, and how many were dropped. */
export interface CompleteRows {
  index: number[];
  lines: number[];
  nDropped: number;
}

/**
 * Every value of a numeric column, NaN where the cell is missing. A cell that is neither a number nor a
 * missing-value spelling throws naming the column and line — on every row, also those that a missing value
 * elsewhere will drop, because a typo is an error wherever it sits.
 */
export function numericValues({ table }: CsvInput, column: string): number[] {
  const j = columnIndex(table, column);
  return table.rows.map((row, i) => parseNumberCell(row[j], table.decimalComma, column, table.lines[i]));
}

/**
 * True when the column holds text: no non-missing cell reads as a number (veteran.csv's `celltype`). A
 * column of numbers with a stray word is not text but a typo, which `numericValues` reports by line.
 */
export function isTextColumn({ table }: CsvInput, column: string): boolean {
  const j = columnIndex(table, column);
  const present = table.rows.filter((row) => !isMissing(row[j]));
  return present.length > 0 && present.every((row) => labelAsNumber(row[j], table.decimalComma) === undefined);
}

/** Every value of a label column (groups, event codes), trimmed; "" where the cell is missing. */
export function labelValues({ table }: CsvInput, column: string): string[] {
  const j = columnIndex(table, column);
  return table.rows.map((row) => (isMissing(row[j]) ? "" : row[j].trim()));
}

/**
 * The rows with a value in every used column (complete cases, as R's na.omit and SPSS's listwise
 * deletion); `nDropped` = rows − kept. Example: columns [[1, NaN, 3], ["a", "b", ""]] keep row 0 only.
 */
export function completeRows({ table }: CsvInput, columns: readonly ColumnValues[]): CompleteRows {
  const index: number[] = [];
  for (let i = 0; i < table.rows.length; i++) {
    const missing = columns.some((values) => {
      const v = values[i];
      return typeof v === "number" ? Number.isNaN(v) : v === "";
    });
    if (!missing) index.push(i);
  }
  return { index, lines: index.map((i) => table.lines[i]), nDropped: table.rows.length - index.length };
}

/** The kept rows' entries of a column. */
export function pick<T>(values: readonly T[], rows: CompleteRows): T[] {
  return rows.index.map((i) => values[i]);
}

/**
 * Checks that survival times are ≥ 0 (the estimators' domain); a negative time names its column and line.
 */
export function checkNonNegative(input: CsvInput, values: readonly number[], column: string, rows: CompleteRows): void {
  values.forEach((v, k) => {
    if (v < 0)
      throw new CryomarginError(`${input.file}: column '${column}', line ${rows.lines[k]}: time ${v} is negative`);
  });
}

/** A label read as a number when it is one ("1", "1.0", "1,0" with a decimal comma), else undefined. */
function labelAsNumber(label: string, decimalComma: boolean): number | undefined {
  try {
    return parseNumberCell(label, decimalComma, "", 0);
  } catch {
    return undefined;
  }
}

/**
 * True when a cell holds the value asked for on the command line: equal as numbers when both are numbers
 * (so `--event-value 1` matches "1.0"), else equal as text.
 */
export function sameValue(cell: string, wanted: string, decimalComma: boolean): boolean {
  if (cell === wanted.trim()) return true;
  const a = labelAsNumber(cell, decimalComma);
  const b = labelAsNumber(wanted, decimalComma) ?? labelAsNumber(wanted, false);
  return a !== undefined && b !== undefined && a === b;
}

/**
 * A binary indicator (1 where the cell is `wanted`, else 0) from a two-valued column: the event of a
 * survival analysis (`--event-value`; 1 by default, 2 for R's `lung` 1/2 coding) or the cases of a ROC
 * analysis. Refused, naming the column: no row holds `wanted` (a wrong code would silently make every
 * subject censored), or the column holds more than two values (0/1/2 competing-risk codes must not turn
 * the third into censoring unnoticed).
 */
export function indicator(
  input: CsvInput,
  labels: readonly string[],
  column: string,
  wanted: string,
  option: string,
): number[] {
  const { decimalComma } = input.table;
  const values = labels.map((cell) => (sameValue(cell, wanted, decimalComma) ? 1 : 0));
  const distinct = sortedLevels(labels);
  if (!values.includes(1))
    throw new CryomarginError(
      `${input.file}: column '${column}': no row has the value '${wanted}' (${option}); the column holds ${distinct.map((d) => `'${d}'`).join(", ")}`,
    );
  if (distinct.length > 2)
    throw new CryomarginError(
      `${input.file}: column '${column}' holds ${distinct.length} different values (${distinct.join(", ")}); it must hold two: '${wanted}' (${option}) and one other`,
    );
  return values;
}

/**
 * The levels an analysis uses, in order: those named on the command line, else the column's sorted levels.
 * Rows in other levels are left out by the caller and counted. A named level must occur in the column
 * unless `allowEmpty` (a contingency table may have an empty row, as R's table() of a factor).
 */
export function chooseLevels(
  input: CsvInput,
  labels: readonly string[],
  column: string,
  requested: readonly string[] | undefined,
  allowEmpty = false,
): string[] {
  const present = sortedLevels(labels);
  if (!requested) return present;
  for (const level of requested)
    if (!allowEmpty && !present.includes(level))
      throw new CryomarginError(
        `${input.file}: column '${column}' has no row in group '${level}'; its groups are ${present.map((p) => `'${p}'`).join(", ")}`,
      );
  return [...requested];
}
