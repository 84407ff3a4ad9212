/**
 * The mask range (maskRange.ts) is a function of the two masks and the transform: reading the tumor's
 * surface samples in another order gives the same [lo, hi], bit for bit. Reading each voxel centre once
 * at the position the first edge ending there computes, against extreme ice surfaces with a sample per
 * edge (several at one voxel centre, with different normals), moves lo or hi by up to 0.04 mm on the
 * 1.2 × 1.2 × 3.0 mm phantoms when the samples are reversed (case 4 of these five: 0.006 mm).
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { maskBounds } from "./maskBounds.js";
import { mtmMaskRangeMm } from "./maskRange.js";
import { measureMargins, reconstructSurface } from "./measure.js";
import { generatePhantomCases } from "./phantoms.js";
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
