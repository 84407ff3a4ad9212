/**
 * A cohort folder whose cases hold masks in other formats than NIfTI (the accepted names of
 * CASE_FILE_NAMES): `validate` says which files it uses and finds no error, and every case measures as
 * its NIfTI original (the same MTM; within the engine's accuracy of the closed form for the case whose
 * one segmentation.seg.nrrd holds both masks on one grid).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportCohortCases } from "../loaders/cohort/exportCohort.js";
import { cohortCaseFiles, measureCase } from "../loaders/cohort/measureCase.js";
import { EXPORT_FILE_NAMES } from "../loaders/io/exportCase.js";
import { writeNrrdFile, writeSegNrrdFile } from "../loaders/io/nrrd.js";
import { readMaskFile } from "../loaders/io/readMaskFile.js";
import { readVolume } from "../loaders/io/readVolume.js";
import { BALL_CASES, BALL_MOTION, exactBallMtm, writeBallCohort } from "./helpers/cohort.js";
import { writeMetaImage } from "./helpers/formats.js";
import { axisAlignedGrid, ballMask } from "./helpers/nifti.js";

let dir: string;
const original = new Map<string, number>();
const cases = BALL_CASES.slice(0, 4);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cryomargin-cohort-formats-"));
  writeBallCohort(dir, cases);
  for (const s of cases) original.set(s.id, measureCase(cohortCaseFiles(dir, s.id)).result.mtmMm);
  const at = (id: string, name: string) => join(dir, "cases", id, name);
  // b02: NRRD (attached, gzip) and a detached LPS .nhdr
  {
    const files = cohortCaseFiles(dir, "b02");
    const tumor = readMaskFile(files.tumor).mask;
    const iceball = readMaskFile(files.iceball).mask;
    writeNrrdFile(at("b02", "tumor.nrrd"), tumor);
    writeNrrdFile(at("b02", "iceball.nhdr"), iceball, { space: "LPS", encoding: "raw", dataFile: "iceball.raw" });
    unlinkSync(files.tumor);
    unlinkSync(files.iceball);
  }
  // b03: a Slicer label-map .seg.nrrd and a MetaImage
  {
    const files = cohortCaseFiles(dir, "b03");
    const tumor = readMaskFile(files.tumor).mask;
    const iceball = readMaskFile(files.iceball).mask;
    writeSegNrrdFile(at("b03", "tumor.seg.nrrd"), tumor, tumor.data, 1, [
      { id: "Segment_1", name: "Tumour", color: [1, 0.5, 0], layer: 0, labelValue: 1 },
    ]);
    writeMetaImage(at("b03", "iceball.mha"), iceball);
    unlinkSync(files.tumor);
    unlinkSync(files.iceball);
  }
  // b04: one segmentation.seg.nrrd with both masks on the tumor's grid (the ice ball where it lies in post space)
  {
    const s = cases[3];
    const files = cohortCaseFiles(dir, "b04");
    const grid = axisAlignedGrid([1.2, 1.2, 3], [-24, -24, -27]);
    const dims: [number, number, number] = [40, 40, 18];
    const tumor = ballMask(dims, grid, [0, 0, 0], s.tumorMm);
    const ice = ballMask(dims, grid, [BALL_MOTION[0] + s.offsetMm, BALL_MOTION[1], BALL_MOTION[2]], s.iceMm);
    const layers = new Uint8Array(2 * tumor.length);
    for (let i = 0; i < tumor.length; i++) {
      layers[2 * i] = tumor[i];
      layers[2 * i + 1] = ice[i];
    }
    writeSegNrrdFile(at("b04", "segmentation.seg.nrrd"), { dims, voxelToWorld: grid }, layers, 2, [
      { id: "Segment_1", name: "tumor", color: [1, 0.5, 0], layer: 0, labelValue: 1 },
      { id: "Segment_2", name: "ice ball", color: [0, 0.5, 1], layer: 1, labelValue: 1 },
    ]);
    unlinkSync(files.tumor);
    unlinkSync(files.iceball);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a cohort folder with NRRD, .seg.nrrd, MetaImage and one segmentation.seg.nrrd", () => {
  test("each case measures as its NIfTI original", () => {
    expect(cohortCaseFiles(dir, "b04").tumor).toBe(join(dir, "cases", "b04", "segmentation.seg.nrrd"));
    expect(cohortCaseFiles(dir, "b04").iceball).toBe(join(dir, "cases", "b04", "segmentation.seg.nrrd"));
    for (const id of ["b01", "b02", "b03"])
      expect(
        Math.abs(measureCase(cohortCaseFiles(dir, id)).result.mtmMm - (original.get(id) as number)),
        id,
      ).toBeLessThan(1e-9);
    const both = measureCase(cohortCaseFiles(dir, "b04")).result.mtmMm;
    expect(Math.abs(both - exactBallMtm(cases[3]))).toBeLessThan(0.35);
  });

  test("--export for a cohort: each case's segmentation and meshes in its own folder", () => {
    const out = join(dir, "export");
    expect(exportCohortCases(dir, ["b01", "b04"], { thresholdMm: 5 }, out)).toBe(6);
    for (const id of ["b01", "b04"]) {
      for (const name of Object.values(EXPORT_FILE_NAMES))
        expect(existsSync(join(out, id, name)), `${id}/${name}`).toBe(true);
      const seg = readVolume(join(out, id, EXPORT_FILE_NAMES.segmentation));
      expect(seg.segments.map((s) => s.name)).toEqual([
        "tumor",
        "ice ball",
        "margin >= 5 mm",
        "margin 0-5 mm",
        "margin < 0 mm",
      ]);
    }
  });

  test("validate names the files it uses and finds no error", () => {
    const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
    const run = spawnSync(process.execPath, [bin, "validate", dir, "--quiet"], { encoding: "utf8" });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("files: case b02: tumor tumor.nrrd, ice ball iceball.nhdr\n");
    expect(run.stdout).toContain("files: case b03: tumor tumor.seg.nrrd, ice ball iceball.mha\n");
    expect(run.stdout).toContain("files: case b04: tumor segmentation.seg.nrrd, ice ball segmentation.seg.nrrd\n");
    expect(run.stdout).toContain("files: 1 other case(s): tumor.nii.gz, iceball.nii.gz\n");
  });
});
