/**
 * Bar: `npm run build` offline in ≤ 60 s after install; total payload ≤ 5 MB, case images
 * excepted. Measures what `npm run build` runs — `tsc -b loaders`, scripts/bundle-niivue.mjs and
 * `observable build` — from cold caches (Framework's node_modules bundles, the data loaders' outputs and
 * the measured-margins cache all removed, as on a fresh clone after `npm ci`), into an isolated root and
 * output under test-output/ so dist/ and other builds are left alone. Median of 3 cold builds, then one
 * warm rebuild (nothing changed), and the payload of the result.
 *
 * Cohort: data/cohort (or CRYOMARGIN_COHORT) when present, else a generated 32-case test cohort.
 * Run: `npm run bench -- site-build`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { cohortExists, marginCacheDir, siteCohortDir } from "../src/data/siteEnv.js";
import { ROOT } from "../test/e2e/harness.js";
import { buildIsolatedSite, sitePayload } from "../test/e2e/site-build.js";
import { writeSiteTestCohort } from "../test/e2e/site-cohort.js";

const RUNS = 3;
let cohort = siteCohortDir();
let label = cohort;
if (!cohortExists(cohort)) {
  cohort = join(ROOT, "test-output", "site-bench-cohort");
  if (!existsSync(join(cohort, "clinical.csv"))) writeSiteTestCohort(cohort, { cases: 32 });
  label = "32-case test cohort (no data/cohort yet)";
}
const base = join(ROOT, "test-output", "site-buildbench");
const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);
const env = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  CRYOMARGIN_COHORT: cohort,
  CRYOMARGIN_PUBLISH: "0",
  CRYOMARGIN_SITE_ROOT: relative(ROOT, join(base, "root")),
  CRYOMARGIN_SITE_OUTPUT: relative(ROOT, join(base, "dist")),
};

/** One `npm run build` equivalent; returns its wall time in seconds. */
function build(): number {
  const t0 = performance.now();
  // tsc -b emits even with type errors (unfinished work elsewhere); time it, as test/global-setup.ts does.
  spawnSync(bin("tsc"), ["-b", "loaders"], { cwd: ROOT, stdio: "ignore" });
  execFileSync(process.execPath, [join(ROOT, "scripts", "bundle-niivue.mjs")], { cwd: ROOT, stdio: "ignore" });
  execFileSync(bin("observable"), ["build"], { cwd: ROOT, env, stdio: "ignore", maxBuffer: 64 << 20 });
  return (performance.now() - t0) / 1000;
}

// The root's symlinks (and a first build to check it works) come from the tests' helper.
await buildIsolatedSite("buildbench", cohort);
const cold: number[] = [];
for (let i = 0; i < RUNS; i++) {
  rmSync(join(base, "root", ".observablehq"), { recursive: true, force: true });
  rmSync(marginCacheDir(), { recursive: true, force: true });
  rmSync(join(base, "dist"), { recursive: true, force: true });
  cold.push(build());
}
const warm = build();
cold.sort((a, b) => a - b);
const p = sitePayload(join(base, "dist"));
console.log(
  `site build (${label}), tsc -b + NiiVue bundle + observable build from cold caches: median ${cold[1].toFixed(1)} s (runs ${cold.map((s) => s.toFixed(1)).join(", ")} s); warm rebuild ${warm.toFixed(1)} s — bar ≤ 60 s`,
);
console.log(
  `site payload: ${(p.payloadBytes / 1e6).toFixed(2)} MB in ${p.files} files (+ ${(p.caseImageBytes / 1e6).toFixed(2)} MB case images; ${(p.gzipBytes / 1e6).toFixed(2)} MB gzip on the wire) — bar ≤ 5 MB`,
);
