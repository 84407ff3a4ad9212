/**
 * Numbers as the paper prints them, and plain text tables as CSV and Markdown. Pure strings.
 *
 * - mean ± SD: "31.3 ± 9.4"; median (range): "69 (38–83)", with "to" when a bound is negative
 *   ("-7 (-11 to 6)"); n (%): "20 (66.7)"; p: three decimals without the leading zero (".507"), "< .001"
 *   below 0.001 (APA style, as the paper's text).
 * - Negative numbers use the ASCII hyphen-minus so that CSV cells stay machine-readable.
 * - A missing value prints as "—".
 */
import type { NumericSummary } from "../stats/descriptives.js";

export const MISSING_TEXT = "—";

/** x with a fixed number of decimals; "—" when not finite; never "-0". Example: `formatFixed(-0.04, 1)` = "0.0". */
export function formatFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return MISSING_TEXT;
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/**
 * x with `decimals` decimals, or one more when that would hide a half (a median of integers such as 70.5).
 * Example: `formatCompact(70, 0)` = "70"; `formatCompact(70.5, 0)` = "70.5".
 */
export function formatCompact(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return MISSING_TEXT;
  const scaled = x * 10 ** decimals;
  return formatFixed(x, Math.abs(scaled - Math.round(scaled)) < 1e-9 ? decimals : decimals + 1);
}

/**
 * A p-value as the paper: three decimals without the leading zero, "< .001" below 0.001.
 * Example: `formatPValue(0.0702)` = ".070"; `formatPValue(0.0004)` = "< .001"; NaN → "—".
 */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return MISSING_TEXT;
  if (p < 0.001) return "< .001";
  return formatFixed(p, 3).replace(/^0\./, ".");
}

/** A p-value as a statement, the paper's style. Example: `formatPStatementPaper(0.0004)` = "P < .001"; 0.012 → "P = .012". */
export function formatPStatementPaper(p: number): string {
  const text = formatPValue(p);
  return text.startsWith("<") ? `P ${text}` : `P = ${text}`;
}

/** "lo–hi", or "lo to hi" when a bound is negative (an en dash beside a minus sign misreads). */
export function formatRange(lo: string, hi: string): string {
  return lo.startsWith("-") || hi.startsWith("-") ? `${lo} to ${hi}` : `${lo}–${hi}`;
}

/** Mean ± SD. Example: 31.3 ± 9.4. */
export function formatMeanSd(s: NumericSummary | null, decimals: number): string {
  if (!s) return MISSING_TEXT;
  return `${formatFixed(s.mean, decimals)} ± ${formatFixed(s.sd, decimals)}`;
}

/** Median (range), medians and bounds as compact as the data allow. Example: 69 (38–83). */
export function formatMedianRange(s: NumericSummary | null, decimals: number): string {
  if (!s) return MISSING_TEXT;
  return `${formatCompact(s.median, decimals)} (${formatRange(formatCompact(s.min, decimals), formatCompact(s.max, decimals))})`;
}

/** Mean (range), as the paper's volumes. Example: 9.8 (1.0–39.4). */
export function formatMeanRange(s: NumericSummary | null, decimals: number): string {
  if (!s) return MISSING_TEXT;
  return `${formatFixed(s.mean, decimals)} (${formatRange(formatFixed(s.min, decimals), formatFixed(s.max, decimals))})`;
}

/** Median (IQR q1 to q3), as the paper's MTM by outcome. Example: -7 (IQR -10 to -5). */
export function formatMedianIqr(s: NumericSummary | null, decimals: number): string {
  if (!s) return MISSING_TEXT;
  return `${formatCompact(s.median, decimals)} (IQR ${formatCompact(s.q1, decimals)} to ${formatCompact(s.q3, decimals)})`;
}

/** n (%), percent with one decimal. Example: `formatCountPercent(20, 66.666)` = "20 (66.7)". */
export function formatCountPercent(count: number, percent: number): string {
  return `${count} (${formatFixed(percent, 1)})`;
}

/** Display of a continuous summary in one of the paper's styles; `decimals` is that of means and SDs. */
export function formatSummary(
  s: NumericSummary | null,
  display: "mean-sd" | "median-range" | "mean-range",
  decimals: number,
): string {
  if (display === "mean-sd") return formatMeanSd(s, decimals);
  if (display === "mean-range") return formatMeanRange(s, decimals);
  return formatMedianRange(s, Math.max(0, decimals - 1));
}

/** A table of display strings with its title and notes. */
export interface TextTable {
  name: string;
  title: string;
  columns: string[];
  rows: string[][];
  notes: string[];
}

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV (header row, then rows; notes are not included: they are in the Markdown and JSON). */
export function textTableToCsv(t: TextTable): string {
  return `${[t.columns, ...t.rows].map((r) => r.map(csvField).join(",")).join("\n")}\n`;
}

/** The table as a GitHub-flavoured Markdown section: title, table, notes. */
export function textTableToMarkdown(t: TextTable): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const line = (r: string[]) => `| ${r.map(cell).join(" | ")} |`;
  const body = [line(t.columns), `| ${t.columns.map(() => "---").join(" | ")} |`, ...t.rows.map(line)].join("\n");
  const notes = t.notes.length > 0 ? `\n\n${t.notes.map((n) => `- ${n}`).join("\n")}` : "";
  return `## ${t.title}\n\n${body}${notes}\n`;
}
