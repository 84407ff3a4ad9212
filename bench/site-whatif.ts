/**
 * Bar (issue 7): what-if update (slider input → all numbers and charts redrawn) ≤ 50 ms median, on the
 * real explorer page of the built site (src/whatif.md → dist/whatif.html), in Debian's chromium.
 * Each step sets the threshold slider and dispatches its `input` event, as a drag does; the time runs to
 * the explorer's `cm-whatif-updated` event (whatIf rerun, 2×2 table, accuracy, tests, Kaplan-Meier and
 * ROC redrawn) plus the next animation frame (layout and paint). Median over 60 steps after 10 warm-ups.
 *
 * Site: dist/ when it was built from a cohort (data/cohort or CRYOMARGIN_COHORT); otherwise an isolated
 * build of a generated 32-case test cohort (test/e2e/site-cohort.ts), the paper's size.
 * Run: `npm run bench -- site-whatif`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cohortExists, siteCohortDir } from "../src/data/siteEnv.js";
import {
  DIST,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  ROOT,
  serveDist,
} from "../test/e2e/harness.js";
import { buildIsolatedSite } from "../test/e2e/site-build.js";
import { writeSiteTestCohort } from "../test/e2e/site-cohort.js";

/** The built site to measure, and how many tumors its explorer has. */
async function site(): Promise<{ dist: string; label: string }> {
  if (cohortExists(siteCohortDir())) {
    await ensureSiteBuilt();
    return { dist: DIST, label: siteCohortDir() };
  }
  const cohort = join(ROOT, "test-output", "site-bench-cohort");
  if (!existsSync(join(cohort, "clinical.csv"))) writeSiteTestCohort(cohort, { cases: 32 });
  return { dist: (await buildIsolatedSite("bench", cohort)).dist, label: "32-case test cohort (no data/cohort yet)" };
}

const RUN = `(async ([warmup, runs]) => {
  const root = document.querySelector(".cm-whatif");
  const input = document.querySelector("#whatif-threshold");
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const done = new Promise((resolve) => root.addEventListener("cm-whatif-updated", resolve, { once: true }));
    const t0 = performance.now();
    input.value = String(-5 + (i % 31) * 0.5);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await done;
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return times;
})`;

await ensureChromium();
const { dist, label } = await site();
const studyDir = join(dist, "_file", "data", "study");
const studyFile = readdirSync(studyDir).find((f) => /^study\.[0-9a-f]+\.json$/.test(f)) as string;
const tumors = JSON.parse(readFileSync(join(studyDir, studyFile), "utf8")).whatIfCases.length;
const server = await serveDist({ root: dist });
const browser = await launchChromium();
try {
  const visit = await openPage(browser, server, "/whatif");
  await visit.page.waitForSelector(".cm-whatif[data-updates='1']");
  const times = (await visit.page.evaluate(`${RUN}([10, 60])`)) as number[];
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  await visit.screenshot("bench-site-whatif");
  if (visit.consoleErrors.length || visit.foreignRequests.length)
    console.log("console errors:", visit.consoleErrors, "foreign requests:", visit.foreignRequests);
  console.log(
    `what-if update on the built explorer page (${label}, ${tumors} tumors): median ${at(0.5).toFixed(1)} ms (p90 ${at(0.9).toFixed(1)}, max ${times.at(-1)?.toFixed(1)}) over ${times.length} slider inputs — bar ≤ 50 ms`,
  );
} finally {
  await browser.close();
  await server.close();
}
