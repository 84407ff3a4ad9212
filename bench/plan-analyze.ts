/**
 * Bar: `cryomargin analyze` on the 32-tumor cohort ≤ 5 s first run, ≤ 1 s cached — the cached run
 * is margins from cache plus this statistics step, so it must be a small part of 1 s. Measures
 * analyzeCohort (all tables, Cox + Firth on a separated MTM, KM, counts) + formatResults + reproduce on a
 * 32-tumor cohort with the paper's categorical counts (test/plan/cases.ts), per convention.
 */
import { readFileSync } from "node:fs";
import { analyzeCohort, formatResults, reproduce, reproductionToMarkdown } from "../analysis/src/index.js";
import { paperCountsCohort } from "../test/plan/cases.js";

const cases = paperCountsCohort();
const published = JSON.parse(readFileSync(new URL("../data/paper/published-values.json", import.meta.url), "utf8"));

function once(conventions: "r" | "spss"): void {
  const results = analyzeCohort(cases, { conventions });
  formatResults(results);
  reproductionToMarkdown(reproduce(results, published));
}

for (const conventions of ["r", "spss"] as const) {
  for (let w = 0; w < 5; w++) once(conventions); // warm-up (JIT)
  const runs: number[] = [];
  for (let r = 0; r < 40; r++) {
    const start = performance.now();
    once(conventions);
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  const firth = analyzeCohort(cases, { conventions }).table3.rows[0].firth !== null;
  console.log(
    `analyze+format+reproduce, 32 tumors, ${conventions}: median ${runs[runs.length >> 1].toFixed(1)} ms (min ${runs[0].toFixed(1)}, max ${runs[runs.length - 1].toFixed(1)}) over ${runs.length} runs; Firth fitted: ${firth}`,
  );
}
const cold = performance.now();
analyzeCohort(paperCountsCohort(), { conventions: "r", firth: "never" });
console.log(`without Firth (warm): ${(performance.now() - cold).toFixed(1)} ms`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
