/**
 * The ground truth of the multi-probe phantoms: the exact signed distance of a union of ellipsoids
 * (feet, seams, corners) against brute force — the nearest of a very dense sampling of the union's
 * boundary — and Eberly's closest point of one ellipsoid.
 */
import { describe, expect, it } from "vitest";
import { buildPointTree, nearestDistanceSquared, nearestPoint } from "../margin/kdTree.js";
import { type Ellipsoid, ellipsoidClosestPoint, ellipsoidLevel, randomRotation } from "../margin/phantoms.js";
import type { Vec3 } from "../margin/types.js";
import { createRandom } from "../stats/random.js";
import { insideUnion, unionSurfaceSamples } from "./ellipsoid.js";
import { createUnionSignedDistance, probeIceBall, unionSideBound, unionVolumeMl } from "./unionPhantoms.js";

/** The probe array of the union tests: 15 mm apart, isotherms 12 mm wide and 1.7 times as long. */
const PROBE_ARRAY = {
  spacingMm: 15,
  lateralRadiusMm: 12,
  elongation: 1.7,
  directionRas: [0.3, 0.2, Math.sqrt(0.87)],
  rollRad: 0.4,
} as const;

/** Level Σ (q/e)² of p for an ellipsoid. */
const level = (e: Ellipsoid, p: Readonly<Vec3>) => ellipsoidLevel(e, p[0], p[1], p[2]);

describe("exact signed distance of a union of ellipsoids", () => {
  it("ellipsoidClosestPoint: the point is on the surface, at the distance reported, nearer than any surface sample", () => {
    const random = createRandom(5);
    const rnd = () => random.next();
    for (let n = 0; n < 20; n++) {
      const e: Ellipsoid = { centre: [1, -2, 3], semiAxesMm: [12, 8, 5 + 5 * rnd()], rotation: randomRotation(rnd) };
      const p: Vec3 = [1 + 30 * (rnd() - 0.5), -2 + 30 * (rnd() - 0.5), 3 + 30 * (rnd() - 0.5)];
      const c = ellipsoidClosestPoint(e, p);
      expect(level(e, c.pointRas)).toBeCloseTo(1, 9);
      expect(Math.hypot(p[0] - c.pointRas[0], p[1] - c.pointRas[1], p[2] - c.pointRas[2])).toBeCloseTo(c.distanceMm, 9);
      expect(c.inside).toBe(level(e, p) < 1);
      const cloud = unionSurfaceSamples([e], 0.3);
      const tree = buildPointTree(cloud.points, cloud.count);
      nearestPoint(tree, p[0], p[1], p[2]);
      expect(c.distanceMm).toBeLessThanOrEqual(Math.sqrt(nearestDistanceSquared()) + 1e-9);
    }
  });

  it("agrees with brute force (boundary sampled 0.05 mm apart) within 0.015 mm near waists and seams", () => {
    const random = createRandom(3);
    const rnd = () => random.next();
    let worstOver = 0; // exact above brute force: brute force bounds the distance from above
    let worstUnder = 0;
    let points = 0;
    const configurations = [
      { probes: 2, joining: false, tailMm: 0, feature: "waist" },
      { probes: 3, joining: true, tailMm: 25, feature: "seam" },
      { probes: 4, joining: false, tailMm: 20, feature: "seam" },
    ] as const;
    for (const cfg of configurations) {
      const ice = probeIceBall({ ...cfg, ...PROBE_ARRAY, directionRas: [...PROBE_ARRAY.directionRas] });
      expect(ice).not.toBeNull();
      const { parts, anchorRas: a } = ice!;
      const exact = createUnionSignedDistance(parts, a, 20);
      const R = 6;
      const cloud = unionSurfaceSamples(parts, 0.05, [
        [a[0] - R - 6, a[1] - R - 6, a[2] - R - 6],
        [a[0] + R + 6, a[1] + R + 6, a[2] + R + 6],
      ]);
      const tree = buildPointTree(cloud.points, cloud.count);
      for (let k = 0; k < 60; k++) {
        const p: Vec3 = [a[0] + (2 * rnd() - 1) * R, a[1] + (2 * rnd() - 1) * R, a[2] + (2 * rnd() - 1) * R];
        nearestPoint(tree, p[0], p[1], p[2]);
        const d = Math.sqrt(nearestDistanceSquared());
        if (d > 5) continue; // the brute-force cloud is clipped: only points whose nearest boundary it holds
        const brute = insideUnion(parts, p[0], p[1], p[2]) ? d : -d;
        const e = exact(p);
        expect(Math.sign(e)).toBe(Math.sign(brute));
        worstOver = Math.max(worstOver, Math.abs(e) - Math.abs(brute));
        worstUnder = Math.max(worstUnder, Math.abs(brute) - Math.abs(e));
        points++;
      }
    }
    console.log(
      `union signed distance vs brute force at ${points} points: exact above by ≤ ${worstOver.toFixed(4)} mm, below by ≤ ${worstUnder.toFixed(4)} mm`,
    );
    expect(points).toBeGreaterThan(100);
    expect(worstOver).toBeLessThanOrEqual(0.015);
    expect(worstUnder).toBeLessThanOrEqual(0.04);
  });

  it("unionSideBound: the exact distance's side, and at most its size (a ball: exactly)", () => {
    const ball: Ellipsoid = { centre: [0, 0, 0], semiAxesMm: [10, 10, 10], rotation: randomRotation(() => 0.5) };
    const near = unionSideBound([ball], [0, 0, 4]);
    expect(near.inside).toBe(true);
    expect(near.atLeastMm).toBeCloseTo(6, 9);
    const far = unionSideBound([ball], [0, 13, 0]);
    expect(far.inside).toBe(false);
    expect(far.atLeastMm).toBeCloseTo(3, 9);
    const ice = probeIceBall({
      probes: 3,
      joining: true,
      tailMm: 25,
      feature: "seam",
      ...PROBE_ARRAY,
      directionRas: [...PROBE_ARRAY.directionRas],
    });
    expect(ice).not.toBeNull();
    const { parts, anchorRas: a } = ice!;
    const exact = createUnionSignedDistance(parts, a, 40);
    const random = createRandom(8);
    let deepInside = 0;
    let farOutside = 0;
    for (let k = 0; k < 200; k++) {
      const p: Vec3 = [
        a[0] + 30 * (random.next() - 0.5),
        a[1] + 30 * (random.next() - 0.5),
        a[2] + 30 * (random.next() - 0.5),
      ];
      const e = exact(p);
      const side = unionSideBound(parts, p);
      expect(side.inside).toBe(e > 0);
      expect(side.atLeastMm).toBeLessThanOrEqual(Math.abs(e) + 1e-9);
      if (side.inside && side.atLeastMm > 2) deepInside++;
      if (!side.inside && side.atLeastMm > 2) farOutside++;
    }
    // Not a vacuous bound: it rules out the surface for points well inside and well outside.
    expect(deepInside).toBeGreaterThan(10);
    expect(farOutside).toBeGreaterThan(10);
  });

  it("union volume by lattice counting: a single ball to 0.1%", () => {
    const ball: Ellipsoid = { centre: [0.3, 0.1, -0.2], semiAxesMm: [15, 15, 15], rotation: randomRotation(() => 0.5) };
    const exact = ((4 / 3) * Math.PI * 15 ** 3) / 1000;
    expect(Math.abs(unionVolumeMl([ball]) / exact - 1)).toBeLessThan(0.001);
  });
});
