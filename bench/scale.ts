/**
 * Bar (scale): `cryomargin synth --cases N` and then `cryomargin analyze` on it, for growing N:
 * wall time and peak RSS of each whole command (GNU time's %M, which counts the worker threads), and the
 * rate. RSS must stay flat as the cohort grows (≤ 1 GB at 1,000 cases). Sizes: CRYOMARGIN_BENCH_CASES
 * (comma-separated, default "100,300,1000"); each run writes to a temporary folder, removed afterwards.
 * One run per size (a 1,000-case run takes many minutes); the load average is printed beside it.
 * Run: `npm run bench -- scale` (or `CRYOMARGIN_BENCH_CASES=32,96 npm run bench -- scale`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/cryomargin.mjs", import.meta.url));
const sizes = (process.env.CRYOMARGIN_BENCH_CASES ?? "100,300,1000").split(",").map(Number);
if (!existsSync("/usr/bin/time")) throw new Error("bench/scale needs GNU time (/usr/bin/time) for the peak RSS");

/** Runs the command under GNU time; wall seconds and peak RSS (MB). */
function measured(args: string[]): { seconds: number; rssMb: number } {
  const start = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, bin, ...args], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`cryomargin ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { seconds, rssMb: Number(r.stderr.trim().split("\n").at(-1)) / 1024 };
}

const row = (what: string, n: number, m: { seconds: number; rssMb: number }) =>
  `${what.padEnd(16)} ${String(n).padStart(5)} cases  ${m.seconds.toFixed(1).padStart(7)} s  ${(n / m.seconds).toFixed(2).padStart(6)} cases/s  peak RSS ${m.rssMb.toFixed(0).padStart(5)} MB  (load ${loadavg()[0].toFixed(2)})`;

for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), `cryomargin-bench-scale-${n}-`));
  try {
    const cohort = join(dir, "cohort");
    const out = join(dir, "results");
    console.log(row("synth", n, measured(["synth", "--cases", String(n), "--out", cohort, "--quiet"])));
    console.log(row("analyze", n, measured(["analyze", cohort, "--out", out, "--quiet"])));
    console.log(row("analyze, cached", n, measured(["analyze", cohort, "--out", out, "--quiet"])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log("bar: peak RSS flat as the cohort grows, ≤ 1000 MB at 1,000 cases");
