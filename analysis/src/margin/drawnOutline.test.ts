/**
 * The outline test (drawnOutline.ts) on two masks of one tumor shape on 0.8 × 0.8 × 4 mm voxels: the
 * shape rasterised as one smooth surface, and the same shape drawn slice by slice (each slice's
 * outline a smooth curve, shifted by up to ±1 mm, scaled by up to ±6 % and its two lobes turned at
 * random, independently per slice, as outlines drawn on each slice of a scan are). In-plane both are
 * smooth curves; only the drawn one's outlines fail to follow one surface from slice to slice.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { LIMIT_MARGIN, outlineMisfitLimit, SMOOTH_OUTLINE_MISFIT_MAX } from "./drawnOutline.js";
import { checkMarginsJson, marginsJson } from "./json.js";
import { measureMargins } from "./measure.js";
import { emptyMask, gridAffine, rasterizeEllipsoid, rasterizeSolid, sphere } from "./phantoms.js";
import type { MarginResult, MaskVolume, Mat4 } from "./types.js";

const IDENTITY: Mat4 = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
const AXES = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
const SLICE_MM = 4;
const IN_PLANE_MM = 0.8;
const RADIUS_MM = 15;

/**
 * A 30 mm tumor: on slice z its outline is the curve |(x − dx, 1.2(y − dy))| ≤ r(z)·s·(1 + 0.08 cos(2θ + φ)),
 * r(z) = √(R² − z²). Smooth: dx = dy = φ = 0, s = 1 on every slice. Drawn: dx, dy uniform in ±1 mm,
 * s in 1 ± 0.06 and φ in [0, 2π), drawn anew for each slice.
 */
function tumorMask(drawnBySlice: boolean, seed: number): MaskVolume {
  const random = createRandom(seed);
  const n = Math.ceil(40 / IN_PLANE_MM);
  const nz = Math.ceil(36 / SLICE_MM) + 2;
  const z0 = (-(nz - 1) * SLICE_MM) / 2;
  const tumor = emptyMask([n, n, nz], gridAffine([IN_PLANE_MM, IN_PLANE_MM, SLICE_MM], AXES, [-20, -20, z0]));
  const jitter = drawnBySlice ? 1 : 0;
  for (let k = 0; k < nz; k++) {
    const z = z0 + k * SLICE_MM;
    const dx = jitter * (2 * random.next() - 1);
    const dy = jitter * (2 * random.next() - 1);
    const scale = 1 + 0.06 * jitter * (2 * random.next() - 1);
    const phase = jitter * 2 * Math.PI * random.next();
    if (Math.abs(z) >= RADIUS_MM) continue;
    const r = Math.sqrt(RADIUS_MM * RADIUS_MM - z * z) * scale;
    rasterizeSolid(
      tumor,
      [0, 0, z],
      [RADIUS_MM + 3, RADIUS_MM + 3, SLICE_MM / 2],
      (x, y, zz) =>
        Math.abs(zz - z) < 1e-6 &&
        Math.hypot(x - dx, 1.2 * (y - dy)) <= r * (1 + 0.08 * Math.cos(2 * Math.atan2(y - dy, x - dx) + phase)),
    );
  }
  return tumor;
}

function iceBall(): MaskVolume {
  const ice = emptyMask([50, 50, 24], gridAffine([1.2, 1.2, 3], AXES, [-29, -29, -34]));
  rasterizeEllipsoid(ice, sphere([3, 2, 1], 22));
  return ice;
}

describe("tumor outline test: smooth rasterisation vs outlines drawn slice by slice", () => {
  const ice = iceBall();
  const smooth = tumorMask(false, 18);
  const drawn = tumorMask(true, 18);
  const limit = outlineMisfitLimit(SLICE_MM);
  let drawnAuto: MarginResult;

  it("the limit is the smooth masks' envelope × the margin, linear between nodes", () => {
    expect(outlineMisfitLimit(4)).toBeCloseTo(LIMIT_MARGIN * SMOOTH_OUTLINE_MISFIT_MAX[3], 12);
    expect(outlineMisfitLimit(4.5)).toBeCloseTo(
      LIMIT_MARGIN * 0.5 * (SMOOTH_OUTLINE_MISFIT_MAX[3] + SMOOTH_OUTLINE_MISFIT_MAX[4]),
      12,
    );
    expect(outlineMisfitLimit(0.5)).toBe(outlineMisfitLimit(1));
    expect(outlineMisfitLimit(9)).toBe(outlineMisfitLimit(6));
    for (let n = 1; n < SMOOTH_OUTLINE_MISFIT_MAX.length; n++)
      expect(SMOOTH_OUTLINE_MISFIT_MAX[n]).toBeGreaterThanOrEqual(SMOOTH_OUTLINE_MISFIT_MAX[n - 1]);
  });

  it("the smooth rasterisation stays below the limit and is read fitted", () => {
    const r = measureMargins(smooth, ice, IDENTITY);
    const outline = r.tumorOutline;
    expect(outline?.mode).toBe("auto");
    expect(outline?.limit).toBeCloseTo(limit, 12);
    // Measured: 0.84 (limit 1.90).
    expect(outline?.misfit).toBeLessThan(0.6 * limit);
    expect(outline?.asDrawn).toBe(false);
    // The fitted surface lies outside the iso-surface's midpoints on the through-slice edges: read higher.
    expect(r.mtmMm).toBeGreaterThan(r.mtmAsDrawnMm + 0.3);
    expect(r.warnings.some((w) => w.startsWith("the tumor outline looks drawn"))).toBe(false);
    // Told to read it as drawn, every statistic is the mask's as drawn.
    const asDrawn = measureMargins(smooth, ice, IDENTITY, { tumorOutline: "drawn" });
    expect(asDrawn.tumorOutline?.asDrawn).toBe(true);
    expect(asDrawn.mtmMm).toBe(r.mtmAsDrawnMm);
  });

  it("the slice-by-slice drawing exceeds the limit, is read as drawn, and says so", () => {
    drawnAuto = measureMargins(drawn, ice, IDENTITY);
    const outline = drawnAuto.tumorOutline;
    // Measured: 4.25 (limit 1.90).
    expect(outline?.misfit).toBeGreaterThan(1.5 * limit);
    expect(outline?.asDrawn).toBe(true);
    // Read as drawn: the MTM is the minimum over the boundary-edge midpoints, bit for bit.
    expect(drawnAuto.mtmMm).toBe(drawnAuto.mtmAsDrawnMm);
    const warning = drawnAuto.warnings.find((w) => w.startsWith("the tumor outline looks drawn slice by slice"));
    expect(warning).toContain(`outline misfit ${outline?.misfit.toFixed(2)}`);
    expect(warning).toContain("measured on the outline as drawn");
    const json = marginsJson(drawnAuto, drawnAuto.warnings);
    expect(json.tumor_outline).toEqual({
      mode: "auto",
      misfit: Math.round((outline?.misfit ?? Number.NaN) * 100) / 100,
      limit: Math.round(limit * 100) / 100,
      reading: "as drawn",
    });
    expect("json" in checkMarginsJson(JSON.parse(JSON.stringify(json)))).toBe(true);
    const bad = { ...JSON.parse(JSON.stringify(json)), tumor_outline: { ...json.tumor_outline, reading: "drawn" } };
    expect(checkMarginsJson(bad)).toEqual({
      problem: 'tumor_outline.reading: a string, expected "fitted" or "as drawn"',
    });
  });

  it("told the outline is smooth, the same mask is fitted, reads higher, and the warning names the as-drawn MTM", () => {
    const fitted = measureMargins(drawn, ice, IDENTITY, { tumorOutline: "smooth" });
    expect(fitted.tumorOutline?.asDrawn).toBe(false);
    expect(fitted.tumorOutline?.misfit).toBe(drawnAuto.tumorOutline?.misfit);
    expect(fitted.mtmAsDrawnMm).toBe(drawnAuto.mtmAsDrawnMm);
    expect(fitted.mtmMm).toBeGreaterThan(drawnAuto.mtmMm + 0.2);
    expect(fitted.warnings.some((w) => w.includes("read as smooth, as asked") && w.includes("mtm_as_drawn_mm"))).toBe(
      true,
    );
  });
});
