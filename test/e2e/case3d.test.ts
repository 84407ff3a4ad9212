/**
 * Every case page of the built site in chromium (WebGL2 through SwiftShader, no GPU), one page after
 * another in one browser tab. For each case: the page transfers ≤ 2 MB; it shows what no page may show
 * (pageProblems: console errors, failed cells, foreign requests, capped tables) — site-report.test.ts leaves
 * the case pages to this file; the 3D view's screenshot is not blank (luminance standard deviation);
 * moving the threshold slider recolours the surface (share of pixels changed); with the ice ball, planes
 * and marker hidden, the surface colour at the marked minimum-margin point is its class's (the class of
 * the engine's MTM at the page's threshold). The class fractions by surface area are printed beside the
 * engine's by volume for every case, and the 3D time-to-visible per page (a figure, not a bar: the
 * benchmark case-3d measures it). Each page shows its warnings as items, the mask range once and no
 * JSON key in its prose. On one page, the orientation switch turns the 3D view to the slices' viewpoint
 * (the patient's right on the screen's left when radiological, on the right when neurological). The case list is the cohort's (as the site's config makes the pages),
 * and it must equal the case pages found in dist/.
 *
 * What keeps a case near a second: the page waits for the view's own ready signal (data-view3d), not for
 * network idle; the screenshots are of the 460-px 3D canvas only and are decoded in Node (pixels.ts).
 * Screenshots: test-output/screenshots/case3d-<id>.png (the 3D view as first shown), and the first
 * case's whole page as page-cases_<id>.png.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coverageClass } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCohortFolder } from "../../loaders/cohort/cohortFolder.js";
import { COVERAGE_PALETTES, rgbOf } from "../../src/components/palettes.js";
import { num } from "../../src/components/report.js";
import type { CaseJson } from "../../src/components/study.js";
import { cohortExists, isPublishMode, siteCaseIds, siteCohortDir } from "../../src/data/siteEnv.js";
import {
  builtPagePaths,
  type Chromium,
  DIST,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  pageProblems,
  type RecordedPage,
  SCREENSHOTS,
  type StaticServer,
  serveDist,
} from "./harness.js";
import { changedShare, decodePng, luminanceSd, nearestColor, type Pixels } from "./pixels.js";

/** The site's case JSONs (dist/_file/data/study/cases/<id>.<hash>.json) by site id. */
function builtCases(): Map<string, CaseJson> {
  const dir = join(DIST, "_file", "data", "study", "cases");
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as CaseJson)
      .map((c) => [c.siteId, c]),
  );
}

/** The case pages the site's config makes for the cohort in the environment (none without a cohort). */
const cohortDir = siteCohortDir();
const SITE_IDS = cohortExists(cohortDir)
  ? [
      ...siteCaseIds(
        loadCohortFolder(cohortDir).records.map((r) => r.caseId),
        isPublishMode(),
      ).values(),
    ]
  : [];

/** The page's default (standard) palette's class colours, in class order (green, yellow, red). */
const standard = COVERAGE_PALETTES.standard;
const CLASS_RGB = [standard.green, standard.yellow, standard.red].map(rgbOf);

describe("case pages: every page, and its 3D margin view", () => {
  let server: StaticServer;
  let browser: Chromium;
  let visit: RecordedPage;
  let cases: Map<string, CaseJson>;

  beforeAll(async () => {
    await ensureChromium();
    await ensureSiteBuilt();
    server = await serveDist();
    browser = await launchChromium({ width: 1280, height: 1000 });
    visit = await openPage(browser, server, "/", { waitUntil: "load" });
    cases = builtCases();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 300_000);

  const report: string[] = [];
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.log(`3D view, ${report.length} cases (screenshots in ${SCREENSHOTS}):\n${report.join("\n")}`);
  });

  it("the cohort's cases are the built case pages, each with its case JSON", () => {
    const built = builtPagePaths(DIST).filter((p) => /^\/cases\/[^/]+$/.test(p));
    expect(built).toEqual(SITE_IDS.map((id) => `/cases/${id}`).sort());
    expect([...cases.keys()].sort()).toEqual([...SITE_IDS].sort());
  });

  it("every case has a mesh whose class fractions by area sit beside the engine's by volume", () => {
    expect(cases.size).toBeGreaterThan(0);
    const pct = (f: number) => `${(100 * f).toFixed(1)}`.padStart(5);
    const lines = [...cases.values()]
      .sort((a, b) => a.margins.mtmMm - b.margins.mtmMm)
      .map((c) => {
        const v = c.margins.coverage;
        const a = c.mesh.coverageByArea;
        // Covered with margin means covered by volume at least as much as by area (the margin is
        // smallest on the surface): green by area ≤ green by volume, red by area ≥ red by volume.
        expect(a.fractionGreen).toBeLessThanOrEqual(v.fractionGreen + 1e-9);
        expect(a.fractionGreen + a.fractionYellow + a.fractionRed).toBeCloseTo(1, 9);
        return `${c.siteId.padEnd(6)} MTM ${c.margins.mtmMm.toFixed(2).padStart(6)}  volume ${pct(v.fractionGreen)} ${pct(v.fractionYellow)} ${pct(v.fractionRed)}   area ${pct(a.fractionGreen)} ${pct(a.fractionYellow)} ${pct(a.fractionRed)}   ${c.mesh.tumorVertices} / ${c.mesh.iceVertices} vertices`;
      });
    console.log(`coverage at the analysis threshold, % green yellow red:\n${lines.join("\n")}`);
  });

  it.for(SITE_IDS)(
    "case %s: ≤ 2 MB, no page problem, 3D not blank, the slider recolours, the minimum point shows its class",
    async (siteId) => {
      const c = cases.get(siteId) as CaseJson;
      const { page } = visit;
      await visit.navigate(`/cases/${siteId}`, { waitUntil: "load" });
      await page.waitForSelector(".cm-case[data-view3d]", { timeout: 20_000 });
      expect(await page.locator(".cm-case").getAttribute("data-view3d")).toBe("ready");
      const loaded = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const bytes = nav.transferSize + performance.getEntriesByType("resource").reduce((s, r) => s + r.transferSize, 0);
      return { bytes, visibleMs: Number(document.querySelector(".cm-case").dataset.view3dAt) };
    })()`)) as { bytes: number; visibleMs: number };
      expect(loaded.bytes).toBeLessThanOrEqual(2e6);

      const canvas = page.locator("canvas.cm-view3d");
      const shot = async (file?: string): Promise<Pixels> => {
        const png = await canvas.screenshot();
        if (file) writeFileSync(join(SCREENSHOTS, file), png);
        return decodePng(png);
      };
      const setThreshold = (mm: number) =>
        page.$eval(
          `#case-threshold-${siteId}`,
          (input, value) => {
            (input as HTMLInputElement).value = String(value);
            input.dispatchEvent(new Event("input", { bubbles: true }));
          },
          mm,
        );
      const before = await shot(`case3d-${siteId}.png`);
      const sd = luminanceSd(before);
      expect(sd).toBeGreaterThan(10);

      // Move the threshold to where many vertices change class: 0 mm turns the yellow surface green;
      // with little yellow, 10 mm turns green (5–10 mm) yellow.
      const moved = c.mesh.coverageByArea.fractionYellow >= 0.05 ? 0 : 10;
      await setThreshold(moved);
      const changed = changedShare(before, await shot());
      expect(changed).toBeGreaterThan(0.002);

      // Back to the analysis threshold, occluders hidden: the colour at the minimum point.
      await setThreshold(c.margins.thresholdMm);
      for (const box of ["ice", "octants", "marker"]) await page.uncheck(`#case-${box}-${siteId}`);
      const bare = await shot();
      const x = Math.round(Number(await canvas.getAttribute("data-min-x")));
      const y = Math.round(Number(await canvas.getAttribute("data-min-y")));
      const votes = [0, 0, 0];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const i = 4 * ((y + dy) * bare.width + (x + dx));
          votes[nearestColor(bare.data.subarray(i, i + 3), CLASS_RGB)]++;
        }
      const shown = votes.indexOf(Math.max(...votes));
      expect(shown).toBe(coverageClass(c.margins.mtmMm, c.margins.thresholdMm));

      // The warnings: each one an item, the mask range said once (in mm), no JSON key in the prose.
      const text = (await page.locator("#observablehq-main").textContent()) ?? "";
      expect(text).not.toContain("mtm_mask_range_mm");
      expect(text.match(/allow an MTM from/gi)?.length ?? 0).toBeLessThanOrEqual(1);
      // The MTM of the tumor mask as drawn, once, with the case's own value.
      expect(text.match(/on the tumor mask as drawn/gi)?.length ?? 0).toBe(c.margins.mtmAsDrawnMm === null ? 0 : 1);
      if (c.margins.mtmAsDrawnMm !== null) expect(text).toContain(`the MTM reads ${num(c.margins.mtmAsDrawnMm, 2)} mm`);
      expect(await page.locator(".cm-case-warnings li").count()).toBe(c.margins.warnings.length);

      expect(await pageProblems(visit)).toEqual([]);
      if (siteId === SITE_IDS[0]) await visit.screenshot(`page-cases_${siteId}`);
      report.push(
        `${siteId}: ${(loaded.bytes / 1e6).toFixed(2)} MB, 3D visible at ${loaded.visibleMs.toFixed(0)} ms after navigation, luminance sd ${sd.toFixed(1)}, slider ${c.margins.thresholdMm}→${moved} mm changed ${(100 * changed).toFixed(1)}% of pixels, class at the minimum point ${["green", "yellow", "red"][shown]} (MTM ${c.margins.mtmMm.toFixed(2)} mm)`,
      );
    },
  );

  it("the orientation switch turns the 3D view to the slices' viewpoint: patient's right on the left, then on the right", async () => {
    const siteId = SITE_IDS[0];
    const { page } = visit;
    await visit.navigate(`/cases/${siteId}`, { waitUntil: "load" });
    await page.waitForSelector(".cm-case[data-view3d=ready]", { timeout: 20_000 });
    const canvas = page.locator("canvas.cm-view3d");
    const sides = async () => ({
      right: Number(await canvas.getAttribute("data-right-x")),
      left: Number(await canvas.getAttribute("data-left-x")),
      pixels: decodePng(await canvas.screenshot()),
    });
    const opening = await sides();
    await page.selectOption(`#case-orientation-${siteId}`, "neurological");
    const neurological = await sides();
    expect(neurological.right).toBeGreaterThan(neurological.left + 5);
    await page.selectOption(`#case-orientation-${siteId}`, "radiological");
    const radiological = await sides();
    expect(radiological.right).toBeLessThan(radiological.left - 5);
    // The view turned (seen from the head, then from the feet), not only its numbers.
    expect(changedShare(opening.pixels, neurological.pixels)).toBeGreaterThan(0.01);
    expect(changedShare(neurological.pixels, radiological.pixels)).toBeGreaterThan(0.01);
    expect(await pageProblems(visit)).toEqual([]);
  });

  it("no request of any case page was answered 404", () => {
    expect(server.notFound).toEqual([]);
  });
});
