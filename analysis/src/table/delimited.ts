/**
 * Reading delimited text (CSV) into columns, with no I/O so it runs in the browser too (the "your own
 * data" page) as well as in the CLI.
 *
 * Accepted: a header row; comma or semicolon separators (detected from the header line: semicolon when it
 * has more semicolons than commas, as exported by European spreadsheet software); RFC 4180 quoting
 * ("a, b" and doubled "" inside quotes); CRLF or LF; a UTF-8 byte-order mark; blank lines (skipped).
 * With a semicolon separator a decimal comma is accepted in numbers ("3,5" → 3.5).
 * Missing values: an empty cell, "NA", "NaN", "." (SPSS/SAS) or "-" read as missing.
 */

export class DelimitedTextError extends Error {
  override name = "DelimitedTextError";
}

export interface DelimitedTable {
  columns: string[];
  /** rows[i][j]: the text of row i (0-based, data rows only), column j. */
  rows: string[][];
  /** 1-based line number in the text of each data row (for error messages). */
  lines: number[];
  separator: "," | ";";
  decimalComma: boolean;
}

const MISSING = new Set(["", "NA", "NaN", "nan", "N/A", "n/a", ".", "-"]);

/**
 * Splits text into records of fields, honouring quotes; returns each record with its starting line.
 * Throws as soon as there are more than `maxRecords` (so an absurd file is refused before it is read).
 */
function records(text: string, separator: string, maxRecords: number): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let sawQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === "") {
      inQuotes = true;
      sawQuote = true;
      field = "";
    } else if (ch === separator) {
      fields.push(sawQuote ? field : field.trim());
      field = "";
      sawQuote = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      fields.push(sawQuote ? field : field.trim());
      if (!(fields.length === 1 && fields[0] === "")) out.push({ fields, line: recordLine });
      if (out.length > maxRecords)
        throw new DelimitedTextError(`has more than ${maxRecords - 1} data rows, the most it may have`);
      fields = [];
      field = "";
      sawQuote = false;
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (inQuotes) throw new DelimitedTextError(`unterminated quoted field starting on line ${recordLine}`);
  if (field !== "" || fields.length > 0 || sawQuote) {
    fields.push(sawQuote ? field : field.trim());
    if (!(fields.length === 1 && fields[0] === "")) out.push({ fields, line: recordLine });
  }
  return out;
}

/**
 * Parses CSV text; more than `maxRows` data rows (default: no limit) is an error raised before the rest
 * is read. Example: `parseDelimited("a;b\n1,5;2\n").rows` → [["1,5", "2"]] with decimalComma true.
 */
export function parseDelimited(
  input: string,
  { separator, maxRows = Number.POSITIVE_INFINITY }: { separator?: "," | ";"; maxRows?: number } = {},
): DelimitedTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (s: string, c: string) => s.split(c).length - 1;
  const sep = separator ?? (count(firstLine, ";") > count(firstLine, ",") ? ";" : ",");
  const recs = records(text, sep, maxRows + 1);
  if (recs.length === 0) throw new DelimitedTextError("the file is empty: a header row is required");
  const columns = recs[0].fields;
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === "") throw new DelimitedTextError("the header row has an empty column name");
    if (seen.has(c)) throw new DelimitedTextError(`the header row names column '${c}' twice`);
    seen.add(c);
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const r of recs.slice(1)) {
    if (r.fields.length !== columns.length)
      throw new DelimitedTextError(`line ${r.line} has ${r.fields.length} fields but the header has ${columns.length}`);
    rows.push(r.fields);
    lines.push(r.line);
  }
  return { columns, rows, lines, separator: sep, decimalComma: sep === ";" };
}

/** Index of a column, or an error naming it and listing those available. */
export function columnIndex(table: DelimitedTable, name: string): number {
  const j = table.columns.indexOf(name);
  if (j < 0) throw new DelimitedTextError(`column '${name}' not found; the columns are: ${table.columns.join(", ")}`);
  return j;
}

/** True when the cell text means "missing". */
export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim());
}

/**
 * A number written in decimal: optional sign, digits with an optional '.', an optional exponent
 * ("-1.5", ".5", "2e-3"); surrounding spaces are ignored. Anything else is NaN — also what `Number()`
 * would read but a person does not mean as a number ("0x10", "0b11", "0o7", "Infinity", "", "1_000").
 * Example: `parseDecimalNumber("0x10")` is NaN; `parseDecimalNumber(" 16 ")` is 16.
 */
export function parseDecimalNumber(text: string): number {
  const s = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : Number.NaN;
}

/**
 * Parses one numeric cell (NaN when missing). Throws naming the column and line for anything else that
 * is not a number. With `decimalComma`, "3,5" is 3.5 (and "1.234,5" is refused as ambiguous).
 */
export function parseNumberCell(cell: string, decimalComma: boolean, column: string, line: number): number {
  const s = cell.trim();
  if (isMissing(s)) return Number.NaN;
  let normalized = s;
  if (decimalComma && s.includes(",")) {
    if (s.includes("."))
      throw new DelimitedTextError(
        `column '${column}', line ${line}: '${cell}' mixes '.' and ',' — cannot tell the decimal mark`,
      );
    normalized = s.replace(",", ".");
  }
  const v = parseDecimalNumber(normalized);
  if (!Number.isFinite(v)) throw new DelimitedTextError(`column '${column}', line ${line}: '${cell}' is not a number`);
  return v;
}

/** A numeric column (NaN for missing cells). */
export function numericColumn(table: DelimitedTable, name: string): number[] {
  const j = columnIndex(table, name);
  return table.rows.map((row, i) => parseNumberCell(row[j], table.decimalComma, name, table.lines[i]));
}

/** A text column ("" for missing cells, trimmed). */
export function textColumn(table: DelimitedTable, name: string): string[] {
  const j = columnIndex(table, name);
  return table.rows.map((row) => (isMissing(row[j]) ? "" : row[j].trim()));
}

/**
 * The distinct labels of a grouping column in display order: natural sort ("2" before "10", "a" before
 * "B" as the "en" locale orders them). Every grouped analysis (Kaplan-Meier, log-rank, the CLI's level
 * lists) orders groups with it, so they agree. Example: `sortedLevels(["10", "2", "2"])` → ["2", "10"].
 */
export function sortedLevels(labels: readonly (string | number)[]): string[] {
  return [...new Set(labels.map(String))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}
