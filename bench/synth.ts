/**
 * Bar: `cryomargin synth` writes the 32-case calibrated cohort in ≤ 60 s (median of 3 runs of
 * the compiled CLI, the worker threads it uses by default), and the same files every run.
 * Also reports the folder's size (bar: ≤ 25 MB for masks + CSV) and the CLI's own summary line.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;

function folderDigest(dir: string): { bytes: number; sha256: string } {
  const hash = createHash("sha256");
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const data = readFileSync(p);
        bytes += data.length;
        hash.update(name).update(data);
      }
    }
  };
  walk(dir);
  return { bytes, sha256: hash.digest("hex") };
}

const runs: number[] = [];
const digests = new Set<string>();
let bytes = 0;
let summary = "";
for (let r = 0; r < 3; r++) {
  const out = mkdtempSync(join(tmpdir(), "synth-bench-"));
  const start = performance.now();
  const run = spawnSync(process.execPath, [bin, "synth", "--out", out, "--quiet"], { encoding: "utf8" });
  runs.push((performance.now() - start) / 1000);
  if (run.status !== 0) throw new Error(`synth failed: ${run.stderr}`);
  summary = run.stdout.trim().split("\n")[1] ?? "";
  const d = folderDigest(out);
  bytes = d.bytes;
  digests.add(d.sha256);
  rmSync(out, { recursive: true, force: true });
}
runs.sort((a, b) => a - b);
console.log(
  `synth, 32 cases (default seed): median ${runs[1].toFixed(1)} s (min ${runs[0].toFixed(1)}, max ${runs[2].toFixed(1)}) — bar ≤ 60 s`,
);
console.log(
  `cohort folder: ${(bytes / 1024).toFixed(0)} KB — bar ≤ 25 MB; identical across runs: ${digests.size === 1}`,
);
console.log(summary);
