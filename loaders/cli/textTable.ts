/**
 * Plain-text rendering of a command's result object (`--format table`): the same keys as the JSON output,
 * laid out for a terminal. Scalars print as aligned "key  value" lines, nested objects as indented sections,
 * and arrays of flat records (a Kaplan-Meier table, Cox coefficients) as aligned columns.
 *
 * It renders the JavaScript values, not their JSON, so it can still tell R's Inf (an infinite odds ratio or
 * CI bound) from NA, which JSON can only write as null.
 */

import { maxOf } from "@cryomargin/analysis";

type Scalar = number | string | boolean | null | undefined;

/** Appends `more` to `lines` in place (a loop: `push(...more)` overflows the stack on a long table). */
function append(lines: string[], more: readonly string[]): void {
  for (const line of more) lines.push(line);
}

/**
 * A number for reading: integers as they are, others to 6 significant digits (trailing zeros trimmed),
 * magnitudes below 1e-4 or from 1e9 up in exponent form, NaN as R's "NA" and ±Infinity as "Inf"/"-Inf".
 * Examples: 0.420299777 → "0.4203"; 1.0825088e-5 → "1.083e-5"; 12 → "12"; NaN → "NA".
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NA";
  if (v === Number.POSITIVE_INFINITY) return "Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const magnitude = Math.abs(v);
  if (magnitude < 1e-4 || magnitude >= 1e9) return v.toExponential(3).replace("e+", "e");
  return String(Number(v.toPrecision(6)));
}

function isScalar(v: unknown): v is Scalar {
  return v === null || v === undefined || ["number", "string", "boolean"].includes(typeof v);
}

function formatScalar(v: Scalar): string {
  if (v === null || v === undefined) return "NA";
  if (typeof v === "number") return formatNumber(v);
  return String(v);
}

/** A scalar or an array of scalars (a CI, group names) as one cell. */
function formatCell(v: unknown): string {
  if (Array.isArray(v) && v.length === 0) return "(none)";
  if (Array.isArray(v) && v.every(isScalar)) return v.map(formatScalar).join(", ");
  return formatScalar(v as Scalar);
}

/** True for a value that prints in one cell. */
function isFlat(v: unknown): boolean {
  return isScalar(v) || (Array.isArray(v) && v.every(isScalar));
}

/** Rows of flat records as aligned, right-justified columns under a header of their keys. */
function grid(records: readonly Record<string, unknown>[], indent: string): string[] {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cells = records.map((r) => keys.map((k) => formatCell(r[k])));
  const widths = keys.map((k, c) => Math.max(k.length, maxOf(cells.map((row) => row[c].length))));
  const line = (row: string[]) => indent + row.map((cell, c) => cell.padStart(widths[c])).join("  ");
  return [line(keys)].concat(cells.map(line));
}

/** A matrix (a contingency table) as right-justified columns without a header. */
function matrix(rows: readonly Scalar[][], indent: string): string[] {
  const cells = rows.map((row) => row.map(formatScalar));
  const width = maxOf(cells.flat().map((c) => c.length));
  return cells.map((row) => indent + row.map((c) => c.padStart(width)).join("  "));
}

/**
 * The lines of a result object. Example: `renderResultTable({ W: 9, p: 0.4 })` →
 * "W  9\np  0.4\n".
 */
export function renderResultTable(result: Record<string, unknown>): string {
  return `${renderLines(result, "").join("\n")}\n`;
}

function renderLines(value: Record<string, unknown>, indent: string): string[] {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...entries.filter(([, v]) => isFlat(v)).map(([k]) => k.length));
  const lines: string[] = [];
  for (const [key, v] of entries) {
    if (isFlat(v)) {
      lines.push(`${indent}${key.padEnd(width)}  ${formatCell(v)}`);
    } else if (Array.isArray(v)) {
      if (v.length === 0) {
        lines.push(`${indent}${key}: (none)`);
      } else if (v.every((r) => Array.isArray(r) && r.every(isScalar))) {
        lines.push(`${indent}${key}:`);
        append(lines, matrix(v as Scalar[][], `${indent}  `));
      } else if (v.every((r) => r !== null && typeof r === "object" && Object.values(r).every(isFlat))) {
        lines.push(`${indent}${key}:`);
        append(lines, grid(v as Record<string, unknown>[], `${indent}  `));
      } else {
        v.forEach((item, i) => {
          // Records of groups are headed by their label ("group LTP:"); a single record by its key alone.
          const label = (item as Record<string, unknown>).group;
          const heading = typeof label === "string" ? `group ${label}` : v.length === 1 ? key : `${key} ${i + 1}`;
          lines.push(`${indent}${heading}:`);
          append(lines, renderLines(item as Record<string, unknown>, `${indent}  `));
        });
      }
    } else {
      lines.push(`${indent}${key}:`);
      append(lines, renderLines(v as Record<string, unknown>, `${indent}  `));
    }
  }
  return lines;
}
