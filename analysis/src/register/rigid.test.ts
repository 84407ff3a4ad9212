import { describe, expect, it } from "vitest";
import { applyAffine, multiplyMat4 } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";
import { rigidAbout, rigidSpread, rotationVector } from "./rigid.js";

const centre: Vec3 = [12, -40, 7];
const reference: Mat4 = rigidAbout([0.05, -0.02, 0.03], [0, 0, 0], [3, -4, 6]);

describe("rotationVector and rigidSpread", () => {
  it("rotationVector inverts rigidAbout's rotation (small, large and zero angles)", () => {
    for (const omega of [
      [0.01, -0.02, 0.005],
      [0.9, 0.4, -1.2],
      [0, 0, 0],
    ] as Vec3[]) {
      const back = rotationVector(rigidAbout(omega, centre, [1, 2, 3]));
      for (let a = 0; a < 3; a++) expect(back[a]).toBeCloseTo(omega[a], 12);
    }
  });

  it("recovers the perturbations' mean and pooled SDs in the uncertainty model's terms (T = B · P about the centre)", () => {
    const perturbations: [Vec3, Vec3][] = [
      [
        [0.01, 0, 0],
        [1, 0, 0],
      ],
      [
        [-0.01, 0.02, 0],
        [0, -1, 0.5],
      ],
      [
        [0, -0.02, 0.01],
        [-1, 1, -0.5],
      ],
    ];
    const transforms = perturbations.map(([omega, t]) => multiplyMat4(reference, rigidAbout(omega, centre, t)));
    const spread = rigidSpread(reference, transforms, centre);
    // By hand: each axis' deviations from its mean, squared, summed over axes and runs, / (3 · 2).
    const pooled = (vs: Vec3[]) => {
      const mean = [0, 1, 2].map((a) => (vs[0][a] + vs[1][a] + vs[2][a]) / 3);
      return Math.sqrt(
        vs.reduce((s, v) => s + (v[0] - mean[0]) ** 2 + (v[1] - mean[1]) ** 2 + (v[2] - mean[2]) ** 2, 0) / 6,
      );
    };
    const omegas = perturbations.map(([o]) => o);
    const shifts = perturbations.map(([, t]) => t);
    // Each B⁻¹Tₖ is exactly P(ωₖ, tₖ), so the SDs are those of the ωₖ and tₖ themselves.
    expect(spread.rotationSdDeg).toBeCloseTo((pooled(omegas) * 180) / Math.PI, 9);
    expect(spread.translationSdMm).toBeCloseTo(pooled(shifts), 9);
    // The ωₖ and the tₖ each sum to zero: the mean is B itself.
    const moved = applyAffine(spread.mean, centre);
    const expected = applyAffine(reference, centre);
    expect(Math.hypot(moved[0] - expected[0], moved[1] - expected[1], moved[2] - expected[2])).toBeCloseTo(0, 9);
  });

  it("two transforms 1 mm apart along x: σ_t = √(0.5 / 3), σ_ω = 0", () => {
    const a = reference;
    const b = multiplyMat4(reference, rigidAbout([0, 0, 0], centre, [1, 0, 0]));
    const spread = rigidSpread(reference, [a, b], centre);
    expect(spread.translationSdMm).toBeCloseTo(Math.sqrt(0.5 / 3), 12);
    expect(spread.rotationSdDeg).toBeCloseTo(0, 12);
  });
});
