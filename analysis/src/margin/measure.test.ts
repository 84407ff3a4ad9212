/**
 * measureMargins' conventions and bookkeeping on small deterministic cases: sign, transform direction,
 * RAS octant names, coverage fractions, field of view, typed errors, rounding, and the voxel pass
 * (the same classes with and without the per-voxel margins it returns for viewers).
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { applyAffine, identityMat4 } from "./affine.js";
import { maxPairwiseDistance } from "./diameter.js";
import { MarginInputError } from "./errors.js";
import { buildPointTree, forEachWithinRadius, nearestPoint, nearestPointNear, pointsNear } from "./kdTree.js";
import { marchingCubes } from "./marchingCubes.js";
import { maskBounds, nextNonZeroWord } from "./maskBounds.js";
import { measureMargins, reconstructSurface, roundMarginMm, surfaceDistanceField } from "./measure.js";
import { OCTANT_NAMES, octantIndex } from "./octants.js";
import { emptyMask, gridAffine, randomRotation, rasterizeEllipsoid, rigidTransform, sphere } from "./phantoms.js";
import { minimalTreatmentMarginQamBaseline } from "./qamBaseline.js";
import { signedDistance, signedDistanceField } from "./signedDistance.js";
import { SAMPLE_AT_VOXEL_CENTRE } from "./surface.js";
import type { MaskVolume, Vec3 } from "./types.js";

const AXIAL = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** A 1.2 × 1.2 × 3.0 mm axial grid centred near `centre` with room for `radius` mm plus a margin. */
function gridAt(centre: Vec3, halfWidthMm: number, spacing: Vec3 = [1.2, 1.2, 3]): MaskVolume {
  const dims = spacing.map((s) => Math.ceil((2 * halfWidthMm) / s)) as [number, number, number];
  const origin = centre.map((c, a) => c - ((dims[a] - 1) / 2) * spacing[a] + 0.137 * spacing[a]) as Vec3;
  return emptyMask(dims, gridAffine(spacing, AXIAL, origin));
}

function ball(centre: Vec3, radius: number, gridCentre: Vec3 = [0, 0, 0], half = 40): MaskVolume {
  const m = gridAt(gridCentre, half);
  rasterizeEllipsoid(m, sphere(centre, radius));
  return m;
}

describe("measureMargins: conventions", () => {
  it("positive inside: a 10 mm tumor centred in a 20 mm ice ball has MTM ≈ +10 and is all green", () => {
    // Concentric balls tie everywhere, so the minimum over thousands of samples picks their most
    // unlucky pair: a flat minimum reads a few tenths low (−0.35 mm here), unlike the suite's cases.
    const r = measureMargins(ball([0, 0, 0], 10), ball([0, 0, 0], 20), identityMat4());
    expect(r.mtmMm).toBeGreaterThan(9.5);
    expect(r.mtmMm).toBeLessThan(10.3);
    expect(r.mtmMmRounded).toBe(10);
    expect(r.coverage.fractionGreen).toBe(1);
    expect(r.thresholdMm).toBe(5);
    expect(r.warnings).toEqual([]);
    expect(r.fractionOutsideFieldOfView).toBe(0);
  });

  it("the transform maps pre-ablation points to post-ablation points (not the inverse)", () => {
    // Tumor at the pre origin; the post scan sees everything 8 mm to the right; ice centred there.
    const T = rigidTransform(AXIAL, [8, 0, 0]);
    const r = measureMargins(ball([0, 0, 0], 10), ball([8, 0, 0], 20, [8, 0, 0]), T);
    expect(r.mtmMm).toBeGreaterThan(9.5);
    expect(r.mtmMm).toBeLessThan(10.3);
    // The inverse direction would leave the tumor 16 mm off centre: MTM ≈ 20 − 26 = −6.
  });

  it("RAS octants: an ice ball shifted to the patient's right leaves the tumor's left side uncovered", () => {
    // Ice centre (6, 3, 2), 7 mm from the tumor's: the farthest tumor point is −(6, 3, 2)/7 · 10 =
    // (−8.6, −4.3, −2.9): left, posterior, inferior; exact MTM = 14 − (7 + 10) = −3 mm.
    const r = measureMargins(ball([0, 0, 0], 10), ball([6, 3, 2], 14), identityMat4());
    expect(Math.abs(r.mtmMm - -3)).toBeLessThan(0.3);
    expect(r.mtmMmRounded).toBe(-3);
    expect(r.minMarginOctant).toBe("left-posterior-inferior");
    const p = r.minMarginPointRas;
    expect(Math.hypot(p[0] + 8.57, p[1] + 4.29, p[2] + 2.86)).toBeLessThan(2);
    for (const o of r.octants) {
      const sum = o.fractionGreen + o.fractionYellow + o.fractionRed;
      expect(sum).toBeCloseTo(1, 12);
    }
    // The octant facing the ice centre is covered everywhere (its farthest point is ≤ √109 mm from the
    // ice centre); the opposite one holds the uncovered cap.
    const octant = (name: string) => r.octants.find((o) => o.name === name)!;
    expect(octant("right-anterior-superior").fractionRed).toBe(0);
    expect(octant("left-posterior-inferior").fractionRed).toBeGreaterThan(0.05);
    // Octant volumes add up to the tumor volume; coverage is their volume-weighted mean.
    const volume = r.octants.reduce((s, o) => s + o.tumorVolumeMl, 0);
    expect(volume).toBeCloseTo(r.tumorVolumeMl, 10);
    const red = r.octants.reduce((s, o) => s + o.fractionRed * o.tumorVolumeMl, 0) / volume;
    expect(red).toBeCloseTo(r.coverage.fractionRed, 10);
    // Each octant's minimum is at least the MTM, and the minimum octant's equals it.
    for (const o of r.octants) expect(o.minMarginMm).toBeGreaterThanOrEqual(r.mtmMm);
    expect(r.octants.find((o) => o.name === r.minMarginOctant)?.minMarginMm).toBe(r.mtmMm);
  });

  it("octant names follow RAS+: +x right, +y anterior, +z superior", () => {
    expect(OCTANT_NAMES[octantIndex(1, 1, 1)]).toBe("right-anterior-superior");
    expect(OCTANT_NAMES[octantIndex(-1, 1, -1)]).toBe("left-anterior-inferior");
    expect(OCTANT_NAMES[octantIndex(-1, -1, -1)]).toBe("left-posterior-inferior");
    expect(OCTANT_NAMES[octantIndex(2, -3, 0.5)]).toBe("right-posterior-superior");
  });

  it("the voxel pass gives the same classes with and without per-voxel margins, and returns them on tumor voxels only", () => {
    const tumor = ball([1, -2, 0.5], 12);
    const ice = ball([4, 0, 2], 16);
    const T = rigidTransform(AXIAL, [0.3, -0.2, 0.4]);
    for (const thresholdMm of [2, 5]) {
      const fast = measureMargins(tumor, ice, T, { thresholdMm });
      const exact = measureMargins(tumor, ice, T, { thresholdMm, voxelMargins: true });
      expect(fast.coverage).toEqual(exact.coverage);
      expect(fast.octants).toEqual(exact.octants);
      expect(fast.voxelMarginsMm).toBeUndefined();
      const v = exact.voxelMarginsMm!;
      expect(v.length).toBe(tumor.data.length);
      // Every tumor voxel has a finite margin, every other voxel NaN: the offenders are counted and
      // the first ones listed.
      let inside = 0;
      const offenders: string[] = [];
      let offenderCount = 0;
      for (let i = 0; i < v.length; i++) {
        const ok = tumor.data[i] ? Number.isFinite(v[i]) : Number.isNaN(v[i]);
        if (tumor.data[i]) inside++;
        if (!ok) {
          offenderCount++;
          if (offenders.length < 10) offenders.push(`voxel ${i} (${tumor.data[i] ? "tumor" : "outside"}): ${v[i]}`);
        }
      }
      expect(offenderCount, `threshold ${thresholdMm} mm, first offenders: ${offenders.join("; ")}`).toBe(0);
      expect(inside).toBeGreaterThan(1000);
    }
  });

  it("coverage and octants without voxelMargins are those of the per-voxel margins, where the readings are not 1-Lipschitz", () => {
    // Two probes' ice balls (r 12 mm, 14 mm apart) around a 10 mm tumor: near their seam the nearest
    // sample's surfel changes between neighbouring voxel centres and the reading jumps by more than their
    // distance, so no voxel's class may be inferred from a neighbour's margin.
    const tumor = ball([0, 0, 0], 10, [0, 0, 0], 16);
    const ice = ball([-1, 0, 0], 12, [0, 0, 0], 30);
    rasterizeEllipsoid(ice, sphere([13, 0, 0], 12));
    const T = rigidTransform(AXIAL, [0.3, -0.2, 0.4]);
    const [nx, ny] = tumor.dims;
    const spacing = [1.2, 1.2, 3];
    for (const thresholdMm of [2, 5]) {
      const plain = measureMargins(tumor, ice, T, { thresholdMm });
      const perVoxel = measureMargins(tumor, ice, T, { thresholdMm, voxelMargins: true });
      expect(plain.coverage).toEqual(perVoxel.coverage);
      expect(plain.octants).toEqual(perVoxel.octants);
      const v = perVoxel.voxelMarginsMm!;
      const counts = [0, 0, 0];
      let steepest = 0;
      for (let i = 0; i < v.length; i++) {
        if (!tumor.data[i]) continue;
        counts[v[i] >= thresholdMm ? 0 : v[i] >= 0 ? 1 : 2]++;
        for (const [d, s] of [
          [1, spacing[0]],
          [nx, spacing[1]],
          [nx * ny, spacing[2]],
        ]) {
          if (tumor.data[i + d]) steepest = Math.max(steepest, Math.abs(v[i + d] - v[i]) / s);
        }
      }
      const n = counts[0] + counts[1] + counts[2];
      expect(plain.coverage).toEqual({
        fractionGreen: counts[0] / n,
        fractionYellow: counts[1] / n,
        fractionRed: counts[2] / n,
      });
      expect(steepest).toBeGreaterThan(1.2);
    }
  });

  it("reports the share of the tumor outside the post-ablation field of view, and all-outside as NaN", () => {
    const tumor = ball([0, 0, 0], 10);
    // A post grid covering only x ≥ ~0 of the tumor.
    const post = emptyMask([30, 60, 25], gridAffine([1.2, 1.2, 3], AXIAL, [0.05, -35.4, -36]));
    rasterizeEllipsoid(post, sphere([12, 0, 0], 14));
    const partly = measureMargins(tumor, post, identityMat4());
    expect(partly.fractionOutsideFieldOfView).toBeGreaterThan(0.4);
    expect(partly.fractionOutsideFieldOfView).toBeLessThan(0.6);
    expect(partly.warnings.some((w) => w.includes("outside the post-ablation scan's field of view"))).toBe(true);
    const away = measureMargins(tumor, post, rigidTransform(AXIAL, [-500, 0, 0]));
    expect(away.fractionOutsideFieldOfView).toBe(1);
    expect(Number.isNaN(away.mtmMm)).toBe(true);
    expect(away.warnings[away.warnings.length - 1]).toMatch(/whole tumor/);
  });

  it("warns when the ice-ball mask touches the edge of its scan", () => {
    const ice = emptyMask([20, 20, 8], gridAffine([1.2, 1.2, 3], AXIAL, [-11.4, -11.4, -10.5]));
    rasterizeEllipsoid(ice, sphere([0, 0, 0], 30));
    const r = measureMargins(ball([0, 0, 0], 5), ice, identityMat4());
    expect(r.warnings.some((w) => w.includes("ice-ball mask touches the edge"))).toBe(true);
  });

  it("the ice ball's signed distance where several samples sit on one voxel centre: the lowest of their surfels, whichever the search meets first", () => {
    // A 12 mm ball on 1.2 × 1.2 × 3.0 mm: at its caps the fit clamps samples of several edges of one
    // voxel to that voxel's centre. Each such point is queried 2 mm inside it, the search started
    // from each coincident sample in turn (the hint a previous query leaves).
    const ice = ball([0, 0, 0], 12, [0, 0, 0], 30);
    const surface = reconstructSurface(ice, maskBounds(ice));
    const s = surface.samples;
    const firstMet = signedDistanceField(ice, s, surface.tree);
    const engine = surfaceDistanceField(ice, surface);
    const atPoint = new Map<string, number[]>();
    for (let j = 0; j < s.count; j++) {
      if ((s.flags[j] & SAMPLE_AT_VOXEL_CENTRE) === 0) continue;
      const key = `${s.points[3 * j]} ${s.points[3 * j + 1]} ${s.points[3 * j + 2]}`;
      atPoint.set(key, [...(atPoint.get(key) ?? []), j]);
    }
    const shared = [...atPoint.values()].filter((list) => list.length > 1);
    expect(shared.length).toBeGreaterThan(2);
    let firstMetDepends = 0;
    for (const list of shared) {
      const j0 = list[0];
      const [x, y, z] = [0, 1, 2].map((c) => s.points[3 * j0 + c] - 2 * s.normals[3 * j0 + c]);
      const byHint = list.map((j) => signedDistance(firstMet, x, y, z, j));
      if (new Set(byHint).size > 1) firstMetDepends++;
      for (const j of [-1, ...list]) expect(signedDistance(engine, x, y, z, j)).toBe(Math.min(...byHint));
    }
    // Reading whichever coincident sample the search meets first depends on the query order.
    expect(firstMetDepends).toBeGreaterThan(0);
  });
});

describe("measureMargins: the MTM as drawn", () => {
  it("is the minimum of the ice field over the tumor mask's marching-cubes vertices, read through the transform", () => {
    // A ball rasterised on 1 × 1 × 4 mm slices (its 0.5 iso-surface has vertices half a slice beyond
    // each cap's last voxel, where the fit reads the surface nearer the voxel) in an off-centre 20 mm
    // ice ball, behind a rotation and a shift.
    const random = createRandom(18);
    const rotation = randomRotation(() => random.next());
    const T = rigidTransform(rotation, [3, -2, 1]);
    const tumor = gridAt([0, 0, 0], 16, [1, 1, 4]);
    rasterizeEllipsoid(tumor, sphere([0.3, -0.2, 0.7], 9));
    const iceCentre = applyAffine(T, [2.5, 1, 3]);
    const ice = ball(iceCentre, 20, iceCentre, 26);
    const r = measureMargins(tumor, ice, T);
    const field = surfaceDistanceField(ice, reconstructSurface(ice, maskBounds(ice)));
    const mesh = marchingCubes(tumor, maskBounds(tumor));
    let byVertices = Number.POSITIVE_INFINITY;
    let analytic = Number.POSITIVE_INFINITY;
    for (let v = 0; v < mesh.vertexCount; v++) {
      const q = applyAffine(T, [0, 1, 2].map((c) => mesh.positionsMm[3 * v + c]) as Vec3);
      byVertices = Math.min(byVertices, signedDistance(field, q[0], q[1], q[2]));
      analytic = Math.min(analytic, 20 - Math.hypot(q[0] - iceCentre[0], q[1] - iceCentre[1], q[2] - iceCentre[2]));
    }
    expect(r.mtmAsDrawnMm).toBe(byVertices);
    // The ice side only: the engine's ice surface against the exact ball at the vertex minimum.
    expect(Math.abs(r.mtmAsDrawnMm - analytic)).toBeLessThan(0.15);
    // The fitted MTM is a different reading (the refined samples lie inside the iso-surface's vertices).
    expect(r.mtmMm - r.mtmAsDrawnMm).toBeGreaterThan(0.1);
  });

  it("is NaN when no midpoint maps inside the post scan's field of view", () => {
    const r = measureMargins(ball([0, 0, 0], 6), ball([0, 0, 0], 10), rigidTransform(AXIAL, [500, 0, 0]));
    expect(r.mtmAsDrawnMm).toBeNaN();
  });
});

describe("measureMargins: input errors", () => {
  it("an empty tumor or ice-ball mask is a MarginInputError naming it", () => {
    const empty = gridAt([0, 0, 0], 20);
    const full = ball([0, 0, 0], 8, [0, 0, 0], 20);
    expect(() => measureMargins(empty, full, identityMat4())).toThrow(MarginInputError);
    try {
      measureMargins(empty, full, identityMat4());
    } catch (e) {
      expect((e as MarginInputError).input).toBe("tumor");
      expect((e as Error).message).toMatch(/tumor mask is empty/);
    }
    try {
      measureMargins(full, empty, identityMat4());
    } catch (e) {
      expect((e as MarginInputError).input).toBe("iceball");
      expect((e as Error).message).toMatch(/ice-ball mask is empty/);
    }
  });

  it("a singular voxel-to-world matrix, a wrong data length or a non-finite transform is refused", () => {
    const good = ball([0, 0, 0], 8, [0, 0, 0], 20);
    const singular: MaskVolume = { ...good, voxelToWorld: gridAffine([1.2, 0, 3], AXIAL, [0, 0, 0]) };
    expect(() => measureMargins(singular, good, identityMat4())).toThrow(/tumor matrix is singular/);
    const short: MaskVolume = { ...good, data: good.data.subarray(1) };
    expect(() => measureMargins(good, short, identityMat4())).toThrow(/ice-ball mask has/);
    const bad = identityMat4();
    bad[3] = Number.NaN;
    expect(() => measureMargins(good, good, bad)).toThrow(/transform/);
    expect(() => measureMargins(good, good, identityMat4(), { thresholdMm: Number.NaN })).toThrow(/threshold/);
  });
});

describe("helpers", () => {
  it("rounds margins half away from zero and never reports −0", () => {
    expect([2.5, -2.5, 0.5, -0.5, 0.49, -0.49, -1.51, 6.4].map(roundMarginMm)).toEqual([3, -3, 1, -1, 0, 0, -2, 6]);
    expect(Object.is(roundMarginMm(-0.2), 0)).toBe(true);
  });

  it("k-d tree nearest and radius queries agree with brute force", () => {
    const rng = createRandom(8);
    const n = 500;
    const pts = new Float64Array(3 * n).map(() => 50 * rng.next());
    const tree = buildPointTree(pts, n);
    for (let q = 0; q < 200; q++) {
      const x = 60 * rng.next() - 5;
      const y = 60 * rng.next() - 5;
      const z = 60 * rng.next() - 5;
      const d2 = (i: number) => (pts[3 * i] - x) ** 2 + (pts[3 * i + 1] - y) ** 2 + (pts[3 * i + 2] - z) ** 2;
      let best = 0;
      for (let i = 1; i < n; i++) if (d2(i) < d2(best)) best = i;
      expect(d2(nearestPoint(tree, x, y, z, q % 2 === 0 ? -1 : rng.int(n)))).toBe(d2(best));
      const within: number[] = [];
      forEachWithinRadius(tree, x, y, z, 7, (i) => within.push(i));
      const brute = [...Array(n).keys()].filter((i) => d2(i) <= 49);
      expect(within.sort((a, b) => a - b)).toEqual(brute);
    }
  });

  it("k-d tree at exact ties: the hint's point, or with lowestIndexAtTie the lowest index whatever the hint", () => {
    const square = new Float64Array([-1, 0, 0, 1, 0, 0, 0, 1, 0, 0, -1, 0]);
    const four = buildPointTree(square, 4);
    expect(nearestPoint(four, 0, 0, 0, 3)).toBe(3);
    for (const hint of [-1, 0, 1, 2, 3]) expect(nearestPoint(four, 0, 0, 0, hint, true)).toBe(0);
    // Duplicated points on an integer lattice (exact distances, many ties), queries at lattice and half-lattice points.
    const rng = createRandom(9);
    const n = 400;
    const pts = new Float64Array(3 * n).map(() => rng.int(8));
    const tree = buildPointTree(pts, n);
    for (let q = 0; q < 300; q++) {
      const [x, y, z] = [0, 1, 2].map(() => rng.int(17) / 2 - 0.5);
      const d2 = (i: number) => (pts[3 * i] - x) ** 2 + (pts[3 * i + 1] - y) ** 2 + (pts[3 * i + 2] - z) ** 2;
      let lowest = 0;
      for (let i = 1; i < n; i++) if (d2(i) < d2(lowest)) lowest = i;
      expect(nearestPoint(tree, x, y, z, rng.int(n), true)).toBe(lowest);
    }
  });

  it("nearestPointNear: the tree's answer (lowest index at ties) for queries moved up to the listed shift; −1 or the same beyond", () => {
    // Duplicated points on an integer lattice (exact distances, many ties) and points off it.
    const rng = createRandom(11);
    const n = 600;
    const pts = new Float64Array(3 * n).map((_, i) => (i < 900 ? rng.int(10) : 10 * rng.next()));
    const tree = buildPointTree(pts, n);
    let undecided = 0;
    for (let c = 0; c < 60; c++) {
      const centre = [0, 1, 2].map(() => rng.int(25) / 2 - 1);
      const shiftMm = c % 3 === 0 ? 0 : 0.5 + 2 * rng.next();
      const near = pointsNear(tree, centre[0], centre[1], centre[2], shiftMm, c % 2 === 0 ? -1 : rng.int(n));
      for (let q = 0; q < 20; q++) {
        // Half-lattice offsets (exact ties) within the shift, and some up to twice beyond it.
        const step = q < 15 ? shiftMm : 2 * shiftMm + 1;
        let d = [0, 0, 0];
        do d = [0, 1, 2].map(() => Math.round(2 * step * (2 * rng.next() - 1)) / 2);
        while (Math.hypot(d[0], d[1], d[2]) > step);
        const [x, y, z] = [centre[0] + d[0], centre[1] + d[1], centre[2] + d[2]];
        const got = nearestPointNear(tree, near, x, y, z);
        const want = nearestPoint(tree, x, y, z, -1, true);
        if (q < 15) expect(got).toBe(want);
        else if (got < 0) undecided++;
        else expect(got).toBe(want);
      }
    }
    expect(undecided).toBeGreaterThan(0);
  });

  it("maskBounds (zero words passed over four at a time) equals a byte loop; nextNonZeroWord's example", () => {
    expect(nextNonZeroWord(Uint32Array.from([0, 0, 0, 0, 0, 7]), 0)).toBe(5);
    const rng = createRandom(10);
    for (const dims of [
      [7, 5, 3],
      [16, 4, 9],
      [33, 17, 5],
    ] as [number, number, number][]) {
      for (let trial = 0; trial < 20; trial++) {
        const n = dims[0] * dims[1] * dims[2];
        const data = new Uint8Array(n);
        // a few voxels, or runs of them, anywhere (the last bytes beyond whole words too)
        for (let v = 0; v < 1 + rng.int(6); v++) data.fill(1, rng.int(n), rng.int(n) + rng.int(3) + 1);
        const b = maskBounds({ dims, voxelToWorld: new Float64Array(16), data });
        const min = [dims[0], dims[1], dims[2]];
        const max = [-1, -1, -1];
        let count = 0;
        for (let idx = 0; idx < n; idx++) {
          if (data[idx] === 0) continue;
          count++;
          const ijk = [idx % dims[0], Math.floor(idx / dims[0]) % dims[1], Math.floor(idx / (dims[0] * dims[1]))];
          for (let a = 0; a < 3; a++) {
            min[a] = Math.min(min[a], ijk[a]);
            max[a] = Math.max(max[a], ijk[a]);
          }
        }
        expect(b).toEqual({ count, min, max });
      }
    }
  });

  it("maximum pairwise distance: the documented example and a random set against brute force", () => {
    expect(maxPairwiseDistance(new Float64Array([1, 0, 0, -1, 0, 0, 0, 2, 0, 0, -2, 0, 0, 0, 3, 0, 0, -3]), 6)).toBe(6);
    const rng = createRandom(3);
    const n = 300;
    const pts = new Float64Array(3 * n).map(() => 20 * rng.next());
    let best = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++)
        best = Math.max(
          best,
          Math.hypot(pts[3 * i] - pts[3 * j], pts[3 * i + 1] - pts[3 * j + 1], pts[3 * i + 2] - pts[3 * j + 2]),
        );
    expect(maxPairwiseDistance(pts, n)).toBeCloseTo(best, 12);
  });

  it("QAM baseline on concentric balls on one grid reads near R_ice − R_tumor, within a voxel", () => {
    const q = minimalTreatmentMarginQamBaseline(ball([0, 0, 0], 10), ball([0, 0, 0], 20), identityMat4());
    expect(q.mtmMm).toBeGreaterThan(10 - 3);
    expect(q.mtmMm).toBeLessThan(10 + 1);
    expect(q.borderVoxels).toBeGreaterThan(100);
  });
});
