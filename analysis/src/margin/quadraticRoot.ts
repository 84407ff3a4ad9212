/**
 * The root of a quadratic nearest to zero, in the numerically stable form: where a fitted patch crosses
 * a grid edge, measured from the edge's current point (refineSurface.ts, smoothSurface.ts).
 */

/** Root of q2 t² + q1 t + q0 = 0 nearest to 0 (the linear root when q2 is negligible); NaN if none. */
export function smallestRoot(q2: number, q1: number, q0: number): number {
  if (Math.abs(q2 * q0) < 1e-12 * q1 * q1) return -q0 / q1;
  const disc = q1 * q1 - 4 * q2 * q0;
  if (disc < 0) return Number.NaN;
  // Stable pair: qq = −(q1 + sign(q1)√disc)/2, roots qq/q2 and q0/qq.
  const sq = Math.sqrt(disc);
  const qq = -0.5 * (q1 + (q1 >= 0 ? sq : -sq));
  const t1 = qq / q2;
  const t2 = q0 / qq;
  return Math.abs(t1) < Math.abs(t2) ? t1 : t2;
}
