/**
 * Wilcoxon rank-sum / Mann-Whitney U test, two-sided, following R's `stats::wilcox.test(x, y)`.
 *
 * W = (sum of the mid-ranks of x in the pooled sample) − nx(nx+1)/2, i.e. the number of pairs (xᵢ, yⱼ)
 * with xᵢ > yⱼ (ties counting ½).
 * - Exact (R's default when both n < 50 and there are no ties): the null distribution of W is the
 *   number of ways to choose nx ranks out of nx+ny with a given sum (R's cwilcox), p = min(1, 2·min tail).
 * - Normal approximation: z = (W − nx·ny/2 − CORRECTION) / σ, with the tie-corrected
 *   σ² = nx·ny/12 · ((N+1) − Σ(t³ − t)/(N(N−1))) and CORRECTION = sign(W − nx·ny/2)·½ when `correct`.
 *   SPSS reports the asymptotic p without continuity correction (`exact: false, correct: false`).
 * - Conditional exact with ties (`exact: "conditional"`): the permutation distribution of the mid-rank
 *   sum given the observed ties, enumerated by dynamic programming (no sampling) while it fits
 *   CONDITIONAL_EXACT_MAX_CELLS / _STEPS; beyond, the normal approximation with warning `exact-too-large`.
 */
import { normalLowerTail, normalUpperTail } from "./distributions.js";
import { midRanks, tieGroupSizes } from "./ranks.js";
import { statsWarning, type TestResult } from "./result.js";

export interface MannWhitneyOptions {
  /** "auto" = R's default (exact iff nx < 50, ny < 50 and no ties); true asks for exact (falls back to the
   * normal approximation with a warning when there are ties, as R); "conditional" = permutation p with ties. */
  exact?: "auto" | boolean | "conditional";
  /** Continuity correction for the normal approximation (R's default true). */
  correct?: boolean;
}

export interface MannWhitneyResult
  extends TestResult<"exact" | "normal" | "normal-continuity-corrected" | "exact-conditional"> {
  /** R's W: rank sum of x minus nx(nx+1)/2 (equals the Mann-Whitney U of x). */
  statistic: number;
  /** Standardised statistic of the normal approximation (NaN for exact methods). */
  z: number;
  nx: number;
  ny: number;
  /** True when ties are present in the pooled sample. */
  ties: boolean;
}

/**
 * Counts f[w] of subsets of size m from {1..N} whose rank sum minus m(m+1)/2 equals w (0 ≤ w ≤ m(N−m)).
 * Dynamic programming over the ranks; counts are float64 (exact up to 2⁵³, relative 1e-16 beyond).
 */
function wilcoxonCounts(m: number, n: number): Float64Array {
  const maxW = m * n;
  // g[k][s]: number of k-subsets of {1..r} whose sum minus k(k+1)/2 is s; ranks added one at a time.
  let g: Float64Array[] = Array.from({ length: m + 1 }, () => new Float64Array(maxW + 1));
  g[0][0] = 1;
  for (let r = 1; r <= m + n; r++) {
    const next = g.map((row) => row.slice());
    for (let k = 1; k <= Math.min(m, r); k++) {
      // Adding rank r as the k-th chosen element shifts the offset sum by r − k.
      const shift = r - k;
      if (shift > n) continue;
      const src = g[k - 1];
      const dst = next[k];
      for (let s = 0; s + shift <= maxW; s++) if (src[s] !== 0) dst[s + shift] += src[s];
    }
    g = next;
  }
  return g[m];
}

/** Two-sided exact p from a discrete null distribution given as counts over integer-spaced support. */
function twoSidedFromCounts(counts: Float64Array, observed: number, center: number): number {
  let total = 0;
  for (const c of counts) total += c;
  let tail = 0;
  if (observed > center) {
    for (let w = Math.ceil(observed - 1e-9); w < counts.length; w++) tail += counts[w];
  } else {
    for (let w = 0; w <= Math.floor(observed + 1e-9); w++) tail += counts[w];
  }
  return Math.min(1, (2 * tail) / total);
}

/**
 * Bound on the conditional exact enumeration: (m + 1)·(S + 1) counts held (m the smaller group's size, S
 * the largest doubled rank sum it can reach) and N·m·S additions. Past it the normal approximation is
 * used with the warning `exact-too-large` (memory and time would grow as N³ and N⁴ for a fixed LTP rate).
 */
export const CONDITIONAL_EXACT_MAX_CELLS = 4_000_000;
export const CONDITIONAL_EXACT_MAX_STEPS = 400_000_000;

/**
 * Two-sided permutation p of the mid-rank sum of the smaller group given the ties, or null when the
 * enumeration exceeds the bounds above. Doubled mid-ranks are integers d₁…d_N; h[k][s] counts the
 * k-subsets with doubled sum s, built by the 0/1-knapsack recursion h[k][s] += h[k−1][s − dᵢ] (k
 * descending, in place). p = P(|S − E| ≥ |s_obs − E|), E = m(N+1) (doubled), summing both tails (the
 * permutation-test convention, as coin::wilcox_test); the same p whichever group is counted, since
 * S_x − E_x = −(S_y − E_y).
 */
function conditionalExactP(ranks: readonly number[], nx: number): number | null {
  const n = ranks.length;
  const doubled = ranks.map((r) => Math.round(2 * r));
  const m = Math.min(nx, n - nx);
  let observed = 0;
  for (let i = 0; i < nx; i++) observed += doubled[i];
  if (m !== nx) observed = doubled.reduce((a, b) => a + b, 0) - observed;
  const largest = [...doubled].sort((a, b) => b - a);
  let maxSum = 0;
  for (let i = 0; i < m; i++) maxSum += largest[i];
  const width = maxSum + 1;
  if ((m + 1) * width > CONDITIONAL_EXACT_MAX_CELLS || n * m * width > CONDITIONAL_EXACT_MAX_STEPS) return null;
  const h = new Float64Array((m + 1) * width);
  h[0] = 1;
  for (let i = 0; i < n; i++) {
    const d = doubled[i];
    for (let k = Math.min(m, i + 1); k >= 1; k--) {
      const dst = k * width;
      const src = (k - 1) * width;
      for (let s = maxSum; s >= d; s--) h[dst + s] += h[src + s - d];
    }
  }
  const dist = h.subarray(m * width);
  let total = 0;
  for (const c of dist) total += c;
  const mean2 = m * (n + 1);
  const dev = Math.abs(observed - mean2);
  let p = 0;
  for (let s = 0; s < dist.length; s++) if (dist[s] !== 0 && Math.abs(s - mean2) >= dev - 1e-9) p += dist[s];
  return Math.min(1, p / total);
}

/**
 * Two-sided Wilcoxon rank-sum test of x against y.
 * Example: `mannWhitney([0.4947, 1.2194, 1.0128], [-0.1344, -1.2161, 2.0105, -0.8627])` → W = 9, p = 0.4 (exact).
 */
export function mannWhitney(
  x: readonly number[],
  y: readonly number[],
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  const { exact = "auto", correct = true } = options;
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) throw new RangeError("mannWhitney: both samples need at least one value");
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new RangeError(`mannWhitney: non-finite value ${v}`);
  const pooled = [...x, ...y];
  const ranks = midRanks(pooled);
  let rankSumX = 0;
  for (let i = 0; i < nx; i++) rankSumX += ranks[i];
  const W = rankSumX - (nx * (nx + 1)) / 2;
  const tieSizes = tieGroupSizes(pooled);
  const ties = tieSizes.length > 0;
  const base = { statistic: W, ci: null, confLevel: null, nx, ny, ties };
  const center = (nx * ny) / 2;

  const conditional = exact === "conditional" ? conditionalExactP(ranks, nx) : null;
  if (conditional !== null)
    return { ...base, p: conditional, z: Number.NaN, method: "exact-conditional", warnings: [] };
  const wantExact = exact === "auto" ? nx < 50 && ny < 50 : exact === true;
  if (wantExact && !ties) {
    const counts = wilcoxonCounts(nx, ny);
    return { ...base, p: twoSidedFromCounts(counts, W, center), z: Number.NaN, method: "exact", warnings: [] };
  }
  const warnings =
    exact === "conditional"
      ? [
          statsWarning(
            "exact-too-large",
            `the exact conditional distribution is too large to enumerate (n = ${nx} + ${ny}); normal approximation used`,
          ),
        ]
      : wantExact && ties
        ? [statsWarning("ties-no-exact", "cannot compute exact p-value with ties; normal approximation used (as R)")]
        : [];

  const N = nx + ny;
  const tieTerm = tieSizes.reduce((s, t) => s + t * t * t - t, 0) / (N * (N - 1));
  const sigma = Math.sqrt(((nx * ny) / 12) * (N + 1 - tieTerm));
  const d = W - center;
  const correction = correct ? Math.sign(d) * 0.5 : 0;
  const z = (d - correction) / sigma;
  const p = Math.min(1, 2 * Math.min(normalLowerTail(z), normalUpperTail(z)));
  return { ...base, p, z, method: correct ? "normal-continuity-corrected" : "normal", warnings };
}
