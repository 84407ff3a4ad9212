/**
 * Nonparametric bootstrap confidence intervals (Efron & Tibshirani 1993), reproducible through a seeded
 * PRNG (random.ts).
 * - percentile: the α/2 and 1 − α/2 quantiles (type 7) of the bootstrap replicates;
 * - BCa: bias correction z₀ = Φ⁻¹(#{θ* < θ̂}/B) and acceleration a = Σ(θ̄₍.₎ − θ₍ᵢ₎)³ / (6·(Σ(θ̄₍.₎ − θ₍ᵢ₎)²)^{3/2})
 *   from the jackknife; the interval takes the replicate quantiles at Φ(z₀ + (z₀ + z_α)/(1 − a(z₀ + z_α))).
 * Replicates whose statistic is not finite (e.g. a Cox fit that diverges on a separated resample) are
 * counted in `nonFinite` and left out, with a warning: they are reported, never silently absorbed.
 */
import { quantile } from "./descriptives.js";
import { normalLowerTail, normalQuantileStd } from "./distributions.js";
import { createRandom } from "./random.js";
import { type StatsResultBase, type StatsWarning, statsWarning } from "./result.js";

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  confLevel?: number;
  method?: "percentile" | "bca";
}

export interface BootstrapResult extends StatsResultBase<"percentile" | "bca"> {
  estimate: number;
  ci: [number, number];
  confLevel: number;
  /** Finite replicates used. */
  replicates: Float64Array;
  nonFinite: number;
  seed: number;
}

/**
 * Bootstraps `statistic`, which receives the indices (0..n−1, with repetition) of one resample in a
 * reused buffer; it must not keep a reference to the buffer.
 * Example: `bootstrap(x.length, (idx) => meanOf(idx), { seed: 1 })`.
 */
export function bootstrap(
  n: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions = {},
): BootstrapResult {
  const { resamples = 2000, seed = 1, confLevel = 0.95, method = "percentile" } = options;
  if (!(n >= 2)) throw new RangeError("bootstrap: need at least 2 observations");
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(identity);
  const rng = createRandom(seed);
  const indices = new Int32Array(n);
  const all = new Float64Array(resamples);
  let finite = 0;
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    const v = statistic(indices);
    if (Number.isFinite(v)) all[finite++] = v;
  }
  const replicates = all.slice(0, finite);
  const nonFinite = resamples - finite;
  const warnings: StatsWarning[] = [];
  if (nonFinite > 0)
    warnings.push(
      statsWarning(
        "non-finite-replicates",
        `${nonFinite} of ${resamples} resamples gave a non-finite statistic and were left out`,
      ),
    );
  if (finite < 2)
    return {
      estimate,
      ci: [Number.NaN, Number.NaN],
      confLevel,
      replicates,
      nonFinite,
      method,
      seed,
      warnings: [...warnings, statsWarning("too-few-replicates", "too few finite replicates")],
    };
  const values = Array.from(replicates);
  const alpha = (1 - confLevel) / 2;
  let lowerP = alpha;
  let upperP = 1 - alpha;
  if (method === "bca") {
    let below = 0;
    for (const v of values) if (v < estimate) below++;
    const z0 = normalQuantileStd(below / finite);
    // Jackknife: leave one observation out at a time.
    const jack = new Float64Array(n);
    const loo = new Int32Array(n - 1);
    for (let i = 0; i < n; i++) {
      for (let k = 0, m = 0; k < n; k++) if (k !== i) loo[m++] = k;
      jack[i] = statistic(loo);
    }
    const jackMean = jack.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (const t of jack) {
      num += (jackMean - t) ** 3;
      den += (jackMean - t) ** 2;
    }
    const a = den === 0 ? 0 : num / (6 * den ** 1.5);
    const adjust = (p: number) => {
      const z = normalQuantileStd(p);
      return normalLowerTail(z0 + (z0 + z) / (1 - a * (z0 + z)));
    };
    if (!Number.isFinite(z0))
      warnings.push(
        statsWarning(
          "bca-infinite-bias",
          "BCa bias correction is infinite (all replicates on one side); percentile interval used",
        ),
      );
    else {
      lowerP = adjust(alpha);
      upperP = adjust(1 - alpha);
    }
  }
  return {
    estimate,
    ci: [quantile(values, lowerP, 7), quantile(values, upperP, 7)],
    confLevel,
    replicates,
    nonFinite,
    method,
    seed,
    warnings,
  };
}
