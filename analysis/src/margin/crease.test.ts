import { describe, expect, it } from "vitest";
import { concaveCreaseAngleDeg } from "./crease.js";
import { buildPointTree } from "./kdTree.js";
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
    for (const r of [4, 10, 25]) {
      const ball = ballUnionSamples([{ c: [0, 0, 0], r }]);
      const tree = buildPointTree(ball.points, ball.count);
      expect(concaveCreaseAngleDeg(ball, tree, 0, 0, 0, 7.5)).toBeNull();
      expect(concaveCreaseAngleDeg(ball, tree, r + 3, 0, 0, 7.5)).toBeNull();
    }
  });
});
