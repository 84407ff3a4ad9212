import { describe, expect, it } from "vitest";
import { concaveCreaseAngleDeg } from "./crease.js";
import { buildPointTree } from "./kdTree.js";
import { measureMargins } from "./measure.js";
import { emptyMask, gridAffine, rasterizeEllipsoid, sphere, twoBallUnionSignedDistance } from "./phantoms.js";
import type { SurfaceSamples } from "./surface.js";

/** Samples of the boundary of a union of balls (points ~0.7 mm apart, exact outward normals). */
function ballUnionSamples(balls: { c: [number, number, number]; r: number }[]): SurfaceSamples {
  const points: number[] = [];
  const normals: number[] = [];
  for (const [i, { c, r }] of balls.entries()) {
    const n = Math.ceil((4 * Math.PI * r * r) / 0.5);
    for (let k = 0; k < n; k++) {
      // Fibonacci sphere
      const z = 1 - (2 * (k + 0.5)) / n;
      const phi = k * Math.PI * (3 - Math.sqrt(5));
      const s = Math.sqrt(1 - z * z);
      const u = [s * Math.cos(phi), s * Math.sin(phi), z];
      const p = [c[0] + r * u[0], c[1] + r * u[1], c[2] + r * u[2]];
      if (balls.some((b, j) => j !== i && Math.hypot(p[0] - b.c[0], p[1] - b.c[1], p[2] - b.c[2]) < b.r)) continue;
      points.push(...p);
      normals.push(...u);
    }
  }
  const count = points.length / 3;
  return { count, points: Float64Array.from(points), normals: Float64Array.from(normals) } as unknown as SurfaceSamples;
}

describe("concaveCreaseAngleDeg", () => {
  const twoBalls = ballUnionSamples([
    { c: [-8, 0, 0], r: 12 },
    { c: [8, 0, 0], r: 12 },
  ]);
  const twoTree = buildPointTree(twoBalls.points, twoBalls.count);

  it("finds the waist of two overlapping balls, with about the angle between their normals there", () => {
    // The waist circle: x = 0, radius √(144 − 64) ≈ 8.94; normals there tilt ±acos(8.94/12) ≈ ±41.8° from the
    // waist plane's radial direction, so they differ by ≈ 83.6° (2·asin(8/12)).
    const angle = concaveCreaseAngleDeg(twoBalls, twoTree, 0, 6, 0, 3);
    expect(angle).not.toBeNull();
    expect(angle!).toBeGreaterThan(60);
    expect(angle!).toBeLessThanOrEqual((2 * (Math.asin(8 / 12) * 180)) / Math.PI + 1);
  });

  it("is null away from the waist and anywhere on a single ball, however curved", () => {
    expect(concaveCreaseAngleDeg(twoBalls, twoTree, -18, 0, 0, 3)).toBeNull();
    for (const r of [2, 4, 10, 25]) {
      const ball = ballUnionSamples([{ c: [0, 0, 0], r }]);
      const tree = buildPointTree(ball.points, ball.count);
      expect(concaveCreaseAngleDeg(ball, tree, 0, 0, 0, 7.5)).toBeNull();
      expect(concaveCreaseAngleDeg(ball, tree, r + 3, 0, 0, 7.5)).toBeNull();
    }
  });

  it("measureMargins warns at a two-probe waist, not beside a thin shaft of ice (convex, however tight)", () => {
    const I = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const identity = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const spacing: [number, number, number] = [1.2, 1.2, 3];
    const crease = (r: ReturnType<typeof measureMargins>) => r.warnings.some((w) => w.includes("concave crease"));
    for (const radiusMm of [2.5, 4, 6]) {
      const shaft = emptyMask([80, 80, 40], gridAffine(spacing, I, [-48, -48, -60]));
      rasterizeEllipsoid(shaft, { centre: [0, 0, 0], semiAxesMm: [radiusMm, radiusMm, 40], rotation: I });
      const tumor = emptyMask([40, 40, 20], gridAffine(spacing, I, [-24, -24, -30]));
      rasterizeEllipsoid(tumor, sphere([radiusMm + 6, 0, 0], 4));
      expect(crease(measureMargins(tumor, shaft, identity))).toBe(false);
    }
    // Two balls of radius 14 mm, 18 mm apart; a 5 mm tumor in the waist, 1.5 mm inside the ice there.
    const ice = emptyMask([60, 60, 24], gridAffine(spacing, I, [-36, -36, -36]));
    rasterizeEllipsoid(ice, sphere([-9, 0, 0], 14));
    rasterizeEllipsoid(ice, sphere([9, 0, 0], 14));
    const waistRadius = Math.sqrt(14 * 14 - 9 * 9);
    const tumor = emptyMask([30, 30, 14], gridAffine(spacing, I, [-18, -18 + waistRadius - 6.5, -20]));
    rasterizeEllipsoid(tumor, sphere([0, waistRadius - 6.5, 0], 5));
    const r = measureMargins(tumor, ice, identity);
    expect(twoBallUnionSignedDistance([-9, 0, 0], 14, [9, 0, 0], 14, [0, waistRadius - 1.5, 0])).toBeCloseTo(1.5, 6);
    expect(crease(r)).toBe(true);
  });
});
