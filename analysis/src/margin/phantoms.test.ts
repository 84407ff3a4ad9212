/**
 * The margin engine's accuracy bar (issue 4) on analytic phantoms with known exact answers:
 * ellipsoids and spheres — covered, tight, partly uncovered, missed — under random rigid transforms,
 * tumor and ice ball on different randomly oriented grids with random sub-voxel origins. The QAM-style
 * baseline runs on the same cases; both are printed side by side. A two-probe ice ball (union of two
 * balls, a concave waist no quadric fits) is reported as well, with a looser check.
 */
import { describe, expect, it } from "vitest";
import { voxelSpacingMm } from "./affine.js";
import { measureMargins } from "./measure.js";
import { generatePhantomCases, type PhantomCase, type PhantomSuiteOptions } from "./phantoms.js";
import { minimalTreatmentMarginQamBaseline } from "./qamBaseline.js";
import type { Vec3 } from "./types.js";

interface ErrorSummary {
  meanAbs: number;
  max: number;
  meanSigned: number;
}

function summarize(errors: number[]): ErrorSummary {
  return {
    meanAbs: errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length,
    max: Math.max(...errors.map(Math.abs)),
    meanSigned: errors.reduce((s, e) => s + e, 0) / errors.length,
  };
}

interface SuiteRun {
  cases: PhantomCase[];
  engine: ErrorSummary;
  qam: ErrorSummary;
  tumorVolumeMaxRel: number;
  iceVolumeMaxRel: number;
  diameterErrors: number[];
  minPointDistances: number[];
  octantAgreement: { agree: number; checked: number };
}

function runSuite(label: string, options: PhantomSuiteOptions): SuiteRun {
  const cases = generatePhantomCases(options);
  const engineErrors: number[] = [];
  const qamErrors: number[] = [];
  const tumorVolume: number[] = [];
  const iceVolume: number[] = [];
  const diameterErrors: number[] = [];
  const minPointDistances: number[] = [];
  let agree = 0;
  let checked = 0;
  for (const c of cases) {
    const r = measureMargins(c.tumor, c.iceball, c.preToPost);
    engineErrors.push(r.mtmMm - c.exactMtmMm);
    qamErrors.push(minimalTreatmentMarginQamBaseline(c.tumor, c.iceball, c.preToPost).mtmMm - c.exactMtmMm);
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
    engine: summarize(engineErrors),
    qam: summarize(qamErrors),
    tumorVolumeMaxRel: Math.max(...tumorVolume),
    iceVolumeMaxRel: Math.max(...iceVolume),
    diameterErrors,
    minPointDistances,
    octantAgreement: { agree, checked },
  };
  const f = (s: ErrorSummary) =>
    `${s.meanAbs.toFixed(3).padStart(6)} ${s.max.toFixed(3).padStart(6)} ${s.meanSigned.toFixed(3).padStart(7)}`;
  const sortedDistances = [...minPointDistances].sort((a, b) => a - b);
  console.log(
    [
      `${label}: ${cases.length} cases (${options.shapes}), MTM error vs exact, mm   mean|err|    max  signed`,
      `  engine (sub-voxel quadric patches)                                ${f(run.engine)}`,
      `  QAM-style baseline (border-voxel distance map, NN resampling)     ${f(run.qam)}`,
      `  tumor volume max |rel err| ${(100 * run.tumorVolumeMaxRel).toFixed(2)}%, ice-ball ${(100 * run.iceVolumeMaxRel).toFixed(2)}%; ` +
        `diameter error [${Math.min(...diameterErrors).toFixed(2)}, ${Math.max(...diameterErrors).toFixed(2)}] mm; ` +
        `min-point distance median ${sortedDistances[sortedDistances.length >> 1].toFixed(2)} mm; ` +
        `min-point octant ${agree}/${checked}`,
    ].join("\n"),
  );
  return run;
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
  });
});
