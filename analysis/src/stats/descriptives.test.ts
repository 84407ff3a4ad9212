import { describe, expect, it } from "vitest";
import {
  countPercent,
  interquartileRange,
  maxOf,
  mean,
  median,
  minOf,
  quantile,
  standardDeviation,
  summarize,
} from "./descriptives.js";
import { midRanks, tieGroupSizes } from "./ranks.js";

// Expected values from R 4.2: quantile(x, type=6|7), sd(), mean().
describe("descriptives", () => {
  const x = [-11, -9, -7, -6, -5, -4, 1, 2, 2, 3, 3, 3, 4, 4, 6];
  it("mean and SD (n − 1)", () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 14);
  });
  it("quantile types 7 and 6 as R", () => {
    expect(quantile([1, 2, 3, 4], 0.25, 7)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.25, 6)).toBe(1.25);
    expect(quantile([1, 2, 3, 4], 0.75, 6)).toBe(3.75);
    // quantile(c(-10,-9,-7,-5,-5,-3), c(.25,.75), type=6) = -9.25, -4.5
    expect(quantile([-10, -9, -7, -5, -5, -3], 0.25, 6)).toBeCloseTo(-9.25, 14);
    expect(quantile([-10, -9, -7, -5, -5, -3], 0.75, 6)).toBeCloseTo(-4.5, 14);
    // type 7 of the same: -8.5, -5
    expect(quantile([-10, -9, -7, -5, -5, -3], 0.25, 7)).toBeCloseTo(-8.5, 14);
    expect(quantile([-10, -9, -7, -5, -5, -3], 0.75, 7)).toBeCloseTo(-5, 14);
    expect(quantile(x, 0, 6)).toBe(-11);
    expect(quantile(x, 1, 6)).toBe(6);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(interquartileRange([1, 2, 3, 4], 7)).toBe(1.5);
  });
  it("summarize and countPercent", () => {
    const s = summarize(x, 6);
    expect(s).toMatchObject({ n: 15, median: 2, min: -11, max: 6, quantileType: 6, q1: -6, q3: 3 });
    const c = countPercent(["a", "b", "a"], ["a", "b", "c"]);
    expect(c.map((l) => l.count)).toEqual([2, 1, 0]);
    expect(c[0].percent).toBeCloseTo(66.66666666666667, 12);
  });
  it("mid-ranks and ties", () => {
    expect(midRanks([10, 20, 10])).toEqual([1.5, 3, 1.5]);
    expect(tieGroupSizes([1, 1, 2, 3, 3, 3])).toEqual([2, 3]);
  });
  it("rejects empty and non-finite samples", () => {
    expect(() => mean([])).toThrow(/empty/);
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow(/non-finite/);
  });
});

describe("minOf, maxOf and summaries of long samples", () => {
  it("agree with Math.min/Math.max, and take a million values (a spread call overflows the stack)", () => {
    for (const x of [[3, 1, 2], [], [-4], [2, 2]]) {
      expect(minOf(x)).toBe(Math.min(...x));
      expect(maxOf(x)).toBe(Math.max(...x));
    }
    // a permutation of 0 … 999 999 (7919 is prime to 10⁶)
    const long = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_000);
    expect([minOf(long), maxOf(long)]).toEqual([0, 999_999]);
    const s = summarize(long);
    expect([s.n, s.min, s.max, s.median]).toEqual([1_000_000, 0, 999_999, 499_999.5]);
  });
});
