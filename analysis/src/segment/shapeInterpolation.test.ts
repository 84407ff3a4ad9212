/**
 * Shape-based interpolation on shapes whose in-between is known: a cone between two discs (the radius
 * blends linearly), the same along every axis, and the whole browser pipeline (outlines on three axial
 * slices and one sagittal → interpolation → border refinement) on a noisy lobulated phantom against
 * its true mask (the bars: Dice ≥ 0.90, HD95 ≤ 2 voxel diagonals).
 */
import { describe, expect, it } from "vitest";
import type { Mat4, Vec3 } from "../margin/types.js";
import { createRandom } from "../stats/random.js";
import { standardNormal } from "../synth/sampling.js";
import { diceCoefficient, hausdorff95Mm } from "./overlap.js";
import { interpolateShapeBased } from "./shapeInterpolation.js";
import { simulatedScribbles } from "./simulated.js";
import { finishTumorSegmentation, planTumorInterpolation } from "./tumor.js";

type Dims = [number, number, number];

function maskOf(dims: Dims, inside: (i: number, j: number, k: number) => boolean): Uint8Array {
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, v++) out[v] = inside(i, j, k) ? 1 : 0;
  return out;
}

describe("interpolateShapeBased", () => {
  const dims: Dims = [30, 30, 9];
  const spacing: Vec3 = [1, 1, 1];
  // Discs about (15, 15): radius 4 on slice 0, 8 on slice 8.
  const labels = maskOf(dims, (i, j, k) => {
    const r = Math.hypot(i - 15, j - 15);
    return (k === 0 && r <= 4) || (k === 8 && r <= 8);
  });

  it("blends the radius linearly between two outlined slices and keeps the outlined slices as drawn", () => {
    const out = interpolateShapeBased(labels, dims, spacing, 2);
    for (let k = 0; k <= 8; k++) {
      // Along the row through the centre, the last voxel inside lies at the blended radius (± 1 voxel).
      let reach = 0;
      for (let i = 15; i < 30; i++) if (out[i + 30 * (15 + 30 * k)]) reach = i - 15;
      expect(Math.abs(reach - (4 + (4 * k) / 8))).toBeLessThanOrEqual(1);
    }
    for (const k of [0, 8]) for (let v = k * 900; v < (k + 1) * 900; v++) expect(out[v]).toBe(labels[v]);
  });

  it("gives the same shape along any axis (the volume's axes permuted)", () => {
    const along2 = interpolateShapeBased(labels, dims, spacing, 2);
    // The same volume with (i, j, k) → (k, i, j): the slices now run along axis 0.
    const permutedDims: Dims = [9, 30, 30];
    const permuted = maskOf(permutedDims, (a, b, c) => labels[b + 30 * (c + 30 * a)] === 1);
    const along0 = interpolateShapeBased(permuted, permutedDims, spacing, 0);
    for (let k = 0, v = 0; k < 9; k++)
      for (let j = 0; j < 30; j++)
        for (let i = 0; i < 30; i++, v++) expect(along0[k + 9 * (i + 30 * j)]).toBe(along2[v]);
  });

  it("leaves a volume with one outlined slice as drawn", () => {
    const one = maskOf(dims, (i, j, k) => k === 3 && Math.hypot(i - 15, j - 15) <= 5);
    expect([...interpolateShapeBased(one, dims, spacing, 2)]).toEqual([...one]);
  });
});

describe("the workstation's tumor pipeline (shape-based interpolation + border refinement)", () => {
  it("recovers a noisy lobulated tumor from three axial outlines and one sagittal: Dice ≥ 0.90, HD95 ≤ 2 voxel diagonals", () => {
    const dims: Dims = [56, 56, 24];
    const spacing: Vec3 = [1.2, 1.2, 3];
    const voxelToWorld = new Float64Array([1.2, 0, 0, -30, 0, 1.2, 0, 10, 0, 0, 3, -20, 0, 0, 0, 1]) as Mat4;
    // Union of two ellipsoids (mm about the grid's voxel (0, 0, 0)).
    const inEllipsoid = (p: number[], c: number[], r: number[]) =>
      ((p[0] - c[0]) / r[0]) ** 2 + ((p[1] - c[1]) / r[1]) ** 2 + ((p[2] - c[2]) / r[2]) ** 2 <= 1;
    const truth = maskOf(dims, (i, j, k) => {
      const p = [i * 1.2, j * 1.2, k * 3];
      return inEllipsoid(p, [32, 33, 36], [14, 11, 15]) || inEllipsoid(p, [42, 28, 30], [9, 8, 12]);
    });
    const rng = createRandom(5);
    const data = new Float32Array(truth.length);
    for (let v = 0; v < truth.length; v++) data[v] = (truth[v] ? 320 : 560) + 30 * standardNormal(rng);
    const image = { dims, voxelToWorld, data };
    const { scribbles } = simulatedScribbles({ dims, voxelToWorld, data: truth });
    const plan = planTumorInterpolation(image, { dims, voxelToWorld, data: scribbles });
    expect(plan.jobs.map((j) => j.axis)).toEqual([2]);
    const interpolations = plan.jobs.map((j) => interpolateShapeBased(j.labels, dims, spacing, j.axis));
    const { mask } = finishTumorSegmentation(image, plan, interpolations);
    const dice = diceCoefficient(mask, truth);
    const hd95 = hausdorff95Mm(mask, truth, dims, spacing);
    expect(dice).toBeGreaterThanOrEqual(0.9);
    expect(hd95).toBeLessThanOrEqual(2 * Math.hypot(...spacing));
    for (let v = 0; v < scribbles.length; v++) if (scribbles[v]) expect(mask[v]).toBe(1);
  });
});
