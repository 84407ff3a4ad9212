/**
 * Deterministic simulated annealing (Kirkpatrick et al. 1983) for the cohort design: a seeded proposal
 * stream, Metropolis acceptance exp(−Δ/T) and a geometric cooling schedule T₀ → T₁ over a fixed number
 * of steps, keeping the best state seen. Same seed, same start → same answer.
 */
import type { Random } from "../stats/random.js";

export interface AnnealOptions {
  iterations: number;
  /** Starting temperature (in loss units). */
  startTemperature: number;
  /** Final temperature. */
  endTemperature: number;
}

export interface AnnealResult<S> {
  state: S;
  loss: number;
}

/**
 * Minimises `loss` from `initial`; `propose(state, rng)` returns a new candidate (never mutating its
 * argument) or null to skip a step. Example: minimising (x − 3)² over integers with ±1 steps ends at 3.
 */
export function anneal<S>(
  initial: S,
  loss: (state: S) => number,
  propose: (state: S, rng: Random) => S | null,
  rng: Random,
  { iterations, startTemperature, endTemperature }: AnnealOptions,
): AnnealResult<S> {
  let current = initial;
  let currentLoss = loss(initial);
  let best = current;
  let bestLoss = currentLoss;
  const cooling = (endTemperature / startTemperature) ** (1 / Math.max(1, iterations));
  let temperature = startTemperature;
  for (let it = 0; it < iterations && bestLoss > 0; it++, temperature *= cooling) {
    const candidate = propose(current, rng);
    if (candidate === null) continue;
    const candidateLoss = loss(candidate);
    const accept = candidateLoss <= currentLoss || rng.next() < Math.exp(-(candidateLoss - currentLoss) / temperature);
    if (!accept) continue;
    current = candidate;
    currentLoss = candidateLoss;
    if (currentLoss < bestLoss) {
      best = current;
      bestLoss = currentLoss;
    }
  }
  return { state: best, loss: bestLoss };
}

/**
 * The loss of a figure that should round to its printed target: 0 inside a band of ±`tolerance`
 * around the target, growing quadratically (in units of the tolerance) outside it.
 * Example: band(31.32, 31.3, 0.04) = 0; band(31.4, 31.3, 0.04) = 2.25.
 */
export function band(value: number, target: number, tolerance: number): number {
  if (!Number.isFinite(value)) return 1e6;
  const excess = Math.abs(value - target) - tolerance;
  return excess <= 0 ? 0 : (excess / tolerance) ** 2;
}
