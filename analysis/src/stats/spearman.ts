/**
 * Spearman's rank correlation with a two-sided test, as R's `cor.test(x, y, method = "spearman")`.
 * rho = Pearson correlation of the mid-ranks; S = (n³ − n)(1 − rho)/6.
 * p-values:
 * - exact (R's default when n < 1290 and there are no ties): AS 89 (Best & Roberts 1975) as R's prho.c —
 *   complete enumeration of the permutations for n ≤ 9, an Edgeworth series beyond;
 * - asymptotic: t = rho·√((n − 2)/(1 − rho²)) on n − 2 df (what R uses with ties or exact = FALSE, and what
 *   SPSS reports).
 */
import { normalLowerTail, normalUpperTail, studentTUpperTail } from "./distributions.js";
import { midRanks, tieGroupSizes } from "./ranks.js";
import { type StatsWarning, statsWarning, type TestResult } from "./result.js";

export interface SpearmanResult extends TestResult<"exact-as89" | "asymptotic-t"> {
  /** S = (n³ − n)(1 − rho)/6, R's statistic. */
  statistic: number;
  /** The estimate: Spearman's rho. */
  rho: number;
  n: number;
  /** p of the method R would pick by default (exact AS 89 without ties and n < 1290, else t). */
  p: number;
  pExact: number | null;
  pAsymptoticT: number;
  ties: boolean;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** AS 89 (R's prho): P[S ≥ is] (upper) or P[S < is] (lower) for n ≥ 2. */
export function spearmanSTail(n: number, is: number, lowerTail: boolean): number {
  const n3 = (n * (n * n - 1)) / 3;
  if (is <= 0) return lowerTail ? 0 : 1;
  if (is > n3) return lowerTail ? 1 : 0;
  if (n <= 9) {
    const l = Array.from({ length: n }, (_, i) => i + 1);
    let nfac = 1;
    for (let i = 1; i <= n; i++) nfac *= i;
    let ifr: number;
    if (is === n3) ifr = 1;
    else {
      ifr = 0;
      // Visits all n! permutations by rotations, exactly as prho.c.
      for (let m = 0; m < nfac; m++) {
        let ise = 0;
        for (let i = 0; i < n; i++) {
          const d = i + 1 - l[i];
          ise += d * d;
        }
        if (is <= ise) ifr++;
        let n1 = n;
        let mt: number;
        do {
          mt = l[0];
          for (let i = 1; i < n1; i++) l[i - 1] = l[i];
          n1--;
          l[n1] = mt;
        } while (mt === n1 + 1 && n1 > 1);
      }
    }
    return (lowerTail ? nfac - ifr : ifr) / nfac;
  }
  const c = [0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4];
  const yn = n;
  const b = 1 / yn;
  const x = ((6 * (is - 1) * b) / (yn * yn - 1) - 1) * Math.sqrt(yn - 1);
  let y = x * x;
  const u =
    x *
    b *
    (c[0] +
      b * (c[1] + c[2] * b) +
      y *
        (-c[3] +
          b * (c[4] + c[5] * b) -
          y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y)))));
  y = u / Math.exp(y / 2);
  const pv = (lowerTail ? -y : y) + (lowerTail ? normalLowerTail(x) : normalUpperTail(x));
  return Math.min(1, Math.max(0, pv));
}

/** Example: for n = 5, `spearman([1.44794, -1.63894, 0.5362, -3.00554, 0.68665], [0.04324, 0.38782, 0.34663, 1.05059, 1.21725])` → rho −0.4, S 28, exact p 0.516667. */
export function spearman(x: readonly number[], y: readonly number[]): SpearmanResult {
  const n = x.length;
  if (n !== y.length) throw new RangeError("spearman: x and y differ in length");
  if (n < 3) throw new RangeError("spearman: need at least 3 pairs");
  const rho = pearson(midRanks(x), midRanks(y));
  const S = ((n ** 3 - n) * (1 - rho)) / 6;
  const ties = tieGroupSizes(x).length > 0 || tieGroupSizes(y).length > 0;
  const tStat = rho / Math.sqrt((1 - rho * rho) / (n - 2));
  // R computes the t tail from S via r = 1 − S/den; that is rho itself.
  const pT = Math.min(1, 2 * studentTUpperTail(Math.abs(tStat), n - 2));
  let pExact: number | null = null;
  if (!ties && n < 1290) {
    const q = S;
    const half = (n ** 3 - n) / 6;
    const tail = q > half ? spearmanSTail(n, Math.round(q), false) : spearmanSTail(n, Math.round(q) + 2, true);
    pExact = Math.min(1, 2 * tail);
  }
  const warnings: StatsWarning[] = ties
    ? [statsWarning("ties-no-exact", "ties present: exact p-value unavailable, t approximation used (as R)")]
    : [];
  return {
    statistic: S,
    rho,
    n,
    ci: null,
    confLevel: null,
    p: pExact ?? pT,
    pExact,
    pAsymptoticT: pT,
    method: pExact !== null ? "exact-as89" : "asymptotic-t",
    ties,
    warnings,
  };
}
