/**
 * The case pages' 3D view in chromium (WebGL2 through SwiftShader, no GPU), on the built site of the
 * committed cohort. A representative subset of six cases keeps the file under a minute (each page costs
 * 2–4 s of software rendering): the smallest and the largest MTM, the case with the most yellow volume,
 * the largest tumor, and the first local-progression and local-control cases in MTM order not already
 * chosen. For each: the page transfers ≤ 2 MB; the 3D view's screenshot is not blank (pixel variance);
 * moving the threshold slider recolours the surface (pixel difference); with the ice ball, planes and
 * marker hidden, the surface colour at the marked minimum-margin point is its class's (the class of the
 * engine's MTM at the page's threshold); no console error, no request to another host. The class
 * fractions by surface area are printed beside the engine's by volume for every case, and the 3D
 * time-to-visible per page (a figure, not a bar: the benchmark case-3d measures it).
 * Screenshots: test-output/screenshots/case3d-<id>.png.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { coverageClass } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaseJson } from "../../src/components/study.js";
import {
  type Chromium,
  DIST,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  SCREENSHOTS,
  type StaticServer,
  serveDist,
} from "./harness.js";

/** The site's case JSONs (dist/_file/data/study/cases/<id>.<hash>.json). */
function builtCases(): CaseJson[] {
  const dir = join(DIST, "_file", "data", "study", "cases");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as CaseJson);
}

/** Cases in the subset (fewer when a small cohort has fewer distinct ones). */
const SUBSET_SIZE = 6;

/** The subset described in the module comment. */
function representative(cases: CaseJson[]): CaseJson[] {
  const byMtm = [...cases].sort((a, b) => a.margins.mtmMm - b.margins.mtmMm);
  const chosen = new Set<CaseJson>([
    byMtm[0],
    byMtm[byMtm.length - 1],
    [...cases].sort((a, b) => b.margins.coverage.fractionYellow - a.margins.coverage.fractionYellow)[0],
    [...cases].sort((a, b) => b.margins.tumorVolumeMl - a.margins.tumorVolumeMl)[0],
  ]);
  const ltp = byMtm.find((c) => c.row.ltp && !chosen.has(c));
  const control = byMtm.find((c) => !c.row.ltp && !chosen.has(c));
  for (const c of [ltp, control]) if (c) chosen.add(c);
  return [...chosen];
}

/** Runs in the page: decodes a PNG (base64) and returns its RGBA pixels. */
const DECODE = `async (b64) => {
  const image = new Image();
  image.src = "data:image/png;base64," + b64;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: Array.from(ctx.getImageData(0, 0, image.width, image.height).data) };
}`;

interface Pixels {
  width: number;
  height: number;
  data: number[];
}

/** Standard deviation of the luminance. */
function luminanceSd(p: Pixels): number {
  let sum = 0;
  let sum2 = 0;
  const n = p.width * p.height;
  for (let i = 0; i < p.data.length; i += 4) {
    const y = 0.2126 * p.data[i] + 0.7152 * p.data[i + 1] + 0.0722 * p.data[i + 2];
    sum += y;
    sum2 += y * y;
  }
  return Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2));
}

/** Share of pixels whose colour changed by more than 30 (sum of |ΔR|+|ΔG|+|ΔB|). */
function changedShare(a: Pixels, b: Pixels): number {
  let changed = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const d =
      Math.abs(a.data[i] - b.data[i]) +
      Math.abs(a.data[i + 1] - b.data[i + 1]) +
      Math.abs(a.data[i + 2] - b.data[i + 2]);
    if (d > 30) changed++;
  }
  return changed / (a.width * a.height);
}

/** The class (0 green, 1 yellow, 2 red) whose colour's chromaticity is nearest a shaded pixel's. */
function nearestClass(rgb: number[], palette: number[][]): number {
  const chroma = (c: number[]) => {
    const s = c[0] + c[1] + c[2] || 1;
    return [c[0] / s, c[1] / s, c[2] / s];
  };
  const q = chroma(rgb);
  let best = 0;
  let bestD = Infinity;
  palette.forEach((c, k) => {
    const p = chroma(c);
    const d = (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  });
  return best;
}

describe("case pages: the 3D margin view", () => {
  let server: StaticServer;
  let browser: Chromium;
  let cases: CaseJson[];

  beforeAll(async () => {
    await ensureChromium();
    await ensureSiteBuilt();
    server = await serveDist();
    browser = await launchChromium({ width: 1280, height: 1000 });
    cases = builtCases();
  }, 300_000);

  const report: string[] = [];
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.log(`3D view, ${report.length} cases (screenshots in ${SCREENSHOTS}):\n${report.join("\n")}`);
  });

  it("every case has a mesh whose class fractions by area sit beside the engine's by volume", () => {
    expect(cases.length).toBeGreaterThan(0);
    const pct = (f: number) => `${(100 * f).toFixed(1)}`.padStart(5);
    const lines = [...cases]
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

  for (let k = 0; k < SUBSET_SIZE; k++) {
    it(`subset case ${k + 1}: ≤ 2 MB, not blank, the slider recolours, the minimum point shows its class`, async () => {
      const c = representative(cases)[k];
      if (!c) return;
      const visit = await openPage(browser, server, `/cases/${c.siteId}`);
      const { page } = visit;
      await page.waitForSelector(".cm-case[data-view3d]", { timeout: 20_000 });
      expect(await page.locator(".cm-case").getAttribute("data-view3d")).toBe("ready");
      const loaded = (await page.evaluate(`(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const bytes = nav.transferSize + performance.getEntriesByType("resource").reduce((s, r) => s + r.transferSize, 0);
        return { bytes, visibleMs: Number(document.querySelector(".cm-case").dataset.view3dAt) };
      })()`)) as { bytes: number; visibleMs: number };
      expect(loaded.bytes).toBeLessThanOrEqual(2e6);

      const canvas = page.locator("canvas.cm-view3d");
      const shot = async (): Promise<Pixels> => {
        await page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
        const png = await canvas.screenshot();
        return (await page.evaluate(`(${DECODE})(${JSON.stringify(png.toString("base64"))})`)) as Pixels;
      };
      const before = await shot();
      await visit.screenshot(`case3d-${c.siteId}`);
      const sd = luminanceSd(before);
      expect(sd).toBeGreaterThan(10);

      // Move the threshold to where many vertices change class: 0 mm turns the yellow surface green;
      // with little yellow, 10 mm turns green (5–10 mm) yellow.
      const moved = c.mesh.coverageByArea.fractionYellow >= 0.05 ? 0 : 10;
      await page.$eval(
        `#case-threshold-${c.siteId}`,
        (input, value) => {
          (input as HTMLInputElement).value = String(value);
          input.dispatchEvent(new Event("input", { bubbles: true }));
        },
        moved,
      );
      const after = await shot();
      const changed = changedShare(before, after);
      expect(changed).toBeGreaterThan(0.002);

      // Back to the analysis threshold, occluders hidden: the colour at the minimum point.
      await page.$eval(
        `#case-threshold-${c.siteId}`,
        (input, value) => {
          (input as HTMLInputElement).value = String(value);
          input.dispatchEvent(new Event("input", { bubbles: true }));
        },
        c.margins.thresholdMm,
      );
      for (const box of ["ice", "octants", "marker"]) await page.uncheck(`#case-${box}-${c.siteId}`);
      const bare = await shot();
      const x = Math.round(Number(await canvas.getAttribute("data-min-x")));
      const y = Math.round(Number(await canvas.getAttribute("data-min-y")));
      const palette = ["#1a9850", "#fdd835", "#d73027"].map((h) =>
        [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)),
      );
      const votes = [0, 0, 0];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const i = 4 * ((y + dy) * bare.width + (x + dx));
          votes[nearestClass(bare.data.slice(i, i + 3), palette)]++;
        }
      const shown = votes.indexOf(Math.max(...votes));
      const expected = coverageClass(c.margins.mtmMm, c.margins.thresholdMm);
      expect(shown).toBe(expected);

      expect(visit.consoleErrors).toEqual([]);
      expect(visit.foreignRequests).toEqual([]);
      report.push(
        `${c.siteId}: ${(loaded.bytes / 1e6).toFixed(2)} MB, 3D visible at ${loaded.visibleMs.toFixed(0)} ms after navigation, luminance sd ${sd.toFixed(1)}, slider ${c.margins.thresholdMm}→${moved} mm changed ${(100 * changed).toFixed(1)}% of pixels, class at the minimum point ${["green", "yellow", "red"][shown]} (MTM ${c.margins.mtmMm.toFixed(2)} mm)`,
      );
      await page.close();
    }, 60_000);
  }
});
