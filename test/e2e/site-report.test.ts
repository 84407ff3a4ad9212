/**
 * The study report in chromium, checked against the command line on the same cohort:
 *
 * - the what-if explorer: its numbers at the default settings and after moving the sliders and the size
 *   toggle from the keyboard change, and equal (a) `cryomargin stats fisher / logrank / roc` run on the
 *   CLI's own margins.csv (`cryomargin analyze`) with a column for the rule, and (b) `whatIf` in Node on
 *   those rows (the exact Clopper-Pearson intervals, which the CLI has no command for);
 * - a case page: NiiVue draws, the MTM and the coverage fractions at the engine's threshold equal the
 *   CLI's cases/<id>.json, and after moving the coverage slider they equal the margin engine's own
 *   fractions at the new threshold;
 * - every built page but the case pages (case3d.test.ts loads those): no console error or uncaught
 *   exception, no failed cell, no request to another host, no request answered 404 (not even
 *   /favicon.ico: the icon is inline), no table or chart held to Framework's 640-px column; the synthetic
 *   banner on every page, the overview's heading, Table 1 and 2 as real tables with the tests, charts
 *   with titles and text alternatives, the per-case table sortable and linking every case page, and a
 *   full-page screenshot of each (page-<path>.png);
 * - "Your own data": a CSV dropped on the page gives Table 3 identical to the same analysis in Node.
 *
 * Built site: dist/ (the shared build) when its cohort exists (CRYOMARGIN_COHORT or data/cohort);
 * otherwise an isolated build of a generated 12-case test cohort (test/e2e/site-cohort.ts).
 * Screenshots: test-output/screenshots/site-*.png and page-*.png.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeCohort, measureMargins, type WhatIfCase, type WhatIfOptions, whatIf } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cohortCaseFiles } from "../../loaders/cohort/measureCase.js";
import { readMask } from "../../loaders/io/nifti.js";
import { readTransformFile } from "../../loaders/io/transform.js";
import { ownCohort } from "../../src/components/ownData.js";
import { studyTables } from "../../src/components/study.js";
import { cohortExists, siteCohortDir } from "../../src/data/siteEnv.js";
import { runCliInProcess } from "../helpers/cli.js";
import {
  builtPagePaths,
  type Chromium,
  DIST,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  pageProblems,
  ROOT,
  type StaticServer,
  serveDist,
} from "./harness.js";
import { buildIsolatedSite, sitePayload } from "./site-build.js";
import { writeSiteTestCohort } from "./site-cohort.js";

const WORK = join(ROOT, "test-output", "site-report-cli");
const bin = join(ROOT, "bin", "cryomargin.mjs");

/** Runs the CLI; returns stdout (throws with stderr on failure). */
function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cryomargin ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Runs the CLI's main() in this process (test/helpers/cli.ts); returns stdout (throws with stderr on failure). */
async function cliInProcess(...args: string[]): Promise<string> {
  const r = await runCliInProcess(args);
  if (r.status !== 0) throw new Error(`cryomargin ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A CSV file as header → column of strings. */
function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const columns = header.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [columns[i], v])));
}

/** The explorer's rows from the CLI's margins.csv (the columns whatIfCasesOf reads from the plan). */
function cliWhatIfCases(margins: Record<string, string>[]): WhatIfCase[] {
  return margins.map((r) => ({
    caseId: r.case_id,
    mtmMm: Number(r.mtm_for_statistics_mm),
    ltp: Number(r.ltp),
    timeMonths: Number(r.ltp_free_months),
    diameterMm: Number(r.tumor_max_diameter_mm),
  }));
}

/**
 * `cryomargin stats` on the rule: fisher (predicted × ltp), logrank (by predicted) and roc (shifted MTM,
 * smaller → LTP) on a CSV of the CLI's rows, after the explorer's filter and shift (the command's main()
 * in this process: what it computes is under test here, not its process).
 */
async function cliStats(
  cases: WhatIfCase[],
  o: Required<Pick<WhatIfOptions, "thresholdMm" | "iceballDeltaMm" | "largeTumorsOnly">>,
) {
  const kept = o.largeTumorsOnly ? cases.filter((c) => c.diameterMm > 30) : cases;
  const csv = join(WORK, "rule.csv");
  writeFileSync(
    csv,
    `case_id,mtm,ltp,time,predicted\n${kept
      .map((c) => {
        const mtm = c.mtmMm + o.iceballDeltaMm;
        return `${c.caseId},${mtm},${c.ltp},${c.timeMonths},${mtm < o.thresholdMm ? 1 : 0}`;
      })
      .join("\n")}\n`,
  );
  const json = async (...args: string[]) => JSON.parse(await cliInProcess("stats", ...args, "--data", csv));
  const predictedLevels = new Set(kept.map((c) => (c.mtmMm + o.iceballDeltaMm < o.thresholdMm ? 1 : 0)));
  // One after another: main() runs must not overlap (the helper captures stdout process-wide).
  const fisher = await json(
    "fisher",
    "--row",
    "predicted",
    "--col",
    "ltp",
    "--row-levels",
    "1,0",
    "--col-levels",
    "1,0",
  );
  const logrank =
    predictedLevels.size === 2
      ? await json("logrank", "--time", "time", "--event", "ltp", "--group", "predicted")
      : null;
  const roc = await json("roc", "--predictor", "mtm", "--outcome", "ltp", "--direction", ">");
  return { fisher, logrank, roc };
}

let built: Promise<{ cohortDir: string; dist: string }> | null = null;

/**
 * The site these tests check: dist/ (the shared build) when its cohort exists, else an isolated build of
 * a generated 12-case cohort (written once: deterministic, and unchanged files need no rebuild).
 */
function siteUnderTest(): Promise<{ cohortDir: string; dist: string }> {
  built ??= (async () => {
    const cohortDir = siteCohortDir();
    if (cohortExists(cohortDir)) {
      await ensureSiteBuilt();
      return { cohortDir, dist: DIST };
    }
    const testCohort = join(ROOT, "test-output", "site-report-cohort");
    if (!existsSync(join(testCohort, "clinical.csv"))) writeSiteTestCohort(testCohort, { cases: 12 });
    return { cohortDir: testCohort, dist: (await buildIsolatedSite("report", testCohort)).dist };
  })();
  return built;
}

/** The explorer's `data-field` values (numbers; NaN as NaN). */
type Fields = Record<string, number>;

describe("study report in chromium, against the CLI", () => {
  let server: StaticServer;
  let browser: Chromium;
  let cohortDir: string;
  let dist: string;
  let margins: Record<string, string>[];
  let cases: WhatIfCase[];
  let synthetic: boolean;

  beforeAll(async () => {
    await ensureChromium();
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    ({ cohortDir, dist } = await siteUnderTest());
    synthetic = JSON.parse(readFileSync(join(cohortDir, "cohort.json"), "utf8")).synthetic === true;
    cli("analyze", cohortDir, "--out", join(WORK, "cli"), "--quiet");
    margins = readCsv(join(WORK, "cli", "margins.csv"));
    cases = cliWhatIfCases(margins);
    server = await serveDist({ root: dist });
    browser = await launchChromium();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Reads every data-field of the explorer once it shows the given settings ("threshold|delta|large"). */
  async function explorerFields(page: import("playwright-core").Page, rendered: string): Promise<Fields> {
    await page.waitForFunction(
      (want) => document.querySelector(".cm-whatif")?.getAttribute("data-rendered") === want,
      rendered,
      { timeout: 20_000 },
    );
    return page.$$eval(".cm-whatif [data-field]", (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute("data-field"), Number(e.getAttribute("data-value"))])),
    );
  }

  /** The page's numbers against whatIf in Node and the CLI's stats, for one setting. */
  async function expectExplorerMatches(fields: Fields, o: Parameters<typeof cliStats>[1]) {
    const node = whatIf(cases, o);
    const t = node.table;
    expect([fields.tp, fields.fp, fields.fn, fields.tn]).toEqual([
      t.truePositive,
      t.falsePositive,
      t.falseNegative,
      t.trueNegative,
    ]);
    for (const [key, p] of [
      ["sensitivity", node.accuracy.sensitivity],
      ["specificity", node.accuracy.specificity],
      ["ppv", node.accuracy.positivePredictiveValue],
      ["npv", node.accuracy.negativePredictiveValue],
    ] as const) {
      if (p.n === 0) expect(fields[key]).toBeNaN();
      else {
        expect(fields[key]).toBeCloseTo(p.estimate, 12);
        expect(fields[`${key}-lower`]).toBeCloseTo(p.lower, 12);
        expect(fields[`${key}-upper`]).toBeCloseTo(p.upper, 12);
      }
    }
    const stats = await cliStats(cases, o);
    expect(fields["fisher-p"]).toBeCloseTo(stats.fisher.p, 12);
    if (stats.logrank) expect(fields["logrank-p"]).toBeCloseTo(stats.logrank.p, 12);
    else expect(fields["logrank-p"]).toBeNaN();
    expect(fields.auc).toBeCloseTo(stats.roc.auc, 12);
    expect(fields["auc-lower"]).toBeCloseTo(stats.roc.ci[0], 12);
    expect(fields["auc-upper"]).toBeCloseTo(stats.roc.ci[1], 12);
    return node;
  }

  it("what-if explorer: numbers equal the CLI's at the defaults and follow the keyboard-moved controls", async () => {
    const visit = await openPage(browser, server, "/whatif");
    const page = visit.page;
    const start = await explorerFields(page, "0|0|false");
    await expectExplorerMatches(start, { thresholdMm: 0, iceballDeltaMm: 0, largeTumorsOnly: false });

    // Threshold 0 → 3 mm with the arrow keys (step 0.5), each key one update.
    await page.focus("#whatif-threshold");
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
    const moved = await explorerFields(page, "3|0|false");
    await expectExplorerMatches(moved, { thresholdMm: 3, iceballDeltaMm: 0, largeTumorsOnly: false });
    expect(await page.locator("#whatif-threshold").inputValue()).toBe("3");
    // The numbers moved with the slider (the cohort has margins between 0 and 3 mm).
    expect(["tp", "fp", "fn", "tn", "fisher-p"].some((k) => moved[k] !== start[k])).toBe(true);

    // Ice ball 1 mm smaller, then large tumors only (Space on the focused checkbox).
    await page.focus("#whatif-delta");
    for (let i = 0; i < 2; i++) await page.keyboard.press("ArrowLeft");
    await page.focus("#whatif-large");
    await page.keyboard.press("Space");
    const last = await explorerFields(page, "3|-1|true");
    await expectExplorerMatches(last, { thresholdMm: 3, iceballDeltaMm: -1, largeTumorsOnly: true });
    const summary = (await page.locator(".cm-whatif-summary").textContent()) ?? "";
    expect(summary).toContain(`${cases.filter((c) => c.diameterMm > 30).length} tumors analysed`);
    await visit.screenshot("site-whatif");
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.foreignRequests).toEqual([]);
    await page.close();
  }, 120_000);

  it("case page: NiiVue draws; MTM and coverage equal the CLI's JSON, and the engine's at a moved threshold", async () => {
    // The case with the most yellow volume, so moving the threshold changes the colours.
    const row = [...margins].sort((a, b) => Number(b.fraction_yellow) - Number(a.fraction_yellow))[0];
    const study = await studyJsonOf(dist);
    const siteId = study.cases.find((c: { caseId: string }) => c.caseId === row.case_id).siteId;
    const json = JSON.parse(readFileSync(join(WORK, "cli", "cases", `${row.case_id}.json`), "utf8"));
    const visit = await openPage(browser, server, `/cases/${siteId}`);
    const page = visit.page;
    await page.waitForSelector(".cm-case[data-ready]", { timeout: 30_000 });
    expect(await page.locator(".cm-case").getAttribute("data-ready")).toBe("true");
    const read = () =>
      page.$$eval(".cm-case [data-field]", (els) =>
        Object.fromEntries(els.map((e) => [e.getAttribute("data-field"), Number(e.getAttribute("data-value"))])),
      );
    const at5 = await read();
    expect(at5.mtm).toBe(json.mtm_mm);
    expect(at5.green).toBeCloseTo(json.coverage.fraction_green, 4);
    expect(at5.yellow).toBeCloseTo(json.coverage.fraction_yellow, 4);
    expect(at5.red).toBeCloseTo(json.coverage.fraction_red, 4);
    for (const o of json.octants)
      if (o.fraction_green !== null) expect(at5[`${o.name}-green`]).toBeCloseTo(o.fraction_green, 4);

    // Coverage threshold 5 → 2 mm (six ArrowLeft steps of 0.5): the engine measured at 2 mm agrees.
    await page.focus(`#case-threshold-${siteId}`);
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(() => document.querySelector(".cm-case-numbers")?.textContent?.includes("at 2.0 mm"));
    const at2 = await read();
    const files = cohortCaseFiles(cohortDir, row.case_id);
    const engine = measureMargins(
      readMask(files.tumor).mask,
      readMask(files.iceball).mask,
      readTransformFile(files.transform),
      { thresholdMm: 2 },
    );
    expect(at2.green).toBeCloseTo(engine.coverage.fractionGreen, 12);
    expect(at2.yellow).toBeCloseTo(engine.coverage.fractionYellow, 12);
    expect(at2.red).toBeCloseTo(engine.coverage.fractionRed, 12);
    if (Number(row.fraction_yellow) > 0) expect(at2.green).toBeGreaterThan(at5.green);
    await visit.screenshot("site-case");
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.foreignRequests).toEqual([]);
    await page.close();
  }, 120_000);

  it("every page but the case pages: no page problem, synthetic banner, real tables with their tests, titled charts, sortable per-case table", async () => {
    // Every built page (new pages are covered without editing this test); the case pages get the same
    // checks in case3d.test.ts, which loads each of them for its 3D checks.
    const paths = builtPagePaths(dist).filter((p) => !/^\/cases\/[^/]+$/.test(p));
    expect(paths).toEqual(
      expect.arrayContaining([
        "/",
        "/cohort",
        "/margins",
        "/survival",
        "/reproduction",
        "/whatif",
        "/methods",
        "/own-data",
      ]),
    );
    const problems: Record<string, string[]> = {};
    // One tab for every page: a new page per path would start a new renderer each time.
    const visit = await openPage(browser, server, paths[0]);
    const page = visit.page;
    for (const path of paths) {
      if (path !== paths[0]) await visit.navigate(path);
      await page.waitForTimeout(250); // let cells that run after load settle
      const found = await pageProblems(visit);
      if (found.length > 0) problems[path] = found;
      const banner = (await page.locator(".cm-banner").first().textContent()) ?? "";
      if (synthetic) expect(banner, path).toMatch(/synthetic cohort/i);
      for (const chart of await page.locator("figure.cm-chart").all()) {
        const svg = chart.locator("svg");
        expect(await svg.getAttribute("role")).toBe("img");
        expect((await svg.getAttribute("aria-label"))?.length ?? 0).toBeGreaterThan(3);
        expect(((await chart.locator("figcaption").textContent()) ?? "").length).toBeGreaterThan(20);
      }
      if (path === "/cohort") {
        const captions = await page.locator("table caption").allTextContents();
        expect(captions.some((c) => c.startsWith("Table 1."))).toBe(true);
        expect(captions.some((c) => c.startsWith("Table 2."))).toBe(true);
        const table2 = page.locator("figure[data-table=table2] table");
        expect(await table2.locator("thead th").allTextContents()).toContain("Test");
        expect((await table2.textContent()) ?? "").toMatch(/Fisher/);
      }
      if (path === "/margins") {
        const links = await page.locator("table.cm-sortable a[href*='cases/']").count();
        expect(links).toBe(margins.length);
        expect(await page.locator("figure.cm-chart").count()).toBeGreaterThanOrEqual(3);
        // Sort the per-case table by MTM from the keyboard: the column's cells come out in order.
        const table = page.locator("table.cm-sortable").last();
        const button = table.locator("thead button", { hasText: /^MTM \(mm\)$/ });
        await button.focus();
        await page.keyboard.press("Enter");
        const headers = await table
          .locator("thead th")
          .evaluateAll((ths) => ths.map((th) => ({ text: th.textContent, sort: th.getAttribute("aria-sort") })));
        const column = headers.findIndex((h) => h.text === "MTM (mm)");
        const order = headers[column].sort;
        expect(order).toMatch(/^(ascending|descending)$/);
        const values = await table
          .locator("tbody tr")
          .evaluateAll((trs, i) => trs.map((tr) => Number(tr.children[i].textContent)), column);
        const sorted = [...values].sort((a, b) => (order === "descending" ? b - a : a - b));
        expect(values).toEqual(sorted);
      }
      if (path === "/survival") expect(await page.locator("figure.cm-chart").count()).toBe(2);
      if (path === "/reproduction") {
        const twin = JSON.parse(readFileSync(join(cohortDir, "cohort.json"), "utf8")).paper_twin === true;
        const heads = await page.locator("main table thead th").allTextContents();
        // A paper twin gets the CLI's reproduction.md as tables; any other cohort a sentence saying why not.
        if (twin) expect(heads).toEqual(expect.arrayContaining(["Figure", "Published", "Reproduced", "Status"]));
        else
          expect((await page.locator("main").textContent()) ?? "").toMatch(/does not declare itself the paper's twin/);
      }
      if (path === "/") {
        const heading = (await page.locator("h1").first().textContent())?.trim() ?? "";
        expect(heading).toMatch(/cryomargin/i);
        // The icon is inline in the page's head: the browser never asks for /favicon.ico.
        const icon = (await page.locator('head link[rel="icon"]').getAttribute("href")) ?? "";
        expect(icon).toMatch(/^data:image\/svg\+xml;base64,/);
        expect(Buffer.from(icon.split(",")[1], "base64").toString("utf8")).toMatch(
          /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/,
        );
      }
      await visit.screenshot(`page-${path === "/" ? "index" : path.slice(1).replace(/\//g, "_")}`);
    }
    await page.close();
    expect(problems).toEqual({});
    expect(server.notFound).toEqual([]); // not even /favicon.ico
  }, 180_000);

  it("your own data: a dropped CSV gives the same Table 3 as the analysis in Node; the explorer runs", async () => {
    // The cohort's clinical.csv with the CLI's measured MTM and diameter added, as a user would.
    const clinical = readFileSync(join(cohortDir, "clinical.csv"), "utf8").trimEnd().split("\n");
    const byId = new Map(margins.map((m) => [m.case_id, m]));
    const csv = [
      `${clinical[0]},mtm_mm,tumor_max_diameter_mm`,
      ...clinical.slice(1).map((line) => {
        const m = byId.get(line.split(",")[0]) as Record<string, string>;
        return `${line},${m.mtm_mm},${m.tumor_max_diameter_mm}`;
      }),
    ].join("\n");
    const own = ownCohort({ name: "mine.csv", text: csv });
    expect(own.errors).toEqual([]);
    const expected = studyTables(analyzeCohort(own.cases), false).table3;

    const visit = await openPage(browser, server, "/own-data");
    const page = visit.page;
    await page.setInputFiles("#own-files", { name: "mine.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.waitForSelector("figure[data-table=table3]", { timeout: 30_000 });
    const rows = await page
      .locator("figure[data-table=table3] tbody tr")
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows).toEqual(expected.rows);
    await page.waitForFunction(() => Number(document.querySelector(".cm-whatif")?.getAttribute("data-updates")) >= 1);
    await visit.screenshot("site-own-data");
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.foreignRequests).toEqual([]);
    await page.close();
  }, 120_000);
});

describe("study report payload", () => {
  it("dist/ weighs ≤ 5 MB, case images, meshes and itk-wasm pipelines excepted, and ≤ 30 MB with them (the issues' bars)", async () => {
    const p = sitePayload((await siteUnderTest()).dist);
    console.log(
      `site payload: ${(p.payloadBytes / 1e6).toFixed(2)} MB in ${p.files} files (case images and meshes ${(p.caseImageBytes / 1e6).toFixed(2)} MB more, the workstation's itk-wasm pipelines ${(p.itkBytes / 1e6).toFixed(2)} MB more, ${(p.totalBytes / 1e6).toFixed(2)} MB in all; gzip on the wire ${(p.gzipBytes / 1e6).toFixed(2)} MB)`,
    );
    expect(p.payloadBytes).toBeLessThanOrEqual(5_000_000);
    expect(p.totalBytes).toBeLessThanOrEqual(30_000_000);
    expect(p.files).toBeGreaterThan(20);
  }, 400_000);
});

/** The built study.json (Framework names it _file/data/study/study.<hash>.json). */
async function studyJsonOf(dist: string) {
  const { readdirSync } = await import("node:fs");
  const dir = join(dist, "_file", "data", "study");
  const file = readdirSync(dir).find((f) => /^study\.[0-9a-f]+\.json$/.test(f));
  if (!file) throw new Error(`no study.json in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), "utf8"));
}
