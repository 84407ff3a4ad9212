/**
 * Bar: what-if update (slider input → all numbers and charts redrawn) ≤ 50 ms median, on the
 * real explorer page of the built site (src/whatif.md → dist/whatif.html), in Debian's chromium.
 * Each step waits for the page to be still, sets the threshold slider and dispatches its `input` event,
 * as a drag does; the time runs to the last DOM change it causes anywhere on the page (a
 * MutationObserver on the whole document; the update is over when nothing changed for QUIET_MS after
 * the explorer's `cm-whatif-updated` event and the next animation frame). The time to that event is
 * printed beside it. Median over 60 steps after 10 warm-ups.
 *
 * Site: dist/ when it was built from a cohort (data/cohort or CRYOMARGIN_COHORT); otherwise an isolated
 * build of a generated 32-case test cohort (test/e2e/site-cohort.ts), the paper's size.
 * Run: `npm run bench -- site-whatif`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
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

/** How long the page must stay unchanged for an update to count as finished, ms. */
const QUIET_MS = 150;

const RUN = `(async ([warmup, runs]) => {
  const root = document.querySelector(".cm-whatif");
  const input = document.querySelector("#whatif-threshold");
  // Every DOM change anywhere on the page, timestamped: the update ends at the last one it causes.
  let lastChange = 0;
  let changes = 0;
  const observer = new MutationObserver(() => {
    lastChange = performance.now();
    changes++;
  });
  observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const quiet = async () => {
    // Settled: no DOM change for QUIET_MS (the page's own cells, if any, have had their turn).
    for (;;) {
      const seen = changes;
      await new Promise((resolve) => setTimeout(resolve, ${QUIET_MS}));
      if (changes === seen) return;
    }
  };
  const toLastChange = [];
  const toEvent = [];
  for (let i = 0; i < warmup + runs; i++) {
    await quiet();
    let eventAt = 0;
    const done = new Promise((resolve) =>
      root.addEventListener("cm-whatif-updated", () => { eventAt = performance.now(); resolve(); }, { once: true }),
    );
    const t0 = performance.now();
    input.value = String(-5 + (i % 31) * 0.5);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await done;
    await frame();
    await quiet();
    if (i >= warmup) {
      toLastChange.push(lastChange - t0);
      toEvent.push(eventAt - t0);
    }
  }
  observer.disconnect();
  return { toLastChange, toEvent };
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
  const { toLastChange, toEvent } = (await visit.page.evaluate(`${RUN}([10, 60])`)) as {
    toLastChange: number[];
    toEvent: number[];
  };
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
    return `median ${at(0.5).toFixed(1)} ms (p90 ${at(0.9).toFixed(1)}, max ${s.at(-1)?.toFixed(1)})`;
  };
  await visit.screenshot("bench-site-whatif");
  if (visit.consoleErrors.length || visit.foreignRequests.length)
    console.log("console errors:", visit.consoleErrors, "foreign requests:", visit.foreignRequests);
  console.log(
    `what-if update on the built explorer page (${label}, ${tumors} tumors), slider input event → last DOM change it causes: ${stats(toLastChange)} over ${toLastChange.length} inputs — bar ≤ 50 ms; load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(`  (to the explorer's cm-whatif-updated event: ${stats(toEvent)})`);
} finally {
  await browser.close();
  await server.close();
}
