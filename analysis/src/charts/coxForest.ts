/**
 * Forest plot of hazard ratios (the paper's Table 3 as a figure): one row per covariate, the HR as a point
 * with its confidence interval as a line on a log axis, a reference line at HR = 1, and the numbers
 * ("HR (CI), p") printed beside. Bounds that a log axis cannot show (0, ∞ — e.g. a profile-likelihood CI of
 * a separated model) are drawn to the edge of the axis and printed as they are.
 */
import {
  type ChartOptions,
  finiteOrNull,
  formatNumber,
  formatPStatement,
  specHeader,
  type VegaLiteSpec,
} from "./spec.js";

export interface ForestRow {
  /** Covariate and unit, e.g. "MTM (per mm)". */
  label: string;
  hr: number;
  lower: number;
  upper: number;
  p: number;
}

export interface CoxForestOptions extends ChartOptions {
  /** Confidence level quoted in the axis title. Default 0.95. */
  confLevel?: number;
  /** Significant digits of HR and CI in the printed column. Default 2 decimals. */
  digits?: number;
}

/** A positive, finite value shown on the log axis, or the axis edge. */
function clampToAxis(x: number, domain: [number, number]): number {
  if (!(x > 0) || Number.isNaN(x)) return domain[0];
  if (!Number.isFinite(x)) return domain[1];
  return Math.min(Math.max(x, domain[0]), domain[1]);
}

/** Log-axis domain covering every finite positive HR and bound, padded ×/÷ 1.25, always including 1. */
export function forestDomain(rows: readonly ForestRow[]): [number, number] {
  const values = rows.flatMap((r) => [r.hr, r.lower, r.upper]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.min(1, ...values) / 1.25;
  const hi = Math.max(1, ...values) * 1.25;
  return [lo, hi];
}

/** Forest plot of Cox hazard ratios. Example: `coxForest([{ label: "MTM (per mm)", hr: 0.63, … }])`. */
export function coxForest(rows: readonly ForestRow[], options: CoxForestOptions = {}): VegaLiteSpec {
  const { confLevel = 0.95, digits = 2, width = 320 } = options;
  const height = options.height ?? Math.max(60, 34 * rows.length);
  const domain = forestDomain(rows);
  const text = (r: ForestRow) =>
    `${formatNumber(r.hr, digits)} (${formatNumber(r.lower, digits)} to ${formatNumber(r.upper, digits)}), ${formatPStatement(r.p)}`;
  const values = rows.map((r) => ({
    label: r.label,
    hr: finiteOrNull(r.hr),
    lower: finiteOrNull(r.lower),
    upper: finiteOrNull(r.upper),
    p: finiteOrNull(r.p),
    hrShown: clampToAxis(r.hr, domain),
    lowerShown: clampToAxis(r.lower, domain),
    upperShown: clampToAxis(r.upper, domain),
    summary: text(r),
  }));
  const level = `${Math.round(confLevel * 100)}%`;
  const description =
    `Forest plot of hazard ratios with ${level} confidence intervals on a logarithmic axis, reference line at 1. ` +
    rows.map((r) => `${r.label}: HR ${text(r)}`).join("; ") +
    ".";
  const labels = rows.map((r) => r.label);
  const y = { field: "label", type: "nominal", title: null, sort: labels, scale: { domain: labels } };
  const x = {
    type: "quantitative",
    title: `Hazard ratio (${level} CI, log scale)`,
    scale: { type: "log", domain, nice: false },
  };
  return {
    ...specHeader(options.title ?? "Univariable Cox regression", options.subtitle, description),
    data: { values },
    hconcat: [
      {
        width,
        height,
        layer: [
          {
            data: { values: [{ one: 1 }] },
            mark: { type: "rule", color: "#888", strokeDash: [4, 3] },
            encoding: { x: { ...x, field: "one" } },
          },
          {
            mark: { type: "rule", strokeWidth: 2, color: "#333" },
            encoding: { y, x: { ...x, field: "lowerShown" }, x2: { field: "upperShown" } },
          },
          {
            mark: { type: "point", shape: "square", filled: true, size: 90, color: "#0072B2" },
            encoding: {
              y,
              x: { ...x, field: "hrShown" },
              tooltip: [
                { field: "label", title: "Covariate" },
                { field: "summary", title: "HR (CI), p" },
              ],
            },
          },
        ],
      },
      {
        width: 190,
        height,
        title: { text: `HR (${level} CI), p`, fontSize: 11, fontWeight: "normal", anchor: "start" },
        mark: { type: "text", align: "left", x: 0, fontSize: 11 },
        encoding: { y: { ...y, axis: null }, text: { field: "summary" } },
      },
    ],
    spacing: 8,
  };
}
