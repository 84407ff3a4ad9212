/**
 * The cohort pipeline (validate / analyze, in process) against inputs a first-time user or a hostile file
 * brings: uncompressed masks, a corrupt or wrong-shaped cache, a refused analysis, absurd row counts.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { measureCohortMargins } from "../loaders/cohort/cachedMargins.js";
import { loadCohortFolder } from "../loaders/cohort/cohortFolder.js";
import { BALL_CASES, exactBallMtm, writeBallCohort } from "./helpers/cohort.js";
import { temporaryFolder } from "./helpers/nifti.js";

const tmp = temporaryFolder("cryomargin-cohort-hardening-");
afterAll(tmp.remove);

describe("a cohort folder with uncompressed masks", () => {
  it("tumor.nii and iceball.nii are read and measured like .nii.gz", async () => {
    const dir = join(tmp.dir, "plain");
    const cases = BALL_CASES.slice(0, 2);
    writeBallCohort(dir, cases, { gzip: false });
    const loaded = loadCohortFolder(dir);
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
    const measured = await measureCohortMargins(
      dir,
      cases.map((c) => c.id),
      { options: {}, threads: 0 },
    );
    expect(measured.problems).toEqual([]);
    for (const c of cases)
      expect(Math.abs((measured.margins.get(c.id)?.mtm_mm ?? Number.NaN) - exactBallMtm(c))).toBeLessThan(0.9);
  });
});
