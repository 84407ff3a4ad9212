#!/usr/bin/env node
// `npm run bench`: runs every bench/*.ts (or the ones named on the command line) one after another,
// each in its own Node process (so peak RSS is per benchmark), and prints what each reports.
// Benchmarks report medians over repeated runs; they are never part of `npm test`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("../bench/", import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== bench/${file}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `${benchDir}${file}`], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
