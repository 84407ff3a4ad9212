/**
 * Brent's root finder exactly as R's `uniroot` (R_zeroin2 in src/library/stats/src/zeroin.c, after
 * Brent 1973 / netlib zeroin): same steps, same tolerance test, so results agree with R digit for digit
 * where R's answer is limited by its tolerance (e.g. fisher.test's odds ratio and CI, tol ≈ 1.22e-4).
 */

/** R's default uniroot tolerance, .Machine$double.eps^0.25. */
export const R_UNIROOT_TOL = Number.EPSILON ** 0.25;

export interface RootResult {
  root: number;
  iterations: number;
  /** Final bracket width |c − b| (−1 when maxIterations ran out). */
  estimatedPrecision: number;
}

/**
 * Root of f in [lower, upper], where f(lower) and f(upper) have opposite signs (or one is 0).
 * Example: `uniroot((x) => x * x - 2, 0, 2, { tol: 1e-12 }).root` ≈ 1.414213562373095.
 */
export function uniroot(
  f: (x: number) => number,
  lower: number,
  upper: number,
  { tol = R_UNIROOT_TOL, maxIterations = 1000 }: { tol?: number; maxIterations?: number } = {},
): RootResult {
  let a = lower;
  let b = upper;
  let fa = f(a);
  let fb = f(b);
  if (fa * fb > 0) throw new RangeError("uniroot: f() values at end points not of opposite sign");
  if (fa === 0) return { root: a, iterations: 0, estimatedPrecision: 0 };
  if (fb === 0) return { root: b, iterations: 0, estimatedPrecision: 0 };
  let c = a;
  let fc = fa;
  for (let it = 0; it <= maxIterations; it++) {
    const prevStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolAct = 2 * Number.EPSILON * Math.abs(b) + tol / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(newStep) <= tolAct || fb === 0)
      return { root: b, iterations: it, estimatedPrecision: Math.abs(c - b) };
    if (Math.abs(prevStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
      let p: number;
      let q: number;
      const cb = c - b;
      if (a === c) {
        const t1 = fb / fa; // linear interpolation
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qq = fa / fc; // inverse quadratic interpolation
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1));
        q = (qq - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tolAct * q) / 2 && p < Math.abs((prevStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < tolAct) newStep = newStep > 0 ? tolAct : -tolAct;
    a = b;
    fa = fb;
    b += newStep;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return { root: b, iterations: maxIterations, estimatedPrecision: -1 };
}
