/**
 * The segmentation's pure algorithms on small phantoms whose answer is known by construction: Otsu,
 * flood fill, components, hole filling, opening, median, Dice/HD95, slice detection, the tumor's band
 * refinement and the ice-ball segmentation (with a probe shaft), and the typed input errors.
 */
import { describe, expect, it } from "vitest";
import { voxelSpacingMm } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";
import { createRandom } from "../stats/random.js";
import { standardNormal } from "../synth/sampling.js";
import { axialAxis, bodyMask, convexHull } from "./body.js";
import { componentOfSeeds, connectedComponents, fillHoles, floodFill } from "./components.js";
import { segmentIceball } from "./iceball.js";
import { medianFilterInPlane } from "./median.js";
import { openMm } from "./morphology.js";
import { otsuThreshold } from "./otsu.js";
import { diceCoefficient, hausdorff95Mm } from "./overlap.js";
import { annotatedSlices, rollAxisLast, unrollAxisLast } from "./slices.js";
import { finishTumorSegmentation, planTumorInterpolation } from "./tumor.js";
import { refineTumorBorder } from "./tumorRefine.js";
import { SegmentationInputError } from "./types.js";

type Dims = [number, number, number];

/** An axis-aligned grid with the given spacing, voxel (0,0,0) at the origin. */
function grid(spacing: Vec3): Mat4 {
  const m = new Float64Array(16);
  m[0] = spacing[0];
  m[5] = spacing[1];
  m[10] = spacing[2];
  m[15] = 1;
  return m;
}

/** 0/1 mask of the voxel centres (mm) where `inside` holds. */
function maskOf(dims: Dims, spacing: Vec3, inside: (x: number, y: number, z: number) => boolean): Uint8Array {
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) out[v] = inside(i * spacing[0], j * spacing[1], k * spacing[2]) ? 1 : 0;
  return out;
}

const count = (m: Uint8Array) => m.reduce((s, x) => s + x, 0);

describe("otsuThreshold", () => {
  it("cuts between two clusters and reports their means", () => {
    const values = [1, 1, 2, 2, 9, 10, 10, 11];
    const r = otsuThreshold(values, 100);
    expect(r.threshold).toBeGreaterThan(2);
    expect(r.threshold).toBeLessThan(9);
    expect(r.lowerMean).toBeCloseTo(1.5, 0);
    expect(r.upperMean).toBeCloseTo(10, 0);
    expect(r.separability).toBeGreaterThan(0.95);
  });
  it("refuses a constant sample", () => {
    expect(() => otsuThreshold([3, 3, 3])).toThrow(RangeError);
  });
});

describe("connectivity", () => {
  it("floods 6-connected voxels only", () => {
    // Two voxels touching at an edge are not connected.
    const dims: Dims = [3, 3, 1];
    const allowed = Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect([...floodFill(allowed, dims, [0])]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(connectedComponents(allowed, dims).count).toBe(2);
  });
  it("fills an enclosed cavity but not a background region that reaches the border", () => {
    const dims: Dims = [5, 5, 5];
    const shell = maskOf(
      dims,
      [1, 1, 1],
      (x, y, z) => Math.max(Math.abs(x - 2), Math.abs(y - 2), Math.abs(z - 2)) === 1,
    );
    const { mask, filled } = fillHoles(shell, dims);
    expect(filled).toBe(1);
    expect(mask[2 + 5 * (2 + 5 * 2)]).toBe(1);
    // Open the shell on one face: the cavity now reaches the border through it.
    shell[2 + 5 * (2 + 5 * 1)] = 0;
    shell[2 + 5 * (2 + 5 * 0)] = 0;
    expect(fillHoles(shell, dims).filled).toBe(0);
  });
  it("keeps the component holding the most seeds", () => {
    const dims: Dims = [7, 1, 1];
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1, 0]);
    const r = componentOfSeeds(mask, dims, [0, 3, 5]);
    expect([...r.mask]).toEqual([0, 0, 0, 1, 1, 1, 0]);
    expect(r.seedsOutside).toEqual([0]);
  });
});

describe("openMm", () => {
  it("removes a thin shaft and keeps the ball it leaves", () => {
    const dims: Dims = [60, 40, 16];
    const spacing: Vec3 = [1.2, 1.2, 3];
    const centre: Vec3 = [24, 24, 24];
    const ball = (x: number, y: number, z: number) => Math.hypot(x - centre[0], y - centre[1], z - centre[2]) <= 15;
    const shaft = (x: number, y: number, z: number) =>
      x >= centre[0] && Math.hypot(y - centre[1], z - centre[2]) <= 1.2;
    const withShaft = maskOf(dims, spacing, (x, y, z) => ball(x, y, z) || shaft(x, y, z));
    const truth = maskOf(dims, spacing, ball);
    const opened = openMm(withShaft, dims, spacing, 3.75);
    // The shaft is cut at the ball's surface (at most a fillet of one voxel where it joins it); the
    // ball keeps ≥ 99 % of its voxels.
    const near = maskOf(
      dims,
      spacing,
      (x, y, z) => Math.hypot(x - centre[0], y - centre[1], z - centre[2]) <= 15 + 1.2,
    );
    for (let v = 0; v < opened.length; v++) if (opened[v]) expect(near[v]).toBe(1);
    expect(count(opened)).toBeLessThan(count(truth) + 10);
    expect(count(opened) / count(truth)).toBeGreaterThan(0.99);
  });
});

describe("medianFilterInPlane", () => {
  it("removes a single outlier and keeps a straight edge where it is", () => {
    const dims: Dims = [6, 6, 1];
    const data = Float32Array.from({ length: 36 }, (_, v) => (v % 6 < 3 ? 10 : 100));
    data[1 + 6 * 2] = 500;
    const out = medianFilterInPlane(data, dims);
    expect(out[1 + 6 * 2]).toBe(10);
    for (let j = 0; j < 6; j++) {
      expect(out[2 + 6 * j]).toBe(10);
      expect(out[3 + 6 * j]).toBe(100);
    }
  });
  it("equals the median of each voxel's in-plane 3 × 3 window (border voxels: the part inside the grid)", () => {
    const dims: Dims = [7, 5, 2];
    const rng = createRandom(3);
    const data = Int16Array.from({ length: 70 }, () => Math.round(100 * standardNormal(rng)) % 7);
    const out = medianFilterInPlane(data, dims);
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 7; i++) {
          const window: number[] = [];
          for (let b = Math.max(0, j - 1); b <= Math.min(4, j + 1); b++)
            for (let a = Math.max(0, i - 1); a <= Math.min(6, i + 1); a++) window.push(data[a + 7 * (b + 5 * k)]);
          window.sort((x, y) => x - y);
          const m = window.length >> 1;
          expect(out[i + 7 * (j + 5 * k)]).toBe(window.length % 2 ? window[m] : 0.5 * (window[m - 1] + window[m]));
        }
  });
});

describe("diceCoefficient and hausdorff95Mm", () => {
  it("give 1 and 0 for identical masks, and ≈ the radius difference for concentric spheres", () => {
    const dims: Dims = [40, 40, 40];
    const s: Vec3 = [1, 1, 1];
    const a = maskOf(dims, s, (x, y, z) => Math.hypot(x - 20, y - 20, z - 20) <= 10);
    const b = maskOf(dims, s, (x, y, z) => Math.hypot(x - 20, y - 20, z - 20) <= 12);
    expect(diceCoefficient(a, a)).toBe(1);
    expect(hausdorff95Mm(a, a, dims, s)).toBe(0);
    expect(diceCoefficient(a, b)).toBeCloseTo((2 * 1000) / (1000 + 1728), 1);
    expect(hausdorff95Mm(a, b, dims, s)).toBeGreaterThan(1.5);
    expect(hausdorff95Mm(a, b, dims, s)).toBeLessThan(2.6);
  });
});

describe("annotatedSlices", () => {
  const dims: Dims = [30, 30, 20];
  const s: Vec3 = [1, 1, 1];
  const sphere = maskOf(dims, s, (x, y, z) => Math.hypot(x - 15, y - 15, z - 10) <= 8);
  const on = (pick: (i: number, j: number, k: number) => boolean) =>
    maskOf(dims, s, (x, y, z) => sphere[x + 30 * (y + 30 * z)] === 1 && pick(x, y, z));
  it("finds three axial outlines and one sagittal, not their traces on coronal slices", () => {
    const drawn = on((i, _j, k) => k === 5 || k === 10 || k === 15 || i === 15);
    expect(annotatedSlices(drawn, dims)).toEqual([[15], [], [5, 10, 15]]);
  });
  it("takes outlines on adjacent axial slices as axial only", () => {
    const drawn = on((_i, _j, k) => k >= 8 && k <= 11);
    expect(annotatedSlices(drawn, dims)).toEqual([[], [], [8, 9, 10, 11]]);
  });
  it("rolls any axis last and back", () => {
    const data = Uint8Array.from({ length: 30 * 30 * 20 }, (_, v) => (v * 7919) % 2);
    for (const axis of [0, 1, 2]) {
      const r = rollAxisLast(data, dims, axis);
      expect(r.dims[2]).toBe(dims[axis]);
      expect([...unrollAxisLast(r.data, dims, axis)]).toEqual([...data]);
    }
  });
});

/** A tumor phantom: a 12 mm sphere (650) on a 1.2 × 1.2 × 3 mm grid, kidney (450) below y = 24 mm and fat (800) above, noise SD 18. */
function tumorPhantom(seed: number) {
  const dims: Dims = [40, 40, 16];
  const spacing: Vec3 = [1.2, 1.2, 3];
  const centre: Vec3 = [24, 24, 24];
  const truth = maskOf(dims, spacing, (x, y, z) => Math.hypot(x - centre[0], y - centre[1], z - centre[2]) <= 12);
  const rng = createRandom(seed);
  const data = new Float32Array(truth.length);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++)
        data[v] = (truth[v] ? 650 : j * spacing[1] < 24 ? 450 : 800) + 18 * standardNormal(rng);
  return { image: { dims, voxelToWorld: grid(spacing), data }, truth, dims, spacing };
}

/**
 * A scan with partial volume: each voxel the mean of `tissue` over 3 × 3 × 3 points at the centres of its
 * sub-boxes (as the synthetic scans render it), plus Gaussian noise of SD 18.
 */
function partialVolumeScan(
  dims: Dims,
  spacing: Vec3,
  seed: number,
  tissue: (x: number, y: number, z: number) => number,
) {
  const rng = createRandom(seed);
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const offsets = [-1 / 3, 0, 1 / 3];
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) {
        let sum = 0;
        for (const c of offsets)
          for (const b of offsets)
            for (const a of offsets) sum += tissue((i + a) * spacing[0], (j + b) * spacing[1], (k + c) * spacing[2]);
        data[v] = Math.max(0, sum / 27 + 18 * standardNormal(rng));
      }
  return { dims, voxelToWorld: grid(spacing), data };
}

describe("refineTumorBorder", () => {
  it("grows an under-interpolated tumor to its edges and never moves a drawn voxel", () => {
    const { image, truth, dims, spacing } = tumorPhantom(5);
    // The interpolation found only the sphere shrunk by 3 mm; the user drew the middle axial slice.
    const shrunk = maskOf(dims, spacing, (x, y, z) => Math.hypot(x - 24, y - 24, z - 24) <= 9);
    const drawnSlices = maskOf(dims, spacing, (_x, _y, z) => z === 24);
    const drawn = new Uint8Array(truth.length);
    for (let v = 0; v < truth.length; v++) drawn[v] = truth[v] & drawnSlices[v];
    // A drawn voxel the image calls background (a stroke past the edge) stays tumor.
    const stray = 20 + 40 * (20 + 40 * 8) + 14; // on slice k = 8 (z = 24 mm), outside the sphere
    expect(truth[stray]).toBe(0);
    drawn[stray] = 1;
    const prior = shrunk.slice();
    for (let v = 0; v < prior.length; v++) prior[v] |= drawn[v];
    const { mask, report } = refineTumorBorder(image, prior, drawn, drawnSlices);
    expect(diceCoefficient(mask, truth)).toBeGreaterThan(0.97);
    for (let v = 0; v < drawn.length; v++) if (drawn[v]) expect(mask[v]).toBe(1);
    expect(report.voxelsAdded).toBeGreaterThan(0);
    expect(report.contrastToNoise).toBeGreaterThan(5);
  });
  it("with partial volume, finds the end caps beyond the outlined slices and stays off the kidney–fat edge beyond them", () => {
    // A 10 mm sphere (650) across the kidney (450, y < 24 mm) – fat (800) interface: the voxels on that
    // interface mix the two and read ≈ 680, like tumor, on every slice — beyond the tumor's ends too.
    const dims: Dims = [40, 40, 16];
    const spacing: Vec3 = [1.2, 1.2, 3];
    const inTumor = (x: number, y: number, z: number) => Math.hypot(x - 24, y - 24, z - 24) <= 10;
    const image = partialVolumeScan(dims, spacing, 10, (x, y, z) => (inTumor(x, y, z) ? 650 : y < 24 ? 450 : 800));
    const truth = maskOf(dims, spacing, inTumor);
    // Outlines on slices 6, 8, 10 (z = 18, 24, 30 mm); the interpolation fills 6–10; the tumor reaches
    // into slices 5 and 11 (z = 15 and 33 mm: cross-sections 4.4 mm in radius).
    const outlined = [6, 8, 10];
    const drawnSlices = maskOf(dims, spacing, (_x, _y, z) => outlined.includes(Math.round(z / 3)));
    const drawn = Uint8Array.from(truth, (t, v) => t & drawnSlices[v]);
    const interpolated = maskOf(dims, spacing, (x, y, z) => inTumor(x, y, z) && z >= 18 && z <= 30);
    const { mask, report } = refineTumorBorder(image, interpolated, drawn, drawnSlices, {}, [[], [], outlined]);
    const onSlices = (m: Uint8Array, slices: number[]) =>
      m.filter((x, v) => x && slices.includes(Math.floor(v / (dims[0] * dims[1])))).length;
    expect(onSlices(mask, [0, 1, 2, 3, 4, 12, 13, 14, 15])).toBe(0);
    const capTruth = truth.map((t, v) => (t && [5, 11].includes(Math.floor(v / (dims[0] * dims[1]))) ? 1 : 0));
    const capMask = mask.map((t, v) => (t && [5, 11].includes(Math.floor(v / (dims[0] * dims[1]))) ? 1 : 0));
    // The caps' voxels hold 1/3 or 2/3 tumor, so some near the half-way point go either way: the
    // interpolation's shape alone (no cap) would miss all 90, and without the cap rule the refinement
    // reads this scan's caps at Dice 0.67 with 9 voxels beside the truth (kidney–fat mixes).
    expect(count(capTruth)).toBe(90);
    expect(diceCoefficient(capMask, capTruth)).toBeGreaterThan(0.8);
    expect(capMask.filter((x, v) => x && !capTruth[v]).length).toBeLessThanOrEqual(4);
    expect(diceCoefficient(mask, truth)).toBeGreaterThan(0.95);
    expect(report.capVoxels).toBeGreaterThan(0);
  });
});

describe("planTumorInterpolation / finishTumorSegmentation", () => {
  const { image, truth, dims, spacing } = tumorPhantom(6);
  it("refuses scribbles on another grid and scribbles with no drawn voxel", () => {
    const other = { dims: [40, 40, 15] as Dims, voxelToWorld: grid(spacing), data: new Uint8Array(40 * 40 * 15) };
    expect(() => planTumorInterpolation(image, other)).toThrow(/another grid/);
    const shifted = grid(spacing);
    shifted[3] = 0.6;
    expect(() => planTumorInterpolation(image, { dims, voxelToWorld: shifted, data: truth })).toThrow(/another grid/);
    const empty = { dims, voxelToWorld: grid(spacing), data: new Uint8Array(truth.length) };
    expect(() => planTumorInterpolation(image, empty)).toThrow(SegmentationInputError);
    expect(() => planTumorInterpolation(image, empty)).toThrow(/no drawn voxel/);
  });
  it("with one axial and one sagittal outline (nothing to interpolate) recovers the sphere by refinement", () => {
    const data = maskOf(dims, spacing, (x, y, z) => {
      const v = Math.round(x / 1.2) + 40 * (Math.round(y / 1.2) + 40 * Math.round(z / 3));
      return truth[v] === 1 && (z === 24 || Math.round(x / 1.2) === 20);
    });
    const plan = planTumorInterpolation(image, { dims, voxelToWorld: grid(spacing), data });
    expect(plan.slices).toEqual([[20], [], [8]]);
    expect(plan.jobs).toEqual([]);
    const result = finishTumorSegmentation(image, plan, []);
    expect(diceCoefficient(result.mask, truth)).toBeGreaterThan(0.95);
    expect(result.report.volumeMl).toBeGreaterThan(result.report.interpolatedVolumeMl);
  });
});

/** An ice-ball phantom: a 15 mm void (15) in tissue (500, with fat 800 beyond x = 55 mm), a probe shaft's void running out along +x to the border, noise SD 36. */
function icePhantom() {
  const dims: Dims = [70, 50, 20];
  const spacing: Vec3 = [1.2, 1.2, 3];
  const centre: Vec3 = [30, 30, 30];
  const truth = maskOf(dims, spacing, (x, y, z) => Math.hypot(x - centre[0], y - centre[1], z - centre[2]) <= 15);
  const shaft = maskOf(dims, spacing, (x, y, z) => x >= centre[0] && Math.hypot(y - centre[1], z - centre[2]) <= 1.2);
  const rng = createRandom(11);
  const data = new Float32Array(truth.length);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) {
        const base = truth[v] || shaft[v] ? 15 : i * spacing[0] > 55 ? 800 : 500;
        data[v] = Math.max(0, base + 36 * standardNormal(rng));
      }
  return { image: { dims, voxelToWorld: grid(spacing), data }, truth, shaft, dims, spacing, centre };
}

describe("bodyMask", () => {
  it("takes the convex hull of the largest bright region per axial slice: a notch at the skin is inside, the air and a bright speck in it are not", () => {
    expect(
      convexHull([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0.5, 0.5],
        [0.5, 0],
      ]),
    ).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
    const dims: Dims = [30, 20, 3];
    const inside = (i: number, j: number) => i >= 3 && i <= 26 && j >= 3 && j <= 16;
    // A box-shaped body with a dark notch cut in from its right side (a void at the skin), and a bright speck in the air.
    const notch = (i: number, j: number) => i >= 20 && Math.abs(j - 9) <= 2;
    const data = new Float32Array(dims[0] * dims[1] * dims[2]);
    for (let k = 0, v = 0; k < dims[2]; k++)
      for (let j = 0; j < dims[1]; j++)
        for (let i = 0; i < dims[0]; i++, v++)
          data[v] = inside(i, j) && !notch(i, j) ? 500 : i === 1 && j === 1 ? 500 : 10;
    const body = bodyMask(data, dims, 100, 2);
    for (let k = 0, v = 0; k < dims[2]; k++)
      for (let j = 0; j < dims[1]; j++)
        for (let i = 0; i < dims[0]; i++, v++) expect(body[v], `${i},${j},${k}`).toBe(inside(i, j) ? 1 : 0);
    // Axial slices are those across the axis closest to world z, whatever its place in the grid.
    expect(axialAxis(grid([1, 1, 3]))).toBe(2);
    expect(axialAxis(Float64Array.from([0, 0, 1, 0, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 1]))).toBe(1);
  });
});

describe("segmentIceball", () => {
  const { image, truth, shaft, centre } = icePhantom();
  it("grows the void from one seed, cuts the shaft at the surface, fills the noise holes", () => {
    const { mask, report } = segmentIceball(image, [centre]);
    expect(diceCoefficient(mask, truth)).toBeGreaterThan(0.97);
    // The shaft is cut at the surface: no kept voxel farther than one voxel (1.2 mm) from the ball.
    const { dims, spacing } = icePhantom();
    const near = maskOf(
      dims,
      spacing,
      (x, y, z) => Math.hypot(x - centre[0], y - centre[1], z - centre[2]) <= 15 + 1.2,
    );
    let shaftBeyond = 0;
    let shaftOutside = 0;
    for (let v = 0; v < mask.length; v++) {
      if (mask[v] && shaft[v] && !near[v]) shaftBeyond++;
      if (shaft[v] && !truth[v]) shaftOutside++;
    }
    expect(shaftOutside).toBeGreaterThan(50);
    expect(shaftBeyond).toBe(0);
    expect(report.voxelsCut).toBeGreaterThan(0);
    expect(report.warnings).toEqual([]);
    expect(report.threshold).toBeGreaterThan(15);
    expect(report.threshold).toBeLessThan(500);
    expect(report.volumeMl).toBeCloseTo(((4 / 3) * Math.PI * 15 ** 3) / 1000, 0);
  });
  it("with partial volume, puts the surface at the half-way point against each tissue", () => {
    // A 15 mm void (15) in tissue (500) with fat (800) beyond x = 38 mm, each voxel the mean over its
    // volume: the voxels on the surface mix void and tissue, up to two deep where it runs oblique to the
    // 3 mm slices. A voxel holds at least half void iff it reads at most half-way to the tissue beside it.
    const dims: Dims = [52, 52, 22];
    const spacing: Vec3 = [1.2, 1.2, 3];
    const inVoid = (x: number, y: number, z: number) => Math.hypot(x - 30, y - 30, z - 33) <= 15;
    const image = partialVolumeScan(dims, spacing, 4, (x, y, z) => (inVoid(x, y, z) ? 15 : x > 38 ? 800 : 500));
    const truth = maskOf(dims, spacing, inVoid);
    const { mask, report } = segmentIceball(image, [[30, 30, 33]]);
    // One layer at a single half-way level (the median tissue) leaves this ball 3.7 % small (Dice 0.979).
    expect(Math.abs(count(mask) / count(truth) - 1)).toBeLessThan(0.03);
    expect(diceCoefficient(mask, truth)).toBeGreaterThan(0.985);
    expect(report.edgeLayers).toBeGreaterThanOrEqual(2);
  });
  it("stops at the body's outline where the void touches the skin and a probe track opens onto the air", () => {
    const dims: Dims = [40, 30, 12];
    const spacing: Vec3 = [1.2, 1.2, 3];
    // Air beyond x = 44 mm (the skin); a 12 mm void reaching to x = 43.5 mm, a 4 mm wide track along +x
    // from it into the air: the void meets the air through the track and across the skin.
    const ball = maskOf(dims, spacing, (x, y, z) => Math.hypot(x - 31.5, y - 18, z - 18) <= 12);
    const air = maskOf(dims, spacing, (x) => x >= 44);
    const track = maskOf(dims, spacing, (x, y, z) => x >= 31.5 && Math.hypot(y - 18, z - 18) <= 2);
    const rng = createRandom(2);
    const data = Float32Array.from(ball, (b, v) =>
      Math.max(0, (b || track[v] ? 15 : air[v] ? 0 : 500) + 18 * standardNormal(rng)),
    );
    const { mask, report } = segmentIceball({ dims, voxelToWorld: grid(spacing), data }, [[31.5, 18, 18]]);
    let inAir = 0;
    for (let v = 0; v < mask.length; v++) if (mask[v] && air[v]) inAir++;
    expect(inAir).toBe(0);
    expect(diceCoefficient(mask, ball)).toBeGreaterThan(0.95);
    expect(report.warnings).toEqual([]);
  });
  it("warns when the void reaches the edge of the scan", () => {
    const dims: Dims = [40, 30, 12];
    const spacing: Vec3 = [1.2, 1.2, 3];
    // A 12 mm void with a 10 mm wide dark channel to the grid's edge, all inside tissue.
    const dark = maskOf(
      dims,
      spacing,
      (x, y, z) => Math.hypot(x - 20, y - 18, z - 18) <= 12 || (x >= 20 && Math.hypot(y - 18, z - 18) <= 10),
    );
    const rng = createRandom(2);
    const data = Float32Array.from(dark, (d) => Math.max(0, (d ? 15 : 500) + 18 * standardNormal(rng)));
    const { report } = segmentIceball({ dims, voxelToWorld: grid(spacing), data }, [[20, 18, 18]]);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/reaches the edge of the scan/);
  });
  it("refuses a seed outside the image, and one in bright tissue naming its intensity and the threshold", () => {
    expect(() => segmentIceball(image, [[-50, 10, 10]])).toThrow(/outside the image/);
    let message = "";
    try {
      segmentIceball(image, [[8, 8, 30]]);
    } catch (error) {
      expect(error).toBeInstanceOf(SegmentationInputError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/not in a dark region: its intensity is \d+ .* above the threshold \d+/);
    expect(voxelSpacingMm(image.voxelToWorld)).toEqual([1.2, 1.2, 3]);
  });
});
