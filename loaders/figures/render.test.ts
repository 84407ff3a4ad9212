/**
 * Headless rendering of every chart spec: SVG with the chart's title, text alternative and the marks and
 * text the data call for (e.g. the numbers at risk), and PNG with the PNG signature and 2× the SVG's size.
 * The figures are also written to test-output/figures/ for review.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  coxForest,
  kaplanMeierByGroup,
  kaplanMeierChart,
  mtmByOutcome,
  mtmVersusSize,
  octantCoverage,
  rocChart,
  type VegaLiteSpec,
  whatIf,
} from "@cryomargin/analysis";
import { describe, expect, it } from "vitest";
import { addTextAlternative, FigureRenderError, renderFigure, renderSvg, writeFigure } from "./render.js";

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

/** Number of SVG elements vega wrote for marks of this ARIA role description ("point", "bar", …). */
function countMarks(svg: string, role: string): number {
  return svg.split(`aria-roledescription="${role}"`).length - 1;
}

/** The contents of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"),
  );
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

function svgSize(svg: string): [number, number] {
  const m = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/);
  return [Number(m?.[1]), Number(m?.[2])];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const outDir = new URL("../../test-output/figures/", import.meta.url);

async function renderAndCheck(name: string, spec: VegaLiteSpec): Promise<string> {
  const { svg, png } = await renderFigure(spec);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(new URL(`${name}.svg`, outDir), svg);
  writeFileSync(new URL(`${name}.png`, outDir), png);
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg).toContain(`<title>${spec.title.text}</title>`);
  expect(svg).toContain('role="img"');
  expect(texts(svg)).toContain(spec.title.text);
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const [w, h] = svgSize(svg);
  expect(w).toBeGreaterThan(200);
  expect(h).toBeGreaterThan(100);
  expect(pngSize(png)).toEqual([2 * w, 2 * h]);
  return svg;
}

describe("renderFigure", () => {
  it("MTM by outcome: 8 points, 2 boxes, 2 medians, outcome labels", async () => {
    const svg = await renderAndCheck("mtm-by-outcome", mtmByOutcome(cohort, { thresholdMm: 5 }));
    expect(countMarks(svg, "point")).toBe(8);
    expect(countMarks(svg, "bar")).toBe(2);
    expect(countMarks(svg, "tick")).toBe(2);
    expect(texts(svg)).toEqual(expect.arrayContaining(["Local control", "LTP", "Minimal treatment margin (mm)"]));
  });

  it("MTM versus size: 8 points, legend, threshold label", async () => {
    const svg = await renderAndCheck(
      "mtm-versus-size",
      mtmVersusSize(cohort, { thresholdMm: 5, sizeCutMm: 30, diameterUnit: "cm" }),
    );
    expect(countMarks(svg, "point")).toBe(8);
    expect(texts(svg)).toEqual(expect.arrayContaining(["MTM = 5.0 mm", "Outcome", "Maximum tumor diameter (cm)"]));
  });

  it("Kaplan-Meier: curves, censor ticks and the numbers at risk in the SVG", async () => {
    const groups = kaplanMeierByGroup(
      { time: cohort.map((c) => c.timeMonths), event: cohort.map((c) => c.ltp) },
      cohort.map((c) => (c.mtmMm < 0 ? "MTM < 0 mm" : "MTM ≥ 0 mm")),
    );
    const svg = await renderAndCheck("kaplan-meier", kaplanMeierChart(groups));
    expect(countMarks(svg, "line mark")).toBe(2);
    expect(countMarks(svg, "point")).toBe(5); // censored: C; E, F, G, H
    const atRisk = [...svg.matchAll(/aria-label="time: (\d+); group: (.+?); nRisk: (\d+)"[^>]*>(\d+)<\/text>/g)];
    const row = (group: string) => atRisk.filter((m) => m[2] === group.replace("<", "&lt;")).map((m) => Number(m[4]));
    expect(row("MTM < 0 mm")).toEqual([3, 2, 1, 0, 0]);
    expect(row("MTM ≥ 0 mm")).toEqual([5, 5, 4, 3, 1]);
    expect(texts(svg)).toEqual(expect.arrayContaining(["Number at risk", "Months after cryoablation"]));
  });

  it("Cox forest: squares and the printed HR column", async () => {
    const svg = await renderAndCheck(
      "cox-forest",
      coxForest([
        { label: "MTM (per mm)", hr: 0.63, lower: 0.49, upper: 0.81, p: 0.0003 },
        { label: "Maximum diameter (per cm)", hr: 3.56, lower: 1.32, upper: 9.6, p: 0.012 },
      ]),
    );
    expect(countMarks(svg, "point")).toBe(2);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(["0.63 (0.49 to 0.81), p < 0.001", "3.56 (1.32 to 9.60), p = 0.012", "MTM (per mm)"]),
    );
  });

  it("octant coverage: 3 stacked bars per case and the class legend", async () => {
    const rows = cohort.map((c, i) => ({
      caseId: c.caseId,
      mtmMm: c.mtmMm,
      thresholdMm: 5,
      coverage: { fractionGreen: 0.5 + 0.05 * i, fractionYellow: 0.4 - 0.04 * i, fractionRed: 0.1 - 0.01 * i },
    }));
    const svg = await renderAndCheck("octant-coverage", octantCoverage(rows, { sortBy: "mtm" }));
    expect(countMarks(svg, "bar")).toBe(24);
    expect(texts(svg)).toEqual(expect.arrayContaining(["≥ 5 mm", "0 to < 5 mm", "< 0 mm (uncovered)"]));
  });

  it("ROC: curve, Youden label and AUC subtitle", async () => {
    const w = whatIf(cohort, { thresholdMm: 0 });
    const svg = await renderAndCheck(
      "roc",
      rocChart(w.roc!, { operatingPoint: { ...w.operatingPoint, label: "MTM < 0 mm" } }),
    );
    expect(texts(svg)).toEqual(
      expect.arrayContaining([
        "AUC 0.933 (95% CI 0.749 to 1.000, DeLong)",
        "Youden: MTM < 1.5 mm (sens. 100%, spec. 80%)",
        "MTM < 0 mm",
      ]),
    );
  });
});

describe("renderSvg errors and text alternative", () => {
  it("names the chart when vega-lite cannot compile it", async () => {
    const broken = { ...mtmByOutcome(cohort), layer: undefined, mark: { type: "no-such-mark" } } as VegaLiteSpec;
    await expect(renderSvg(broken)).rejects.toThrow(FigureRenderError);
    await expect(renderSvg(broken)).rejects.toThrow(/"Minimal treatment margin by outcome"/);
  });

  it("escapes the text alternative", () => {
    const svg = addTextAlternative('<svg width="10"><g/></svg>', "A < B", 'say "hi" & bye');
    expect(svg).toBe(
      '<svg width="10" role="img" aria-label="A &lt; B"><title>A &lt; B</title><desc>say &quot;hi&quot; &amp; bye</desc><g/></svg>',
    );
  });
});

describe("writeFigure", () => {
  it("writes .svg, .png and the spec (.vl.json) beside each other", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cryomargin-fig-"));
    try {
      const spec = mtmByOutcome(cohort);
      const before = JSON.stringify(spec);
      const paths = await writeFigure(spec, join(dir, "fig3-mtm"));
      expect(spec).toEqual(JSON.parse(before)); // rendering does not touch the caller's spec
      expect(paths).toEqual(["svg", "png", "vl.json"].map((ext) => join(dir, `fig3-mtm.${ext}`)));
      expect(readFileSync(paths[0], "utf8")).toContain("<title>Minimal treatment margin by outcome</title>");
      expect([...readFileSync(paths[1]).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(JSON.parse(readFileSync(paths[2], "utf8"))).toEqual(spec);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the chart and the path when it cannot write", async () => {
    const base = join(tmpdir(), "cryomargin-no-such-dir", "sub", "fig");
    await expect(writeFigure(mtmByOutcome(cohort), base)).rejects.toThrow(
      `could not write the figure "Minimal treatment margin by outcome" to ${base}.*`,
    );
  });
});
