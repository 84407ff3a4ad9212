/**
 * Bar (issue 4, geometry share): measureMargins on one case of two 512 × 512 × 120 uint8 masks at
 * 1.2 × 1.2 × 3.0 mm (tumor ~30 mm, ice ball ~50 mm across, different origins, a rigid transform of a
 * few degrees and mm) from memory. The whole pipeline incl. gzip decode of both files must take
 * ≤ 0.5 s median and ≤ 400 MB peak RSS (bench/margin-io.ts measures that); the geometry aims at
 * ≤ 0.25 s to leave the decode its share. Reports the median of 9 runs after one warm-up (the first,
 * JIT-cold call is reported too), CPU time, and the process's peak RSS (masks included).
 *
 * The masks come from benchmarkMarginCase() (analysis/src/margin/phantoms.ts), so a decode benchmark
 * can write the very same case to .nii.gz and time reading it back on top.
 */

import { median } from "@cryomargin/analysis";
import { benchmarkMarginCase, measureMargins } from "../analysis/src/margin/index.js";

const { tumor, iceball, preToPost } = benchmarkMarginCase();
let start = performance.now();
let result = measureMargins(tumor, iceball, preToPost);
const coldMs = performance.now() - start;
const runs: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < 9; r++) {
  const c0 = process.cpuUsage();
  start = performance.now();
  result = measureMargins(tumor, iceball, preToPost);
  runs.push(performance.now() - start);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
runs.sort((a, b) => a - b);
console.log(
  `case: tumor ${result.tumorVolumeMl.toFixed(2)} ml, max diameter ${result.tumorMaxDiameterMm.toFixed(1)} mm; ice ball ${result.iceballVolumeMl.toFixed(2)} ml; MTM ${result.mtmMm.toFixed(2)} mm (${result.minMarginOctant})`,
);
console.log(
  `margin-pipeline measureMargins, 2 × 512×512×120 uint8 in memory: median ${median(runs).toFixed(0)} ms (min ${runs[0].toFixed(0)}, max ${runs.at(-1)?.toFixed(0)}; CPU median ${median(cpu).toFixed(0)} ms; cold first call ${coldMs.toFixed(0)} ms) — aim ≤ 250 ms (bar for the whole pipeline with decode: 500 ms)`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (bar ≤ 400 MB for the whole pipeline)`);
