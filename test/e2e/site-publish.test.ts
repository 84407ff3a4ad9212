/**
 * Publish mode (CRYOMARGIN_PUBLISH=1): a cohort with canary strings planted in every patient_id, in every
 * case id, and in the free-text fields of every NIfTI header (descrip, aux_file, intent_name, db_name) of
 * its masks and of its pre/post scans is built into an isolated site; no file of that dist/ — gzip
 * members decompressed — may contain a canary, the case pages carry pseudonyms, the per-case table has
 * no patient column, and every NIfTI the viewer ships (the scans re-encoded among them) has empty
 * free-text header fields. The canaries are first shown to be present in the inputs, and the scans to be
 * what the case pages show, so the test can fail. Screenshot: test-output/screenshots/site-publish-margins.png.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import {
  builtPagePaths,
  type Chromium,
  ensureChromium,
  launchChromium,
  openPage,
  ROOT,
  type StaticServer,
  serveDist,
} from "./harness.js";
import { buildIsolatedSite, filesUnder } from "./site-build.js";
import { writeSiteTestCohort } from "./site-cohort.js";

/** Planted in patient_id and the NIfTI free text (≤ 17 characters: db_name holds 18 bytes with its NUL). */
const CANARY = "ZQXCANARY7";
/** Case ids are CASE_CANARY01, CASE_CANARY02, … */
const CASE_CANARY = "QWVCASEID";
const COHORT = join(ROOT, "test-output", "site-publish-cohort");
/** Enough for a shared patient (the last two tumors) and pseudonyms on every page; few, to build fast. */
const CASES = 4;

/** The file's bytes, and the decompressed bytes when it is gzip (magic 1f 8b). */
function contents(path: string): Buffer[] {
  const bytes = readFileSync(path);
  const out = [bytes];
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) out.push(gunzipSync(bytes));
  return out;
}

/** NIfTI-1 free-text header fields: [name, offset, length]. */
const FREE_TEXT_FIELDS: [string, number, number][] = [
  ["db_name", 14, 18],
  ["descrip", 148, 80],
  ["aux_file", 228, 24],
  ["intent_name", 328, 16],
];

describe("publish mode: no identifier or header free text reaches dist/", () => {
  let dist: string;
  let files: string[];

  beforeAll(async () => {
    await ensureChromium();
    // Deterministic: written once, so its mtimes do not force a rebuild on every run.
    const written = existsSync(join(COHORT, "cases")) ? readdirSync(join(COHORT, "cases")).length : 0;
    if (written !== CASES || !existsSync(join(COHORT, "cases", `${CASE_CANARY}01`, "pre.nii.gz"))) {
      rmSync(COHORT, { recursive: true, force: true });
      writeSiteTestCohort(COHORT, { cases: CASES, canary: CANARY, caseIdPrefix: CASE_CANARY, seed: 11, images: true });
    }
    dist = (await buildIsolatedSite("publish", COHORT, { publish: true })).dist;
    files = filesUnder(dist);
  }, 400_000);

  it("the canaries are in the inputs, scans included, and the case pages show those scans", () => {
    expect(readFileSync(join(COHORT, "clinical.csv"), "utf8")).toContain(CANARY);
    for (const file of ["tumor.nii.gz", "iceball.nii.gz", "pre.nii.gz", "post.nii.gz"]) {
      const header = gunzipSync(readFileSync(join(COHORT, "cases", `${CASE_CANARY}01`, file))).subarray(0, 348);
      for (const [name, offset, length] of FREE_TEXT_FIELDS)
        expect(header.subarray(offset, offset + length).toString("latin1"), `${file} ${name}`).toContain(CANARY);
    }
    const caseJsons = files.filter((f) => /\/cases\/case-\d+\.[0-9a-f]+\.json$/.test(f));
    expect(caseJsons).toHaveLength(CASES);
    for (const f of caseJsons) {
      const c = JSON.parse(readFileSync(f, "utf8"));
      expect([c.background.kind, c.post.kind]).toEqual(["pre", "post"]);
    }
  });

  it("no file of dist/ (nor any gzip member) contains a canary", () => {
    expect(files.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const file of files)
      for (const bytes of contents(file))
        for (const canary of [CANARY, CASE_CANARY])
          if (bytes.includes(Buffer.from(canary, "latin1"))) leaks.push(`${file}: ${canary}`);
    expect(leaks).toEqual([]);
  });

  it("every NIfTI in dist/ has empty free-text header fields", () => {
    const headers = files
      .filter((f) => f.endsWith(".gz"))
      .map((f) => contents(f).at(-1) as Buffer)
      .filter((b) => b.length >= 348 && b.readInt32LE(0) === 348);
    expect(headers.length).toBe(4 * CASES); // background, post, masks, margins per case
    for (const h of headers)
      for (const [name, offset, length] of FREE_TEXT_FIELDS)
        expect(
          h.subarray(offset, offset + length).every((b) => b === 0),
          name,
        ).toBe(true);
  });

  it("case pages carry pseudonyms and the per-case table has no patient column", async () => {
    const pages = builtPagePaths(dist).filter((p) => p.startsWith("/cases/"));
    expect(pages).toEqual(Array.from({ length: CASES }, (_, i) => `/cases/case-0${i + 1}`));
    const server: StaticServer = await serveDist({ root: dist });
    const browser: Chromium = await launchChromium();
    try {
      const visit = await openPage(browser, server, "/margins");
      await visit.page.waitForSelector("table.cm-sortable a[href*='cases/']");
      const headers = await visit.page.locator("table.cm-sortable").last().locator("thead th").allTextContents();
      expect(headers).not.toContain("Patient");
      expect(headers[0]).toBe("Case");
      const text = (await visit.page.locator("main").textContent()) ?? "";
      expect(text).toContain("case-01");
      expect(text).not.toContain(CANARY);
      await visit.screenshot("site-publish-margins");
      expect(visit.consoleErrors).toEqual([]);
      expect(visit.foreignRequests).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
