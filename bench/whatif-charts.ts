/**
 * What the what-if explorer and the CLI figures cost to draw, headlessly in Node (the browser adds DOM
 * work on top; its ≤ 50 ms bar is measured in the browser):
 * 1. one what-if update: whatIf + the KM and ROC specs + vega-lite compile + vega scenegraph → SVG string;
 * 2. each CLI figure: spec → SVG (vega) and SVG → PNG at 2× (resvg).
 * Data: the same seeded 32-case cohort as bench/whatif.ts.
 */

import { median } from "@cryomargin/analysis";
import { rocChart, whatIfSurvivalChart } from "../analysis/src/charts/index.js";
import { createRandom } from "../analysis/src/stats/index.js";
import { type WhatIfCase, whatIf } from "../analysis/src/whatif/index.js";
import { renderSvg, svgToPng } from "../loaders/figures/render.js";

const rng = createRandom(2023);
const cases: WhatIfCase[] = Array.from({ length: 32 }, (_, i) => {
  const diameterMm = Math.round(16 + 35 * rng.next());
  const mtmMm = Math.round(15 - 0.35 * diameterMm + 6 * (rng.next() - 0.5));
  const ltp = mtmMm < 0 && rng.next() < 0.75 ? 1 : 0;
  const timeMonths = ltp ? Math.round(6 + 17 * rng.next()) : Math.round(1 + 57 * rng.next());
  return { caseId: `C${String(i + 1).padStart(2, "0")}`, mtmMm, ltp, timeMonths, diameterMm };
});

async function update(thresholdMm: number): Promise<number> {
  const start = performance.now();
  const r = whatIf(cases, { thresholdMm });
  const km = whatIfSurvivalChart(r.survival);
  await renderSvg(km);
  if (r.roc) await renderSvg(rocChart(r.roc, { operatingPoint: r.operatingPoint }));
  return performance.now() - start;
}

for (let w = 0; w < 10; w++) await update(w % 10);
const updates: number[] = [];
for (let i = 0; i < 60; i++) updates.push(await update(-5 + (i % 31) * 0.5));
console.log(
  `what-if update headless (whatIf + KM + ROC spec, compile, SVG): median ${median(updates).toFixed(1)} ms over ${updates.length} — bar ≤ 50 ms in the browser`,
);

const r = whatIf(cases, { thresholdMm: 0 });
const specs = {
  "kaplan-meier": whatIfSurvivalChart(r.survival),
  roc: rocChart(r.roc!),
};
for (const [name, spec] of Object.entries(specs)) {
  const svgRuns: number[] = [];
  const pngRuns: number[] = [];
  let svg = "";
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    svg = await renderSvg(spec);
    const t1 = performance.now();
    svgToPng(svg);
    svgRuns.push(t1 - t0);
    pngRuns.push(performance.now() - t1);
  }
  console.log(
    `figure ${name}: SVG median ${median(svgRuns).toFixed(1)} ms, PNG (2×) median ${median(pngRuns).toFixed(1)} ms`,
  );
}
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
