/**
 * tumorMarginMesh: the mesh's vertices are the engine's refined tumor surface samples, its vertex
 * margins are the engine's signed distance there (re-evaluated independently, to 0.05 mm), the smallest
 * is the MTM at the engine's minimum point, and the class fractions by area are printed beside the
 * engine's by volume. Display smoothing moves positions only.
 */
import { describe, expect, it } from "vitest";
import { applyAffine, voxelSpacingMm } from "./affine.js";
import { enclosedVolumeMm3, marchingCubes } from "./marchingCubes.js";
import { maskBounds } from "./maskBounds.js";
import { measureMargins, reconstructSurface } from "./measure.js";
import {
  type Ellipsoid,
  ellipsoidSignedDistance,
  emptyMask,
  gridAffine,
  quaternionToMatrix,
  rasterizeEllipsoid,
  rigidTransform,
} from "./phantoms.js";
import { signedDistance, signedDistanceField } from "./signedDistance.js";
import {
  coverageFractionsByArea,
  minimumMarginVertex,
  smoothForDisplay,
  tumorMarginMesh,
  vertexAreasMm2,
} from "./surfaceMesh.js";
import type { MaskVolume, Mat4, Vec3 } from "./types.js";

const AXIAL = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** A 1.2 × 1.2 × 3.0 mm grid (rotated by `rotation`) of half-width `halfMm` about `centre`, with `shape` in it. */
function maskOf(shape: Ellipsoid, centre: Vec3, halfMm: number, rotation: Float64Array = AXIAL): MaskVolume {
  const spacing: Vec3 = [1.2, 1.2, 3];
  const dims = spacing.map((s) => Math.ceil((2 * halfMm) / s)) as [number, number, number];
  const affine = gridAffine(spacing, rotation, [0, 0, 0]);
  // Shift so the grid's centre (plus a fraction of a voxel) lands on `centre`.
  const mid = applyAffine(affine, [(dims[0] - 1) / 2 - 0.31, (dims[1] - 1) / 2 + 0.17, (dims[2] - 1) / 2 - 0.23]);
  for (let r = 0; r < 3; r++) affine[4 * r + 3] = centre[r] - mid[r];
  const mask = emptyMask(dims, affine);
  rasterizeEllipsoid(mask, shape);
  return mask;
}

interface Case {
  name: string;
  tumor: MaskVolume;
  iceball: MaskVolume;
  preToPost: Mat4;
  /** The ice ball in post-ablation world mm. */
  ice: Ellipsoid;
}

function cases(): Case[] {
  const tumorShape: Ellipsoid = {
    centre: [2, -3, 1],
    semiAxesMm: [13, 10, 8],
    rotation: quaternionToMatrix(0.95, 0.1, 0.2, -0.15),
  };
  const T = rigidTransform(quaternionToMatrix(0.99, 0.05, -0.04, 0.08), [4, -2, 3]);
  const tumorPost = applyAffine(T, tumorShape.centre);
  const out: Case[] = [];
  // Covered with margin to spare on one side only; and partly uncovered (the ice ball shifted).
  for (const [name, shift, semi] of [
    ["tight, covered", [3, 1, -2], [21, 18, 17]],
    ["partly uncovered", [9, -4, 3], [18, 16, 15]],
  ] as const) {
    const ice: Ellipsoid = {
      centre: [tumorPost[0] + shift[0], tumorPost[1] + shift[1], tumorPost[2] + shift[2]],
      semiAxesMm: [...semi] as Vec3,
      rotation: quaternionToMatrix(0.9, -0.2, 0.3, 0.1),
    };
    out.push({
      name,
      tumor: maskOf(tumorShape, tumorShape.centre, 24),
      iceball: maskOf(ice, ice.centre, 34, quaternionToMatrix(0.97, 0.1, 0.1, -0.2)),
      preToPost: T,
      ice,
    });
  }
  return out;
}

describe("tumorMarginMesh", () => {
  for (const c of cases()) {
    it(`${c.name}: vertices are the engine's samples, vertex margins its signed distance (≤ 0.05 mm)`, () => {
      const result = measureMargins(c.tumor, c.iceball, c.preToPost, { surfaceMargins: true });
      const surface = result.tumorSurface;
      if (!surface) throw new Error("measureMargins returned no tumor surface");
      const mesh = tumorMarginMesh(c.tumor, surface);
      expect(mesh.vertexCount).toBe(surface.samples.count);

      // Each vertex on its boundary edge: within half a voxel of the edge's midpoint, along the edge.
      const spacing = voxelSpacingMm(c.tumor.voxelToWorld);
      const midpoints = marchingCubes(c.tumor, maskBounds(c.tumor));
      for (let v = 0; v < mesh.vertexCount; v++) {
        const a = midpoints.axis[v];
        const d = [0, 1, 2].map((r) => mesh.positionsMm[3 * v + r] - midpoints.positionsMm[3 * v + r]);
        const along =
          (d[0] * c.tumor.voxelToWorld[a] + d[1] * c.tumor.voxelToWorld[4 + a] + d[2] * c.tumor.voxelToWorld[8 + a]) /
          spacing[a];
        expect(Math.abs(along)).toBeLessThanOrEqual(spacing[a] / 2 + 1e-9);
        expect(Math.hypot(d[0], d[1], d[2])).toBeCloseTo(Math.abs(along), 9);
      }
      expect(Math.abs(enclosedVolumeMm3(mesh.positionsMm, mesh.triangles) / 1000 - result.tumorVolumeMl)).toBeLessThan(
        0.03 * result.tumorVolumeMl,
      );

      // The engine's signed distance, re-evaluated from scratch at every vertex mapped through T.
      const ice = reconstructSurface(c.iceball, maskBounds(c.iceball));
      const field = signedDistanceField(c.iceball, ice.samples, ice.tree);
      let worstEngine = 0;
      let sumExact = 0;
      let worstExact = 0;
      for (let v = 0; v < mesh.vertexCount; v++) {
        const q = applyAffine(c.preToPost, [
          mesh.positionsMm[3 * v],
          mesh.positionsMm[3 * v + 1],
          mesh.positionsMm[3 * v + 2],
        ]);
        const engine = signedDistance(field, q[0], q[1], q[2]);
        worstEngine = Math.max(worstEngine, Math.abs(engine - mesh.marginsMm[v]));
        const exact = ellipsoidSignedDistance(c.ice, q);
        sumExact += Math.abs(exact - mesh.marginsMm[v]);
        worstExact = Math.max(worstExact, Math.abs(exact - mesh.marginsMm[v]));
      }
      expect(worstEngine).toBeLessThanOrEqual(0.05);
      // …and they are margins to this ice ball through this transform (the engine's ice-side accuracy).
      expect(sumExact / mesh.vertexCount).toBeLessThan(0.15);

      // The smallest vertex margin is the MTM, at the engine's minimum point.
      const min = minimumMarginVertex(mesh);
      expect(mesh.marginsMm[min]).toBe(result.mtmMm);
      expect([...mesh.positionsMm.subarray(3 * min, 3 * min + 3)]).toEqual(result.minMarginPointRas);

      const byArea = coverageFractionsByArea(mesh, result.thresholdMm);
      const pct = (f: number) => `${(100 * f).toFixed(1)}%`;
      console.log(
        `${c.name}: ${mesh.vertexCount} vertices, ${mesh.triangleCount} triangles; vertex margin vs engine re-evaluated: max ${worstEngine.toFixed(4)} mm; vs exact ice distance mean ${(sumExact / mesh.vertexCount).toFixed(3)} / max ${worstExact.toFixed(3)} mm\n` +
          `  green/yellow/red by area ${pct(byArea.fractionGreen)} / ${pct(byArea.fractionYellow)} / ${pct(byArea.fractionRed)}; engine by volume ${pct(result.coverage.fractionGreen)} / ${pct(result.coverage.fractionYellow)} / ${pct(result.coverage.fractionRed)}`,
      );
      expect(byArea.fractionGreen + byArea.fractionYellow + byArea.fractionRed).toBeCloseTo(1, 12);
      // The margin is smallest on the boundary: every class below green holds at least its volume share by area.
      expect(byArea.fractionRed).toBeGreaterThanOrEqual(result.coverage.fractionRed);
      expect(byArea.fractionGreen).toBeLessThanOrEqual(result.coverage.fractionGreen);
    });
  }

  it("display smoothing keeps the volume (Taubin) and moves no vertex by more than a slice", () => {
    const c = cases()[0];
    const result = measureMargins(c.tumor, c.iceball, c.preToPost, { surfaceMargins: true });
    const mesh = tumorMarginMesh(c.tumor, result.tumorSurface as NonNullable<typeof result.tumorSurface>);
    const smooth = smoothForDisplay(mesh.positionsMm, mesh.triangles, 10);
    const before = enclosedVolumeMm3(mesh.positionsMm, mesh.triangles);
    const after = enclosedVolumeMm3(smooth, mesh.triangles);
    expect(Math.abs(after / before - 1)).toBeLessThan(0.02);
    let moved = 0;
    for (let v = 0; v < mesh.vertexCount; v++) {
      moved = Math.max(
        moved,
        Math.hypot(
          smooth[3 * v] - mesh.positionsMm[3 * v],
          smooth[3 * v + 1] - mesh.positionsMm[3 * v + 1],
          smooth[3 * v + 2] - mesh.positionsMm[3 * v + 2],
        ),
      );
    }
    expect(moved).toBeLessThan(3);
    expect([...mesh.positionsMm]).toEqual([
      ...tumorMarginMesh(c.tumor, result.tumorSurface as NonNullable<typeof result.tumorSurface>).positionsMm,
    ]);
  });

  it("vertex areas add up to the surface area: a unit voxel's octahedron has area 8 × (√3/2)·(½·√2)² ", () => {
    const mask = emptyMask([3, 3, 3], gridAffine([1, 1, 1], AXIAL, [0, 0, 0]));
    mask.data[13] = 1;
    const mc = marchingCubes(mask, maskBounds(mask));
    const areas = vertexAreasMm2(mc.positionsMm, mc.triangles, mc.vertexCount);
    // Eight equilateral triangles of side √2 / 2.
    expect(areas.reduce((s, a) => s + a, 0)).toBeCloseTo(8 * (Math.sqrt(3) / 4) * 0.5, 12);
    for (const a of areas) expect(a).toBeCloseTo((8 * (Math.sqrt(3) / 4) * 0.5) / 6, 12);
  });

  it("samples of another mask are refused", () => {
    const [a, b] = cases();
    const result = measureMargins(a.tumor, a.iceball, a.preToPost, { surfaceMargins: true });
    const surface = result.tumorSurface as NonNullable<typeof result.tumorSurface>;
    expect(() => tumorMarginMesh(b.iceball, surface)).toThrow(/no surface sample/);
  });
});
