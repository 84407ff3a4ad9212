/**
 * The generator's building blocks against answers known in closed form: the continuous margin of
 * spheres, the monotone growth of the probes' ice, mask volumes, root finding, and the design's exact
 * counts and MTM quartiles.
 */
import {
  type CaseRole,
  continuousMargin,
  createRandom,
  designMtmMultisets,
  ellipsoidFromAxes,
  increasingRoot,
  insideUnion,
  isotherms,
  maskVolumeMl,
  PAPER_CALIBRATION_TARGETS,
  paperClinicalDesign,
  placeProbes,
  quantile,
  unionSurfaceSamples,
  type Vec3,
  voxelizeUnion,
} from "@cryomargin/analysis";
import { describe, expect, it } from "vitest";

const axes: Vec3[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];
const sphere = (centre: Vec3, r: number) => ellipsoidFromAxes(centre, axes, [r, r, r]);

describe("continuous margin", () => {
  it("concentric spheres of radius 10 and 13 mm: MTM 3 mm", () => {
    const tumor = [sphere([0, 0, 0], 10)];
    const m = continuousMargin(unionSurfaceSamples(tumor, 0.3), tumor, [sphere([0, 0, 0], 13)]);
    expect(m.mtmMm).toBeCloseTo(3, 1);
  });

  it("a tumor sticking 5 mm out of the ice: MTM −5 mm at the far side", () => {
    // Ice sphere r 10 at x = 5: the tumor point (−10, 0, 0) is 15 − 10 = 5 mm outside it.
    const tumor = [sphere([0, 0, 0], 10)];
    const m = continuousMargin(unionSurfaceSamples(tumor, 0.3), tumor, [sphere([5, 0, 0], 10)]);
    expect(m.mtmMm).toBeCloseTo(-5, 1);
    expect(m.pointRas[0]).toBeLessThan(-9.9);
  });
});

describe("probes and ice", () => {
  it("a larger isotherm size gives a larger ice ball (every point inside stays inside)", () => {
    const tumor = [sphere([0, 0, 0], 10)];
    const probes = placeProbes(unionSurfaceSamples(tumor, 1), 3, 14, [0, 1, 0], 0.3, [0, 0, 0]);
    expect(probes.tipsRas.every((t) => Math.abs(t[1] - 10) < 0.2)).toBe(true); // tips at the distal border
    const small = isotherms(probes, 9, 1.8);
    const large = isotherms(probes, 10, 1.8);
    const rng = createRandom(1);
    let inside = 0;
    for (let i = 0; i < 20_000; i++) {
      const p: Vec3 = [40 * rng.next() - 20, 60 * rng.next() - 45, 40 * rng.next() - 20];
      if (insideUnion(small, ...p)) {
        inside++;
        expect(insideUnion(large, ...p)).toBe(true);
      }
    }
    expect(inside).toBeGreaterThan(1000);
  });

  it("a sphere of radius 10 mm voxelised on a 1 mm grid holds 4.19 ml (±1%)", () => {
    const m = new Float64Array([1, 0, 0, -20, 0, 1, 0, -20, 0, 0, 1, -20, 0, 0, 0, 1]);
    const mask = voxelizeUnion([sphere([0.3, 0.2, 0.1], 10)], { dims: [41, 41, 41], voxelToWorld: m });
    const expectedMl = ((4 / 3) * Math.PI * 10 ** 3) / 1000;
    expect(Math.abs(maskVolumeMl(mask) / expectedMl - 1)).toBeLessThan(0.01);
  });

  it("increasingRoot finds √2 of x² − 2 on [0, 2]", () => {
    expect(increasingRoot((x) => x * x - 2, 0, 2, 1e-9).x).toBeCloseTo(Math.SQRT2, 8);
  });
});

describe("the paper design", () => {
  it("counts Table 1 and 2 exactly (tumors by outcome; patients by their first row)", () => {
    const rows = paperClinicalDesign(createRandom(3));
    const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).length;
    expect(rows).toHaveLength(32);
    expect(new Set(rows.map((r) => r.patientKey)).size).toBe(30);
    expect([count((r) => !r.ltp && r.sex === "male"), count((r) => r.ltp && r.sex === "male")]).toEqual([17, 3]);
    expect([count((r) => !r.ltp && r.asa === "II"), count((r) => r.ltp && r.asa === "II")]).toEqual([17, 2]);
    expect(["low", "moderate", "high"].map((c) => count((r) => !r.ltp && r.renalCategory === c))).toEqual([18, 8, 0]);
    expect(["low", "moderate", "high"].map((c) => count((r) => r.ltp && r.renalCategory === c))).toEqual([2, 3, 1]);
    expect([
      count((r) => r.side === "left"),
      count((r) => r.location === "lower_pole"),
      count((r) => r.site === "anterior"),
    ]).toEqual([16, 14, 13]);
    expect(count((r) => r.histology === "clear_cell_rcc")).toBe(14);
    const roles: CaseRole[] = ["figure4", "figure5", "negativeControl", "reablation", "bilateral1", "bilateral2"];
    for (const role of roles) expect(count((r) => r.role === role)).toBe(1);
    const patients = rows.filter((r, i) => rows.findIndex((q) => q.patientKey === r.patientKey) === i);
    expect(patients.filter((r) => r.sex === "male")).toHaveLength(20);
    expect(patients.filter((r) => r.asa === "II")).toHaveLength(17);
  });

  it("MTM multisets give the published quartiles with SPSS's type 6 (not R's type 7), mean 1.0 and SD 4.4", () => {
    const t = PAPER_CALIBRATION_TARGETS;
    const { ltp, localControl } = designMtmMultisets(t, 6, 26, [-6], createRandom(5));
    const q = (x: number[], type: 6 | 7) =>
      [0.5, 0.25, 0.75].map((p) => Math.sign(quantile(x, p, type)) * Math.floor(Math.abs(quantile(x, p, type)) + 0.5));
    expect(q(ltp, 6)).toEqual([-7, -10, -5]);
    expect(q(localControl, 6)).toEqual([3, 2, 4]);
    expect(q(ltp, 7)).not.toEqual([-7, -10, -5]);
    const all = [...ltp, ...localControl];
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / (all.length - 1));
    expect(Math.abs(mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(sd - 4.4)).toBeLessThan(0.05);
    expect(all.filter((m) => m >= 5)).toHaveLength(3);
    expect(ltp.every((m) => m < 0)).toBe(true);
    expect(localControl.filter((m) => m < 0)).toHaveLength(1);
  });
});
