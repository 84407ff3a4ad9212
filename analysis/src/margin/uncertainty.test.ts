import { describe, expect, it } from "vitest";
import { rigidAbout } from "../register/rigid.js";
import { quantile } from "../stats/descriptives.js";
import { createRandom, standardNormal } from "../stats/random.js";
import { ellipsoidFromAxes } from "../synth/ellipsoid.js";
import { voxelizeUnion } from "../synth/voxelize.js";
import { multiplyMat4 } from "./affine.js";
import { maskBounds } from "./maskBounds.js";
import { marginSurfaces, maskCentroid, measureMargins } from "./measure.js";
import type { Mat4, Vec3 } from "./types.js";
import { marginUncertainty } from "./uncertainty.js";

const AXES: [Vec3, Vec3, Vec3] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** A grid of size³ voxels (70³ at 1 mm unless told) centred on the origin. */
function grid(spacing: Vec3 = [1, 1, 1], size = 70) {
  const dims: [number, number, number] = [size, size, size];
  const m = new Float64Array(16);
  for (let a = 0; a < 3; a++) {
    m[5 * a] = spacing[a];
    m[4 * a + 3] = -spacing[a] * (size / 2 - 0.5);
  }
  m[15] = 1;
  return { dims, voxelToWorld: m };
}

const shift: Mat4 = rigidAbout([0.03, -0.02, 0.05], [0, 0, 0], [1.5, -2, 0.5]);

/** An ellipsoidal tumor off-centre in an ellipsoidal ice ball and its margins through `shift`, made once for two tests. */
let offCentreMemo: ReturnType<typeof makeOffCentre> | undefined;
function makeOffCentre() {
  const tumor = voxelizeUnion([ellipsoidFromAxes([2, 0, 0], AXES, [9, 7, 8])], grid());
  const ice = voxelizeUnion([ellipsoidFromAxes([0, 0, 0], AXES, [16, 15, 17])], grid([1.2, 1.2, 2]));
  return { tumor, ice, measured: measureMargins(tumor, ice, shift) };
}
const offCentre = () => {
  offCentreMemo ??= makeOffCentre();
  return offCentreMemo;
};

describe("marginUncertainty", () => {
  it("with no perturbation every draw is the MTM of measureMargins", () => {
    const { tumor, ice, measured } = offCentre();
    const u = marginUncertainty(tumor, ice, shift, { samples: 10, rotationSdDeg: 0, translationSdMm: 0 });
    const mtm = measured.mtmMm;
    expect(u.mtmMm).toBe(mtm);
    expect([u.p2_5Mm, u.p50Mm, u.p97_5Mm]).toEqual([mtm, mtm, mtm]);
    // With no registration error the combined interval is the mask range itself.
    const range = measured.mtmMaskRangeMm;
    expect(u.maskRangeMm).toEqual(range);
    expect(u.withMaskRangeMm).toEqual(range);
  });

  it("given the surfaces measureMargins was given, the same result as building its own; other masks' refused", () => {
    const { tumor, ice, measured } = offCentre();
    const surfaces = marginSurfaces(tumor, ice);
    const options = { samples: 20, rotationSdDeg: 2, translationSdMm: 1.5, seed: 3 };
    expect(measureMargins(tumor, ice, shift, { surfaces })).toEqual(measured);
    expect(marginUncertainty(tumor, ice, shift, { ...options, surfaces })).toEqual(
      marginUncertainty(tumor, ice, shift, options),
    );
    const otherIce = { ...ice, data: ice.data.slice() };
    expect(() => marginUncertainty(tumor, otherIce, shift, { ...options, surfaces })).toThrow(/other masks/);
    expect(() => measureMargins(otherIce, ice, shift, { surfaces })).toThrow(/other masks/);
  });

  it("the pruned minimum equals measureMargins at every perturbed transform (21 draws, two-lobe tumor)", () => {
    const tumor = voxelizeUnion(
      [ellipsoidFromAxes([3, 0, 0], AXES, [8, 6, 7]), ellipsoidFromAxes([-4, 3, 2], AXES, [6, 6, 5])],
      grid(),
    );
    const ice = voxelizeUnion([ellipsoidFromAxes([4, 0, 0], AXES, [14, 13, 18])], grid([1.2, 1.2, 2]));
    const options = { samples: 21, rotationSdDeg: 3, translationSdMm: 2, seed: 7 };
    const u = marginUncertainty(tumor, ice, shift, options);
    // The same draws, measured by the full engine.
    const rng = createRandom(7);
    const centre = maskCentroid(tumor, maskBounds(tumor));
    const sd = (3 * Math.PI) / 180;
    const brute: number[] = [];
    const [bruteLo, bruteHi]: number[][] = [[], []];
    for (let d = 0; d < 21; d++) {
      const omega = [0, 0, 0].map(() => sd * standardNormal(rng)) as Vec3;
      const t = [0, 0, 0].map(() => 2 * standardNormal(rng)) as Vec3;
      const full = measureMargins(tumor, ice, multiplyMat4(shift, rigidAbout(omega, centre, t)));
      brute.push(full.mtmMm);
      bruteLo.push(full.mtmMaskRangeMm[0]);
      bruteHi.push(full.mtmMaskRangeMm[1]);
    }
    // The combined interval: the draws' mask ranges, each as the full engine gives it.
    expect(u.withMaskRangeMm[0]).toBeCloseTo(quantile(bruteLo, 0.025), 9);
    expect(u.withMaskRangeMm[1]).toBeCloseTo(quantile(bruteHi, 0.975), 9);
    expect(u.withMaskRangeMm[0]).toBeLessThan(u.p2_5Mm);
    expect(u.withMaskRangeMm[1]).toBeGreaterThan(u.p97_5Mm);
    expect(u.p50Mm).toBeCloseTo(quantile(brute, 0.5), 9);
    expect(u.p2_5Mm).toBeCloseTo(quantile(brute, 0.025), 9);
    expect(u.p97_5Mm).toBeCloseTo(quantile(brute, 0.975), 9);
    expect(u.probabilityBelowZero).toBe(brute.filter((v) => v < 0).length / 21);
  });

  it("the pruned draws equal reading every sample (5 mm ice slices: the reading departs most from 1-Lipschitz)", () => {
    const tumor = voxelizeUnion(
      [ellipsoidFromAxes([3, 0, 0], AXES, [8, 6, 7]), ellipsoidFromAxes([-4, 3, 2], AXES, [6, 6, 5])],
      grid([0.8, 0.8, 5]),
    );
    const ice = voxelizeUnion(
      [ellipsoidFromAxes([4, 0, 0], AXES, [13, 12, 16]), ellipsoidFromAxes([-6, 2, 0], AXES, [7, 8, 6])],
      grid([0.8, 0.8, 5], 60),
    );
    const options = { samples: 60, rotationSdDeg: 3, translationSdMm: 2, seed: 1 };
    const pruned = marginUncertainty(tumor, ice, shift, options);
    const every = marginUncertainty(tumor, ice, shift, { ...options, pruningSlackMm: Number.POSITIVE_INFINITY });
    expect(pruned.meanSamplesRead).toBeLessThan(every.meanSamplesRead);
    const readings = (u: typeof pruned) => [
      u.p2_5Mm,
      u.p50Mm,
      u.p97_5Mm,
      u.probabilityBelowZero,
      u.probabilityAtLeastThreshold,
      u.withMaskRangeMm,
      u.octants,
    ];
    expect(readings(pruned)).toEqual(readings(every));
  });

  it("translation only, sphere in a concentric sphere: MTM' = MTM − |t|, median MTM − 1.538 σ (χ₃ median)", () => {
    const tumor = voxelizeUnion([ellipsoidFromAxes([0, 0, 0], AXES, [8, 8, 8])], grid());
    const ice = voxelizeUnion([ellipsoidFromAxes([0, 0, 0], AXES, [18, 18, 18])], grid());
    const u = marginUncertainty(tumor, ice, new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), {
      rotationSdDeg: 0,
      translationSdMm: 1,
      samples: 200,
      withMaskRange: false,
    });
    expect(u.mtmMm).toBeCloseTo(10, 0);
    expect(u.p50Mm).toBeGreaterThan(u.mtmMm - 1.538 - 0.25);
    expect(u.p50Mm).toBeLessThan(u.mtmMm - 1.538 + 0.25);
    expect(u.p97_5Mm).toBeLessThanOrEqual(u.mtmMm + 0.05);
    expect(u.probabilityAtLeastThreshold).toBe(1);
    expect(u.probabilityBelowZero).toBe(0);
  });
});
