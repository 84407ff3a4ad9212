/**
 * Large tables in `cryomargin stats`: `cox` (Newton–Raphson over risk-set sums by time, Harrell's C by a
 * Fenwick tree) and `roc` (placement values and the curve from sorted groups) must grow as n log n, not
 * n². Whole command (CSV parsing included) on 10,000 / 100,000 / 300,000 rows, median of 3 runs; sizes in
 * CRYOMARGIN_BENCH_ROWS (comma-separated). Data: a seeded survival table with a risk covariate and a
 * two-decimal predictor (ties), written to a temporary folder.
 * Run: `npm run bench -- stats-scale`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRandom, median } from "@cryomargin/analysis";

const bin = fileURLToPath(new URL("../bin/cryomargin.mjs", import.meta.url));
const sizes = (process.env.CRYOMARGIN_BENCH_ROWS ?? "10000,100000,300000").split(",").map(Number);

/** A table of n rows: time (months, whole), event, x (risk), predictor and outcome (ROC). */
function table(n: number): string {
  const rng = createRandom(17);
  const lines = ["time,event,x,predictor,outcome"];
  for (let i = 0; i < n; i++) {
    const x = Math.round(100 * (rng.next() + rng.next() - 1)) / 100;
    const time = Math.max(1, Math.round(-Math.log(1 - rng.next()) * 40 * Math.exp(-x)));
    const event = rng.next() < 0.7 ? 1 : 0;
    const outcome = rng.next() < 0.2 + 0.3 * (x + 1) ? 1 : 0;
    lines.push(`${time},${event},${x},${(x + 0.5 * rng.next()).toFixed(2)},${outcome}`);
  }
  return `${lines.join("\n")}\n`;
}

function seconds(args: string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [bin, "stats", ...args], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`stats ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return (performance.now() - start) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), "cryomargin-bench-stats-"));
try {
  for (const n of sizes) {
    const data = join(dir, `t${n}.csv`);
    writeFileSync(data, table(n));
    const runs = {
      cox: ["cox", "--data", data, "--time", "time", "--event", "event", "--covariates", "x"],
      roc: ["roc", "--data", data, "--predictor", "predictor", "--outcome", "outcome"],
    };
    for (const [name, args] of Object.entries(runs)) {
      const times = Array.from({ length: 3 }, () => seconds(args));
      console.log(
        `stats ${name.padEnd(4)} ${String(n).padStart(7)} rows: median ${median(times).toFixed(2)} s (min ${Math.min(...times).toFixed(2)}, max ${Math.max(...times).toFixed(2)}; load ${loadavg()[0].toFixed(2)})`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
