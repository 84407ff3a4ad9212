/**
 * The paper's Fig. 3: minimal treatment margin (mm) by outcome, local control versus LTP — every tumor as a
 * point over a box of its group's quartiles (whiskers to the range), with the 0-mm line (tumor edge) and,
 * optionally, the intended-margin threshold. Quartiles come from the package's `summarize` (type 7 = R's
 * default, or type 6 = SPSS's), not from vega's own boxplot, so the box matches the reported numbers.
 */
import { type QuantileType, summarize } from "../stats/descriptives.js";
import {
  type ChartOptions,
  formatNumber,
  OUTCOME_COLORS,
  OUTCOME_LABELS,
  outcomeLabel,
  specHeader,
  type VegaLiteSpec,
} from "./spec.js";

export interface MtmOutcomeRow {
  caseId: string;
  mtmMm: number;
  /** 1 = LTP, 0 = local control. */
  ltp: number;
}

export interface MtmByOutcomeOptions extends ChartOptions {
  /** Draw a dashed line at this margin (e.g. the intended 5 mm). */
  thresholdMm?: number;
  /** Quantile definition of the boxes (default 7). */
  quantileType?: QuantileType;
}

/** Box of one outcome group: quartiles and range of its MTMs, mm. */
interface OutcomeBox {
  outcome: string;
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/**
 * Horizontal offset in [−1, 1] for the i-th point of a group: a deterministic spread (golden-ratio
 * sequence) instead of random jitter, so the same data always gives the same figure.
 */
export function jitterOffset(i: number): number {
  return ((i * 0.6180339887498949) % 1) * 2 - 1;
}

/** MTM by outcome as a vega-lite layered spec. Example: `mtmByOutcome(rows, { thresholdMm: 5 })`. */
export function mtmByOutcome(rows: readonly MtmOutcomeRow[], options: MtmByOutcomeOptions = {}): VegaLiteSpec {
  const { thresholdMm, quantileType = 7, width = 260, height = 320 } = options;
  const order = [OUTCOME_LABELS.localControl, OUTCOME_LABELS.ltp];
  const counters = new Map<string, number>();
  const points = rows.map((r) => {
    const outcome = outcomeLabel(r.ltp);
    const i = counters.get(outcome) ?? 0;
    counters.set(outcome, i + 1);
    return { caseId: r.caseId, outcome, mtmMm: r.mtmMm, jitter: jitterOffset(i) };
  });
  const boxes: OutcomeBox[] = order.flatMap((outcome) => {
    const values = points.filter((p) => p.outcome === outcome).map((p) => p.mtmMm);
    if (values.length === 0) return [];
    const s = summarize(values, quantileType);
    return [{ outcome, n: s.n, min: s.min, q1: s.q1, median: s.median, q3: s.q3, max: s.max }];
  });
  const describeBox = (b: OutcomeBox) =>
    `${b.outcome}: n = ${b.n}, median ${formatNumber(b.median)} mm (interquartile range ${formatNumber(b.q1)} to ${formatNumber(b.q3)}, range ${formatNumber(b.min)} to ${formatNumber(b.max)})`;
  const description =
    `Box plot with one point per tumor of the minimal treatment margin in mm by outcome. ` +
    `${boxes.map(describeBox).join("; ")}. Boxes show quartiles (type ${quantileType}), whiskers the range` +
    (thresholdMm === undefined ? "." : `; a dashed line marks ${formatNumber(thresholdMm)} mm.`);

  const x = {
    field: "outcome",
    type: "nominal",
    title: null,
    scale: { domain: order, paddingInner: 0.4, paddingOuter: 0.3 },
    axis: { labelAngle: 0, labelFontSize: 12 },
  };
  const y = { field: "mtmMm", type: "quantitative", title: "Minimal treatment margin (mm)", scale: { padding: 12 } };
  const referenceLines = [{ valueMm: 0, label: "0 mm (tumor edge)", dash: [] as number[] }];
  if (thresholdMm !== undefined && thresholdMm !== 0)
    referenceLines.push({ valueMm: thresholdMm, label: `${formatNumber(thresholdMm, 0)} mm`, dash: [6, 4] });

  return {
    ...specHeader(options.title ?? "Minimal treatment margin by outcome", options.subtitle, description),
    width,
    height,
    layer: [
      {
        data: { values: referenceLines },
        mark: { type: "rule", color: "#888" },
        encoding: {
          y: { field: "valueMm", type: "quantitative" },
          strokeDash: { field: "dash", type: "nominal", scale: null, legend: null },
        },
      },
      {
        data: { values: boxes },
        layer: [
          {
            mark: { type: "rule", color: "#555" },
            encoding: { x, y: { ...y, field: "min" }, y2: { field: "max" } },
          },
          {
            mark: { type: "bar", fill: "#f2f2f2", stroke: "#555", size: 44 },
            encoding: { x, y: { ...y, field: "q1" }, y2: { field: "q3" } },
          },
          {
            mark: { type: "tick", color: "#222", thickness: 2.5, size: 44 },
            encoding: { x, y: { ...y, field: "median" } },
          },
        ],
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 48, opacity: 0.85, stroke: "white", strokeWidth: 0.5 },
        encoding: {
          x,
          xOffset: { field: "jitter", type: "quantitative", scale: { domain: [-3, 3] } },
          y,
          color: {
            field: "outcome",
            type: "nominal",
            scale: { domain: order, range: [OUTCOME_COLORS.localControl, OUTCOME_COLORS.ltp] },
            legend: null,
          },
          tooltip: [
            { field: "caseId", title: "Case" },
            { field: "mtmMm", title: "MTM (mm)", format: ".1f" },
          ],
        },
      },
    ],
  };
}
