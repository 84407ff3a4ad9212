/**
 * Seeded draws for the generator on top of the project's xoshiro128** stream (`createRandom`): uniform
 * on an interval, standard normal, unit vectors, shuffles. Same seed → same numbers on every platform.
 */
import type { Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";

export { standardNormal } from "../stats/random.js";

/** Uniform on [lo, hi). */
export function uniform(rng: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Uniform direction on the unit sphere (z uniform in [−1, 1], azimuth uniform). */
export function unitVector(rng: Random): Vec3 {
  const z = 2 * rng.next() - 1;
  const r = Math.sqrt(1 - z * z);
  const phi = 2 * Math.PI * rng.next();
  return [r * Math.cos(phi), r * Math.sin(phi), z];
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
