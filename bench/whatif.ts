/**
 * Bar: one what-if update (slider input → every number and chart redrawn) ≤ 50 ms median in the
 * browser. This measures the computation alone (`whatIf` on a paper-sized cohort of 32 tumours; 8 LTP with this seed), in
 * Node; the browser redraw is measured separately by the page benchmark.
 * Data: MTMs, diameters and follow-up drawn with a fixed seed; thresholds swept over the slider's −5…10 mm.
 */
import { createRandom } from "../analysis/src/stats/index.js";
import { type WhatIfCase, whatIf } from "../analysis/src/whatif/index.js";

const rng = createRandom(2023);
const cases: WhatIfCase[] = Array.from({ length: 32 }, (_, i) => {
  const diameterMm = Math.round(16 + 35 * rng.next());
  const mtmMm = Math.round(15 - 0.35 * diameterMm + 6 * (rng.next() - 0.5));
  const ltp = mtmMm < 0 && rng.next() < 0.75 ? 1 : 0;
  const timeMonths = ltp ? Math.round(6 + 17 * rng.next()) : Math.round(1 + 57 * rng.next());
  return { caseId: `C${String(i + 1).padStart(2, "0")}`, mtmMm, ltp, timeMonths, diameterMm };
});

const settings = Array.from({ length: 31 }, (_, i) => ({
  thresholdMm: -5 + i * 0.5,
  iceballDeltaMm: (i % 5) - 2,
  largeTumorsOnly: i % 4 === 0,
}));
for (let w = 0; w < 200; w++) whatIf(cases, settings[w % settings.length]); // warm-up (JIT)

const runs: number[] = [];
for (let r = 0; r < 2000; r++) {
  const start = performance.now();
  whatIf(cases, settings[r % settings.length]);
  runs.push(performance.now() - start);
}
runs.sort((a, b) => a - b);
const at = (q: number) => runs[Math.min(runs.length - 1, Math.floor(q * runs.length))];
const events = cases.reduce((s, c) => s + c.ltp, 0);
const r5 = whatIf(cases, { thresholdMm: 0 });
console.log(
  `cohort: 32 cases, ${events} LTP; at threshold 0 mm: AUC ${r5.roc?.auc.toFixed(3)}, Fisher p ${r5.fisher.p.toFixed(4)}`,
);
console.log(
  `whatIf, 32 cases: median ${at(0.5).toFixed(3)} ms (p90 ${at(0.9).toFixed(3)}, max ${runs.at(-1)?.toFixed(3)}) over ${runs.length} calls — bar ≤ 50 ms for the whole browser update`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
