/**
 * Bar: `margins --uncertainty` with 200 Monte-Carlo draws on one case ≤ 2 s. Times what
 * `--uncertainty` adds to a margins run: `marginUncertainty` given the surfaces `measureMargins` was
 * given (`marginSurfaces`: both reconstructed surfaces, the ice ball's signed distance and the mask
 * range's extreme ice surfaces, built once; `margins` and `analyze` build them once for both), on the
 * first 8 cases of data/cohort, median of 5 runs per case after one warm-up; wall and CPU. Printed beside
 * it: the setup a margins run does anyway (`marginSurfaces` + the mask range's ice surfaces), median of 5,
 * and what the uncertainty costs when it builds them itself (no `surfaces`), median of 3.
 */

import { median } from "@cryomargin/analysis";
import { marginSurfaces, marginUncertainty, measureMargins } from "../analysis/src/index.js";
import { readMask } from "../loaders/io/nifti.js";
import { readTransformFile } from "../loaders/io/transform.js";

const root = new URL("../data/cohort/cases/", import.meta.url).pathname;
const walls: number[] = [];
const cpus: number[] = [];
const setups: number[] = [];

/** Median wall and CPU (ms) of `runs` calls of `f`, and its last result. */
function timed<T>(runs: number, f: () => T): { wallMs: number; cpuMs: number; last: T } {
  const wall: number[] = [];
  const cpu: number[] = [];
  let last = f();
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), last };
}

for (let k = 1; k <= 8; k++) {
  const id = `S${String(k).padStart(2, "0")}`;
  const dir = `${root}${id}`;
  const tumor = readMask(`${dir}/tumor.nii.gz`).mask;
  const iceball = readMask(`${dir}/iceball.nii.gz`).mask;
  const transform = readTransformFile(`${dir}/registration.tfm`);
  const setup = timed(5, () => {
    const built = marginSurfaces(tumor, iceball);
    built.maskRangeIce();
    return built;
  });
  const surfaces = setup.last;
  measureMargins(tumor, iceball, transform, { surfaces });
  const added = timed(5, () => marginUncertainty(tumor, iceball, transform, { surfaces }));
  const alone = timed(3, () => marginUncertainty(tumor, iceball, transform));
  const u = added.last;
  walls.push(added.wallMs);
  cpus.push(added.cpuMs);
  setups.push(setup.wallMs);
  console.log(
    `${id}: MTM ${u.mtmMm.toFixed(2)} mm, 95 % interval ${u.p2_5Mm.toFixed(2)}…${u.p97_5Mm.toFixed(2)}, P(MTM<0) ${u.probabilityBelowZero.toFixed(3)}; ${u.surfaceSamples} surface samples, ${u.meanSamplesRead.toFixed(0)} let through the pruning per draw (MTM + 8 octants); added to margins: median ${added.wallMs.toFixed(0)} ms wall, ${added.cpuMs.toFixed(0)} ms CPU (setup shared with margins ${setup.wallMs.toFixed(0)} ms wall; uncertainty building its own ${alone.wallMs.toFixed(0)} ms wall)`,
  );
}
console.log(
  `margin-uncertainty, 200 draws (σ 1 mm, 1°), added to a margins run: median over cases ${median(walls).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU, worst case ${Math.max(...walls).toFixed(0)} ms wall (bar ≤ 2000 ms); shared setup median ${median(setups).toFixed(0)} ms, worst ${Math.max(...setups).toFixed(0)} ms wall`,
);
