/**
 * thickSliceMask against an independent reading of the thin mask in world space: the thick voxel
 * centres mapped back through the thin grid's inverse affine (centre rule, geometry), and the slab's
 * filled fraction by a 500-point midpoint sum along the slice axis (slab rule).
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { applyAffine, invertAffine, voxelSpacingMm } from "./affine.js";
import { emptyMask, gridAffine, randomRotation, rasterizeEllipsoid } from "./phantoms.js";
import { thickSliceMask } from "./thickSlices.js";
import type { MaskVolume, Vec3 } from "./types.js";

/** An ellipsoid (semi-axes 9, 7, 6 mm) on an oblique thin grid whose slices run along `sliceAxis`. */
function thinCase(sliceAxis: 0 | 2, seed: number): MaskVolume {
  const random = createRandom(seed);
  const rnd = () => random.next();
  const spacing: Vec3 = [0.8, 0.8, 0.8];
  spacing[sliceAxis] = sliceAxis === 0 ? 1 : 0.5;
  const dims = spacing.map((s) => Math.ceil(26 / s)) as [number, number, number];
  const origin: Vec3 = [rnd() * 4 - 15, rnd() * 4 - 15, rnd() * 4 - 15];
  const mask = emptyMask(dims, gridAffine(spacing, randomRotation(rnd), origin));
  const centre = applyAffine(mask.voxelToWorld, [dims[0] / 2, dims[1] / 2, dims[2] / 2]);
  rasterizeEllipsoid(mask, { centre, semiAxesMm: [9, 7, 6], rotation: randomRotation(rnd) });
  return mask;
}

const at = (m: MaskVolume, v: number[]) => m.data[v[0] + m.dims[0] * (v[1] + m.dims[1] * v[2])];

describe("thickSliceMask", () => {
  for (const [sliceAxis, thicknessMm, seed] of [
    [2, 2.5, 1],
    [2, 3, 2],
    [0, 2.5, 3],
    [0, 5, 4],
  ] as const) {
    it(`slices along axis ${sliceAxis}, ${thicknessMm} mm: geometry, centre rule and slab rule`, () => {
      const thin = thinCase(sliceAxis, seed);
      const thinMm = voxelSpacingMm(thin.voxelToWorld)[sliceAxis];
      const phaseMm = createRandom(seed + 10).next() * thicknessMm;
      const centre = thickSliceMask(thin, { sliceAxis, thicknessMm, phaseMm, rule: "centre" });
      const slab = thickSliceMask(thin, { sliceAxis, thicknessMm, phaseMm, rule: "slab" });
      expect(slab.dims).toEqual(centre.dims);
      expect(Array.from(slab.voxelToWorld)).toEqual(Array.from(centre.voxelToWorld));
      const spacing = voxelSpacingMm(centre.voxelToWorld);
      expect(spacing[sliceAxis]).toBeCloseTo(thicknessMm, 12);
      // Slab k starts phaseMm + 2 slabs before the thin grid's first voxel edge.
      const toThin = invertAffine(thin.voxelToWorld, "tumor");
      const corner = [0, 0, 0];
      const c0 = applyAffine(toThin, applyAffine(centre.voxelToWorld, corner as Vec3));
      expect(c0[sliceAxis]).toBeCloseTo(-0.5 - (phaseMm + 1.5 * thicknessMm) / thinMm, 9);
      for (let a = 0; a < 3; a++) if (a !== sliceAxis) expect(c0[a]).toBeCloseTo(0, 9);
      expect(centre.dims[sliceAxis] * thicknessMm).toBeGreaterThanOrEqual(
        thin.dims[sliceAxis] * thinMm + 4 * thicknessMm,
      );

      let centreMismatches = 0;
      let slabMismatches = 0;
      let checked = 0;
      let inside = 0;
      const samples = 500;
      const [nx, ny, nz] = centre.dims;
      for (let k = 0; k < nz; k++)
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) {
            const q = applyAffine(toThin, applyAffine(centre.voxelToWorld, [i, j, k]));
            const v = q.map((x) => Math.round(x));
            const inGrid = v.every((x, a) => x >= 0 && x < thin.dims[a]);
            if (at(centre, [i, j, k]) !== (inGrid ? at(thin, v) : 0)) centreMismatches++;
            // Filled fraction of the slab [q − r/2, q + r/2] along the slice axis, by midpoints.
            const r = thicknessMm / thinMm;
            let filled = 0;
            for (let s = 0; s < samples; s++) {
              const w = Math.round(q[sliceAxis] - r / 2 + ((s + 0.5) * r) / samples);
              const u = [...v];
              u[sliceAxis] = w;
              if (w >= 0 && w < thin.dims[sliceAxis] && at(thin, u)) filled++;
            }
            const fraction = filled / samples;
            // Each inside/outside change within the slab moves the sum by at most 1 / samples.
            if (Math.abs(fraction - 0.5) > 4 / samples) {
              if (at(slab, [i, j, k]) !== (fraction > 0.5 ? 1 : 0)) slabMismatches++;
              checked++;
              inside += fraction > 0.5 ? 1 : 0;
            }
          }
      expect(centreMismatches).toBe(0);
      expect(slabMismatches).toBe(0);
      expect(inside).toBeGreaterThan(50);
      expect(checked).toBeGreaterThan(0.99 * nx * ny * nz);
    });
  }
});
