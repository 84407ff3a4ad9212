/**
 * Fisher's exact test, two-sided, following R's `stats::fisher.test`.
 *
 * 2×2: with margins fixed, the count x = table[0][0] is hypergeometric; under odds ratio ψ its law is the
 * non-central hypergeometric P(x) ∝ C(m,x)·C(n,k−x)·ψˣ on lo..hi. The p-value sums the null (ψ = 1)
 * probabilities ≤ P(observed)·(1 + 1e-7) (R's relative tolerance for "equal" probabilities). The estimate is
 * the conditional maximum-likelihood ψ (E_ψ[x] = observed) and the CI inverts the two one-sided tests at
 * α/2 — both found with R's uniroot (tolerance ≈ 1.22e-4, as R; see rootFinding.ts).
 *
 * r×c (Fisher-Freeman-Halton): the same p-value rule over all tables with the observed margins, whose null
 * probability is Π Rᵢ! Π Cⱼ! / (N! Π nᵢⱼ!). Tables are enumerated column by column (the smaller dimension as
 * rows), which is exact and fast for the table sizes of clinical studies (e.g. 3×2 with N ≈ 30–200).
 */
import factorialln from "@stdlib/math-base-special-factorialln";
import { maxOf } from "./descriptives.js";
import type { TestResult } from "./result.js";
import { uniroot } from "./rootFinding.js";

export interface FisherResult extends TestResult<"fisher-exact-2x2" | "fisher-freeman-halton"> {
  /** NaN: an exact test has no test statistic (p sums table probabilities). */
  statistic: number;
  table: number[][];
  /** 2×2 only: conditional MLE of the odds ratio (null for r×c). */
  oddsRatio: number | null;
  /** 2×2: exact confidence interval of the odds ratio; null for r×c. */
  ci: [number, number] | null;
}

const RELATIVE_TOLERANCE = 1 + 1e-7;

function validateTable(table: readonly (readonly number[])[]): void {
  if (table.length < 2 || table[0].length < 2)
    throw new RangeError("fisherExact: the table needs at least 2 rows and 2 columns");
  for (const row of table) {
    if (row.length !== table[0].length) throw new RangeError("fisherExact: ragged table");
    for (const v of row)
      if (!Number.isInteger(v) || v < 0)
        throw new RangeError(`fisherExact: counts must be non-negative integers, got ${v}`);
  }
}

/** Two-sided Fisher exact test of a 2×2 or r×c contingency table of counts. */
export function fisherExact(
  table: readonly (readonly number[])[],
  { confLevel = 0.95 }: { confLevel?: number } = {},
): FisherResult {
  validateTable(table);
  const copy = table.map((row) => [...row]);
  if (table.length === 2 && table[0].length === 2) return { ...fisher2x2(table, confLevel), table: copy };
  return {
    statistic: Number.NaN,
    p: fisherRxC(copy),
    ci: null,
    confLevel: null,
    table: copy,
    oddsRatio: null,
    method: "fisher-freeman-halton",
    warnings: [],
  };
}

function fisher2x2(table: readonly (readonly number[])[], confLevel: number): Omit<FisherResult, "table"> {
  const x = table[0][0];
  const m = table[0][0] + table[1][0]; // first column total
  const n = table[0][1] + table[1][1]; // second column total
  const k = table[0][0] + table[0][1]; // first row total
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const support: number[] = [];
  const logdc: number[] = [];
  const logChoose = (a: number, b: number) => factorialln(a) - factorialln(b) - factorialln(a - b);
  for (let s = lo; s <= hi; s++) {
    support.push(s);
    logdc.push(logChoose(m, s) + logChoose(n, k - s) - logChoose(m + n, k));
  }
  // Density of the non-central hypergeometric with odds ratio ncp, normalised on the support.
  const dnhyper = (ncp: number): number[] => {
    const d = logdc.map((l, i) => l + Math.log(ncp) * support[i]);
    const max = maxOf(d);
    const e = d.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  };
  const mnhyper = (ncp: number): number => {
    if (ncp === 0) return lo;
    if (ncp === Number.POSITIVE_INFINITY) return hi;
    return dnhyper(ncp).reduce((s, d, i) => s + support[i] * d, 0);
  };
  const pnhyper = (q: number, ncp: number, upperTail: boolean): number => {
    // The limits ψ → 0 and ψ → ∞ put all mass on lo and hi (R special-cases them the same way).
    if (ncp === 0) return upperTail ? Number(q <= lo) : Number(q >= lo);
    if (ncp === Number.POSITIVE_INFINITY) return upperTail ? Number(q <= hi) : Number(q >= hi);
    const d = dnhyper(ncp);
    let p = 0;
    for (let i = 0; i < support.length; i++) if (upperTail ? support[i] >= q : support[i] <= q) p += d[i];
    return p;
  };

  const d0 = dnhyper(1);
  const pObs = d0[x - lo];
  let p = 0;
  for (const d of d0) if (d <= pObs * RELATIVE_TOLERANCE) p += d;
  p = Math.min(1, p);

  const mle = (): number => {
    if (x === lo) return 0;
    if (x === hi) return Number.POSITIVE_INFINITY;
    const mu = mnhyper(1);
    if (mu > x) return uniroot((t) => mnhyper(t) - x, 0, 1).root;
    if (mu < x) return 1 / uniroot((t) => mnhyper(1 / t) - x, Number.EPSILON, 1).root;
    return 1;
  };
  const alpha = (1 - confLevel) / 2;
  const ncpUpper = (): number => {
    if (x === hi) return Number.POSITIVE_INFINITY;
    const p1 = pnhyper(x, 1, false);
    if (p1 < alpha) return uniroot((t) => pnhyper(x, t, false) - alpha, 0, 1).root;
    if (p1 > alpha) return 1 / uniroot((t) => pnhyper(x, 1 / t, false) - alpha, Number.EPSILON, 1).root;
    return 1;
  };
  const ncpLower = (): number => {
    if (x === lo) return 0;
    const p1 = pnhyper(x, 1, true);
    if (p1 > alpha) return uniroot((t) => pnhyper(x, t, true) - alpha, 0, 1).root;
    if (p1 < alpha) return 1 / uniroot((t) => pnhyper(x, 1 / t, true) - alpha, Number.EPSILON, 1).root;
    return 1;
  };
  return {
    statistic: Number.NaN,
    p,
    oddsRatio: mle(),
    ci: [ncpLower(), ncpUpper()],
    confLevel,
    method: "fisher-exact-2x2",
    warnings: [],
  };
}

/** Fisher-Freeman-Halton p-value by complete enumeration of the tables with the observed margins. */
function fisherRxC(input: number[][]): number {
  // Enumerate with the smaller dimension as rows: fewer compositions per column.
  const t = input.length <= input[0].length ? input : input[0].map((_, j) => input.map((row) => row[j]));
  const r = t.length;
  const c = t[0].length;
  const rowTotals = t.map((row) => row.reduce((a, b) => a + b, 0));
  const colTotals = t[0].map((_, j) => t.reduce((s, row) => s + row[j], 0));
  const N = rowTotals.reduce((a, b) => a + b, 0);
  const lf = new Float64Array(N + 1);
  for (let i = 2; i <= N; i++) lf[i] = lf[i - 1] + Math.log(i);
  const constant = rowTotals.reduce((s, v) => s + lf[v], 0) + colTotals.reduce((s, v) => s + lf[v], 0) - lf[N];
  let logObs = constant;
  for (const row of t) for (const v of row) logObs -= lf[v];
  const threshold = logObs + Math.log(RELATIVE_TOLERANCE);

  const remaining = [...rowTotals];
  let p = 0;
  // Fill column j row by row; `acc` is Σ log nᵢⱼ! so far. The last column is forced by the row remainders.
  const fillColumn = (j: number, i: number, left: number, acc: number): void => {
    if (j === c - 1) {
      let a = acc;
      for (let ii = 0; ii < r; ii++) a += lf[remaining[ii]];
      const logP = constant - a;
      if (logP <= threshold) p += Math.exp(logP);
      return;
    }
    if (i === r - 1) {
      if (left > remaining[i]) return;
      remaining[i] -= left;
      fillColumn(j + 1, 0, colTotals[j + 1], acc + lf[left]);
      remaining[i] += left;
      return;
    }
    // Rows below i must be able to absorb what is left of this column.
    let capacityBelow = 0;
    for (let ii = i + 1; ii < r; ii++) capacityBelow += remaining[ii];
    const from = Math.max(0, left - capacityBelow);
    const to = Math.min(left, remaining[i]);
    for (let v = from; v <= to; v++) {
      remaining[i] -= v;
      fillColumn(j, i + 1, left - v, acc + lf[v]);
      remaining[i] += v;
    }
  };
  fillColumn(0, 0, colTotals[0], 0);
  return Math.min(1, p);
}
