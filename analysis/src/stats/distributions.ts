/**
 * Tail probabilities and quantiles of the distributions behind the tests, from @stdlib (which agrees
 * with R's nmath to ~1e-15). Upper tails are computed directly — never as 1 − cdf — so that p-values
 * far below machine epsilon (e.g. 1e-30) survive instead of rounding to 0.
 */
import betainc from "@stdlib/math-base-special-betainc";
import gammainc from "@stdlib/math-base-special-gammainc";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import chisquareQuantile from "@stdlib/stats-base-dists-chisquare-quantile";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

/** Standard normal lower tail Φ(z). Example: `normalLowerTail(-1.959963984540054)` ≈ 0.025. */
export function normalLowerTail(z: number): number {
  return normalCdf(z, 0, 1);
}

/** Standard normal upper tail 1 − Φ(z) = Φ(−z), exact in the far tail. */
export function normalUpperTail(z: number): number {
  return normalCdf(-z, 0, 1);
}

/** Two-sided normal p-value 2·Φ(−|z|). Example: `normalTwoSidedP(1.959963984540054)` ≈ 0.05. */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** Standard normal quantile Φ⁻¹(p). Example: `normalQuantileStd(0.975)` ≈ 1.959963984540054. */
export function normalQuantileStd(p: number): number {
  return normalQuantile(p, 0, 1);
}

/**
 * Chi-square upper tail P(X > x) with `df` degrees of freedom = Q(df/2, x/2), the regularised upper
 * incomplete gamma function. Example: `chiSquareUpperTail(3.841458820694124, 1)` ≈ 0.05.
 */
export function chiSquareUpperTail(x: number, df: number): number {
  if (!(x > 0)) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** Chi-square quantile. Example: `chiSquareQuantile(0.95, 1)` ≈ 3.841458820694124. */
export function chiSquareQuantile(p: number, df: number): number {
  return chisquareQuantile(p, df);
}

/**
 * Student t upper tail P(T > t) with `df` degrees of freedom. For t ≥ 0 it is ½·I_{df/(df+t²)}(df/2, ½)
 * (regularised incomplete beta), computed directly so tiny tails keep their digits.
 */
export function studentTUpperTail(t: number, df: number): number {
  const half = 0.5 * betainc(df / (df + t * t), df / 2, 0.5, true, false);
  return t >= 0 ? half : 1 - half;
}

/** Two-sided Student t p-value P(|T| > |t|) = I_{df/(df+t²)}(df/2, ½). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, betainc(df / (df + t * t), df / 2, 0.5, true, false));
}

/** Student t quantile. Example: `studentTQuantile(0.975, 10)` ≈ 2.228138851986274. */
export function studentTQuantile(p: number, df: number): number {
  return tQuantile(p, df);
}

/** Beta quantile (used by the Clopper-Pearson interval). */
export function betaQuantileOf(p: number, a: number, b: number): number {
  return betaQuantile(p, a, b);
}
