/**
 * Bar: `margins --uncertainty` with 200 Monte-Carlo draws on one case ≤ 2 s. Times
 * `marginUncertainty` (ice surface and signed distance built once, tumor surface samples re-read per
 * draw) on the first 8 cases of data/cohort, median of 5 runs per case after one warm-up; wall and CPU.
 */

import { median } from "@cryomargin/analysis";
import { marginUncertainty } from "../analysis/src/index.js";
import { readMask } from "../loaders/io/nifti.js";
import { readTransformFile } from "../loaders/io/transform.js";

const root = new URL("../data/cohort/cases/", import.meta.url).pathname;
const walls: number[] = [];
const cpus: number[] = [];
for (let k = 1; k <= 8; k++) {
  const dir = `${root}S${String(k).padStart(2, "0")}`;
  const tumor = readMask(`${dir}/tumor.nii.gz`).mask;
  const iceball = readMask(`${dir}/iceball.nii.gz`).mask;
  const transform = readTransformFile(`${dir}/registration.tfm`);
  let u = marginUncertainty(tumor, iceball, transform);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    u = marginUncertainty(tumor, iceball, transform);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  walls.push(median(wall));
  cpus.push(median(cpu));
  console.log(
    `S${String(k).padStart(2, "0")}: MTM ${u.mtmMm.toFixed(2)} mm, 95 % interval ${u.p2_5Mm.toFixed(2)}…${u.p97_5Mm.toFixed(2)}, P(MTM<0) ${u.probabilityBelowZero.toFixed(3)}; ${u.surfaceSamples} surface samples, ${u.meanSamplesRead.toFixed(0)} read per draw (MTM + 8 octants); median ${median(wall).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU`,
  );
}
console.log(
  `margin-uncertainty, 200 draws (σ 1 mm, 1°): median over cases ${median(walls).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU, worst case ${Math.max(...walls).toFixed(0)} ms wall (bar ≤ 2000 ms)`,
);
