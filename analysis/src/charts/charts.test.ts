/**
 * The chart specs: encodings, the data values that must be present (computed by the package's statistics,
 * checked here against hand values), titles and text alternatives. Rendering is tested in
 * loaders/figures/render.test.ts.
 */
import { describe, expect, it } from "vitest";
import { rocCurve } from "../stats/roc.js";
import { kaplanMeier, kaplanMeierByGroup } from "../survival/kaplanMeier.js";
import { whatIf } from "../whatif/whatIf.js";
import { coxForest, forestDomain } from "./coxForest.js";
import { kaplanMeierChart, whatIfSurvivalChart, yearlyTimes } from "./kaplanMeierChart.js";
import { jitterOffset, mtmByOutcome } from "./mtmByOutcome.js";
import { mtmVersusSize } from "./mtmVersusSize.js";
import { octantCoverage } from "./octantCoverage.js";
import { AUC_DECIMALS, formatAuc, rocChart } from "./rocChart.js";
import {
  COVERAGE_COLORS,
  formatNumber,
  formatP,
  formatPStatement,
  OUTCOME_COLORS,
  SYSTEM_FONT_STACK,
  type VegaLiteSpec,
} from "./spec.js";

// caseId, MTM mm, LTP, months, diameter mm (the what-if test's cohort)
const cohort = (
  [
    ["A", -6, 1, 6, 45],
    ["B", -3, 1, 12, 40],
    ["C", -1, 0, 30, 35],
    ["D", 1, 1, 18, 32],
    ["E", 2, 0, 24, 28],
    ["F", 4, 0, 36, 25],
    ["G", 6, 0, 40, 20],
    ["H", 9, 0, 48, 18],
  ] as const
).map(([caseId, mtmMm, ltp, timeMonths, diameterMm]) => ({ caseId, mtmMm, ltp, timeMonths, diameterMm }));

type Layer = { data?: { values: Record<string, unknown>[] }; mark?: { type: string } | string; layer?: Layer[] };
/** Every leaf layer (mark with its inherited data) of a layered spec. */
function leaves(spec: Layer, data?: Layer["data"]): Layer[] {
  const own = spec.data ?? data;
  if (spec.layer) return spec.layer.flatMap((l) => leaves(l, own));
  return [{ ...spec, data: own }];
}
const markType = (l: Layer) => (typeof l.mark === "string" ? l.mark : l.mark?.type);

function expectCommon(spec: VegaLiteSpec, title: string) {
  expect(spec.$schema).toMatch(/vega-lite\/v6/);
  expect(spec.title.text).toBe(title);
  expect(spec.description.length).toBeGreaterThan(60);
  expect(spec.config.font).toBe(SYSTEM_FONT_STACK);
  // Plain JSON: survives a round trip unchanged (no NaN, functions or undefined values inside data).
  expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
}

describe("mtmByOutcome (Fig. 3)", () => {
  const spec = mtmByOutcome(cohort, { thresholdMm: 5 });
  const layers = leaves(spec as unknown as Layer);

  it("has a point per tumor with its outcome and MTM", () => {
    expectCommon(spec, "Minimal treatment margin by outcome");
    const points = layers.find((l) => markType(l) === "point")!;
    expect(points.data?.values).toHaveLength(8);
    expect(points.data?.values.filter((v) => v.outcome === "LTP").map((v) => v.mtmMm)).toEqual([-6, -3, 1]);
    expect(points.data?.values[0]).toMatchObject({ caseId: "A", outcome: "LTP", mtmMm: -6 });
  });

  it("draws boxes at the type-7 quartiles", () => {
    const bar = layers.find((l) => markType(l) === "bar")!;
    // Local control −1, 2, 4, 6, 9: Q1 2, median 4, Q3 6. LTP −6, −3, 1: Q1 −4.5, median −3, Q3 −1.
    expect(bar.data?.values).toEqual([
      { outcome: "Local control", n: 5, min: -1, q1: 2, median: 4, q3: 6, max: 9 },
      { outcome: "LTP", n: 3, min: -6, q1: -4.5, median: -3, q3: -1, max: 1 },
    ]);
    expect(spec.description).toContain("LTP: n = 3, median −3.0 mm (interquartile range −4.5 to −1.0");
    const type6 = leaves(mtmByOutcome(cohort, { quantileType: 6 }) as unknown as Layer).find(
      (l) => markType(l) === "bar",
    );
    expect(type6?.data?.values[0]).toMatchObject({ q1: 0.5, q3: 7.5 }); // SPSS: h = (n + 1)p = 1.5, 4.5
  });

  it("marks 0 mm and the threshold", () => {
    const rule = layers.find((l) => markType(l) === "rule" && l.data?.values[0]?.valueMm === 0)!;
    expect(rule.data?.values.map((v) => v.valueMm)).toEqual([0, 5]);
    expect(spec.description).toContain("a dashed line marks 5.0 mm");
  });

  it("spreads points deterministically within [−1, 1]", () => {
    const offsets = Array.from({ length: 50 }, (_, i) => jitterOffset(i));
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...offsets)).toBeLessThan(1);
    expect(new Set(offsets).size).toBe(50);
  });

  it("an empty outcome group has no box (no crash)", () => {
    const spec1 = mtmByOutcome(cohort.filter((c) => c.ltp === 0));
    const bar = leaves(spec1 as unknown as Layer).find((l) => markType(l) === "bar");
    expect(bar?.data?.values.map((v) => v.outcome)).toEqual(["Local control"]);
  });
});

describe("mtmVersusSize (Fig. 6)", () => {
  it("plots MTM against diameter coloured and shaped by outcome, with optional lines", () => {
    const spec = mtmVersusSize(cohort, { thresholdMm: 5, sizeCutMm: 30, diameterUnit: "cm" });
    expectCommon(spec, "Minimal treatment margin versus tumor size");
    const layers = leaves(spec as unknown as Layer);
    const points = layers.find((l) => markType(l) === "point") as Layer & {
      encoding: Record<string, { field: string }>;
    };
    expect(points.data?.values.map((v) => v.diameter)).toEqual([4.5, 4, 3.5, 3.2, 2.8, 2.5, 2, 1.8]);
    expect(points.encoding.color.field).toBe("outcome");
    expect(points.encoding.shape.field).toBe("outcome");
    expect(points.encoding.y.field).toBe("mtmMm");
    expect(layers.some((l) => markType(l) === "rule" && l.data?.values[0]?.diameter === 3)).toBe(true);
    expect(layers.some((l) => markType(l) === "rule" && l.data?.values[0]?.valueMm === 5)).toBe(true);
    // Negative MTMs: A, B, C — all in tumors > 3 cm (the paper's observation).
    expect(spec.description).toContain("3 negative margin(s), 3 of them in tumors larger than 3.0 cm");
    expect(spec.description).toContain("8 tumors, 3 with LTP");
  });

  it("without options has only the 0-mm line and the points", () => {
    const layers = leaves(mtmVersusSize(cohort) as unknown as Layer);
    expect(layers.map(markType)).toEqual(["rule", "point"]);
  });

  it("draws the MTM's interval under registration error as a bar from its 2.5th to its 97.5th percentile", () => {
    const rows = cohort.map((c, i) =>
      i < 3 ? { ...c, mtmIntervalMm: [c.mtmMm - 2, c.mtmMm + 0.5] as [number, number] } : c,
    );
    const spec = mtmVersusSize(rows);
    const layers = leaves(spec as unknown as Layer) as (Layer & { encoding?: Record<string, { field: string }> })[];
    expect(layers.map(markType)).toEqual(["rule", "rule", "point"]);
    const bars = layers[1];
    expect(bars.encoding?.y.field).toBe("mtmLowMm");
    expect(bars.encoding?.y2.field).toBe("mtmHighMm");
    expect(bars.data?.values.map((v) => (v.mtmHighMm as number) - (v.mtmLowMm as number))).toEqual([2.5, 2.5, 2.5]);
    expect(spec.description).toContain("Vertical bars on 3 tumor(s): the 95 % interval of the margin");
  });
});

describe("kaplanMeierChart", () => {
  const data = { time: cohort.map((c) => c.timeMonths), event: cohort.map((c) => c.ltp) };
  const groups = kaplanMeierByGroup(
    data,
    cohort.map((c) => (c.mtmMm < 0 ? "MTM < 0 mm" : "MTM ≥ 0 mm")),
  );
  const spec = kaplanMeierChart(groups);
  const [curvePanel, riskPanel] = spec.vconcat as [Layer, Layer];
  const curveLayers = leaves(curvePanel);

  it("draws step curves from S(0) = 1 with the CI band and censor ticks", () => {
    expectCommon(spec, "Local-tumor-progression-free survival");
    const line = curveLayers.find((l) => markType(l) === "line") as Layer & { mark: { interpolate: string } };
    expect(line.mark.interpolate).toBe("step-after");
    const below = line.data?.values.filter((v) => v.group === "MTM < 0 mm");
    // A (6, LTP), B (12, LTP), C (30, censored): S = 1, 2/3, 1/3, 1/3.
    expect(below?.map((v) => v.time)).toEqual([0, 6, 12, 30]);
    expect(below?.map((v) => v.surv)).toEqual([1, 2 / 3, 1 / 3, 1 / 3].map((s) => expect.closeTo(s, 12)));
    const band = curveLayers.find((l) => markType(l) === "area")!;
    expect(band.data?.values.every((v) => v.lower === null || (v.lower as number) <= (v.surv as number))).toBe(true);
    const censor = curveLayers.find((l) => markType(l) === "point")!;
    // Censored: C at 30 (below); E 24, F 36, G 40, H 48 (at or above).
    expect(censor.data?.values.map((v) => v.time)).toEqual([30, 24, 36, 40, 48]);
  });

  it("prints the numbers at risk at 0, 12, 24, 36, 48 months", () => {
    const values = (riskPanel as Layer).data?.values ?? [];
    const row = (g: string) => values.filter((v) => v.group === g).map((v) => v.nRisk);
    // At risk = still followed at t: below 0 → A, B, C; 12 → B, C; 24 → C; 36 → none.
    expect(row("MTM < 0 mm")).toEqual([3, 2, 1, 0, 0]);
    expect(row("MTM ≥ 0 mm")).toEqual([5, 5, 4, 3, 1]);
    expect(values.map((v) => v.time).slice(0, 5)).toEqual([0, 12, 24, 36, 48]);
    expect(spec.description).toContain("MTM ≥ 0 mm: 5 tumors, 1 LTP; LTP-free survival at 12 months 100.0%");
    expect(spec.description).toContain("24 months 80.0%");
  });

  it("takes a single fit and chosen at-risk times", () => {
    const one = kaplanMeierChart(kaplanMeier(data), { atRiskTimes: [0, 6, 18], label: "All" });
    const values = ((one.vconcat as Layer[])[1].data?.values ?? []).map((v) => v.nRisk);
    expect(values).toEqual([8, 8, 6]);
  });

  it("counts yearly at-risk times up to the last follow-up", () => {
    expect(yearlyTimes(30)).toEqual([0, 12, 24]);
  });
});

describe("whatIfSurvivalChart", () => {
  type Colored = { encoding: { color: { scale: { domain: string[]; range: string[] } } } };
  const colorsOf = (spec: VegaLiteSpec) => {
    const line = leaves((spec.vconcat as Layer[])[0]).find((l) => markType(l) === "line") as unknown as Colored;
    return line.encoding.color.scale;
  };

  it("colours predicted LTP as LTP and predicted control as local control, with the log-rank p", () => {
    const r = whatIf(cohort, { thresholdMm: 0 });
    const spec = whatIfSurvivalChart(r.survival);
    expect(colorsOf(spec)).toEqual({
      domain: ["MTM < 0 mm", "MTM ≥ 0 mm"],
      range: [OUTCOME_COLORS.ltp, OUTCOME_COLORS.localControl],
    });
    expect(spec.title.subtitle).toBe(`Log-rank ${formatPStatement(r.survival.logRank.p)}`);
  });

  it("keeps the control colour when the predicted-LTP group is empty", () => {
    const spec = whatIfSurvivalChart(whatIf(cohort, { thresholdMm: -10 }).survival);
    expect(colorsOf(spec)).toEqual({ domain: ["MTM ≥ -10 mm"], range: [OUTCOME_COLORS.localControl] });
    expect(spec.title.subtitle).toBe("Log-rank test undefined");
  });
});

describe("coxForest", () => {
  const rows = [
    { label: "MTM (per mm)", hr: 0.63, lower: 0.49, upper: 0.81, p: 0.0003 },
    { label: "Diameter (per cm)", hr: 3.56, lower: 1.32, upper: 9.6, p: 0.012 },
    { label: "Separated", hr: 50, lower: 2, upper: Number.POSITIVE_INFINITY, p: 0.04 },
  ];
  const spec = coxForest(rows);

  it("puts HR and CI on a log axis with a line at 1 and the numbers beside", () => {
    expectCommon(spec, "Univariable Cox regression");
    const [plot, table] = spec.hconcat as [
      Layer & { layer: Layer[] },
      Layer & { encoding: { text: { field: string } } },
    ];
    const point = plot.layer.find((l) => markType(l) === "point") as Layer & {
      encoding: { x: { field: string; scale: { type: string } } };
    };
    expect(point.encoding.x.scale.type).toBe("log");
    const values = (spec.data as { values: Record<string, unknown>[] }).values;
    expect(values.map((v) => v.summary)).toEqual([
      "0.63 (0.49 to 0.81), p < 0.001",
      "3.56 (1.32 to 9.60), p = 0.012",
      "50.00 (2.00 to ∞), p = 0.040",
    ]);
    expect(table.encoding.text.field).toBe("summary");
    expect(plot.layer[0].data?.values).toEqual([{ one: 1 }]);
  });

  it("draws an infinite bound to the edge of the axis", () => {
    const domain = forestDomain(rows);
    expect(domain[0]).toBeCloseTo(0.49 / 1.25, 12);
    expect(domain[1]).toBeCloseTo(50 * 1.25, 12);
    const values = (spec.data as { values: Record<string, unknown>[] }).values;
    expect(values[2].upperShown).toBeCloseTo(62.5, 12);
    expect(values[2].upper).toBeNull(); // JSON has no Infinity: null, printed as ∞ in the summary
  });
});

describe("octantCoverage", () => {
  const rows = [
    { caseId: "P01", mtmMm: 3, thresholdMm: 5, coverage: { fractionGreen: 0.8, fractionYellow: 0.2, fractionRed: 0 } },
    {
      caseId: "P02",
      mtmMm: -2,
      thresholdMm: 5,
      coverage: { fractionGreen: 0.5, fractionYellow: 0.3, fractionRed: 0.2 },
    },
    { caseId: "P03", mtmMm: 7, thresholdMm: 5, coverage: { fractionGreen: 1, fractionYellow: 0, fractionRed: 0 } },
  ];

  it("stacks green/yellow/red fractions per case in the coverage colours", () => {
    const spec = octantCoverage(rows, { sortBy: "mtm" });
    expectCommon(spec, "Tumor coverage by the ice ball, per case");
    const values = (spec.data as { values: Record<string, unknown>[] }).values;
    expect(values).toHaveLength(9);
    expect(values.filter((v) => v.caseId === "P02").map((v) => v.fraction)).toEqual([0.5, 0.3, 0.2]);
    const encoding = spec.encoding as Record<string, { sort?: unknown; scale?: { range: string[]; domain: string[] } }>;
    // Bars in MTM order, by each case's position field.
    expect(encoding.y.sort).toEqual({ field: "position", op: "min" });
    expect(values.filter((v) => v.order === 0).map((v) => [v.caseId, v.position])).toEqual([
      ["P02", 0],
      ["P01", 1],
      ["P03", 2],
    ]);
    expect(encoding.color.scale?.range).toEqual([COVERAGE_COLORS.green, COVERAGE_COLORS.yellow, COVERAGE_COLORS.red]);
    expect(encoding.color.scale?.domain).toEqual(["≥ 5 mm", "0 to < 5 mm", "< 0 mm (uncovered)"]);
    expect(spec.description).toContain("1 case(s) are entirely green; 1 have uncovered (red) volume");
  });

  it("refuses cases measured at different thresholds", () => {
    expect(() => octantCoverage([rows[0], { ...rows[1], thresholdMm: 3 }])).toThrow(/different thresholds/);
  });
});

describe("rocChart", () => {
  it("draws a what-if ROC with its Youden point and operating point in mm of MTM", () => {
    const w = whatIf(cohort, { thresholdMm: 0 });
    const spec = rocChart(w.roc!, { operatingPoint: { ...w.operatingPoint, label: "MTM < 0 mm" } });
    expectCommon(spec, "ROC curve");
    expect(spec.title.subtitle).toBe("AUC 0.933 (95% CI 0.749 to 1.000, DeLong)");
    const layers = leaves(spec as unknown as Layer);
    const youden = layers.find((l) => markType(l) === "text" && String(l.data?.values[0]?.label).startsWith("Youden"));
    expect(youden?.data?.values[0]).toMatchObject({ fpr: expect.closeTo(0.2, 12), sensitivity: 1 });
    expect(youden?.data?.values[0]?.label).toBe("Youden: MTM < 1.5 mm (sens. 100%, spec. 80%)");
    const op = layers.find((l) => l.data?.values[0]?.label === "MTM < 0 mm");
    expect(op?.data?.values[0]).toMatchObject({ fpr: expect.closeTo(0.2, 12), sensitivity: expect.closeTo(2 / 3, 12) });
    const curve = layers.find((l) => markType(l) === "line" && (l.data?.values.length ?? 0) > 2);
    // 8 distinct MTMs → 9 thresholds; the curve runs from (1, 1) to (0, 0).
    expect(curve?.data?.values).toHaveLength(9);
    expect(curve?.data?.values[0]).toMatchObject({ fpr: 1, sensitivity: 1 });
    expect(curve?.data?.values[8]).toMatchObject({ fpr: 0, sensitivity: 0 });
  });

  it("labels the Youden point and the chosen threshold on lines of their own, even where the points coincide", () => {
    const w = whatIf(cohort, { thresholdMm: 1.5 });
    expect(w.operatingPoint).toEqual({
      sensitivity: w.roc!.youden.sensitivity,
      specificity: w.roc!.youden.specificity,
    });
    const spec = rocChart(w.roc!, { operatingPoint: w.operatingPoint });
    const texts = leaves(spec as unknown as Layer).filter((l) => markType(l) === "text");
    expect(texts.map((l) => l.data?.values[0]?.label)).toEqual([
      "Youden: MTM < 1.5 mm (sens. 100%, spec. 80%)",
      "Chosen threshold",
    ]);
    const ys = texts.map((l) => (l.mark as unknown as { y: { expr: string } }).y.expr);
    expect(new Set(ys).size).toBe(2);
    // Without a chosen threshold the Youden label takes the bottom line.
    const alone = leaves(rocChart(w.roc!) as unknown as Layer).filter((l) => markType(l) === "text");
    expect((alone[0].mark as unknown as { y: { expr: string } }).y.expr).toBe(ys[1]);
  });

  it("shows the AUC and its CI to AUC_DECIMALS everywhere (formatAuc)", () => {
    const roc = whatIf(cohort, { thresholdMm: 0 }).roc!;
    expect(formatAuc(0.99712)).toBe("0.997");
    expect(rocChart(roc).title.subtitle).toContain(
      `AUC ${formatAuc(roc.auc)} (95% CI ${formatAuc(roc.ci[0])} to ${formatAuc(roc.ci[1])}`,
    );
    expect(formatAuc(roc.auc)).toMatch(new RegExp(`^\\d\\.\\d{${AUC_DECIMALS}}$`));
  });

  it("takes a stats/roc.ts RocResult", () => {
    const spec = rocChart(rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]));
    expect(spec.title.subtitle).toMatch(/^AUC 0.750 /);
    // J = 0.5 at 0.225 (sens. 1, spec. ½) and at 0.6 (½, 1); the first in threshold order is kept.
    expect(spec.description).toContain("Youden: ≥ 0.22 (sens. 100%, spec. 50%)");
  });
});

describe("formatting", () => {
  it("uses a true minus and journal p-values", () => {
    expect(formatNumber(-3.14, 1)).toBe("−3.1");
    expect(formatNumber(-0.01, 1)).toBe("0.0");
    expect(formatNumber(Number.NaN)).toBe("NA");
    expect(formatP(0.0004)).toBe("< 0.001");
    expect(formatP(0.0123)).toBe("0.012");
    expect(formatPStatement(0.0004)).toBe("p < 0.001");
    expect(formatPStatement(0.0123)).toBe("p = 0.012");
  });
});
