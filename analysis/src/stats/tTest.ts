/**
 * Independent two-sample t-test, two-sided, as R's `t.test(x, y, var.equal)`.
 * Student: pooled s² = ((nx−1)sx² + (ny−1)sy²)/(nx+ny−2), SE = s·√(1/nx + 1/ny), df = nx + ny − 2.
 * Welch: SE = √(sx²/nx + sy²/ny), df by Welch–Satterthwaite (sx²/nx + sy²/ny)² / Σ (s²/n)²/(n−1).
 * CI of mean(x) − mean(y): difference ± t_{1−α/2, df}·SE.
 */
import { mean, variance } from "./descriptives.js";
import { studentTQuantile, studentTTwoSidedP } from "./distributions.js";
import { type StatsWarning, statsWarning, type TestResult } from "./result.js";

export interface TTestResult extends TestResult<"student" | "welch"> {
  /** t = (mean(x) − mean(y)) / SE. */
  statistic: number;
  df: number;
  /** CI of mean(x) − mean(y). */
  ci: [number, number];
  confLevel: number;
  /** The two means. */
  estimate: [number, number];
}

/** Example: `tTest([28.4, 31, 21.9, 40.8], [32.2, 42.4, 40.4, 40.7, 34.5], { welch: false }).statistic` ≈ −1.8277. */
export function tTest(
  x: readonly number[],
  y: readonly number[],
  { welch = false, confLevel = 0.95 } = {},
): TTestResult {
  const nx = x.length;
  const ny = y.length;
  if (nx < 2 || ny < 2) throw new RangeError("tTest: each group needs at least 2 values");
  const mx = mean(x);
  const my = mean(y);
  const vx = variance(x);
  const vy = variance(y);
  let se: number;
  let df: number;
  if (welch) {
    const sx = vx / nx;
    const sy = vy / ny;
    se = Math.sqrt(sx + sy);
    df = (sx + sy) ** 2 / (sx ** 2 / (nx - 1) + sy ** 2 / (ny - 1));
  } else {
    df = nx + ny - 2;
    const pooled = ((nx - 1) * vx + (ny - 1) * vy) / df;
    se = Math.sqrt(pooled * (1 / nx + 1 / ny));
  }
  const warnings: StatsWarning[] = se === 0 ? [statsWarning("constant-data", "data are essentially constant")] : [];
  const diff = mx - my;
  const t = diff / se;
  const q = studentTQuantile(1 - (1 - confLevel) / 2, df);
  return {
    statistic: t,
    df,
    p: studentTTwoSidedP(t, df),
    ci: [diff - q * se, diff + q * se],
    confLevel,
    estimate: [mx, my],
    method: welch ? "welch" : "student",
    warnings,
  };
}
