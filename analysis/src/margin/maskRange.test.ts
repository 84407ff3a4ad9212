/**
 * The mask range (maskRange.ts) is a function of the two masks and the transform: reading the tumor's
 * surface samples in another order gives the same [lo, hi], bit for bit. Reading each voxel centre once
 * at the position the first edge ending there computes, against extreme ice surfaces with a sample per
 * edge (several at one voxel centre, with different normals), moves lo or hi by up to 0.04 mm on the
 * 1.2 × 1.2 × 3.0 mm phantoms when the samples are reversed (case 4 of these five: 0.006 mm).
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { applyAffine } from "./affine.js";
import { placeIceBall } from "./irregularPhantoms.js";
import { marchingCubes } from "./marchingCubes.js";
import { maskBounds } from "./maskBounds.js";
import { mtmMaskRangeMm } from "./maskRange.js";
import { measureMargins, reconstructSurface } from "./measure.js";
import { ellipsoidSignedDistance, generatePhantomCases, rigidTransform } from "./phantoms.js";
import type { SurfaceSamples } from "./surface.js";
import type { MaskVolume, Mat4 } from "./types.js";

/** The samples with every per-sample array (k values per sample) permuted alike: sample t of the result is `order[t]`. */
function permuted(samples: SurfaceSamples, order: Int32Array): SurfaceSamples {
  const out: Record<string, unknown> = { ...samples };
  for (const [key, value] of Object.entries(samples)) {
    if (!ArrayBuffer.isView(value) || key === "voxelToWorld") continue;
    const array = value as unknown as Float64Array;
    const k = array.length / samples.count;
    if (!Number.isInteger(k)) continue;
    const copy = new (array.constructor as Float64ArrayConstructor)(array.length);
    for (let t = 0; t < order.length; t++) for (let c = 0; c < k; c++) copy[k * t + c] = array[k * order[t] + c];
    out[key] = copy;
  }
  return out as unknown as SurfaceSamples;
}

/** The range from `measureMargins`, then recomputed with the tumor samples reversed and in a random order. */
function rangesInOrders(tumor: MaskVolume, iceball: MaskVolume, preToPost: Mat4) {
  const measured = measureMargins(tumor, iceball, preToPost, { surfaceMargins: true });
  const { samples, marginsMm } = measured.tumorSurface!;
  const ice = reconstructSurface(iceball, maskBounds(iceball)).samples;
  const random = createRandom(18);
  const shuffled = Int32Array.from({ length: samples.count }, (_, t) => t);
  for (let t = shuffled.length - 1; t > 0; t--) {
    const u = random.int(t + 1);
    [shuffled[t], shuffled[u]] = [shuffled[u], shuffled[t]];
  }
  const orders = [shuffled.map((_, t) => samples.count - 1 - t), shuffled];
  const ranges = orders.map((order) => {
    const margins = Float64Array.from(order, (s) => marginsMm[s]);
    return mtmMaskRangeMm(permuted(samples, order), margins, measured.mtmMm, iceball, ice, preToPost);
  });
  return { measured: measured.mtmMaskRangeMm, ranges };
}

describe("mtmMaskRangeMm does not depend on the order of the samples", () => {
  it("oblique phantoms on their own grids (five cases, 1.2 × 1.2 × 3.0 mm)", () => {
    const cases = generatePhantomCases({
      seed: 2023,
      count: 5,
      tumorSpacingMm: [1.2, 1.2, 3],
      iceSpacingMm: [1.2, 1.2, 3],
      shapes: "ellipsoids",
    });
    for (const c of cases) {
      const { measured, ranges } = rangesInOrders(c.tumor, c.iceball, c.preToPost);
      for (const range of ranges) expect(range).toEqual(measured);
    }
  });
});

/**
 * A tumor on 0.7 × 0.7 × 2.5 mm slices: a disc two slices thick (radius 2–4 mm) under a brim one slice
 * thick (radius 3–7 mm), with an ellipsoid ice ball placed about it on an oblique 1.2 × 1.2 × 3.0 mm
 * grid covering it (placeIceBall, as the real-shapes bench places it; seed 1632). The engine's minimum
 * rests on a brim voxel, read at its centre through its edges; its reading is the highest the voxel
 * allows on that side, close to hi. The ice voxel centre nearest to it ends several samples' edges: a
 * range reading one of their surfels there rather than the highest puts hi 0.017 mm below the MTM.
 */
function brimCase(seed: number) {
  const random = createRandom(seed);
  const rnd = () => random.next();
  const spacingMm = [0.7, 0.7, 2.5];
  const dims: [number, number, number] = [24, 24, 9];
  const voxelToWorld: Mat4 = new Float64Array([0.7, 0, 0, 0, 0, 0.7, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 1]);
  const data = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const brimRadiusMm = 3 + 4 * rnd();
  const discRadiusMm = 2 + 2 * rnd();
  const ci = 11.5 + rnd();
  const cj = 11.5 + rnd();
  const brimSlice = 4;
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        const rMm = Math.hypot((i - ci) * spacingMm[0], (j - cj) * spacingMm[1]);
        const inside =
          (k === brimSlice && rMm <= brimRadiusMm) || (k >= brimSlice - 2 && k < brimSlice && rMm <= discRadiusMm);
        if (inside) data[i + dims[0] * (j + dims[1] * k)] = 1;
      }
  const tumor: MaskVolume = { dims, voxelToWorld, data };
  const preToPost = rigidTransform(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0]);
  const mesh = marchingCubes(tumor, maskBounds(tumor));
  const p = mesh.positionsMm;
  const { iceball } = placeIceBall({
    tumorCentre: applyAffine(voxelToWorld, [ci, cj, brimSlice]),
    reachMm: brimRadiusMm + 2,
    gridReachMm: brimRadiusMm + 2,
    preToPost,
    scenario: "covered",
    marginMm: (e) => {
      let m = Number.POSITIVE_INFINITY;
      for (let s = 0; s < mesh.vertexCount; s++)
        m = Math.min(m, ellipsoidSignedDistance(e, [p[3 * s], p[3 * s + 1], p[3 * s + 2]]));
      return m;
    },
    iceSpacingMm: [1.2, 1.2, 3],
    rnd,
  });
  return { tumor, iceball, preToPost };
}

describe("the engine's MTM lies inside the range the masks allow", () => {
  it("minimum on a tumor part one slice thick, read at its voxel centre", () => {
    const { tumor, iceball, preToPost } = brimCase(1632);
    // The fitted reading is the one under test (a brim one slice thick over a disc follows no smooth
    // surface, so the outline test would read this mask as drawn).
    const measured = measureMargins(tumor, iceball, preToPost, { surfaceMargins: true, tumorOutline: "smooth" });
    expect(measured.tumorOutline?.asDrawn).toBe(false);
    const { samples, marginsMm } = measured.tumorSurface!;
    // The minimum's tumor voxel is one slice thick: no tumor voxel above or below it.
    const s = marginsMm.indexOf(measured.mtmMm);
    const [i, j, k] = samples.edgeVoxels.slice(6 * s, 6 * s + 3);
    const at = (kk: number) => tumor.data[i + tumor.dims[0] * (j + tumor.dims[1] * kk)];
    expect([at(k - 1), at(k), at(k + 1)]).toEqual([0, 1, 0]);
    const [lo, hi] = measured.mtmMaskRangeMm;
    expect(measured.mtmMm).toBeGreaterThanOrEqual(lo);
    expect(measured.mtmMm).toBeLessThanOrEqual(hi);
  });
});
