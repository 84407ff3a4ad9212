/**
 * The study report's pure helpers, without a browser: the case viewer's geometry (crop, outline,
 * resampling, overlay), coverage recomputed from per-voxel margins against the margin engine's own
 * fractions, the site's naming of cases (pseudonyms, scrubbing), the octant summary, and the own-data
 * reader's handling of the user's columns and files.
 */
import {
  type CaseRecord,
  emptyMask,
  gridAffine,
  marginsJson,
  measureMargins,
  OCTANT_NAMES,
  rasterizeEllipsoid,
  rigidTransform,
  sphere,
} from "@cryomargin/analysis";
import { describe, expect, it } from "vitest";
import { axialLayout } from "../../src/components/caseSlices.js";
import { coverageAtThreshold, coverageLabel } from "../../src/components/coverage.js";
import { cellNumber, ownCohort } from "../../src/components/ownData.js";
import { displayGreyLevels, octantCohortSummary, pseudonymisedCases, siteNaming } from "../../src/data/buildStudy.js";
import { isPublishMode, pseudonym, siteCaseIds } from "../../src/data/siteEnv.js";
import {
  boxDims,
  boxVoxelToWorld,
  cropToBox,
  maskBackground,
  resampleNearest,
  viewerBox,
} from "../../src/data/viewerVolumes.js";

const I3 = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

describe("viewer geometry", () => {
  it("labels the masks for the page: 1 ice only, 2 tumor outside the ice, 3 tumor inside", () => {
    expect([...maskBackground([0, 1, 1, 0], [0, 0, 1, 1])]).toEqual([0, 2, 3, 1]);
  });

  it("shows axial slices in the radiological convention: the patient's right on the screen's left", () => {
    // The synthetic scans: i toward the patient's left (−x), j toward posterior (−y), k superior.
    const lps = [-1.2, 0, 0, 10, 0, -1.2, 0, 20, 0, 0, 3, 30, 0, 0, 0, 1];
    const radiological = axialLayout(lps, true);
    expect(radiological).toMatchObject({
      across: 0,
      down: 1,
      through: 2,
      acrossIncreasesRight: true,
      downIncreasesDown: true,
    });
    expect(radiological.letters).toEqual({ left: "R", right: "L", top: "A", bottom: "P" });
    const neurological = axialLayout(lps, false);
    expect(neurological.acrossIncreasesRight).toBe(false);
    expect(neurological.letters.left).toBe("L");
    // A RAS-stored grid flips the other way: index ↑ is the patient's right.
    const ras = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    expect(axialLayout(ras, true)).toMatchObject({ acrossIncreasesRight: false, downIncreasesDown: false });
  });

  it("scales scans to 8-bit grey, linear up to the 99.5th percentile", () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => i);
    const grey = displayGreyLevels(values);
    expect(grey[0]).toBe(0);
    expect(grey[995]).toBe(255);
    expect(grey[999]).toBe(255);
    expect(grey[497]).toBe(Math.round((255 * 497) / 995));
  });

  it("crops a box and moves the grid origin to its corner", () => {
    const dims: [number, number, number] = [4, 3, 2];
    const data = Int16Array.from({ length: 24 }, (_, i) => i);
    const box = { min: [1, 1, 1] as [number, number, number], max: [2, 2, 1] as [number, number, number] };
    expect(boxDims(box)).toEqual([2, 2, 1]);
    expect(Array.from(cropToBox(data, dims, box))).toEqual([17, 18, 21, 22]);
    const m = boxVoxelToWorld(gridAffine([1.2, 1.2, 3], I3, [10, 20, 30]), box);
    expect([m[3], m[7], m[11]]).toEqual([11.2, 21.2, 33]);
  });

  it("resamples through the registration: identity is a copy, a whole-voxel shift moves the values", () => {
    const grid = gridAffine([1, 1, 1], I3, [0, 0, 0]);
    const source = {
      dims: [6, 1, 1] as [number, number, number],
      voxelToWorld: grid,
      data: Uint8Array.from([0, 1, 2, 3, 4, 5]),
    };
    expect(Array.from(resampleNearest(source, [6, 1, 1], grid, rigidTransform(I3, [0, 0, 0])))).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    // pre → post moves +2 mm in x: pre voxel i samples post voxel i + 2 (0 beyond the grid).
    expect(Array.from(resampleNearest(source, [6, 1, 1], grid, rigidTransform(I3, [2, 0, 0])))).toEqual([
      2, 3, 4, 5, 0, 0,
    ]);
  });

  it("crops to tumor ∪ ice ball (brought back through the transform), padded and clamped", () => {
    const grid = gridAffine([1, 1, 1], I3, [-20, -20, -20]);
    const tumor = emptyMask([41, 41, 41], grid);
    rasterizeEllipsoid(tumor, sphere([0, 0, 0], 4));
    const ice = emptyMask([41, 41, 41], grid);
    rasterizeEllipsoid(ice, sphere([5, 0, 0], 8)); // post world; pre → post is +3 mm in x
    const box = viewerBox(tumor, ice, rigidTransform(I3, [3, 0, 0]), 2);
    // Ice spans post x ∈ [−3, 13] → pre x ∈ [−6, 10] → voxels 14–30, ±½ voxel and 2 of padding.
    expect(box.min[0]).toBe(11);
    expect(box.max[0]).toBe(33);
    expect(box.min[1]).toBe(9);
    const clamped = viewerBox(tumor, ice, rigidTransform(I3, [3, 0, 0]), 100);
    expect(clamped).toEqual({ min: [0, 0, 0], max: [40, 40, 40] });
  });
});

describe("coverage from per-voxel margins", () => {
  it("uses the engine's classes: green ≥ t, yellow [0, t), red < 0", () => {
    expect([coverageLabel(5, 5), coverageLabel(4.99, 5), coverageLabel(0, 5), coverageLabel(-0.01, 5)]).toEqual([
      1, 2, 2, 3,
    ]);
  });

  it("equals the margin engine's coverage and octant fractions at several thresholds", () => {
    const tumorGrid = gridAffine([1.2, 1.2, 3], I3, [-30, -30, -30]);
    const tumor = emptyMask([50, 50, 20], tumorGrid);
    rasterizeEllipsoid(tumor, { centre: [1.1, -0.7, 0.4], semiAxesMm: [12, 9, 8], rotation: I3 });
    const ice = emptyMask([60, 60, 25], gridAffine([1.2, 1.2, 3], I3, [-36, -36, -36]));
    rasterizeEllipsoid(ice, sphere([4, 1, 0], 12));
    const preToPost = rigidTransform(I3, [1.5, -0.5, 0.8]);
    const withVoxels = measureMargins(tumor, ice, preToPost, { voxelMargins: true });
    const grid = {
      dims: tumor.dims,
      sourceVoxelToWorld: Array.from(tumorGrid),
      offset: [0, 0, 0] as [number, number, number],
    };
    for (const t of [0, 2, 5, 7.5]) {
      const engine = measureMargins(tumor, ice, preToPost, { thresholdMm: t });
      const map = coverageAtThreshold(withVoxels.voxelMarginsMm as Float32Array, grid, withVoxels.tumorCentroidRas, t);
      expect(map.overall.fractionGreen).toBeCloseTo(engine.coverage.fractionGreen, 12);
      expect(map.overall.fractionYellow).toBeCloseTo(engine.coverage.fractionYellow, 12);
      expect(map.overall.fractionRed).toBeCloseTo(engine.coverage.fractionRed, 12);
      for (const o of engine.octants) {
        const mine = map.octants.find((m) => m.name === o.name);
        if (Number.isNaN(o.fractionGreen)) expect(mine?.voxels).toBe(0);
        else expect(mine?.fractionRed).toBeCloseTo(o.fractionRed, 12);
      }
    }
    // The phantom has all three classes at 5 mm, so every comparison above means something.
    expect(withVoxels.coverage.fractionRed).toBeGreaterThan(0);
    expect(withVoxels.coverage.fractionYellow).toBeGreaterThan(0);
    expect(withVoxels.coverage.fractionGreen).toBeGreaterThan(0);
  });
});

describe("site naming and publish mode", () => {
  it("reads the publish flag and names cases", () => {
    expect([isPublishMode({ CRYOMARGIN_PUBLISH: "1" }), isPublishMode({ CRYOMARGIN_PUBLISH: "true" })]).toEqual([
      true,
      true,
    ]);
    expect([isPublishMode({}), isPublishMode({ CRYOMARGIN_PUBLISH: "0" })]).toEqual([false, false]);
    expect(pseudonym("case", 0, 32)).toBe("case-01");
    expect(pseudonym("case", 99, 120)).toBe("case-100");
    expect([...siteCaseIds(["R-7", "R 8"], false)]).toEqual([
      ["R-7", "R-7"],
      ["R 8", "case-02"],
    ]);
    expect([...siteCaseIds(["R-7", "R-8"], true).values()]).toEqual(["case-01", "case-02"]);
  });

  it("scrubs the cohort path and every id, longest first", () => {
    const cases = [
      { caseId: "c1", patientId: "Smith" },
      { caseId: "c10", patientId: "Smith" },
    ];
    const naming = siteNaming("/data/cohort", cases, siteCaseIds(["c1", "c10"], true), true);
    expect(naming.scrub("/data/cohort/cases/c10/tumor.nii.gz (c1, Smith)")).toBe(
      "<cohort>/cases/case-02/tumor.nii.gz (case-01, patient-01)",
    );
  });

  it("pseudonymises cases, keeps the patient grouping and drops user columns", () => {
    const base = { extra: { mrn: "12345" }, ltp: false } as unknown as CaseRecord;
    const cases = [
      { ...base, caseId: "a", patientId: "P9" },
      { ...base, caseId: "b", patientId: "P3" },
      { ...base, caseId: "c", patientId: "P9" },
    ];
    const out = pseudonymisedCases(cases, siteCaseIds(["a", "b", "c"], true));
    expect(out.map((c) => [c.caseId, c.patientId])).toEqual([
      ["case-01", "patient-01"],
      ["case-02", "patient-02"],
      ["case-03", "patient-01"],
    ]);
    expect(out.every((c) => Object.keys(c.extra).length === 0)).toBe(true);
  });
});

describe("octant summary across the cohort", () => {
  it("counts smallest-margin and regrowth octants and averages coverage", () => {
    const octants = (red: number) =>
      OCTANT_NAMES.map((name, i) => ({
        name,
        tumorVolumeMl: 1,
        minMarginMm: i === 0 ? -2 : 3,
        fractionGreen: 1 - red,
        fractionYellow: 0,
        fractionRed: i === 0 ? red : 0,
      }));
    const make = (ltp: boolean, red: number) =>
      ({
        ltp,
        ltpOctant: ltp ? OCTANT_NAMES[0] : null,
        margin: { minMarginOctant: OCTANT_NAMES[0], octants: octants(red) },
      }) as unknown as CaseRecord;
    const rows = octantCohortSummary([make(true, 0.2), make(false, 0), make(false, 0.1)]);
    expect(rows[0]).toMatchObject({ minMarginCases: 3, ltpRegrowthCases: 1, medianMinMarginMm: -2, casesWithRed: 2 });
    expect(rows[0].meanFractionRed).toBeCloseTo(0.1, 12);
    expect(rows[1]).toMatchObject({ minMarginCases: 0, casesWithRed: 0, medianMinMarginMm: 3 });
  });
});

describe("your own data", () => {
  const header =
    "case_id,patient_id,age_years,sex,asa,side,location,site,histology,renal_score,prior_ablation,cryoprobes," +
    "major_complication,followup_months,ltp,ltp_type,months_to_ltp,ltp_octant";
  const row = (id: string, ltp: number, extra: string) =>
    `${id},p${id},60,male,II,left,interpolar,anterior,clear_cell_rcc,7,0,3,0,${ltp ? 8 : 30},${ltp},${ltp ? "recurrent" : ""},${ltp ? 8 : ""},${ltp ? "left-anterior-superior" : ""},${extra}`;

  it("needs a margin: no MTM column and no JSON is an error naming the file", () => {
    const r = ownCohort({ name: "mine.csv", text: `${header}\n${row("a", 0, "").slice(0, -1)}\n` });
    expect(r.errors.join("\n")).toMatch(/mine\.csv: no MTM column/);
    expect(r.cases).toEqual([]);
  });

  it("reads the MTM and diameter columns (rounding as the engine) and sets aside unknown octants", () => {
    const text = [
      `${header},mtm_mm,tumor_max_diameter_mm`,
      row("a", 1, "-2.5,41"),
      row("b", 0, "3.4,25"),
      row("c", 0, "0.49,30"),
    ].join("\n");
    const r = ownCohort({ name: "mine.csv", text });
    expect(r.errors).toEqual([]);
    expect(r.mtmColumn).toBe("mtm_mm");
    expect(r.cases.map((c) => [c.margin.mtmMm, c.margin.mtmMmRounded, c.margin.tumorMaxDiameterMm])).toEqual([
      [-2.5, -3, 41],
      [3.4, 3, 25],
      [0.49, 0, 30],
    ]);
    expect(r.cases[0].ltpOctant).toBeNull();
    expect(r.warnings.join("\n")).toMatch(/1 LTP case\(s\) have no smallest-margin octant/);
  });

  it("accepts a table with only the ids, outcome and margin (descriptive columns read as empty)", () => {
    const text = [
      "case_id;patient_id;followup_months;ltp;ltp_type;months_to_ltp;mtm_mm;tumor_max_diameter_mm",
      "a;p1;8;1;recurrent;8;-2,5;41",
      "b;p2;30;0;;;3,4;25",
      "c;p3;20;0;;;1;30",
    ].join("\r\n");
    const r = ownCohort({ name: "short.csv", text });
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toMatch(/^short\.csv: no column age_years, sex, asa, .*ltp_octant — read as empty/);
    expect(r.cases.map((c) => [c.margin.mtmMm, c.sex, c.followupMonths])).toEqual([
      [-2.5, null, 8],
      [3.4, null, 30],
      [1, null, 20],
    ]);
  });

  it("takes diameter, volumes and octants from `cryomargin margins` JSON files named by case", () => {
    // A real `cryomargin margins` JSON (the engine's, on a small sphere pair), with the figures under test set.
    const grid = gridAffine([2, 2, 2], I3, [-20, -20, -20]);
    const tumor = emptyMask([20, 20, 20], grid);
    rasterizeEllipsoid(tumor, sphere([0, 0, 0], 8));
    const ice = emptyMask([20, 20, 20], grid);
    rasterizeEllipsoid(ice, sphere([1, 0, 0], 14));
    const measured = marginsJson(measureMargins(tumor, ice, rigidTransform(I3, [0, 0, 0])), []);
    const json = (mtm: number) =>
      JSON.stringify({
        ...measured,
        mtm_mm: mtm,
        min_margin_octant: "left-anterior-superior",
        tumor_max_diameter_mm: 33,
      });
    const text = [`${header},mtm`, row("a", 1, "-4"), row("b", 0, "2"), row("c", 0, "5")].join("\n");
    const r = ownCohort({ name: "mine.csv", text }, [
      { name: "a.json", text: json(-4.2) },
      { name: "b.json", text: json(2.1) },
      { name: "c.json", text: "{not json" },
      { name: "d.json", text: JSON.stringify({ ...measured, octants: [] }) },
    ]);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/^c\.json: /);
    // A file of the wrong shape is named with its first wrong field, not read half-way.
    expect(r.errors[1]).toMatch(/^d\.json: not the output of `cryomargin margins`: octants: /);
    const ok = ownCohort({ name: "mine.csv", text }, [{ name: "a.json", text: json(-4.2) }]);
    expect(ok.errors).toEqual([]);
    const a = ok.cases[0];
    expect([a.margin.mtmMm, a.margin.tumorMaxDiameterMm, a.margin.minMarginOctant, a.ltpOctant]).toEqual([
      -4,
      33,
      "left-anterior-superior",
      "left-anterior-superior",
    ]);
    expect(cellNumber("1,5")).toBe(1.5);
    expect(cellNumber("")).toBeNaN();
  });
});
