/**
 * `cryomargin synth` is deterministic: the same seed gives byte-identical files whether the cases run in
 * this thread (generateSyntheticCohort on the TypeScript sources) or in the CLI's worker threads (the
 * compiled build), scans cropped to the tumor ± 40 mm included. A small --cases run keeps it quick; --cases other than 32 draws from the calibrated
 * design and says it is not the paper's twin.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticCohort } from "@cryomargin/analysis";
import { afterAll, describe, expect, it } from "vitest";
import { caseFiles, writeSyntheticCohortInParallel } from "../loaders/cohort/synth.js";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "cryomargin-synth-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("cryomargin synth --cases 2", () => {
  it("writes the same bytes as the in-thread generator for the same seed", () => {
    const run = spawnSync(
      process.execPath,
      [bin, "synth", "--cases", "2", "--seed", "2030", "--out", out, "--images", "--image-roi-mm", "40", "--quiet"],
      { encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/wrote 2 synthetic cases/);

    const cohort = generateSyntheticCohort({ cases: 2, seed: 2030, images: true, imageRoiMm: 40 });
    expect(cohort.cases.map((c) => c.caseId)).toEqual(["S01", "S02"]);
    for (const c of cohort.cases) {
      // The scans cover the tumor ± 40 mm: at most (tumor extent + 80 mm) / spacing voxels per axis.
      const extentMm = c.check.engineDiameterMm + 80;
      for (const scan of [c.images?.pre, c.images?.post]) {
        if (!scan) throw new Error("no scans with --images");
        expect(scan.dims[0] * 1.2).toBeLessThan(extentMm + 12);
        expect(scan.dims[2] * 3).toBeLessThan(extentMm + 12);
        expect(scan.dims[0] * 1.2).toBeGreaterThan(80);
      }
    }
    for (const c of cohort.cases)
      for (const [relative, data] of caseFiles(c)) {
        const written = readFileSync(join(out, relative));
        expect(Buffer.compare(written, Buffer.from(data)), relative).toBe(0);
      }
    expect(readFileSync(join(out, "clinical.csv"), "utf8")).toBe(cohort.clinicalCsv);
    const info = JSON.parse(readFileSync(join(out, "cohort.json"), "utf8"));
    expect(info).toEqual(JSON.parse(JSON.stringify(cohort.metadata)));
    expect(info).toMatchObject({ synthetic: true, paper_twin: false, seed: 2030, cases: 2 });
    // Only the analysis needs the margins: the table has none.
    expect(cohort.clinicalCsv.split("\n")[0]).not.toMatch(/mtm|margin|diameter|volume/);
  }, 120_000);

  it("writes the same bytes when each case is prepared again to be finished (large cohorts: flat memory)", async () => {
    // In this thread (the TypeScript sources have no compiled worker): the same runner the workers use.
    const again = mkdtempSync(join(tmpdir(), "cryomargin-synth-again-"));
    try {
      const written = await writeSyntheticCohortInParallel(again, {
        cases: 2,
        seed: 2030,
        images: true,
        imageRoiMm: 40,
        threads: 0,
        keepPreparedMaxCases: 0,
      });
      expect(written.cases.map((c) => c.caseId)).toEqual(["S01", "S02"]);
      for (const relative of written.written)
        expect(Buffer.compare(readFileSync(join(again, relative)), readFileSync(join(out, relative))), relative).toBe(
          0,
        );
      expect(written.written).toContain(join("cases", "S02", "post.nii.gz"));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses a bad option with a usage error (exit 2)", () => {
    const run = spawnSync(process.execPath, [bin, "synth", "--cases", "0"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--cases must be a whole number >= 1/);
    const scanOption = spawnSync(process.execPath, [bin, "synth", "--partial-volume"], { encoding: "utf8" });
    expect(scanOption.status).toBe(2);
    expect(scanOption.stderr).toMatch(/--partial-volume shape the scans: they need --images/);
  });
});
