import { describe, expect, it } from "vitest";
import { applyAffine, identityMat4 } from "../margin/affine.js";
import type { Mat4 } from "../margin/types.js";
import { movesWithCandidate, weightedBoxMean } from "./motionLayers.js";
import { normalizedMutualInformation, pointwiseMutualInformation, prepareNmiSamples } from "./mutualInformation.js";
import { rigidAbout } from "./rigid.js";
import { blockAveraged } from "./roi.js";

/** A translation by (dx, dy, dz) mm. */
function shift(dx: number, dy: number, dz: number): Mat4 {
  const m = identityMat4();
  m[3] = dx;
  m[7] = dy;
  m[11] = dz;
  return m;
}

/** A piecewise-constant texture of 4 × 4 × 2-voxel blocks, each at one of 8 levels by an integer hash of the block, value at (i, j, k). */
function texture(seed: number): (i: number, j: number, k: number) => number {
  return (i, j, k) => {
    let h = Math.imul(Math.floor(i / 4) + 1000, 73856093) ^ Math.imul(Math.floor(j / 4) + 1000, 19349663);
    h ^= Math.imul(Math.floor(k / 2) + 1000, 83492791) ^ seed;
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return 100 + (((h ^ (h >>> 16)) >>> 0) % 8) * 50;
  };
}

describe("weightedBoxMean", () => {
  it("averages over the weighted voxels of the box only (the example of its doc comment, and a 3-D check against brute force)", () => {
    expect(Array.from(weightedBoxMean(Float32Array.of(1, 2, 3), Uint8Array.of(1, 0, 1), [3, 1, 1], [1, 0, 0]))).toEqual(
      [1, 2, 3],
    );
    const dims: [number, number, number] = [7, 5, 4];
    const n = 7 * 5 * 4;
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 10);
    const weight = Uint8Array.from({ length: n }, (_, i) => ((i * 7) % 3 !== 0 ? 1 : 0));
    const radius: [number, number, number] = [2, 1, 1];
    const mean = weightedBoxMean(values, weight, dims, radius);
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 7; i++) {
          let s = 0;
          let c = 0;
          for (let c3 = Math.max(0, k - 1); c3 <= Math.min(3, k + 1); c3++)
            for (let b = Math.max(0, j - 1); b <= Math.min(4, j + 1); b++)
              for (let a = Math.max(0, i - 2); a <= Math.min(6, i + 2); a++) {
                const q = a + 7 * (b + 5 * c3);
                if (weight[q]) {
                  s += values[q];
                  c++;
                }
              }
          expect(mean[i + 7 * (j + 5 * k)]).toBeCloseTo(c ? s / c : 0, 4);
        }
  });
});

describe("pointwiseMutualInformation and movesWithCandidate", () => {
  // Fixed: a block texture on a 1 × 1 × 2 mm grid. Moving: the same anatomy, its left half (x < 20)
  // moved by `kidney`, its right half by `body` — two rigid motions in one field of view.
  const dims: [number, number, number] = [40, 32, 10];
  const spacing: [number, number, number] = [1, 1, 2];
  const voxelToWorld = identityMat4();
  voxelToWorld[10] = 2;
  const tissue = texture(7);
  const n = dims[0] * dims[1] * dims[2];
  const fixedData = new Float32Array(n);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, v++) fixedData[v] = tissue(i, j, k);
  const fixed = { dims, voxelToWorld, data: fixedData };
  const kidney = shift(3, 0, 0);
  const body = shift(0, -3, 0);
  const movingData = new Float32Array(n);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) {
        // The moving voxel (i, j, k) shows the fixed anatomy at T⁻¹ of its position (a world mm = voxel i, j; 2k).
        const t = i < 20 ? kidney : body;
        movingData[v] = tissue(i - t[3], j - t[7], k - t[11] / 2) + 0.5 * Math.cos(v);
      }
  const moving = { dims, voxelToWorld, data: movingData };

  it("MI is the mean of the pointwise MI, and the pmi is highest where the transform is right", () => {
    const samples = prepareNmiSamples(fixed, moving);
    const pmi = pointwiseMutualInformation(samples, moving, kidney);
    // MI from NMI's entropies is not exposed; check instead that the mean pmi ranks the transforms as NMI does.
    const mean = (t: Mat4) => pointwiseMutualInformation(samples, moving, t).reduce((a, b) => a + b, 0) / pmi.length;
    expect(Math.sign(mean(kidney) - mean(identityMat4()))).toBe(
      Math.sign(
        normalizedMutualInformation(samples, moving, kidney).nmi -
          normalizedMutualInformation(samples, moving, identityMat4()).nmi,
      ),
    );
    let left = 0;
    let right = 0;
    for (let s = 0; s < pmi.length; s++)
      if (samples.ijk[3 * s] < 17) left += pmi[s];
      else if (samples.ijk[3 * s] >= 23) right += pmi[s];
    expect(left).toBeGreaterThan(right);
  });

  it("keeps the half that moved with the candidate and leaves out the half that moved with the other transform", () => {
    const keep = movesWithCandidate(fixed, moving, kidney, body, () => true, spacing);
    let keptLeft = 0;
    let keptRight = 0;
    let total = 0;
    // Away from the seam and from the grid's edges (where a shifted block leaves the field of view).
    for (let k = 0; k < dims[2]; k++)
      for (let j = 4; j < dims[1] - 4; j++)
        for (let i = 4; i < dims[0] - 4; i++) {
          if (i >= 16 && i < 24) continue;
          const index = i + dims[0] * (j + dims[1] * k);
          if (i < 16) keptLeft += keep(index) ? 1 : 0;
          else keptRight += keep(index) ? 1 : 0;
          if (i < 16) total++;
        }
    expect(keptLeft / total).toBeGreaterThan(0.9);
    expect(keptRight / total).toBeLessThan(0.1);
    // The voxels `include` leaves out are never kept.
    const none = movesWithCandidate(fixed, moving, kidney, body, (i) => i % 2 === 0, spacing);
    expect(none(1)).toBe(false);
  });
});

describe("blockAveraged", () => {
  it("keeps every voxel's world position: a volume whose values are their voxels' world x, y, z reads the same after 2 × 2 × 1 blocks (oblique grid)", () => {
    const voxelToWorld = rigidAbout([0.1, -0.2, 0.3], [0, 0, 0], [10, -20, 5]);
    for (let r = 0; r < 3; r++) {
      voxelToWorld[4 * r] *= 1.2;
      voxelToWorld[4 * r + 1] *= 1.2;
      voxelToWorld[4 * r + 2] *= 3;
    }
    const dims: [number, number, number] = [9, 6, 4];
    for (let axis = 0; axis < 3; axis++) {
      const data = new Float32Array(9 * 6 * 4);
      for (let k = 0, v = 0; k < 4; k++)
        for (let j = 0; j < 6; j++)
          for (let i = 0; i < 9; i++, v++) data[v] = applyAffine(voxelToWorld, [i, j, k])[axis];
      const coarse = blockAveraged({ dims, voxelToWorld, data }, [2, 2, 1]);
      expect(coarse.dims).toEqual([4, 3, 4]);
      for (let k = 0, v = 0; k < 4; k++)
        for (let j = 0; j < 3; j++)
          for (let i = 0; i < 4; i++, v++)
            expect(coarse.data[v]).toBeCloseTo(applyAffine(coarse.voxelToWorld, [i, j, k])[axis], 3);
    }
  });
});
