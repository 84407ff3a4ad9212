/**
 * An octant that holds no tumor voxel: the surface reconstruction still puts samples there (the
 * neighbouring voxels' edges), but the octant has no tumor, so it has no margin — min_margin_mm and the
 * fractions are null (NaN in the engine), never a number read off another octant's edge.
 */
import { describe, expect, it } from "vitest";
import { identityMat4 } from "./affine.js";
import { marginsJson } from "./json.js";
import { measureMargins } from "./measure.js";
import { emptyMask, gridAffine, rasterizeEllipsoid, sphere } from "./phantoms.js";

const AXIAL = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

describe("an octant without tumor voxels", () => {
  it("has min_margin_mm and fractions null; the others are measured", () => {
    // A one-slice disc: every voxel centre lies on the centroid's axial plane, so all are superior
    // (ties go to superior) and the four inferior octants hold no voxel.
    const tumor = emptyMask([21, 21, 5], gridAffine([1, 1, 3], AXIAL, [-10, -10, -6]));
    for (let j = 0; j < 21; j++)
      for (let i = 0; i < 21; i++) if ((i - 10) ** 2 + (j - 10) ** 2 <= 36) tumor.data[i + 21 * (j + 21 * 2)] = 1;
    const ice = emptyMask([41, 41, 17], gridAffine([1, 1, 3], AXIAL, [-20, -20, -24]));
    rasterizeEllipsoid(ice, sphere([30, 0, 0], 34)); // covers the right side of the disc only
    const r = measureMargins(tumor, ice, identityMat4());
    const json = marginsJson(r, []);
    const inferior = json.octants.filter((o) => o.name.endsWith("inferior"));
    const superior = json.octants.filter((o) => o.name.endsWith("superior"));
    expect(inferior.map((o) => o.tumor_volume_ml)).toEqual([0, 0, 0, 0]);
    for (const o of inferior)
      expect([o.min_margin_mm, o.fraction_green, o.fraction_yellow, o.fraction_red]).toEqual([null, null, null, null]);
    for (const o of superior) {
      expect(o.tumor_volume_ml).toBeGreaterThan(0);
      expect(o.min_margin_mm).not.toBeNull();
    }
    // the MTM is the smallest of the measured octants' minima
    expect(Math.min(...superior.map((o) => o.min_margin_mm as number))).toBeCloseTo(json.mtm_mm, 2);
  });
});
