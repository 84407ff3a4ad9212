/**
 * Bars: `cryomargin segment` ≤ 5 s per mask on a 256 × 256 × 60 scan, and the per-case
 * quality table on more synthetic cases than the test runs.
 *
 * 1. Speed: case 1 of the twin's design rendered with partial volume on 256 × 256 × 60 grids (1.2 × 1.2 × 3.0 mm), written
 *    as .nii.gz with the simulated outlines; the whole command (Node start-up, reading, the worker's
 *    contour interpolation, refinement, writing) run 5 times per mask; medians.
 * 2. Quality: SEGMENT_BENCH_CASES cases (default 12), rendered at voxel centres and with partial volume,
 *    each under the scan variants of the test (standard, noise × 2, ±20 % shading): Dice, HD95, MTM
 *    from the segmented vs the true masks.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deepestPointRas, median, planSyntheticCohort, simulatedScribbles } from "@cryomargin/analysis";
import { writeNiftiFile } from "../loaders/io/nifti.js";
import {
  formatScoreTable,
  type ScanRendering,
  type ScanVariant,
  type SegmentationScore,
  scanVariant,
  scoreSegmentation,
  segmentationCase,
} from "../loaders/segment/synthEvaluation.js";

const bin = fileURLToPath(new URL("../bin/cryomargin.mjs", import.meta.url));

const plan = planSyntheticCohort({ seed: 2030 });

// 1. Speed on 256 × 256 × 60.
{
  const c = segmentationCase(plan, 0, "partial volume", [256, 256, 60]);
  const dir = mkdtempSync(join(tmpdir(), "cryomargin-bench-segment-"));
  try {
    const files = {
      pre: join(dir, "pre.nii.gz"),
      post: join(dir, "post.nii.gz"),
      drawn: join(dir, "drawn.nii.gz"),
    };
    writeNiftiFile(files.pre, c.pre);
    writeNiftiFile(files.post, c.post);
    const { scribbles } = simulatedScribbles(c.tumorTruth);
    writeNiftiFile(files.drawn, { dims: c.tumorTruth.dims, voxelToWorld: c.tumorTruth.voxelToWorld, data: scribbles });
    const seed = deepestPointRas(c.iceTruth)
      .map((x) => x.toFixed(1))
      .join(",");
    // Wall time, and the CPU time (user + system, all threads) that GNU time reports when it is there:
    // on a shared machine the CPU time is what the command would take alone.
    const gnuTime = existsSync("/usr/bin/time");
    const time = (args: string[]) => {
      const command = [process.execPath, bin, "segment", ...args];
      const t0 = performance.now();
      const r = gnuTime
        ? spawnSync("/usr/bin/time", ["-f", "cpu %U %S", ...command], { encoding: "utf8" })
        : spawnSync(command[0], command.slice(1), { encoding: "utf8" });
      const wall = performance.now() - t0;
      if (r.status !== 0) throw new Error(r.stderr);
      const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
      return { wall, cpu: cpu ? 1000 * (Number(cpu[1]) + Number(cpu[2])) : Number.NaN };
    };
    const tumor: { wall: number; cpu: number }[] = [];
    const ice: { wall: number; cpu: number }[] = [];
    for (let run = 0; run < 5; run++) {
      tumor.push(time(["tumor", "--image", files.pre, "--scribbles", files.drawn, "--out", join(dir, "t.nii.gz")]));
      ice.push(time(["iceball", "--image", files.post, `--seed=${seed}`, "--out", join(dir, "i.nii.gz")]));
    }
    const show = (runs: { wall: number; cpu: number }[]) =>
      `${median(runs.map((r) => r.wall)).toFixed(0)} ms wall, ${median(runs.map((r) => r.cpu)).toFixed(0)} ms CPU (runs ${runs.map((r) => r.wall.toFixed(0)).join(", ")})`;
    console.log(
      `scan ${c.pre.dims.join(" × ")} voxels; whole command, median of 5 (bar ≤ 5000 ms per mask); load ${loadavg()[0].toFixed(1)}:`,
    );
    console.log(`  segment tumor    ${show(tumor)}`);
    console.log(`  segment iceball  ${show(ice)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 2. Quality table.
{
  const n = Number(process.env.SEGMENT_BENCH_CASES ?? 12);
  const variants: ScanVariant[] = ["standard", "noise x2", "shading ±20 %"];
  const renderings: ScanRendering[] = ["voxel centres", "partial volume"];
  const scores: SegmentationScore[] = [];
  for (const rendering of renderings)
    for (let k = 0; k < n; k++) {
      const c = segmentationCase(plan, k, rendering);
      for (const v of variants) scores.push(scoreSegmentation(c, scanVariant(c, v, 7001 + k), v));
    }
  console.log(`\n${formatScoreTable(scores)}\n`);
  for (const rendering of renderings)
    for (const v of variants) {
      const of = scores.filter((s) => s.variant === v && s.rendering === rendering);
      if (of.length === 0) continue;
      const close = of.filter((s) => Math.abs(s.mtmSegmentedMm - s.mtmTrueMm) <= 1).length;
      const min = (f: (s: SegmentationScore) => number) => Math.min(...of.map(f)).toFixed(4);
      const max = (f: (s: SegmentationScore) => number) => Math.max(...of.map(f)).toFixed(2);
      console.log(
        `${rendering.padEnd(15)} ${v.padEnd(14)} tumor Dice min ${min((s) => s.tumorDice)}, HD95 max ${max((s) => s.tumorHd95Diagonals)} diagonals; ice Dice min ${min((s) => s.iceDice)}; |ΔMTM| ≤ 1 mm in ${close}/${of.length}, max ${max((s) => Math.abs(s.mtmSegmentedMm - s.mtmTrueMm))} mm; in-process median tumor ${median(of.map((s) => s.tumorMs)).toFixed(0)} ms, ice ${median(of.map((s) => s.iceMs)).toFixed(0)} ms`,
      );
    }
}
