/**
 * Bars (whole process as a user runs it, Node start-up included):
 * - `cryomargin --help` ≤ 0.2 s (each subcommand's modules load only when it runs);
 * - `cryomargin analyze data/cohort` ≤ 5 s on a first run (empty output folder, no margin cache) and
 *   ≤ 1 s cached (the same output folder again: margins from OUT/.cache).
 * (`margins` on two 512 × 512 × 120 .nii.gz is bench/margin-io.ts.) Medians of the compiled command
 * (bin/cryomargin.mjs); the load average is printed beside them, since the machine may be shared.
 * Run: `npm run bench -- cli-speed`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "@cryomargin/analysis";

const bin = fileURLToPath(new URL("../bin/cryomargin.mjs", import.meta.url));
const cohort = fileURLToPath(new URL("../data/cohort", import.meta.url));

/** Wall time (ms) of one run of the command; throws with its stderr when it fails. */
function timed(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`cryomargin ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const load = () => `load ${loadavg()[0].toFixed(2)}`;
const summary = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n ${xs.length})`;

const bare = Array.from({ length: 11 }, () => {
  const t = performance.now();
  spawnSync(process.execPath, ["-e", ""]);
  return performance.now() - t;
});
const help = Array.from({ length: 11 }, () => timed(["--help"]));
console.log(`node -e '' (start-up floor): ${summary(bare)}`);
console.log(`cryomargin --help: ${summary(help)} — bar ≤ 200 ms; ${load()}`);

const first: number[] = [];
const cached: number[] = [];
const dirs: string[] = [];
try {
  for (let run = 0; run < 3; run++) {
    const out = mkdtempSync(join(tmpdir(), "cryomargin-bench-analyze-"));
    dirs.push(out);
    first.push(timed(["analyze", cohort, "--out", out, "--quiet"]));
    for (let again = 0; again < 2; again++) cached.push(timed(["analyze", cohort, "--out", out, "--quiet"]));
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
console.log(`cryomargin analyze data/cohort, first run: ${summary(first)} — bar ≤ 5000 ms; ${load()}`);
console.log(`cryomargin analyze data/cohort, cached: ${summary(cached)} — bar ≤ 1000 ms; ${load()}`);
