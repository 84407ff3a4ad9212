/**
 * The margin engine's accuracy bar (issue 4) on analytic phantoms with known exact answers:
 * ellipsoids and spheres — covered, tight, partly uncovered, missed — under random rigid transforms,
 * tumor and ice ball on different randomly oriented grids with random sub-voxel origins. The QAM-style
 * baseline runs on the same cases; both are printed side by side. Multi-probe ice balls (unions of
 * isotherm, joining and shaft ellipsoids, ../synth/unionPhantoms.ts) with the tumor against a waist or a seam:
 * the sign must be right at every tumor voxel the mask can decide, and the figures are reported (the
 * concave creases there over-read: see refineSurface.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { filledPocketTwin, generateUnionPhantomCases, type UnionPhantomOptions } from "../synth/unionPhantoms.js";
import { voxelSpacingMm } from "./affine.js";
import { measureMargins } from "./measure.js";
import {
  type ErrorSummary,
  emptyMask,
  generatePhantomCases,
  type PhantomCase,
  type PhantomSuiteOptions,
  rasterizeEllipsoid,
  summarizeErrors,
} from "./phantoms.js";
import { minimalTreatmentMarginQamBaseline } from "./qamBaseline.js";
import type { MarginResult, Vec3 } from "./types.js";

interface SuiteRun {
  cases: PhantomCase[];
  engine: ErrorSummary;
  qam: ErrorSummary;
  tumorVolumeMaxRel: number;
  iceVolumeMaxRel: number;
  diameterErrors: number[];
  minPointDistances: number[];
  octantAgreement: { agree: number; checked: number };
  /** Per case: the engine's error and whether it warned of a concave crease at the minimum. */
  perCase: { errorMm: number; creaseWarning: boolean }[];
}

/**
 * Each phantom is measured once per file, on first use, by the engine and by the QAM-style baseline:
 * both readings are kept by case (the engine's with per-voxel margins, for the sign check; they leave
 * its MTM and mask range as they are). The multi-probe cases are generated once per file and options
 * (≈ 0.6 s each). The 1.2 mm multi-probe suite and its twins share the cases and their readings: their
 * describe block's beforeAll makes them (≈ 15 s CPU), once, for whichever of the two runs.
 */
const engineReadings = new WeakMap<PhantomCase, MarginResult>();
const qamMtmReadingsMm = new WeakMap<PhantomCase, number>();
const unionCaseSets = new Map<string, PhantomCase[]>();

function engineReading(c: PhantomCase): MarginResult {
  let r = engineReadings.get(c);
  if (!r) {
    r = measureMargins(c.tumor, c.iceball, c.preToPost, { voxelMargins: true });
    engineReadings.set(c, r);
  }
  return r;
}

/** The QAM-style baseline's MTM of the case, mm (qamBaseline.ts). */
function qamMtmReadingMm(c: PhantomCase): number {
  let mtmMm = qamMtmReadingsMm.get(c);
  if (mtmMm === undefined) {
    mtmMm = minimalTreatmentMarginQamBaseline(c.tumor, c.iceball, c.preToPost).mtmMm;
    qamMtmReadingsMm.set(c, mtmMm);
  }
  return mtmMm;
}

function unionCases(options: UnionPhantomOptions): PhantomCase[] {
  const key = JSON.stringify(options);
  let cases = unionCaseSets.get(key);
  if (!cases) {
    cases = generateUnionPhantomCases(options);
    unionCaseSets.set(key, cases);
  }
  return cases;
}

function runSuite(label: string, options: PhantomSuiteOptions): SuiteRun {
  return runCases(label, options.shapes, generatePhantomCases(options));
}

function runCases(label: string, shapes: string, cases: PhantomCase[]): SuiteRun {
  const engineErrors: number[] = [];
  const qamErrors: number[] = [];
  const tumorVolume: number[] = [];
  const iceVolume: number[] = [];
  const diameterErrors: number[] = [];
  const minPointDistances: number[] = [];
  let agree = 0;
  let checked = 0;
  const perCase: SuiteRun["perCase"] = [];
  for (const c of cases) {
    const r = engineReading(c);
    engineErrors.push(r.mtmMm - c.exactMtmMm);
    perCase.push({
      errorMm: r.mtmMm - c.exactMtmMm,
      creaseWarning: r.warnings.some((w) => w.includes("concave crease")),
    });
    qamErrors.push(qamMtmReadingMm(c) - c.exactMtmMm);
    tumorVolume.push(Math.abs(r.tumorVolumeMl / c.exactTumorVolumeMl - 1));
    iceVolume.push(Math.abs(r.iceballVolumeMl / c.exactIceballVolumeMl - 1));
    diameterErrors.push(r.tumorMaxDiameterMm - c.exactTumorDiameterMm);
    const p = r.minMarginPointRas;
    const q = c.exactMinPointRas;
    minPointDistances.push(Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]));
    // The exact minimum's octant (about the measured centroid) should be the reported one, unless the
    // exact point is within 1 mm of an octant plane.
    const d = [0, 1, 2].map((a) => q[a] - r.tumorCentroidRas[a]);
    if (d.every((x) => Math.abs(x) > 1)) {
      checked++;
      const name = `${d[0] >= 0 ? "right" : "left"}-${d[1] >= 0 ? "anterior" : "posterior"}-${d[2] >= 0 ? "superior" : "inferior"}`;
      if (name === r.minMarginOctant) agree++;
    }
  }
  const run: SuiteRun = {
    cases,
    engine: summarizeErrors(engineErrors),
    qam: summarizeErrors(qamErrors),
    tumorVolumeMaxRel: Math.max(...tumorVolume),
    iceVolumeMaxRel: Math.max(...iceVolume),
    diameterErrors,
    minPointDistances,
    octantAgreement: { agree, checked },
    perCase,
  };
  const f = (s: ErrorSummary) =>
    `${s.meanAbs.toFixed(3).padStart(6)} ${s.max.toFixed(3).padStart(6)} ${s.meanSigned.toFixed(3).padStart(7)}`;
  const sortedDistances = [...minPointDistances].sort((a, b) => a - b);
  console.log(
    [
      `${label}: ${cases.length} cases (${shapes}), MTM error vs exact, mm   mean|err|    max  signed`,
      `  engine (sub-voxel quadric patches)                                ${f(run.engine)}`,
      `  QAM-style baseline (border-voxel distance map, NN resampling)     ${f(run.qam)}`,
      `  tumor volume max |rel err| ${(100 * run.tumorVolumeMaxRel).toFixed(2)}%, ice-ball ${(100 * run.iceVolumeMaxRel).toFixed(2)}%; ` +
        `diameter error [${Math.min(...diameterErrors).toFixed(2)}, ${Math.max(...diameterErrors).toFixed(2)}] mm; ` +
        `min-point distance median ${sortedDistances[sortedDistances.length >> 1].toFixed(2)} mm; ` +
        `min-point octant ${agree}/${checked}; crease warnings ${perCase.filter((p) => p.creaseWarning).length}/${cases.length}`,
    ].join("\n"),
  );
  return run;
}

/**
 * Per tumor voxel (centre, mapped to the post-ablation world): the engine's margin against the exact
 * one. Counts the voxels whose exact margin is beyond half the ice grid's voxel diagonal — where the
 * mask decides the side — and those of them whose engine margin has the other sign.
 */
function voxelSignCheck(c: PhantomCase): { wrongSign: number; checked: number } {
  const margins = engineReading(c).voxelMarginsMm!;
  const halfDiagonal = voxelDiagonal(voxelSpacingMm(c.iceball.voxelToWorld)) / 2;
  const [nx, ny] = c.tumor.dims;
  const m = c.tumor.voxelToWorld;
  const T = c.preToPost;
  let wrongSign = 0;
  let checked = 0;
  for (let idx = 0; idx < margins.length; idx++) {
    if (c.tumor.data[idx] === 0 || Number.isNaN(margins[idx])) continue;
    const i = idx % nx;
    const j = Math.floor(idx / nx) % ny;
    const k = Math.floor(idx / (nx * ny));
    const p = [0, 1, 2].map((a) => m[4 * a] * i + m[4 * a + 1] * j + m[4 * a + 2] * k + m[4 * a + 3]);
    const q: Vec3 = [0, 1, 2].map(
      (a) => T[4 * a] * p[0] + T[4 * a + 1] * p[1] + T[4 * a + 2] * p[2] + T[4 * a + 3],
    ) as Vec3;
    const exact = c.iceSignedDistance(q);
    if (Math.abs(exact) <= halfDiagonal) continue;
    checked++;
    if (Math.sign(exact) !== Math.sign(margins[idx])) wrongSign++;
  }
  return { wrongSign, checked };
}

/** Length of the voxel diagonal, mm. */
function voxelDiagonal(spacing: Vec3): number {
  return Math.hypot(spacing[0], spacing[1], spacing[2]);
}

describe("phantom suite: MTM, volumes, diameter against exact answers", () => {
  it("1.2 × 1.2 × 3.0 mm (HASTE): mean|err| ≤ 0.3, max ≤ 0.9, mean signed within ±0.15; QAM measurably worse", () => {
    const spacing: Vec3 = [1.2, 1.2, 3.0];
    const run = runSuite("1.2 × 1.2 × 3.0 mm", {
      seed: 2023,
      count: 32,
      tumorSpacingMm: spacing,
      iceSpacingMm: spacing,
      shapes: "ellipsoids",
    });
    expect(run.engine.meanAbs).toBeLessThanOrEqual(0.3);
    expect(run.engine.max).toBeLessThanOrEqual(0.9);
    expect(Math.abs(run.engine.meanSigned)).toBeLessThanOrEqual(0.15);
    expect(run.qam.meanAbs).toBeGreaterThan(3 * run.engine.meanAbs);
    expect(run.qam.max).toBeGreaterThan(run.engine.max);
    expect(run.tumorVolumeMaxRel).toBeLessThanOrEqual(0.03);
    expect(run.iceVolumeMaxRel).toBeLessThanOrEqual(0.03);
    for (const e of run.diameterErrors) expect(Math.abs(e)).toBeLessThanOrEqual(voxelDiagonal(spacing));
    const sorted = [...run.minPointDistances].sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1]).toBeLessThanOrEqual(2);
    expect(run.octantAgreement.agree).toBeGreaterThanOrEqual(0.9 * run.octantAgreement.checked);
    // An ellipsoid has no concave crease: no case may carry that warning.
    expect(run.perCase.filter((p) => p.creaseWarning)).toEqual([]);
    // Every scenario is represented.
    for (const s of ["covered", "tight", "partly uncovered", "missed"]) {
      expect(run.cases.filter((c) => c.scenario === s).length).toBe(8);
    }
  });

  it("1 mm isotropic: mean|err| ≤ 0.2, max ≤ 0.5; QAM measurably worse", () => {
    const spacing: Vec3 = [1, 1, 1];
    const run = runSuite("1 mm isotropic", {
      seed: 17,
      count: 12,
      tumorSpacingMm: spacing,
      iceSpacingMm: spacing,
      shapes: "ellipsoids",
    });
    expect(run.engine.meanAbs).toBeLessThanOrEqual(0.2);
    expect(run.engine.max).toBeLessThanOrEqual(0.5);
    expect(run.qam.meanAbs).toBeGreaterThan(3 * run.engine.meanAbs);
    expect(run.tumorVolumeMaxRel).toBeLessThanOrEqual(0.03);
    expect(run.iceVolumeMaxRel).toBeLessThanOrEqual(0.03);
    for (const e of run.diameterErrors) expect(Math.abs(e)).toBeLessThanOrEqual(voxelDiagonal(spacing));
    expect(run.perCase.filter((p) => p.creaseWarning)).toEqual([]);
  });

  it("tumor on 1.2 × 1.2 × 3.0 mm, ice ball on 1.0 × 1.0 × 2.5 mm (HASTE → VIBE): the 1.2 × 1.2 × 3.0 bar", () => {
    const run = runSuite("tumor 1.2 × 1.2 × 3.0 / ice 1.0 × 1.0 × 2.5 mm", {
      seed: 99,
      count: 12,
      tumorSpacingMm: [1.2, 1.2, 3.0],
      iceSpacingMm: [1.0, 1.0, 2.5],
      shapes: "ellipsoids",
    });
    expect(run.engine.meanAbs).toBeLessThanOrEqual(0.3);
    expect(run.engine.max).toBeLessThanOrEqual(0.9);
    expect(Math.abs(run.engine.meanSigned)).toBeLessThanOrEqual(0.15);
    expect(run.qam.meanAbs).toBeGreaterThan(3 * run.engine.meanAbs);
    for (const c of run.cases) expect(voxelSpacingMm(c.iceball.voxelToWorld)[2]).toBeCloseTo(2.5, 9);
    expect(run.perCase.filter((p) => p.creaseWarning)).toEqual([]);
  });

  it("two-probe ice ball (union of two balls, concave waist) at 1.2 × 1.2 × 3.0 mm: reported; better than QAM", () => {
    // Not a quadric: the reconstruction rounds the sharp waist crease and over-reads the margin there.
    // Measured here: mean|err| ≈ 0.4 mm with a positive bias ≈ +0.4 (QAM ≈ 0.7, biased ≈ −0.6).
    const run = runSuite("two-ball union, 1.2 × 1.2 × 3.0 mm", {
      seed: 5,
      count: 8,
      tumorSpacingMm: [1.2, 1.2, 3.0],
      iceSpacingMm: [1.2, 1.2, 3.0],
      shapes: "two-ball union",
    });
    expect(run.engine.meanAbs).toBeLessThan(run.qam.meanAbs);
    expect(run.engine.max).toBeLessThanOrEqual(1.0);
    expect(run.iceVolumeMaxRel).toBeLessThanOrEqual(0.03);
    // Every case that reads more than 0.3 mm high carries the crease warning.
    expect(run.perCase.filter((p) => p.errorMm > 0.3 && !p.creaseWarning)).toEqual([]);
    expect(run.perCase.filter((p) => p.errorMm > 0.3).length).toBeGreaterThan(2);
  });

  /**
   * Multi-probe ice balls: 2–4 probes 11–19 mm apart, with and without the joining ellipsoid and the
   * shafts' ice, the tumor tight against or partly outside a waist or a seam. No voxel the mask can
   * decide may have the wrong sign; the MTM errors are reported, not held to the issue's bar, which
   * they miss — and which no reader of the masks can hold there (the twin test below). Measured at 1.2 × 1.2 × 3.0 mm (16 cases): engine mean|err| 0.52, max 1.62, signed
   * +0.48 (QAM-style 0.44 / 0.90 / −0.22); at 1 mm (8): 0.24 / 0.59 / +0.19 (QAM 0.32 / 0.67 / −0.17).
   * The engine over-reads at the concave creases: their last Δ/(2 tan(θ/2)) is below the mask's
   * resolution and a smooth surface rounds it (refineSurface.ts). The engine before this suite read
   * one seam case −5.96 mm off (+2.27 covered read as a 3.7 mm miss).
   */
  function unionRun(label: string, options: UnionPhantomOptions) {
    const run = runCases(label, "multi-probe unions", unionCases(options));
    const signs = run.cases.map(voxelSignCheck);
    const wrong = signs.reduce((s, v) => s + v.wrongSign, 0);
    const checked = signs.reduce((s, v) => s + v.checked, 0);
    console.log(
      `  tumor voxels beyond half a voxel diagonal of the ice surface: ${checked}, of them with the wrong sign: ${wrong}`,
    );
    return { run, wrong, checked };
  }

  /** The 16 multi-probe phantoms at 1.2 × 1.2 × 3.0 mm that the suite and its twins read. */
  const HASTE_UNIONS: UnionPhantomOptions = {
    seed: 7,
    count: 16,
    tumorSpacingMm: [1.2, 1.2, 3.0],
    iceSpacingMm: [1.2, 1.2, 3.0],
  };

  describe("multi-probe ice balls at 1.2 × 1.2 × 3.0 mm: the cases and their readings made once for both tests", () => {
    beforeAll(() => {
      for (const c of unionCases(HASTE_UNIONS)) {
        engineReading(c);
        qamMtmReadingMm(c);
      }
    });

    it("multi-probe ice balls at 1.2 × 1.2 × 3.0 mm: no wrong sign where the mask decides; over-read at creases reported", () => {
      const { run, wrong, checked } = unionRun("multi-probe unions, 1.2 × 1.2 × 3.0 mm", HASTE_UNIONS);
      expect(checked).toBeGreaterThan(5000);
      expect(wrong).toBe(0);
      // Every case whose MTM reads more than 0.3 mm high says why: the crease warning.
      const highUnwarned = run.perCase.filter((p) => p.errorMm > 0.3 && !p.creaseWarning);
      expect(highUnwarned).toEqual([]);
      expect(run.perCase.filter((p) => p.errorMm > 0.3).length).toBeGreaterThan(4);
      // (Tumor volumes are printed, not held to 3% here: to fit against a waist some tumors are as small as
      // 4 mm semi-axes, 60 voxels, below the paper's smallest; the ellipsoid suites hold that bar.)
      expect(run.iceVolumeMaxRel).toBeLessThanOrEqual(0.03);
      // Every feature and scenario is represented.
      for (const s of ["tight", "partly uncovered"]) expect(run.cases.filter((c) => c.scenario === s).length).toBe(8);
      for (const f of ["waist", "seam"]) expect(run.cases.filter((c) => c.name.includes(f)).length).toBe(8);
    });

    /**
     * Why the multi-probe figures are not held to the bar at 1.2 × 1.2 × 3.0 mm: there the mask
     * does not determine the MTM. Each case gets a twin (filledPocketTwin) — also a union of ellipsoids,
     * with the very same ice mask — whose pocket at the minimum-margin point is filled between the voxel
     * centres. A reader of the masks returns one MTM for both, so it errs by at least half their
     * difference on one of them: on the 32 phantoms of the pairs no method can reach the bar. What can
     * be asked of the engine is that it reads inside the range the mask allows (or near it: the twin's
     * fill is greedy, so the range is at least that wide).
     */
    function twinRun(label: string, options: UnionPhantomOptions) {
      const rows = unionCases(options).map((c) => {
        const twin = filledPocketTwin(c);
        const raster = emptyMask(c.iceball.dims, c.iceball.voxelToWorld);
        for (const part of twin.iceParts) rasterizeEllipsoid(raster, part);
        let masksDiffer = 0;
        for (let v = 0; v < raster.data.length; v++) if (raster.data[v] !== c.iceball.data[v]) masksDiffer++;
        const lo = Math.min(c.exactMtmMm, twin.exactMtmMm);
        const hi = Math.max(c.exactMtmMm, twin.exactMtmMm);
        const outside = (m: number) => (m < lo ? lo - m : m > hi ? m - hi : 0);
        const measured = engineReading(c);
        const engine = measured.mtmMm;
        const [rangeLo, rangeHi] = measured.mtmMaskRangeMm;
        const qam = qamMtmReadingMm(c);
        return {
          c,
          twin,
          masksDiffer,
          spread: hi - lo,
          engine,
          qam,
          engineOutside: outside(engine),
          qamOutside: outside(qam),
          // The phantom's exact MTM inside the range the engine reports for its masks (to 0.05 mm: the
          // range's extreme surfaces are the engine's surfels moved to the voxel centres, not the exact
          // polyhedra through them)? The twin's is printed: its filled pocket may bulge beyond the outside
          // voxel centres between them, which the range — surfaces bounded by the voxel centres — leaves out.
          exactInRange: c.exactMtmMm >= rangeLo - 0.05 && c.exactMtmMm <= rangeHi + 0.05,
          twinAboveRangeMm: Math.max(0, twin.exactMtmMm - rangeHi),
          rangeLo,
          rangeHi,
        };
      });
      const pairErrors = (key: "engine" | "qam") =>
        summarizeErrors(rows.flatMap((r) => [r[key] - r.c.exactMtmMm, r[key] - r.twin.exactMtmMm]));
      const f = (s: ErrorSummary) => `${s.meanAbs.toFixed(3)} / ${s.max.toFixed(3)} / ${s.meanSigned.toFixed(3)}`;
      const halfSpreads = rows.map((r) => r.spread / 2);
      const bound = {
        meanAbs: halfSpreads.reduce((a, b) => a + b, 0) / rows.length,
        max: Math.max(...halfSpreads),
      };
      console.log(
        [
          `${label}: ${rows.length} cases and their mask twins (pocket filled; identical ice masks), mm`,
          ...rows.map(
            (r) =>
              `  ${r.c.name.padEnd(62)} exact ${r.c.exactMtmMm.toFixed(2).padStart(6)}, twin ${r.twin.exactMtmMm.toFixed(2).padStart(6)}; ` +
              `engine ${r.engine.toFixed(2).padStart(6)} (outside the range by ${r.engineOutside.toFixed(2)}), QAM-style ${r.qam.toFixed(2).padStart(6)} (by ${r.qamOutside.toFixed(2)}); ` +
              `mtm_mask_range_mm [${r.rangeLo.toFixed(2)}, ${r.rangeHi.toFixed(2)}]`,
          ),
          `  any reader of the masks, on the ${2 * rows.length} phantoms: mean|err| ≥ ${bound.meanAbs.toFixed(3)}, max ≥ ${bound.max.toFixed(3)}`,
          `  engine on them: ${f(pairErrors("engine"))} (mean|err| / max / signed); QAM-style: ${f(pairErrors("qam"))}`,
          `  outside the mask-allowed range: engine max ${Math.max(...rows.map((r) => r.engineOutside)).toFixed(3)}, ` +
            `QAM-style max ${Math.max(...rows.map((r) => r.qamOutside)).toFixed(3)}`,
        ].join("\n"),
      );
      return { rows, bound };
    }

    // 16 twins of 12 greedy pocket fills each, every fill an exact-distance search over the grown union
    // (≈ 7 s CPU: a search point far from every fill keeps its reading); the cases and their engine and
    // QAM-style readings are the beforeAll's.
    it("multi-probe creases at 1.2 × 1.2 × 3.0 mm are below the mask's resolution: twins with identical masks; the engine reads within their range", () => {
      const { rows, bound } = twinRun("multi-probe unions, 1.2 × 1.2 × 3.0 mm", HASTE_UNIONS);
      for (const r of rows) {
        expect(r.masksDiffer).toBe(0);
        expect(r.twin.exactMtmMm).toBeGreaterThanOrEqual(r.c.exactMtmMm - 0.01); // filling only adds ice
      }
      // The bar (mean|err| ≤ 0.3, max ≤ 0.9) is out of reach of any method on these pairs.
      expect(bound.meanAbs).toBeGreaterThan(0.3);
      expect(bound.max).toBeGreaterThan(0.9);
      // The engine reads inside the range the mask allows, or within half a millimetre of it; the
      // QAM-style reading strays further (one voxel low).
      // The range the engine reports for the masks holds each phantom's exact MTM.
      expect(rows.filter((r) => !r.exactInRange).map((r) => r.c.name)).toEqual([]);
      console.log(
        `  twins above the range's hi: ${rows.filter((r) => r.twinAboveRangeMm > 0.05).length} of ${rows.length} (largest by ${Math.max(...rows.map((r) => r.twinAboveRangeMm)).toFixed(2)} mm)`,
      );
      const engineWorst = Math.max(...rows.map((r) => r.engineOutside));
      expect(engineWorst).toBeLessThanOrEqual(0.5);
      expect(engineWorst).toBeLessThan(Math.max(...rows.map((r) => r.qamOutside)));
    });
  });

  it("multi-probe ice balls at 1 mm isotropic: no wrong sign where the mask decides", () => {
    const { run, wrong } = unionRun("multi-probe unions, 1 mm isotropic", {
      seed: 11,
      count: 8,
      tumorSpacingMm: [1, 1, 1],
      iceSpacingMm: [1, 1, 1],
    });
    expect(wrong).toBe(0);
    expect(run.iceVolumeMaxRel).toBeLessThanOrEqual(0.03);
    expect(run.perCase.filter((p) => p.errorMm > 0.3 && !p.creaseWarning)).toEqual([]);
  });
});
