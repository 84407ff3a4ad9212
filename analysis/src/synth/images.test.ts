/**
 * Partial volume in the synthetic scans (ScanOptions.partialVolume): a sphere of tumor in soft tissue,
 * rendered at voxel centres and with partial volume from the same random stream (so the noise is the
 * same voxel for voxel). Voxels whose neighbourhood holds one tissue are identical; the voxels along
 * the edge take the tissues' mix, and that mix measures the sphere's volume better than counting the
 * voxel centres inside it.
 */
import { describe, expect, it } from "vitest";
import type { Mat4 } from "../margin/types.js";
import { createRandom } from "../stats/random.js";
import { ellipsoidFromAxes } from "./ellipsoid.js";
import { synthesizeScans } from "./images.js";
import { voxelizeUnion } from "./voxelize.js";

describe("synthesizeScans with partialVolume", () => {
  it("mixes the tissues in the edge voxels in proportion to their shares, leaving uniform voxels as they were", () => {
    const radiusMm = 10;
    const centre: [number, number, number] = [0, 20, 0];
    const tumor = [
      ellipsoidFromAxes(
        centre,
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        [radiusMm, radiusMm, radiusMm],
      ),
    ];
    const dims: [number, number, number] = [30, 30, 12];
    const spacing = [1.2, 1.2, 3];
    const voxelToWorld: Mat4 = Float64Array.from([
      spacing[0],
      0,
      0,
      centre[0] - 17.4,
      0,
      spacing[1],
      0,
      centre[1] - 17.4,
      0,
      0,
      spacing[2],
      centre[2] - 16.5,
      0,
      0,
      0,
      1,
    ]);
    const grid = { dims, voxelToWorld };
    const probes = { directionRas: [0, 0, 1] as [number, number, number], tipsRas: [], spacingMm: 10 };
    const identity: Mat4 = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const atCentres = synthesizeScans(tumor, [], probes, identity, grid, grid, createRandom(5)).pre.data;
    const mixed = synthesizeScans(tumor, [], probes, identity, grid, grid, createRandom(5), undefined, {
      partialVolume: true,
    }).pre.data;
    const inside = voxelizeUnion(tumor, grid).data;
    const [nx, ny, nz] = dims;
    let differing = 0;
    let sumDifference = 0;
    let shading = 0;
    let insideCount = 0;
    for (let k = 0, v = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++, v++) {
          insideCount += inside[v];
          let uniform = true;
          for (let c = Math.max(0, k - 1); c <= Math.min(nz - 1, k + 1); c++)
            for (let b = Math.max(0, j - 1); b <= Math.min(ny - 1, j + 1); b++)
              for (let a = Math.max(0, i - 1); a <= Math.min(nx - 1, i + 1); a++)
                if (inside[a + nx * (b + ny * c)] !== inside[v]) uniform = false;
          if (uniform) expect(mixed[v]).toBe(atCentres[v]);
          else if (mixed[v] !== atCentres[v]) differing++;
          sumDifference += mixed[v] - atCentres[v];
          shading += 1 + 0.15 * Math.tanh(-(voxelToWorld[7] + spacing[1] * j) / 120);
        }
    expect(differing).toBeGreaterThan(100);
    // Σ (mixed − at centres) = (tumor − soft tissue) · Σ shading · (share − [centre inside]), to rounding.
    const voxelMl = (spacing[0] * spacing[1] * spacing[2]) / 1000;
    const contrast = (650 - 330) * (shading / (nx * ny * nz));
    const trueMl = ((4 / 3) * Math.PI * radiusMm ** 3) / 1000;
    const fromCentresMl = insideCount * voxelMl;
    const fromMixMl = (insideCount + sumDifference / contrast) * voxelMl;
    expect(Math.abs(fromMixMl - trueMl)).toBeLessThan(0.002 * trueMl);
    expect(Math.abs(fromMixMl - trueMl)).toBeLessThan(Math.abs(fromCentresMl - trueMl));
  });
});
