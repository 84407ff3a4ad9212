/**
 * Otsu's threshold (N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans.
 * Syst. Man Cybern. 9, 1979): the cut of a histogram that maximises the between-class variance
 *   σ_B²(t) = ω₀(t)·ω₁(t)·(μ₀(t) − μ₁(t))²,
 * ω the class weights and μ the class means, evaluated at every bin edge in one pass with cumulative
 * sums (ω₀ = Σ_{b≤t} p_b, μ₀ = Σ_{b≤t} b·p_b / ω₀).
 */

/** Otsu's cut of `values`, computed on a `bins`-bin histogram over [min, max]. */
export interface OtsuResult {
  /** Values ≤ threshold form the lower class. */
  threshold: number;
  /** σ_B² / σ² at the threshold (0…1): how well two classes explain the values (1 = two spikes). */
  separability: number;
  lowerMean: number;
  upperMean: number;
  /** Fraction of the values in the lower class. */
  lowerFraction: number;
}

/**
 * Example: `otsuThreshold([1, 1, 2, 9, 10, 10])` cuts between 2 and 9 (separability ≈ 0.98).
 * Throws a RangeError for fewer than two distinct values.
 */
export function otsuThreshold(values: ArrayLike<number>, bins = 256): OtsuResult {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) throw new RangeError("otsuThreshold: needs at least two distinct values");
  const width = (max - min) / bins;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - min) / width))]++;
  const n = values.length;
  const centre = (b: number) => min + (b + 0.5) * width;
  let totalSum = 0;
  let totalSq = 0;
  for (let b = 0; b < bins; b++) {
    totalSum += counts[b] * centre(b);
    totalSq += counts[b] * centre(b) ** 2;
  }
  const mean = totalSum / n;
  const variance = totalSq / n - mean * mean;
  let best = { b: 0, between: -1, w0: 0, m0: 0, m1: 0 };
  let w0 = 0;
  let sum0 = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += counts[b];
    sum0 += counts[b] * centre(b);
    if (w0 === 0 || w0 === n) continue;
    const m0 = sum0 / w0;
    const m1 = (totalSum - sum0) / (n - w0);
    const between = (w0 / n) * (1 - w0 / n) * (m0 - m1) ** 2;
    if (between > best.between) best = { b, between, w0, m0, m1 };
  }
  return {
    threshold: min + (best.b + 1) * width,
    separability: variance > 0 ? best.between / variance : 0,
    lowerMean: best.m0,
    upperMean: best.m1,
    lowerFraction: best.w0 / n,
  };
}
