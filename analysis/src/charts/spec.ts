/**
 * What every chart spec shares: the (local, minimal) vega-lite spec type, the look (system fonts only, so a
 * figure renders identically offline, in the browser and headlessly), the outcome and coverage colours, and
 * number formatting for titles and text alternatives.
 *
 * Specs are plain JSON objects: no functions, no NaN (written as null, which vega treats as missing), so
 * that they can be saved beside a figure and re-rendered anywhere with vega-lite 6.
 */

/** The vega-lite schema the specs follow (a label only: nothing fetches it). */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** A vega-lite top-level spec as these functions produce it: always titled and described. */
export interface VegaLiteSpec {
  $schema: string;
  title: { text: string; subtitle?: string | string[]; anchor?: "start" | "middle" | "end" };
  /** Text alternative (becomes the SVG's aria description): what the chart shows, with its key numbers. */
  description: string;
  config: Record<string, unknown>;
  [key: string]: unknown;
}

/** Options every chart function takes. */
export interface ChartOptions {
  /** Replaces the default title. */
  title?: string;
  subtitle?: string;
  /** Plot width in px (default per chart). */
  width?: number;
  /** Plot height in px (default per chart). */
  height?: number;
}

/**
 * The platform's UI font (no web font: a hospital intranet cannot fetch one). Headless rendering resolves
 * it to an installed font (e.g. DejaVu Sans on Debian). Family names are deliberately unquoted (valid CSS
 * for multi-word names): resvg ignores a whole font-family list that contains a quoted name.
 */
export const SYSTEM_FONT_STACK =
  "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, Noto Sans, DejaVu Sans, sans-serif";

/** Okabe-Ito blue and vermillion: distinguishable with any colour-vision deficiency. */
export const OUTCOME_COLORS = { localControl: "#0072B2", ltp: "#D55E00" } as const;
export const OUTCOME_LABELS = { localControl: "Local control", ltp: "LTP" } as const;

/** The margin engine's coverage classes (green ≥ t, yellow 0 … t, red < 0), as on the octant map. */
export const COVERAGE_COLORS = { green: "#1a9850", yellow: "#fdd835", red: "#d73027" } as const;

/** The outcome label of an LTP indicator (1 → "LTP", else "Local control"). */
export function outcomeLabel(ltp: number): string {
  return ltp === 1 ? OUTCOME_LABELS.ltp : OUTCOME_LABELS.localControl;
}

/** vega-lite `config` shared by all charts: fonts, sizes, white background (figures are saved as files). */
export function chartConfig(): Record<string, unknown> {
  return {
    font: SYSTEM_FONT_STACK,
    background: "white",
    title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: "#444", anchor: "start", offset: 8 },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#e6e6e6" },
    legend: { labelFontSize: 11, titleFontSize: 11, orient: "bottom" },
    view: { stroke: null },
  };
}

/** The top-level fields of a spec: schema, title, description, config. */
export function specHeader(
  title: string,
  subtitle: string | undefined,
  description: string,
): Pick<VegaLiteSpec, "$schema" | "title" | "description" | "config"> {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: subtitle ? { text: title, subtitle, anchor: "start" } : { text: title, anchor: "start" },
    description,
    config: chartConfig(),
  };
}

/** NaN and ±Infinity become null (JSON has neither; vega reads null as missing). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * A number for a title or text alternative: fixed decimals, a true minus sign, "NA" when not finite.
 * Example: `formatNumber(-3.14, 1)` = "−3.1".
 */
export function formatNumber(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NA" : x > 0 ? "∞" : "−∞";
  const s = x.toFixed(digits);
  return s.startsWith("-") ? (/^-0(\.0+)?$/.test(s) ? s.slice(1) : `−${s.slice(1)}`) : s;
}

/** A p-value as journals print it: "< 0.001", else three decimals. Example: `formatP(0.0123)` = "0.012". */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return "NA";
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

/** "p < 0.001" or "p = 0.012" (or "p = NA"), for a subtitle or a printed column. */
export function formatPStatement(p: number): string {
  const text = formatP(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}
