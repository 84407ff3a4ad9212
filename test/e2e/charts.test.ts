/**
 * The shared chart specs drawn in chromium by src/components/vegaFigure.js (the site's drawer): every
 * chart becomes an SVG figure with role="img", its title as aria-label and its text alternative as the
 * description, the marks the data call for, no console error and no request to another host.
 * The page is bundled here with esbuild (analysis from its sources). Screenshot: charts.png.
 */
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Chromium,
  ensureChromium,
  launchChromium,
  openPage,
  type RecordedPage,
  ROOT,
  type StaticServer,
  serveDist,
} from "./harness.js";

const ENTRY = `
import { coxForest, kaplanMeierByGroup, kaplanMeierChart, mtmByOutcome, mtmVersusSize, octantCoverage, rocChart, whatIf } from "@cryomargin/analysis";
import { vegaFigure } from "./src/components/vegaFigure.js";

const cohort = [
  ["A", -6, 1, 6, 45], ["B", -3, 1, 12, 40], ["C", -1, 0, 30, 35], ["D", 1, 1, 18, 32],
  ["E", 2, 0, 24, 28], ["F", 4, 0, 36, 25], ["G", 6, 0, 40, 20], ["H", 9, 0, 48, 18],
].map(([caseId, mtmMm, ltp, timeMonths, diameterMm]) => ({ caseId, mtmMm, ltp, timeMonths, diameterMm }));
const w = whatIf(cohort, { thresholdMm: 0 });
const specs = [
  mtmByOutcome(cohort, { thresholdMm: 5 }),
  mtmVersusSize(cohort, { thresholdMm: 5, sizeCutMm: 30 }),
  kaplanMeierChart(kaplanMeierByGroup(
    { time: cohort.map((c) => c.timeMonths), event: cohort.map((c) => c.ltp) },
    cohort.map((c) => (c.mtmMm < 0 ? "MTM < 0 mm" : "MTM ≥ 0 mm")),
  )),
  coxForest([{ label: "MTM (per mm)", hr: 0.63, lower: 0.49, upper: 0.81, p: 0.0003 }]),
  octantCoverage(cohort.map((c) => ({ caseId: c.caseId, thresholdMm: 5, coverage: { fractionGreen: 0.7, fractionYellow: 0.2, fractionRed: 0.1 } }))),
  rocChart(w.roc, { operatingPoint: w.operatingPoint }),
];
window.specs = specs;
for (const spec of specs) document.body.append(await vegaFigure(spec));
window.chartsDone = true;
`;

// The icon is inline: without one, chromium asks the test server for /favicon.ico (a 404, a console error).
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>charts</title></head>
<body style="font-family:system-ui;display:flex;flex-wrap:wrap;gap:16px"><script type="module" src="/charts.js"></script></body></html>`;

interface DrawnFigure {
  label: string | null;
  role: string | null;
  description: string;
  expectedTitle: string;
  expectedDescription: string;
  texts: string[];
  symbols: number;
}

describe("chart specs drawn in chromium by vegaFigure", () => {
  let server: StaticServer;
  let browser: Chromium;
  let visit: RecordedPage;
  let figures: DrawnFigure[];

  beforeAll(async () => {
    await ensureChromium();
    const bundle = await build({
      stdin: { contents: ENTRY, resolveDir: ROOT, loader: "js" },
      alias: { "@cryomargin/analysis": `${ROOT}analysis/src/index.ts` },
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    server = await serveDist({
      routes: {
        "/charts.html": { body: PAGE, type: "text/html; charset=utf-8" },
        "/charts.js": { body: bundle.outputFiles[0].text, type: "text/javascript; charset=utf-8" },
      },
    });
    browser = await launchChromium({ width: 1400, height: 1000 });
    visit = await openPage(browser, server, "/charts.html");
    await visit.page.waitForFunction(() => "chartsDone" in window, undefined, { timeout: 20_000 });
    figures = await visit.page.evaluate(() =>
      Array.from(document.querySelectorAll("figure.cm-chart")).map((figure, i) => {
        const svg = figure.querySelector("svg");
        const describedBy = svg?.getAttribute("aria-describedby") ?? "";
        const spec = (window as unknown as { specs: { title: { text: string }; description: string }[] }).specs[i];
        return {
          label: svg?.getAttribute("aria-label") ?? null,
          role: svg?.getAttribute("role") ?? null,
          description: document.getElementById(describedBy)?.textContent ?? "",
          expectedTitle: spec.title.text,
          expectedDescription: spec.description,
          texts: Array.from(figure.querySelectorAll("svg text")).map((t) => t.textContent ?? ""),
          symbols: figure.querySelectorAll("svg .mark-symbol path").length,
        };
      }),
    );
    await visit.screenshot("charts");
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("draws six accessible figures: role img, title as label, description linked", () => {
    expect(figures).toHaveLength(6);
    for (const f of figures) {
      expect(f.role).toBe("img");
      expect(f.label).toBe(f.expectedTitle);
      expect(f.description).toBe(f.expectedDescription);
      expect(f.texts).toContain(f.expectedTitle);
    }
  });

  it("shows the data: 8 points per scatter, numbers at risk, the HR column, the Youden label", () => {
    const [mtm, size, km, forest, , roc] = figures;
    expect(mtm.symbols).toBe(8);
    expect(size.symbols).toBe(8 + 2); // points + the two legend symbols
    expect(km.texts).toEqual(expect.arrayContaining(["Number at risk", "3", "2", "1", "5", "4"]));
    expect(forest.texts).toContain("0.63 (0.49 to 0.81), p < 0.001");
    expect(roc.texts).toContain("Youden: MTM < 1.5 mm (sens. 100%, spec. 80%)");
  });

  it("logs no console error and makes zero requests to other hosts", () => {
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.foreignRequests).toEqual([]);
  });
});
