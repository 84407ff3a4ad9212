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
 *   sum given the observed ties, enumerated by dynamic programming (no sampling).
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

/** Permutation distribution of 2·(rank sum of x) with mid-ranks (doubled to integers), by DP. */
function conditionalExactP(ranks: readonly number[], nx: number, observedSum: number): number {
  const doubled = ranks.map((r) => Math.round(2 * r));
  const maxSum = doubled.reduce((a, b) => a + b, 0);
  // h[k][s] = number of k-subsets with doubled rank sum s.
  let h: Float64Array[] = Array.from({ length: nx + 1 }, () => new Float64Array(maxSum + 1));
  h[0][0] = 1;
  for (const d of doubled) {
    const next = h.map((row) => row.slice());
    for (let k = 1; k <= nx; k++) {
      const src = h[k - 1];
      const dst = next[k];
      for (let s = 0; s + d <= maxSum; s++) if (src[s] !== 0) dst[s + d] += src[s];
    }
    h = next;
  }
  const dist = h[nx];
  let total = 0;
  for (const c of dist) total += c;
  const obs = Math.round(2 * observedSum);
  const mean2 = (nx * (ranks.length + 1)) | 0; // 2 · E[rank sum] = nx(N+1)
  // Two-sided: P(|S − E| ≥ |s − E|) summing both tails, the permutation-test convention (as coin::wilcox_test).
  const dev = Math.abs(obs - mean2);
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

  if (exact === "conditional") {
    const p = conditionalExactP(ranks, nx, rankSumX);
    return { ...base, p, z: Number.NaN, method: "exact-conditional", warnings: [] };
  }
  const wantExact = exact === "auto" ? nx < 50 && ny < 50 : exact;
  if (wantExact && !ties) {
    const counts = wilcoxonCounts(nx, ny);
    return { ...base, p: twoSidedFromCounts(counts, W, center), z: Number.NaN, method: "exact", warnings: [] };
  }
  const warnings =
    wantExact && ties
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
