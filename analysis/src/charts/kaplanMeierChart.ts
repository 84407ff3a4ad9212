/**
 * Kaplan-Meier LTP-free survival: the step curve of each group with its pointwise confidence band, a tick
 * where a tumor was censored, and the numbers at risk beneath at chosen times (the layout journals ask for).
 * The numbers at risk and the survival quoted in the text alternative are read from the fit with the
 * package's `survivalAt`, so the chart can only show what the analysis computed.
 */
import { LANDMARK_MONTHS } from "../plan/survival.js";
import { type KaplanMeierGroup, type KaplanMeierResult, survivalAt } from "../survival/kaplanMeier.js";
import type { WhatIfSurvival } from "../whatif/whatIf.js";
import {
  type ChartOptions,
  finiteOrNull,
  formatNumber,
  formatPStatement,
  OUTCOME_COLORS,
  specHeader,
  type VegaLiteSpec,
} from "./spec.js";

export interface KaplanMeierChartOptions extends ChartOptions {
  /** Times (months) for the numbers-at-risk row and the x-axis ticks. Default every 12 months to the end. */
  atRiskTimes?: readonly number[];
  /** Right end of the time axis, months. Default the last time of any group (rounded up to the tick step). */
  maxTime?: number;
  /** Label of a single, ungrouped fit. Default "All tumors". */
  label?: string;
  /** Times at which the text alternative quotes the survival. Default `LANDMARK_MONTHS` (12, 24). */
  describeAt?: readonly number[];
  timeTitle?: string;
  survivalTitle?: string;
  /** Colours by group, in the groups' order. Default Okabe-Ito. */
  colors?: readonly string[];
  /** Draw the confidence band. Default true. */
  showCi?: boolean;
}

const DEFAULT_COLORS = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

/** Default at-risk times: 0, 12, 24, … up to `maxTime`. */
export function yearlyTimes(maxTime: number, stepMonths = 12): number[] {
  const times: number[] = [];
  for (let t = 0; t <= maxTime + 1e-9; t += stepMonths) times.push(t);
  return times;
}

/** Kaplan-Meier chart of one fit or several groups. Example: `kaplanMeierChart(kaplanMeierByGroup(d, g))`. */
export function kaplanMeierChart(
  input: KaplanMeierResult | readonly KaplanMeierGroup[],
  options: KaplanMeierChartOptions = {},
): VegaLiteSpec {
  const groups: KaplanMeierGroup[] = Array.isArray(input)
    ? [...(input as readonly KaplanMeierGroup[])]
    : [{ ...(input as KaplanMeierResult), group: options.label ?? "All tumors" }];
  const { width = 460, height = 280, showCi = true, describeAt = LANDMARK_MONTHS } = options;
  const lastTime = Math.max(0, ...groups.map((g) => g.table.at(-1)?.time ?? 0));
  const maxTime = options.maxTime ?? Math.max(12, Math.ceil(lastTime / 12) * 12);
  const atRiskTimes = options.atRiskTimes ?? yearlyTimes(maxTime);
  const names = groups.map((g) => g.group);
  const colors = names.map((_, i) => options.colors?.[i] ?? DEFAULT_COLORS[i % DEFAULT_COLORS.length]);

  const curve = groups.flatMap((g) => [
    { group: g.group, time: 0, surv: 1, lower: 1, upper: 1 },
    ...g.table.map((r) => ({
      group: g.group,
      time: r.time,
      surv: r.surv,
      lower: finiteOrNull(r.lower),
      upper: finiteOrNull(r.upper),
    })),
  ]);
  const censored = groups.flatMap((g) =>
    g.table.filter((r) => r.nCensor > 0).map((r) => ({ group: g.group, time: r.time, surv: r.surv, n: r.nCensor })),
  );
  const atRisk = groups.flatMap((g) =>
    survivalAt(g, atRiskTimes).map((a) => ({ group: g.group, time: a.time, nRisk: a.nRisk })),
  );
  const quoted = groups.map((g) => {
    const at = survivalAt(g, describeAt);
    const pct = (v: number) => `${formatNumber(100 * v, 1)}%`;
    const estimates = at.map(
      (a) => `${formatNumber(a.time, 0)} months ${pct(a.surv)} (${pct(a.lower)} to ${pct(a.upper)})`,
    );
    return `${g.group}: ${g.n} tumors, ${g.events} LTP; LTP-free survival at ${estimates.join(", ")}`;
  });
  const description =
    `Kaplan-Meier curve${groups.length > 1 ? "s" : ""} of local-tumor-progression-free survival with ` +
    `${Math.round(100 * (groups[0]?.confLevel ?? 0.95))}% confidence band${groups.length > 1 ? "s" : ""}, censoring ticks, ` +
    `and the number at risk at ${atRiskTimes.map((t) => formatNumber(t, 0)).join(", ")} months. ${quoted.join(". ")}.`;

  const x = {
    field: "time",
    type: "quantitative",
    title: options.timeTitle ?? "Months after cryoablation",
    scale: { domain: [0, maxTime], nice: false },
    axis: { values: atRiskTimes },
  };
  const color = { field: "group", type: "nominal", title: null, scale: { domain: names, range: colors } };
  const y = {
    field: "surv",
    type: "quantitative",
    title: options.survivalTitle ?? "LTP-free survival",
    scale: { domain: [0, 1] },
    axis: { format: ".0%" },
  };
  const curveLayers: unknown[] = [];
  if (showCi)
    curveLayers.push({
      data: { values: curve },
      mark: { type: "area", interpolate: "step-after", opacity: 0.15 },
      encoding: {
        x,
        y: { field: "lower", type: "quantitative", scale: { domain: [0, 1] } },
        y2: { field: "upper" },
        color: { ...color, legend: null },
      },
    });
  curveLayers.push(
    {
      data: { values: curve },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
      encoding: { x, y, color },
    },
    {
      data: { values: censored },
      mark: { type: "point", shape: "M0,-1L0,1", size: 50, strokeWidth: 1.5, filled: false },
      encoding: {
        x,
        y: { field: "surv", type: "quantitative" },
        color: { ...color, legend: null },
        tooltip: [
          { field: "group", title: "Group" },
          { field: "time", title: "Censored at (months)" },
          { field: "n", title: "Tumors" },
        ],
      },
    },
  );
  const rowHeight = 18;
  return {
    ...specHeader(options.title ?? "Local-tumor-progression-free survival", options.subtitle, description),
    vconcat: [
      { width, height, layer: curveLayers },
      {
        width,
        height: rowHeight * groups.length,
        title: { text: "Number at risk", fontSize: 11, fontWeight: "normal", anchor: "start" },
        data: { values: atRisk },
        mark: { type: "text", fontSize: 11 },
        encoding: {
          x: { ...x, title: null, axis: null },
          y: {
            field: "group",
            type: "nominal",
            title: null,
            scale: { domain: names },
            axis: { domain: false, ticks: false, offset: 16 },
          },
          text: { field: "nRisk", type: "quantitative" },
          color: { ...color, legend: null },
        },
      },
    ],
    spacing: 6,
  };
}

/**
 * The what-if explorer's survival chart: Kaplan-Meier by predicted group, predicted LTP in the LTP colour
 * and predicted control in the local-control colour whichever groups are present (an empty group is
 * left out rather than shifting the colours), the log-rank p in the subtitle.
 * Example: `whatIfSurvivalChart(whatIf(cases, { thresholdMm: 5 }).survival)`.
 */
export function whatIfSurvivalChart(survival: WhatIfSurvival, options: KaplanMeierChartOptions = {}): VegaLiteSpec {
  const present = survival.groups.filter((g) => g.fit !== null);
  const { p } = survival.logRank;
  return kaplanMeierChart(
    present.map((g) => g.fit as KaplanMeierGroup),
    {
      subtitle: Number.isFinite(p) ? `Log-rank ${formatPStatement(p)}` : "Log-rank test undefined",
      colors: present.map((g) => (g.key === "predicted-ltp" ? OUTCOME_COLORS.ltp : OUTCOME_COLORS.localControl)),
      ...options,
    },
  );
}
