/**
 * loaders/cohort/measureCase.ts and cohortMargins.ts in process: the JSON shaping (rounding, null for
 * what cannot be measured), the content hash `cryomargin analyze` caches under, and the cohort runner's
 * in-thread path and CSV summary.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkMarginsJson, type MarginResult, marginResultFromJson, marginsJson } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cohortSummaryCsv, measureCohort, readCohortCaseIds } from "../loaders/cohort/cohortMargins.js";
import { caseInputHash, cohortCaseFiles } from "../loaders/cohort/measureCase.js";
import { mat4FromRows } from "../loaders/io/affine.js";
import { InputFileError } from "../loaders/io/inputErrors.js";
import { writeNiftiFile } from "../loaders/io/nifti.js";
import { formatItkTransform } from "../loaders/io/transform.js";
import { axisAlignedGrid, ballMask, temporaryFolder } from "./helpers/nifti.js";

const tmp = temporaryFolder("cryomargin-case-");
afterAll(tmp.remove);

const octantNames = [
  "right-anterior-superior",
  "right-anterior-inferior",
  "right-posterior-superior",
  "right-posterior-inferior",
  "left-anterior-superior",
  "left-anterior-inferior",
  "left-posterior-superior",
  "left-posterior-inferior",
] as const;

describe("marginsJson", () => {
  it("rounds mm to 0.01, ml to 0.001, fractions to 1e-4; an unmeasured octant is null", () => {
    const result: MarginResult = {
      mtmMm: -3.14259,
      mtmMmRounded: -3,
      minMarginPointRas: [1.23456, -7.891, 0.005],
      minMarginOctant: "left-posterior-inferior",
      thresholdMm: 5,
      tumorVolumeMl: 9.87654,
      iceballVolumeMl: 51.23456,
      tumorMaxDiameterMm: 31.2999,
      tumorCentroidRas: [0, 0, 0],
      coverage: { fractionGreen: 0.123456, fractionYellow: 0.5, fractionRed: 0.376544 },
      octants: octantNames.map((name, i) => ({
        name,
        tumorVolumeMl: i === 0 ? 0 : 1.23456,
        minMarginMm: i === 0 ? Number.NaN : -3.14259,
        fractionGreen: i === 0 ? Number.NaN : 0.33333,
        fractionYellow: i === 0 ? Number.NaN : 0.33333,
        fractionRed: i === 0 ? Number.NaN : 0.33334,
      })),
      fractionOutsideFieldOfView: 0,
      mtmMaskRangeMm: [-4.23456, -2.00049],
      mtmAsDrawnMm: -3.87654,
      warnings: ["engine says"],
    };
    const json = marginsJson(result, ["reader says", "engine says"]);
    expect(json.mtm_mm).toBe(-3.14);
    expect(json.mtm_mask_range_mm).toEqual([-4.23, -2]);
    expect(marginsJson({ ...result, mtmMaskRangeMm: [Number.NaN, Number.NaN] }, []).mtm_mask_range_mm).toBeNull();
    expect(json.mtm_as_drawn_mm).toBe(-3.88);
    expect(marginsJson({ ...result, mtmAsDrawnMm: Number.NaN }, []).mtm_as_drawn_mm).toBeNull();
    expect(json.min_margin_point_ras).toEqual([1.23, -7.89, 0.01]);
    expect(json.tumor_volume_ml).toBe(9.877);
    expect(json.tumor_max_diameter_mm).toBe(31.3);
    expect(json.coverage).toEqual({ fraction_green: 0.1235, fraction_yellow: 0.5, fraction_red: 0.3765 });
    expect(json.octants[0]).toEqual({
      name: "right-anterior-superior",
      tumor_volume_ml: 0,
      min_margin_mm: null,
      fraction_green: null,
      fraction_yellow: null,
      fraction_red: null,
    });
    expect(json.octants[1].min_margin_mm).toBe(-3.14);
    expect(json.warnings).toEqual(["reader says", "engine says"]);
    // The validator takes the as-drawn MTM as a number, null, or absent (files of earlier versions).
    const asParsed = JSON.parse(JSON.stringify(json));
    expect(marginResultFromJson((checkMarginsJson(asParsed) as { json: typeof json }).json).mtmAsDrawnMm).toBe(-3.88);
    expect(checkMarginsJson({ ...asParsed, mtm_as_drawn_mm: "1.2" })).toEqual({
      problem: "mtm_as_drawn_mm: a string, expected a number (mm) or null",
    });
    const { mtm_as_drawn_mm: _, ...earlier } = asParsed;
    const read = checkMarginsJson(earlier);
    expect("json" in read && marginResultFromJson(read.json).mtmAsDrawnMm).toBeNaN();
  });
});

describe("a cohort folder, measured in this thread", () => {
  const cohort = join(tmp.dir, "cohort");
  const grid = axisAlignedGrid([1, 1, 1], [-16, -16, -16]);
  beforeAll(() => {
    for (const [id, shift] of [
      ["a1", 0],
      ["a2", 3],
    ] as const) {
      const files = cohortCaseFiles(cohort, id);
      mkdirSync(join(cohort, "cases", id), { recursive: true });
      writeNiftiFile(files.tumor, {
        dims: [33, 33, 33],
        voxelToWorld: grid,
        data: ballMask([33, 33, 33], grid, [0, 0, 0], 6),
      });
      writeNiftiFile(files.iceball, {
        dims: [33, 33, 33],
        voxelToWorld: grid,
        data: ballMask([33, 33, 33], grid, [shift, 0, 0], 12),
      });
      writeFileSync(
        files.transform,
        formatItkTransform(
          mat4FromRows([
            [1, 0, 0, shift],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
          ]),
        ),
      );
    }
    writeFileSync(join(cohort, "clinical.csv"), "case_id;age_years\na1;61\na2;70,5\n");
  });

  it("reads case ids from clinical.csv (semicolons too) and refuses path-like or repeated ids", () => {
    expect(readCohortCaseIds(cohort)).toEqual(["a1", "a2"]);
    const bad = join(tmp.dir, "bad-ids");
    mkdirSync(bad);
    writeFileSync(join(bad, "clinical.csv"), "case_id\n../etc\n");
    expect(() => readCohortCaseIds(bad)).toThrow(/clinical\.csv: line 2: case_id '\.\.\/etc' must be letters/);
    writeFileSync(join(bad, "clinical.csv"), "case_id\nx\nx\n");
    expect(() => readCohortCaseIds(bad)).toThrow(/clinical\.csv: line 3: case_id 'x' repeats line 2/);
  });

  it("measures each case (same MTM for the same relative pose) and reports progress", async () => {
    const progress: string[] = [];
    const results = await measureCohort(cohort, ["a1", "a2"], {
      options: {},
      threads: 0,
      onProgress: (done, total, id) => progress.push(`${done}/${total} ${id}`),
    });
    expect(progress).toEqual(["1/2 a1", "2/2 a2"]);
    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    // both cases put the tumor centred in the ice ball: MTM 12 − 6 = 6 mm, identical grids ⇒ identical result
    expect(results[0].json?.mtm_mm).toBe(results[1].json?.mtm_mm);
    const csv = cohortSummaryCsv(results).trim().split("\n");
    expect(csv).toHaveLength(3);
    expect(csv[1].startsWith(`a1,${results[0].json?.mtm_mm},`)).toBe(true);
    const header = csv[0].split(",");
    const asDrawn = results[0].json?.mtm_as_drawn_mm;
    expect(typeof asDrawn).toBe("number");
    expect(csv[1].split(",")[header.indexOf("mtm_as_drawn_mm")]).toBe(String(asDrawn));
  });

  it("caseInputHash: a content hash — same bytes same hash, any changed byte, transform or option a new one", () => {
    const a1 = cohortCaseFiles(cohort, "a1");
    const base = caseInputHash(a1);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(caseInputHash(a1)).toBe(base);
    // the same files under other names hash the same (content, not paths)
    const copy = join(tmp.dir, "copy");
    mkdirSync(copy);
    const renamed = { tumor: join(copy, "t.nii.gz"), iceball: join(copy, "i.nii.gz"), transform: join(copy, "r.tfm") };
    copyFileSync(a1.tumor, renamed.tumor);
    copyFileSync(a1.iceball, renamed.iceball);
    copyFileSync(a1.transform, renamed.transform);
    expect(caseInputHash(renamed)).toBe(base);
    // one flipped byte in the ice ball
    const bytes = readFileSync(renamed.iceball);
    bytes[bytes.length - 9] ^= 1;
    writeFileSync(renamed.iceball, bytes);
    expect(caseInputHash(renamed)).not.toBe(base);
    expect(caseInputHash({ ...a1, transform: cohortCaseFiles(cohort, "a2").transform })).not.toBe(base);
    expect(caseInputHash({ ...a1, transform: undefined })).not.toBe(base);
    expect(caseInputHash(a1, { thresholdMm: 4 })).not.toBe(base);
    expect(caseInputHash(a1, { thresholdMm: 5 })).toBe(base); // 5 is the default
    expect(caseInputHash(a1, { invert: true })).not.toBe(base);
    expect(() => caseInputHash({ ...a1, tumor: join(copy, "none.nii.gz") })).toThrow(InputFileError);
    // a DICOM scan folder given with the masks (the DICOM-SEG reference check) is part of the key;
    // the data of a detached NRRD header is too
    const scan = join(tmp.dir, "scan");
    mkdirSync(scan);
    writeFileSync(join(scan, "IM0001.dcm"), "slice 1");
    const withScan = caseInputHash({ ...a1, tumorScan: scan });
    expect(withScan).not.toBe(base);
    writeFileSync(join(scan, "IM0002.dcm"), "slice 2");
    expect(caseInputHash({ ...a1, tumorScan: scan })).not.toBe(withScan);
    writeFileSync(
      join(copy, "t.nhdr"),
      "NRRD0004\ntype: unsigned char\ndimension: 3\nsizes: 2 2 2\ndata file: t.raw\n\n",
    );
    writeFileSync(join(copy, "t.raw"), Buffer.alloc(8));
    const nhdr = caseInputHash({ ...renamed, tumor: join(copy, "t.nhdr") });
    writeFileSync(join(copy, "t.raw"), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
    expect(caseInputHash({ ...renamed, tumor: join(copy, "t.nhdr") })).not.toBe(nhdr);
  });
});
