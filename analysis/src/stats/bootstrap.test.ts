import { describe, expect, it } from "vitest";
import { bootstrap } from "./bootstrap.js";
import { createRandom } from "./random.js";

describe("seeded random numbers", () => {
  it("the same seed gives the same stream; different seeds differ", () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });
  it("is uniform enough: mean and variance of 200k draws", () => {
    const r = createRandom(1);
    let s = 0;
    let s2 = 0;
    const n = 200_000;
    // Every draw is checked; the draws outside [0, 1) are counted and the count asserted once.
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 3);
  });
});

describe("bootstrap", () => {
  // Mean of a normal-ish sample: the percentile and BCa CIs must be close to the t interval.
  const rng = createRandom(3);
  const x = Array.from({ length: 60 }, () => {
    // Box-Muller from the seeded stream.
    const u = rng.next() || 1e-12;
    return 10 + 2 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  });
  const meanOf = (idx: Int32Array) => {
    let s = 0;
    for (const i of idx) s += x[i];
    return s / idx.length;
  };
  it("percentile and BCa intervals of a mean bracket the estimate with the expected width", () => {
    const m = meanOf(Int32Array.from(x.keys()));
    const sd = Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / (x.length - 1));
    const halfWidthT = (2.000995 * sd) / Math.sqrt(x.length); // qt(.975, 59)
    for (const method of ["percentile", "bca"] as const) {
      const r = bootstrap(x.length, meanOf, { resamples: 4000, seed: 11, method });
      expect(r.estimate).toBe(m);
      expect(r.ci[0]).toBeLessThan(m);
      expect(r.ci[1]).toBeGreaterThan(m);
      const half = (r.ci[1] - r.ci[0]) / 2;
      expect(Math.abs(half / halfWidthT - 1)).toBeLessThan(0.1);
    }
  });
  it("is reproducible for a seed and counts non-finite replicates", () => {
    const a = bootstrap(x.length, meanOf, { resamples: 500, seed: 5 });
    const b = bootstrap(x.length, meanOf, { resamples: 500, seed: 5 });
    expect(a.ci).toEqual(b.ci);
    const r = bootstrap(x.length, (idx) => (idx[0] === 0 ? Number.POSITIVE_INFINITY : meanOf(idx)), {
      resamples: 3000,
      seed: 2,
    });
    expect(r.nonFinite).toBeGreaterThan(0);
    expect(r.nonFinite + r.replicates.length).toBe(3000);
    expect(r.warnings[0].code).toBe("non-finite-replicates");
    expect(r.warnings[0].message).toMatch(/non-finite/);
  });
});
