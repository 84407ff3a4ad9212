/**
 * marchingCubes: closed, outward-wound surfaces with one vertex per boundary edge of the mask — the
 * engine's surface samples — on single voxels, ambiguous configurations, random masks and oblique,
 * mirrored grids.
 */
import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { applyAffine, linearDeterminant } from "./affine.js";
import { enclosedVolumeMm3, marchingCubes } from "./marchingCubes.js";
import { maskBounds } from "./maskBounds.js";
import { emptyMask, gridAffine, quaternionToMatrix, rasterizeEllipsoid, sphere } from "./phantoms.js";
import { extractSurfaceSamples } from "./surface.js";
import type { MaskVolume } from "./types.js";

const AXIAL = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** Every undirected triangle edge used by exactly two triangles, once in each direction. */
function closureProblems(triangles: Uint32Array): number {
  const directed = new Map<string, number>();
  for (let t = 0; t < triangles.length; t += 3) {
    for (let s = 0; s < 3; s++) {
      const key = `${triangles[t + s]},${triangles[t + ((s + 1) % 3)]}`;
      directed.set(key, (directed.get(key) ?? 0) + 1);
    }
  }
  let problems = 0;
  for (const [key, n] of directed) {
    const [a, b] = key.split(",");
    if (n !== 1 || directed.get(`${b},${a}`) !== 1) problems++;
  }
  return problems;
}

function maskFrom(dims: [number, number, number], inside: (i: number, j: number, k: number) => boolean): MaskVolume {
  const mask = emptyMask(dims, gridAffine([1.2, 1.2, 3], AXIAL, [0, 0, 0]));
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) mask.data[i + dims[0] * (j + dims[1] * k)] = inside(i, j, k) ? 1 : 0;
  return mask;
}

describe("marchingCubes", () => {
  it("one inside voxel is an octahedron of its six face centres, enclosing 1/6 of the voxel", () => {
    const mask = maskFrom([3, 3, 3], (i, j, k) => i === 1 && j === 1 && k === 1);
    const mesh = marchingCubes(mask, maskBounds(mask));
    expect(mesh.vertexCount).toBe(6);
    expect(mesh.triangleCount).toBe(8);
    expect(closureProblems(mesh.triangles)).toBe(0);
    expect(enclosedVolumeMm3(mesh.positionsMm, mesh.triangles)).toBeCloseTo((1.2 * 1.2 * 3) / 6, 10);
  });

  it("a voxel on the grid's corner still gets a closed surface (the grid beyond counts as outside)", () => {
    const mask = maskFrom([2, 2, 2], (i, j, k) => i + j + k === 0);
    const mesh = marchingCubes(mask, maskBounds(mask));
    expect(mesh.vertexCount).toBe(6);
    expect(closureProblems(mesh.triangles)).toBe(0);
    expect(mesh.insideVoxel.every((v) => v === 0)).toBe(true);
  });

  it("ambiguous faces and cubes: every one of the 256 configurations, and its neighbours, is closed", () => {
    // A 2 × 2 × 2 mask padded by the outside: each configuration meets the all-outside configuration
    // on every face, and pairs of configurations side by side share an ambiguous face when there is one.
    let problems = 0;
    for (let config = 1; config < 256; config++) {
      const mask = maskFrom([2, 2, 2], (i, j, k) => ((config >> (i + 2 * j + 4 * k)) & 1) === 1);
      const mesh = marchingCubes(mask, maskBounds(mask));
      problems += closureProblems(mesh.triangles);
      if (enclosedVolumeMm3(mesh.positionsMm, mesh.triangles) <= 0) problems++;
    }
    expect(problems).toBe(0);
  });

  it("random masks (checkerboards, noise): closed, outward-wound, one vertex per engine surface sample", () => {
    const rnd = createRandom(16);
    for (let trial = 0; trial < 20; trial++) {
      const density = 0.2 + 0.6 * rnd.next();
      const mask = maskFrom([7, 6, 5], () => rnd.next() < density);
      const bounds = maskBounds(mask);
      const mesh = marchingCubes(mask, bounds);
      expect(closureProblems(mesh.triangles)).toBe(0);
      expect(enclosedVolumeMm3(mesh.positionsMm, mesh.triangles)).toBeGreaterThan(0);
      const samples = extractSurfaceSamples(mask, bounds);
      expect(mesh.vertexCount).toBe(samples.count);
      const key = (x: number, y: number, z: number) => `${x.toFixed(6)},${y.toFixed(6)},${z.toFixed(6)}`;
      const samplePoints = new Set<string>();
      for (let s = 0; s < samples.count; s++)
        samplePoints.add(key(samples.points[3 * s], samples.points[3 * s + 1], samples.points[3 * s + 2]));
      for (let v = 0; v < mesh.vertexCount; v++) {
        expect(
          samplePoints.has(key(mesh.positionsMm[3 * v], mesh.positionsMm[3 * v + 1], mesh.positionsMm[3 * v + 2])),
        ).toBe(true);
      }
    }
  });

  it("a ball on an oblique, mirrored grid: closed, outward, enclosed volume within 2 % of the voxel count's", () => {
    const rotation = quaternionToMatrix(0.9, 0.2, -0.3, 0.25);
    // A mirrored grid (negative determinant), as LPS-stored scans give in RAS.
    const affine = gridAffine([1.2, 1.2, 3], rotation, [-30, -30, -30]);
    for (const c of [0, 4, 8]) affine[c] = -affine[c];
    expect(linearDeterminant(affine)).toBeLessThan(0);
    const mask = emptyMask([50, 50, 24], affine);
    // A ball of radius 15 mm about the grid's centre.
    const centre = applyAffine(affine, [24.5, 24.5, 11.5]);
    const count = rasterizeEllipsoid(mask, sphere(centre, 15));
    const mesh = marchingCubes(mask, maskBounds(mask));
    expect(closureProblems(mesh.triangles)).toBe(0);
    const voxelMm3 = Math.abs(linearDeterminant(affine));
    const volume = enclosedVolumeMm3(mesh.positionsMm, mesh.triangles);
    expect(volume).toBeGreaterThan(0);
    expect(Math.abs(volume / (count * voxelMm3) - 1)).toBeLessThan(0.02);
  });
});
