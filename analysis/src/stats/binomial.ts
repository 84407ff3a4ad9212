/**
 * Exact binomial test and Clopper-Pearson interval, as R's `binom.test(x, n, p = 0.5)`.
 * CI: [Beta⁻¹(α/2; x, n − x + 1), Beta⁻¹(1 − α/2; x + 1, n − x)], with 0 and 1 at the edges.
 * Two-sided p: sum of P(k) over k with P(k) ≤ P(x)·(1 + 1e-7) (R's rule).
 */
import factorialln from "@stdlib/math-base-special-factorialln";
import { betaQuantileOf } from "./distributions.js";
import type { TestResult } from "./result.js";

export interface BinomialResult extends TestResult<"exact-binomial-clopper-pearson"> {
  /** x, the number of successes (R's binom.test statistic). */
  statistic: number;
  /** x / n. */
  estimate: number;
  /** Clopper-Pearson interval of the proportion. */
  ci: [number, number];
  confLevel: number;
}

function binomialPmf(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(factorialln(n) - factorialln(k) - factorialln(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(from ≤ K ≤ to), summed term by term so that far tails keep their digits (no 1 − cdf). */
function binomialTail(from: number, to: number, n: number, p: number): number {
  let s = 0;
  for (let k = Math.max(0, from); k <= Math.min(n, to); k++) s += binomialPmf(k, n, p);
  return s;
}

/** Example: `binomialTest(6, 32).ci` ≈ [0.07208, 0.36439]. */
export function binomialTest(x: number, n: number, { p = 0.5, confLevel = 0.95 } = {}): BinomialResult {
  if (!Number.isInteger(x) || !Number.isInteger(n) || n < 1 || x < 0 || x > n)
    throw new RangeError(`binomialTest: need integers 0 ≤ x ≤ n, n ≥ 1 (got ${x} of ${n})`);
  const alpha = (1 - confLevel) / 2;
  const lower = x === 0 ? 0 : betaQuantileOf(alpha, x, n - x + 1);
  const upper = x === n ? 1 : betaQuantileOf(1 - alpha, x + 1, n - x);
  const d = binomialPmf(x, n, p);
  const m = n * p;
  let pValue: number;
  if (x === m) pValue = 1;
  else if (x < m) {
    // Count the upper-tail outcomes at least as improbable as x; R: y = #{k ≥ ⌈m⌉ : P(k) ≤ d·relErr}.
    let y = 0;
    for (let k = Math.ceil(m); k <= n; k++) if (binomialPmf(k, n, p) <= d * (1 + 1e-7)) y++;
    pValue = binomialTail(0, x, n, p) + binomialTail(n - y + 1, n, n, p);
  } else {
    let y = 0;
    for (let k = 0; k <= Math.floor(m); k++) if (binomialPmf(k, n, p) <= d * (1 + 1e-7)) y++;
    pValue = binomialTail(0, y - 1, n, p) + binomialTail(x, n, n, p);
  }
  return {
    statistic: x,
    estimate: x / n,
    ci: [lower, upper],
    confLevel,
    p: Math.min(1, pValue),
    method: "exact-binomial-clopper-pearson",
    warnings: [],
  };
}
