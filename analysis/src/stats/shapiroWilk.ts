/**
 * Shapiro-Wilk W test of normality, a port of R's swilk.c (Royston 1995, Applied Statistics algorithm
 * AS R94, which extends AS 181 to 3 ≤ n ≤ 5000). The coefficients a are Royston's polynomial
 * approximations; W is the squared correlation between the ordered sample and a; the p-value is exact for
 * n = 3 and from Royston's normalising transformations of log(1 − W) otherwise.
 */
import { normalQuantileStd, normalUpperTail } from "./distributions.js";
import type { TestResult } from "./result.js";

export interface ShapiroWilkResult extends TestResult<"shapiro-wilk-royston-1995"> {
  /** W, the squared correlation of the ordered sample with the expected normal order statistics. */
  statistic: number;
  n: number;
}

/** Evaluates c₀ + c₁x + … + c_{k−1}x^{k−1} (swilk.c's poly()). */
function poly(cc: readonly number[], x: number): number {
  let ret = cc[0];
  if (cc.length > 1) {
    let p = x * cc[cc.length - 1];
    for (let j = cc.length - 2; j > 0; j--) p = (p + cc[j]) * x;
    ret += p;
  }
  return ret;
}

const G = [-2.273, 0.459];
const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
const C3 = [0.544, -0.39978, 0.025054, -6.714e-4];
const C4 = [1.3822, -0.77857, 0.062767, -0.0020322];
const C5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
const C6 = [-0.4803, -0.082676, 0.0030302];

/** Example: `shapiroWilk([45.56, 23.75, 45.21])` → W ≈ 0.76203, p ≈ 0.026756 (R). */
export function shapiroWilk(sample: readonly number[]): ShapiroWilkResult {
  const x = sample.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = x.length;
  if (n < 3 || n > 5000) throw new RangeError(`shapiroWilk: sample size must be between 3 and 5000, got ${n}`);
  const range = x[n - 1] - x[0];
  if (range < 1e-10) throw new RangeError("shapiroWilk: all values are identical");
  const nn2 = Math.floor(n / 2);
  const a = new Float64Array(nn2 + 1); // 1-based as in swilk.c
  const an = n;
  if (n === 3) {
    a[1] = Math.SQRT1_2;
  } else {
    const an25 = an + 0.25;
    let summ2 = 0;
    for (let i = 1; i <= nn2; i++) {
      a[i] = normalQuantileStd((i - 0.375) / an25);
      summ2 += a[i] * a[i];
    }
    summ2 *= 2;
    const ssumm2 = Math.sqrt(summ2);
    const rsn = 1 / Math.sqrt(an);
    const a1 = poly(C1, rsn) - a[1] / ssumm2;
    let i1: number;
    let fac: number;
    if (n > 5) {
      i1 = 3;
      const a2 = -a[2] / ssumm2 + poly(C2, rsn);
      fac = Math.sqrt((summ2 - 2 * (a[1] * a[1]) - 2 * (a[2] * a[2])) / (1 - 2 * (a1 * a1) - 2 * (a2 * a2)));
      a[2] = a2;
    } else {
      i1 = 2;
      fac = Math.sqrt((summ2 - 2 * (a[1] * a[1])) / (1 - 2 * (a1 * a1)));
    }
    a[1] = a1;
    for (let i = i1; i <= nn2; i++) a[i] /= -fac;
  }

  // W as the squared correlation between the data (scaled by the range) and the coefficients.
  let sx = x[0] / range;
  let sa = -a[1];
  for (let i = 1, j = n - 1; i < n; j--) {
    sx += x[i] / range;
    i++;
    if (i !== j) sa += Math.sign(i - j) * a[Math.min(i, j)];
  }
  sa /= n;
  sx /= n;
  let ssa = 0;
  let ssx = 0;
  let sax = 0;
  for (let i = 0, j = n - 1; i < n; i++, j--) {
    const asa = i !== j ? Math.sign(i - j) * a[1 + Math.min(i, j)] - sa : -sa;
    const xsx = x[i] / range - sx;
    ssa += asa * asa;
    ssx += xsx * xsx;
    sax += asa * xsx;
  }
  // w1 = 1 − W, computed to avoid rounding error for W near 1.
  const ssassx = Math.sqrt(ssa * ssx);
  const w1 = ((ssassx - sax) * (ssassx + sax)) / (ssa * ssx);
  const W = 1 - w1;
  const result = (p: number): ShapiroWilkResult => ({
    statistic: W,
    p,
    ci: null,
    confLevel: null,
    n,
    method: "shapiro-wilk-royston-1995",
    warnings: [],
  });

  if (n === 3) {
    const pi6 = 1.90985931710274; // 6/π
    const stqr = 1.0471975511966; // asin(√(3/4)) = π/3
    return result(Math.max(0, pi6 * (Math.asin(Math.sqrt(W)) - stqr)));
  }
  let y = Math.log(w1);
  const xx = Math.log(an);
  let m: number;
  let s: number;
  if (n <= 11) {
    const gamma = poly(G, an);
    if (y >= gamma) return result(1e-99); // swilk.c's "obvious" value
    y = -Math.log(gamma - y);
    m = poly(C3, an);
    s = Math.exp(poly(C4, an));
  } else {
    m = poly(C5, xx);
    s = Math.exp(poly(C6, xx));
  }
  return result(normalUpperTail((y - m) / s));
}
