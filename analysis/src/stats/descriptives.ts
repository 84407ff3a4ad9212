/**
 * Descriptive statistics. Conventions: SD uses the n − 1 denominator; quantiles follow Hyndman & Fan
 * (1996): type 7 is R's default, type 6 is SPSS's "weighted average at (n+1)p" (what SPSS 25 printed in
 * the paper). Missing values (NaN) are the caller's to drop: these functions reject them.
 *
 * simple-statistics computes what its definitions share with R's: the mean (compensated sum / n), the
 * sample variance and SD (two-pass about the mean, n − 1), min and max (loops, so no argument-count limit)
 * — within 1 ulp of R's mean/var/sd. Quantiles are computed here: simple-statistics has type 7 only, as
 * x₍ⱼ₎ + h(x₍ⱼ₊₁₎ − x₍ⱼ₎), where R computes (1 − h)x₍ⱼ₎ + h·x₍ⱼ₊₁₎, and no type 6 (SPSS).
 */
import { sampleStandardDeviation, sampleVariance, max as ssMax, mean as ssMean, min as ssMin } from "simple-statistics";

function assertFinite(x: readonly number[], what: string): void {
  if (x.length === 0) throw new RangeError(`${what}: empty sample`);
  for (const v of x) if (!Number.isFinite(v)) throw new RangeError(`${what}: non-finite value ${v}`);
}

/** Arithmetic mean Σx/n. Example: `mean([1, 2, 6])` = 3. */
export function mean(x: readonly number[]): number {
  assertFinite(x, "mean");
  return ssMean(x as number[]);
}

/** Sample variance Σ(x − x̄)²/(n − 1) (two-pass for accuracy); NaN for n < 2. Example: `variance([1, 2, 6])` = 7. */
export function variance(x: readonly number[]): number {
  if (x.length < 2) return Number.NaN;
  assertFinite(x, "variance");
  return sampleVariance(x as number[]);
}

/** Sample standard deviation √variance; NaN for n < 2. Example: `standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])` ≈ 2.138. */
export function standardDeviation(x: readonly number[]): number {
  if (x.length < 2) return Number.NaN;
  assertFinite(x, "standardDeviation");
  return sampleStandardDeviation(x as number[]);
}

export type QuantileType = 6 | 7;

/**
 * Sample quantile of type 6 or 7 (Hyndman & Fan 1996, R's `quantile(type=)`).
 * Type 7: h = (n − 1)p + 1. Type 6: h = (n + 1)p, clamped to [1, n]. Q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎).
 * Example: `quantile([1, 2, 3, 4], 0.25, 7)` = 1.75; with type 6 = 1.25.
 */
export function quantile(x: readonly number[], p: number, type: QuantileType = 7): number {
  assertFinite(x, "quantile");
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  return quantileOfSorted(ascending(x), p, type);
}

/** A sorted copy of a sample, ascending. */
function ascending(x: readonly number[]): number[] {
  return [...x].sort((a, b) => a - b);
}

/** `quantile` of a sample already sorted ascending (finite, p in [0, 1]): several quantiles, one sort. */
function quantileOfSorted(s: readonly number[], p: number, type: QuantileType): number {
  const n = s.length;
  // Order statistic x₍ⱼ₎ with R's padding: x₍₀₎ = x₍₁₎ and x₍ₙ₊₁₎ = x₍ₙ₎.
  const at = (j: number) => s[Math.min(Math.max(j, 1), n) - 1];
  let j: number;
  let h: number;
  if (type === 7) {
    const index = 1 + (n - 1) * p;
    j = Math.floor(index);
    h = index - j;
  } else {
    // R's quantile.default for types 4–9 adds a fuzz of 4·eps so that (n+1)p lands on an integer.
    const fuzz = 4 * Number.EPSILON;
    const nppm = p * (n + 1);
    j = Math.floor(nppm + fuzz);
    h = nppm - j;
    if (Math.abs(h) < fuzz) h = 0;
  }
  return h === 0 ? at(j) : (1 - h) * at(j) + h * at(j + 1);
}

/** Median (both quantile types agree at p = ½). Example: `median([3, 1, 2, 10])` = 2.5. */
export function median(x: readonly number[]): number {
  return quantile(x, 0.5, 7);
}

/** Interquartile range Q3 − Q1 with the given quantile type. */
export function interquartileRange(x: readonly number[], type: QuantileType = 7): number {
  return quantile(x, 0.75, type) - quantile(x, 0.25, type);
}

/** Summary of a numeric sample: n, mean, SD, median, quartiles (stated type), min, max. */
export interface NumericSummary {
  n: number;
  mean: number;
  sd: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  quantileType: QuantileType;
}

/**
 * The smallest value; +Infinity when empty, as `Math.min()`. Unlike `Math.min(...x)`, which puts every
 * element on the stack and overflows past ~10⁵ elements, it loops (simple-statistics' min). NaN values are
 * the caller's to drop. Example: `minOf([3, 1, 2])` = 1.
 */
export function minOf(x: readonly number[]): number {
  return x.length === 0 ? Number.POSITIVE_INFINITY : ssMin(x as number[]);
}

/** The largest value; −Infinity when empty, as `Math.max()`; a loop, see `minOf`. Example: `maxOf([3, 1, 2])` = 3. */
export function maxOf(x: readonly number[]): number {
  return x.length === 0 ? Number.NEGATIVE_INFINITY : ssMax(x as number[]);
}

/** All the usual descriptives at once. Example: `summarize([1, 2, 3, 4]).q1` = 1.75 (type 7). */
export function summarize(x: readonly number[], quantileType: QuantileType = 7): NumericSummary {
  assertFinite(x, "summarize");
  const sorted = ascending(x);
  return {
    n: x.length,
    mean: mean(x),
    sd: standardDeviation(x),
    median: quantileOfSorted(sorted, 0.5, 7),
    q1: quantileOfSorted(sorted, 0.25, quantileType),
    q3: quantileOfSorted(sorted, 0.75, quantileType),
    min: ssMin(x as number[]),
    max: ssMax(x as number[]),
    quantileType,
  };
}

/** A level's count and its percentage of the non-missing total. */
export interface LevelCount {
  level: string;
  count: number;
  percent: number;
}

/**
 * Counts and percentages of categorical values, in the order of `levels` when given (levels absent from
 * the data get count 0), else in order of first appearance. Example: `countPercent(["a","b","a"])` →
 * [{level:"a",count:2,percent:66.67…},{level:"b",count:1,percent:33.3…}].
 */
export function countPercent(values: readonly string[], levels?: readonly string[]): LevelCount[] {
  const counts = new Map<string, number>();
  for (const l of levels ?? []) counts.set(l, 0);
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const total = values.length;
  return [...counts].map(([level, count]) => ({
    level,
    count,
    percent: total > 0 ? (100 * count) / total : Number.NaN,
  }));
}
