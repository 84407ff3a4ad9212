/**
 * Bar: each case page shows its 3D view within 2 s in headless chromium with software GL
 * (SwiftShader), and transfers ≤ 2 MB. Opens every case page of the built site (dist/, built first when
 * stale) in a fresh page, three rounds, and reads the time from navigation start to the 3D view's first
 * drawn frame (the page's data-view3d-at, performance.now() when NiiVue has drawn the meshes) and the
 * bytes the page transferred (navigation + resources). Prints the median and the worst case.
 * Run: `npm run bench -- case-3d`.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DIST, ensureChromium, ensureSiteBuilt, launchChromium, openPage, serveDist } from "../test/e2e/harness.js";

const ROUNDS = 3;
await ensureChromium();
await ensureSiteBuilt();
const ids = readdirSync(join(DIST, "cases"))
  .filter((f) => f.endsWith(".html"))
  .map((f) => f.replace(/\.html$/, ""))
  .sort();
const server = await serveDist();
const browser = await launchChromium({ width: 1280, height: 1000 });
const times: number[] = [];
const bytes: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++)
    for (const id of ids) {
      const visit = await openPage(browser, server, `/cases/${id}`);
      await visit.page.waitForSelector(".cm-case[data-view3d]", { timeout: 30_000 });
      const r = (await visit.page.evaluate(`(() => ({
        at: Number(document.querySelector(".cm-case").dataset.view3dAt),
        bytes: performance.getEntriesByType("navigation")[0].transferSize +
          performance.getEntriesByType("resource").reduce((s, e) => s + e.transferSize, 0),
      }))()`)) as { at: number; bytes: number };
      times.push(r.at);
      bytes.push(r.bytes);
      await visit.page.close();
    }
} finally {
  await browser.close();
  await server.close();
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `3D view visible after navigation, ${ids.length} case pages × ${ROUNDS}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, p90 ${sorted[Math.floor(0.9 * sorted.length)].toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms — bar ≤ 2000 ms; page transfer max ${(Math.max(...bytes) / 1e6).toFixed(2)} MB — bar ≤ 2 MB`,
);
