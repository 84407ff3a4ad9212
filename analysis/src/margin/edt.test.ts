import { describe, expect, it } from "vitest";
import { createRandom } from "../stats/random.js";
import { distanceTransform1d, squaredDistanceTransform } from "./edt.js";

/** Brute force: min over feature voxels of fl(fl(dx² + dy²) + dz²), the order the separable passes use. */
function bruteForce(features: Uint8Array, dims: [number, number, number], s: [number, number, number]): Float64Array {
  const [nx, ny, nz] = dims;
  const feats: number[][] = [];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) if (features[i + nx * (j + ny * k)]) feats.push([i, j, k]);
  const out = new Float64Array(nx * ny * nz).fill(Number.POSITIVE_INFINITY);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        let best = Number.POSITIVE_INFINITY;
        for (const [p, q, r] of feats) {
          const dx = i - p;
          const dy = j - q;
          const dz = k - r;
          const d = s[0] * s[0] * dx * dx + s[1] * s[1] * dy * dy + s[2] * s[2] * dz * dz;
          if (d < best) best = d;
        }
        out[i + nx * (j + ny * k)] = best;
      }
  return out;
}

describe("squaredDistanceTransform (Felzenszwalb-Huttenlocher, anisotropic)", () => {
  it("1-D pass: the documented example", () => {
    const d = new Float64Array(4);
    distanceTransform1d(
      new Float64Array([Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]),
      4,
      2,
      d,
    );
    expect([...d]).toEqual([4, 0, 4, 16]);
  });

  it("matches brute force exactly on random volumes at several spacings", () => {
    const rng = createRandom(4);
    const spacings: [number, number, number][] = [
      [1, 1, 1],
      [1.2, 1.2, 3.0],
      [1.0, 1.0, 2.5],
      [0.7, 1.9, 1.3],
    ];
    let voxels = 0;
    let exact = 0;
    let worstRelative = 0;
    for (const spacing of spacings) {
      for (let trial = 0; trial < 6; trial++) {
        const dims: [number, number, number] = [3 + rng.int(12), 3 + rng.int(12), 2 + rng.int(9)];
        const density = [0.002, 0.02, 0.2, 0.6][trial % 4];
        const n = dims[0] * dims[1] * dims[2];
        const features = new Uint8Array(n);
        for (let i = 0; i < n; i++) features[i] = rng.next() < density ? 1 : 0;
        if (trial === 5) features.fill(0); // no feature at all: +∞ everywhere
        const fast = squaredDistanceTransform(features, dims, spacing);
        const slow = bruteForce(features, dims, spacing);
        for (let i = 0; i < n; i++) {
          voxels++;
          if (fast[i] === slow[i]) exact++;
          else worstRelative = Math.max(worstRelative, Math.abs(fast[i] - slow[i]) / slow[i]);
        }
      }
    }
    console.log(
      `EDT vs brute force: ${exact}/${voxels} voxels bit-identical, worst relative difference ${worstRelative}`,
    );
    expect(exact).toBe(voxels);
  });

  it("reuses an output buffer", () => {
    const features = new Uint8Array([0, 1, 0]);
    const out = new Float64Array(3);
    const d = squaredDistanceTransform(features, [3, 1, 1], [1.2, 1, 1], out);
    expect(d).toBe(out);
    expect([...d]).toEqual([1.2 * 1.2, 0, 1.2 * 1.2]);
  });
});
