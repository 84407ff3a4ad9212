/**
 * The paper's Fig. 6: minimal treatment margin (mm) against maximum tumor diameter, one point per tumor
 * coloured (and shaped, for greyscale print) by outcome. Optional reference lines: a margin threshold
 * (horizontal; "MTM < t predicts LTP") and a size cut (vertical; the paper's 3 cm).
 */

import { maxOf, minOf } from "../stats/descriptives.js";
import {
  type ChartOptions,
  formatNumber,
  OUTCOME_COLORS,
  OUTCOME_LABELS,
  outcomeLabel,
  specHeader,
  type VegaLiteSpec,
} from "./spec.js";

export interface MtmSizeRow {
  caseId: string;
  mtmMm: number;
  diameterMm: number;
  /** 1 = LTP, 0 = local control. */
  ltp: number;
  /** The MTM's 95 % interval under registration error, mm (2.5th, 97.5th percentile): drawn as a bar. */
  mtmIntervalMm?: [number, number];
}

export interface MtmVersusSizeOptions extends ChartOptions {
  /** Horizontal dashed line at this margin, mm. */
  thresholdMm?: number;
  /** Vertical dotted line at this diameter, mm (e.g. 30). */
  sizeCutMm?: number;
  /** Show diameters in cm (as the paper's axis) instead of mm. Default "mm". */
  diameterUnit?: "mm" | "cm";
}

/** MTM versus tumor size as a vega-lite layered spec. Example: `mtmVersusSize(rows, { sizeCutMm: 30 })`. */
export function mtmVersusSize(rows: readonly MtmSizeRow[], options: MtmVersusSizeOptions = {}): VegaLiteSpec {
  const { thresholdMm, sizeCutMm, diameterUnit = "mm", width = 420, height = 320 } = options;
  const mmPerUnit = diameterUnit === "cm" ? 10 : 1;
  const order = [OUTCOME_LABELS.localControl, OUTCOME_LABELS.ltp];
  const points = rows.map((r) => ({
    caseId: r.caseId,
    mtmMm: r.mtmMm,
    diameter: r.diameterMm / mmPerUnit,
    outcome: outcomeLabel(r.ltp),
    ...(r.mtmIntervalMm ? { mtmLowMm: r.mtmIntervalMm[0], mtmHighMm: r.mtmIntervalMm[1] } : {}),
  }));
  const withInterval = rows.filter((r) => r.mtmIntervalMm !== undefined).length;
  const nLtp = rows.filter((r) => r.ltp === 1).length;
  const negative = rows.filter((r) => r.mtmMm < 0);
  const range = (v: number[]) => (v.length ? `${formatNumber(minOf(v))} to ${formatNumber(maxOf(v))}` : "NA");
  let description =
    `Scatter plot of the minimal treatment margin (mm) against the maximum tumor diameter (${diameterUnit}) for ` +
    `${rows.length} tumors, ${nLtp} with LTP (orange triangles) and ${rows.length - nLtp} with local control ` +
    `(blue circles). Diameters ${range(points.map((p) => p.diameter))} ${diameterUnit}; margins ` +
    `${range(rows.map((r) => r.mtmMm))} mm; ${negative.length} negative margin(s)`;
  if (sizeCutMm !== undefined)
    description += `, ${negative.filter((r) => r.diameterMm > sizeCutMm).length} of them in tumors larger than ${formatNumber(sizeCutMm / mmPerUnit, diameterUnit === "cm" ? 1 : 0)} ${diameterUnit}`;
  description += ".";
  if (thresholdMm !== undefined) description += ` A dashed line marks ${formatNumber(thresholdMm)} mm.`;
  if (withInterval > 0)
    description += ` Vertical bars on ${withInterval} tumor(s): the 95 % interval of the margin under registration error (2.5th to 97.5th percentile of a Monte-Carlo over rigid perturbations of the transform).`;

  const layers: unknown[] = [
    {
      data: { values: [{ valueMm: 0 }] },
      mark: { type: "rule", color: "#888" },
      encoding: { y: { field: "valueMm", type: "quantitative" } },
    },
  ];
  if (thresholdMm !== undefined)
    layers.push({
      data: { values: [{ valueMm: thresholdMm, label: `MTM = ${formatNumber(thresholdMm)} mm` }] },
      layer: [
        {
          mark: { type: "rule", color: "#444", strokeDash: [6, 4] },
          encoding: { y: { field: "valueMm", type: "quantitative" } },
        },
        {
          mark: { type: "text", align: "right", dy: -6, x: width, fontSize: 10, color: "#444" },
          encoding: { y: { field: "valueMm", type: "quantitative" }, text: { field: "label" } },
        },
      ],
    });
  if (sizeCutMm !== undefined)
    layers.push({
      data: { values: [{ diameter: sizeCutMm / mmPerUnit }] },
      mark: { type: "rule", color: "#444", strokeDash: [2, 3] },
      encoding: { x: { field: "diameter", type: "quantitative" } },
    });
  if (withInterval > 0)
    layers.push({
      data: { values: points.filter((p) => "mtmLowMm" in p) },
      mark: { type: "rule", strokeWidth: 1.5, opacity: 0.6 },
      encoding: {
        x: { field: "diameter", type: "quantitative" },
        y: { field: "mtmLowMm", type: "quantitative" },
        y2: { field: "mtmHighMm" },
        color: {
          field: "outcome",
          type: "nominal",
          scale: { domain: order, range: [OUTCOME_COLORS.localControl, OUTCOME_COLORS.ltp] },
          legend: null,
        },
      },
    });
  layers.push({
    data: { values: points },
    mark: { type: "point", filled: true, size: 60, opacity: 0.9 },
    encoding: {
      x: {
        field: "diameter",
        type: "quantitative",
        title: `Maximum tumor diameter (${diameterUnit})`,
        scale: { zero: false, nice: true, padding: 12 },
      },
      y: { field: "mtmMm", type: "quantitative", title: "Minimal treatment margin (mm)", scale: { padding: 12 } },
      color: {
        field: "outcome",
        type: "nominal",
        title: "Outcome",
        scale: { domain: order, range: [OUTCOME_COLORS.localControl, OUTCOME_COLORS.ltp] },
      },
      shape: {
        field: "outcome",
        type: "nominal",
        title: "Outcome",
        scale: { domain: order, range: ["circle", "triangle-up"] },
      },
      tooltip: [
        { field: "caseId", title: "Case" },
        { field: "mtmMm", title: "MTM (mm)", format: ".1f" },
        { field: "diameter", title: `Diameter (${diameterUnit})`, format: ".1f" },
        { field: "outcome", title: "Outcome" },
      ],
    },
  });
  return {
    ...specHeader(options.title ?? "Minimal treatment margin versus tumor size", options.subtitle, description),
    width,
    height,
    layer: layers,
  };
}
