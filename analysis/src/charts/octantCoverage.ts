/**
 * Coverage across the cohort: one horizontal bar per case, split into the fractions of tumor volume that
 * are green (margin ≥ threshold), yellow (0 ≤ margin < threshold) and red (uncovered, margin < 0) — the
 * colours of the octant map. Input: the margin engine's MarginResult per case (only `coverage`,
 * `thresholdMm` and, for sorting, `mtmMm` are read).
 */
import { DEFAULT_THRESHOLD_MM } from "../margin/measure.js";
import type { MarginResult } from "../margin/types.js";
import { type ChartOptions, COVERAGE_COLORS, formatNumber, specHeader, type VegaLiteSpec } from "./spec.js";

export type CoverageRow = { caseId: string } & Pick<MarginResult, "coverage" | "thresholdMm"> &
  Partial<Pick<MarginResult, "mtmMm">>;

export interface OctantCoverageOptions extends ChartOptions {
  /** Bar order: as given, by MTM ascending (worst first; needs mtmMm), or by red fraction descending. */
  sortBy?: "input" | "mtm" | "red";
  /** Height per case bar, px. Default 14. */
  barHeight?: number;
}

/** Legend labels of the three classes at threshold t, in stacking order. */
export function coverageClassLabels(thresholdMm: number): [string, string, string] {
  const t = formatNumber(thresholdMm, thresholdMm % 1 === 0 ? 0 : 1);
  return [`≥ ${t} mm`, `0 to < ${t} mm`, "< 0 mm (uncovered)"];
}

/** Stacked coverage bars per case. Example: `octantCoverage(rows, { sortBy: "mtm" })`. */
export function octantCoverage(rows: readonly CoverageRow[], options: OctantCoverageOptions = {}): VegaLiteSpec {
  const { sortBy = "input", barHeight = 14, width = 420 } = options;
  const thresholds = [...new Set(rows.map((r) => r.thresholdMm))];
  if (thresholds.length > 1)
    throw new RangeError(
      `octantCoverage: the cases were measured at different thresholds (${thresholds.join(", ")} mm)`,
    );
  const thresholdMm = thresholds[0] ?? DEFAULT_THRESHOLD_MM;
  const sorted = [...rows];
  if (sortBy === "mtm") sorted.sort((a, b) => (a.mtmMm ?? Number.NaN) - (b.mtmMm ?? Number.NaN));
  if (sortBy === "red") sorted.sort((a, b) => b.coverage.fractionRed - a.coverage.fractionRed);
  const classes = coverageClassLabels(thresholdMm);
  // Each bar's place is a field (`position`), not a list of ids in the spec: vega compiles an explicit sort
  // list into one expression, which overflows the call stack at about 1,000 cases.
  const values = sorted.flatMap((r, position) =>
    [r.coverage.fractionGreen, r.coverage.fractionYellow, r.coverage.fractionRed].map((fraction, k) => ({
      caseId: r.caseId,
      position,
      coverageClass: classes[k],
      order: k,
      fraction,
    })),
  );
  const fullyCovered = rows.filter((r) => r.coverage.fractionGreen >= 1 - 1e-9).length;
  const anyRed = rows.filter((r) => r.coverage.fractionRed > 0).length;
  const description =
    `Stacked bars, one per case (${rows.length} cases), of the fraction of tumor volume with a margin of at least ` +
    `${formatNumber(thresholdMm)} mm (green), between 0 and ${formatNumber(thresholdMm)} mm (yellow) and uncovered ` +
    `(red). ${fullyCovered} case(s) are entirely green; ${anyRed} have uncovered (red) volume.`;
  return {
    ...specHeader(
      options.title ?? "Tumor coverage by the ice ball, per case",
      options.subtitle ?? `Fraction of tumor volume per margin class (threshold ${formatNumber(thresholdMm)} mm)`,
      description,
    ),
    width,
    height: Math.max(40, barHeight * rows.length),
    data: { values },
    mark: { type: "bar", stroke: "white", strokeWidth: 0.5 },
    encoding: {
      y: { field: "caseId", type: "nominal", title: "Case", sort: { field: "position", op: "min" } },
      x: {
        field: "fraction",
        type: "quantitative",
        stack: "zero",
        title: "Fraction of tumor volume",
        scale: { domain: [0, 1] },
        axis: { format: ".0%" },
      },
      color: {
        field: "coverageClass",
        type: "nominal",
        title: "Margin",
        scale: { domain: classes, range: [COVERAGE_COLORS.green, COVERAGE_COLORS.yellow, COVERAGE_COLORS.red] },
      },
      order: { field: "order", type: "quantitative" },
      tooltip: [
        { field: "caseId", title: "Case" },
        { field: "coverageClass", title: "Margin" },
        { field: "fraction", title: "Fraction", format: ".1%" },
      ],
    },
  };
}
