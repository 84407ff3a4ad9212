/**
 * ROC curve: sensitivity against 1 − specificity over every threshold, the chance diagonal, the Youden-
 * optimal point marked and labelled, and optionally the operating point of a chosen threshold (the what-if
 * explorer's slider). Input: a RocResult of stats/roc.ts, or the what-if module's ROC of the margin (whose
 * thresholds are in mm of MTM, predicted LTP when MTM < threshold).
 */
import type { RocResult } from "../stats/roc.js";
import { type ChartOptions, formatNumber, specHeader, type VegaLiteSpec } from "./spec.js";

/** A point of an ROC curve: sensitivity and specificity, with its threshold in either convention. */
export interface RocChartPoint {
  sensitivity: number;
  specificity: number;
  /** stats/roc.ts: positive when predictor ≥ threshold. */
  threshold?: number;
  /** whatif: predicted LTP when MTM < thresholdMm. */
  thresholdMm?: number;
}

/** What the chart reads: RocResult and the what-if ROC both fit. */
export interface RocChartInput extends Pick<RocResult, "auc" | "ci" | "confLevel"> {
  curve: readonly RocChartPoint[];
  youden: RocChartPoint & { j: number };
}

export interface RocChartOptions extends ChartOptions {
  /** The chosen threshold's point, e.g. the what-if result's operating point. */
  operatingPoint?: { sensitivity: number; specificity: number; label?: string };
  /** Label of the Youden point; default from its threshold ("MTM < 1.5 mm" or "≥ 0.35"). */
  youdenLabel?: string;
  size?: number;
}

/**
 * Decimals of an AUC and its CI wherever one is shown (chart subtitle, description, the explorer's text):
 * three, so an AUC of 0.997 does not read as 1.00.
 */
export const AUC_DECIMALS = 3;

/** An AUC or one of its CI bounds as shown. Example: `formatAuc(0.99712)` = "0.997". */
export function formatAuc(x: number): string {
  return formatNumber(x, AUC_DECIMALS);
}

/** "MTM < 1.5 mm" for a what-if threshold, "≥ 0.35" for a stats/roc.ts one. */
export function rocThresholdLabel(point: RocChartPoint): string {
  if (point.thresholdMm !== undefined) return `MTM < ${formatNumber(point.thresholdMm)} mm`;
  if (point.threshold !== undefined) return `≥ ${formatNumber(point.threshold, 2)}`;
  return "";
}

/**
 * The labels of the marked points sit in the chart's lower-right corner, one line each, right-aligned
 * and coloured as their marker (the Youden point's above the chosen threshold's): the region below the
 * chance diagonal, which a curve with AUC ≥ 0.5 leaves empty, and never on top of each other, however
 * close the two points are.
 */
function cornerLabel(line: number, color: string): Record<string, unknown> {
  return {
    type: "text",
    align: "right",
    baseline: "bottom",
    x: { expr: "width - 4" },
    y: { expr: `height - 4 - ${14 * line}` },
    fontSize: 10,
    color,
  };
}

/** ROC curve with the Youden point. Example: `rocChart(rocCurve(x, y))`. */
export function rocChart(roc: RocChartInput, options: RocChartOptions = {}): VegaLiteSpec {
  const size = options.size ?? options.width ?? 300;
  const points = roc.curve.map((p, index) => ({
    index,
    fpr: 1 - p.specificity,
    sensitivity: p.sensitivity,
    threshold: rocThresholdLabel(p),
  }));
  const youdenLabel = options.youdenLabel ?? `Youden: ${rocThresholdLabel(roc.youden)}`;
  const youden = {
    fpr: 1 - roc.youden.specificity,
    sensitivity: roc.youden.sensitivity,
    label: `${youdenLabel} (sens. ${formatNumber(100 * roc.youden.sensitivity, 0)}%, spec. ${formatNumber(100 * roc.youden.specificity, 0)}%)`,
  };
  const level = `${Math.round(100 * roc.confLevel)}%`;
  const aucText = `AUC ${formatAuc(roc.auc)} (${level} CI ${formatAuc(roc.ci[0])} to ${formatAuc(roc.ci[1])}, DeLong)`;
  let description =
    `ROC curve of sensitivity against one minus specificity with the chance diagonal; ${aucText}. ` +
    `The Youden-optimal point (J = ${formatNumber(roc.youden.j, 2)}) is ${youden.label}.`;
  const op =
    options.operatingPoint &&
    Number.isFinite(options.operatingPoint.sensitivity) &&
    Number.isFinite(options.operatingPoint.specificity)
      ? options.operatingPoint
      : undefined;
  const axis = (title: string) => ({ type: "quantitative", title, scale: { domain: [0, 1] }, axis: { format: ".0%" } });
  const layers: unknown[] = [
    {
      data: {
        values: [
          { fpr: 0, sensitivity: 0 },
          { fpr: 1, sensitivity: 1 },
        ],
      },
      mark: { type: "line", color: "#999", strokeDash: [4, 4] },
      encoding: {
        x: { ...axis("1 − specificity"), field: "fpr" },
        y: { ...axis("Sensitivity"), field: "sensitivity" },
      },
    },
    {
      data: { values: points },
      mark: { type: "line", color: "#0072B2", strokeWidth: 2, point: { size: 20, filled: true } },
      encoding: {
        x: { ...axis("1 − specificity"), field: "fpr" },
        y: { ...axis("Sensitivity"), field: "sensitivity" },
        order: { field: "index", type: "quantitative" },
        tooltip: [
          { field: "threshold", title: "Threshold" },
          { field: "sensitivity", title: "Sensitivity", format: ".1%" },
          { field: "fpr", title: "1 − specificity", format: ".1%" },
        ],
      },
    },
    {
      data: { values: [youden] },
      layer: [
        {
          mark: { type: "point", shape: "diamond", size: 140, filled: true, color: "#D55E00" },
          encoding: { x: { field: "fpr", type: "quantitative" }, y: { field: "sensitivity", type: "quantitative" } },
        },
        { mark: cornerLabel(op ? 1 : 0, "#D55E00"), encoding: { text: { field: "label" } } },
      ],
    },
  ];
  if (op) {
    const label = op.label ?? "Chosen threshold";
    layers.push({
      data: { values: [{ fpr: 1 - op.specificity, sensitivity: op.sensitivity, label }] },
      layer: [
        {
          mark: { type: "point", shape: "circle", size: 120, filled: false, strokeWidth: 2, color: "#000" },
          encoding: { x: { field: "fpr", type: "quantitative" }, y: { field: "sensitivity", type: "quantitative" } },
        },
        { mark: cornerLabel(0, "#000"), encoding: { text: { field: "label" } } },
      ],
    });
    description += ` ${label}: sensitivity ${formatNumber(100 * op.sensitivity, 0)}%, specificity ${formatNumber(100 * op.specificity, 0)}%.`;
  }
  return {
    ...specHeader(options.title ?? "ROC curve", options.subtitle ?? aucText, description),
    width: size,
    height: size,
    layer: layers,
  };
}
