/**
 * Cox proportional hazards regression, following R's survival 3.5 `coxph()` (coxph.fit / coxfit6.c).
 *
 * Partial log-likelihood with ties at a time t with death set D (d deaths), risk set R, wᵢ = exp(xᵢβ):
 * - Breslow: ℓ += Σ_{i∈D} xᵢβ − d·log Σ_{R} w
 * - Efron:   ℓ += Σ_{i∈D} xᵢβ − Σ_{k=0}^{d−1} log(Σ_R w − (k/d)·Σ_D w)
 * with the score U and information I the first and minus second derivatives of the same sums
 * (S0 = Σw, S1 = Σw·x, S2 = Σw·xxᵀ, each with the Efron share removed: U −= S1/S0, I += S2/S0 − S1S1ᵀ/S0²).
 * Newton–Raphson from β = 0 exactly as coxfit6: converge when |1 − ℓ_old/ℓ_new| ≤ eps (1e-9) without
 * step-halving, halve the step whenever ℓ decreases, at most 20 iterations. Covariates are centred (as
 * R does; it changes no result, only rounding).
 *
 * Tests: Wald p per coefficient from z = β/se; likelihood ratio 2(ℓ(β̂) − ℓ(0)); Wald βᵀIβ; score
 * U(0)ᵀI(0)⁻¹U(0). HR CI = exp(β ± 1.959964·se). Concordance: Harrell's C on the linear predictor as
 * survival::concordance (pairs comparable when the shorter time is an event; a censoring at the same time
 * as an event counts as later; equal predictors count ½; pairs with tied event times are not used).
 *
 * Monotone likelihood (separation): when the likelihood keeps rising as a coefficient goes to ±∞ (e.g. every
 * event has a smaller margin than every censored case), the maximum-likelihood β is infinite. R detects it
 * after convergence by |U·I⁻¹| > eps and > √eps·|β| ("Loglik converged before variable …; coefficient may
 * be infinite"); we use the same rule and, in addition, confirm it by evaluating ℓ further out along the
 * coefficient. The fit is then flagged (`monotoneLikelihood`), its HR must not be read as an estimate, and
 * `coxFirth` (Heinze & Schemper 2002 penalised likelihood) gives a finite, bias-reduced estimate.
 */
import { chiSquareUpperTail, normalQuantileStd, normalTwoSidedP } from "../stats/distributions.js";
import { type StatsResultBase, type StatsWarning, statsWarning } from "../stats/result.js";
import { type SurvivalData, validateSurvivalData } from "./data.js";
import { choleskyInverse, choleskySolve, symmetricDecompose } from "./linearAlgebra.js";

export type CoxTies = "efron" | "breslow";

/** coxph.control's defaults: at most 20 Newton–Raphson iterations, relative convergence 1e-9. */
export const COX_ITERATION_DEFAULTS = { maxIterations: 20, eps: 1e-9 } as const;

export interface CoxOptions {
  ties?: CoxTies;
  /** Default `COX_ITERATION_DEFAULTS.maxIterations`. */
  maxIterations?: number;
  /** Default `COX_ITERATION_DEFAULTS.eps`. */
  eps?: number;
  confLevel?: number;
  /** Compute Harrell's concordance (O(n²)); default true. */
  concordance?: boolean;
}

/** One coefficient: log-HR `coef` with its Wald test (statistic z = coef/se) and the HR with its Wald CI. */
export interface CoxCoefficient {
  name: string;
  coef: number;
  se: number;
  /** z = coef / se. */
  statistic: number;
  p: number;
  hr: number;
  /** Wald CI of the HR, exp(coef ∓ z_{1−α/2}·se). */
  ci: [number, number];
}

/** A χ² test of the model (likelihood ratio, Wald, score) or of one term. */
export interface CoxTest {
  statistic: number;
  df: number;
  p: number;
}

export type CoxMethod = "coxph-efron" | "coxph-breslow";

export interface CoxResult extends StatsResultBase<CoxMethod> {
  n: number;
  events: number;
  coefficients: CoxCoefficient[];
  /** Variance-covariance matrix of the coefficients (zero rows/columns for aliased covariates). */
  variance: number[][];
  loglikNull: number;
  loglik: number;
  tests: { lr: CoxTest; wald: CoxTest; score: CoxTest };
  concordance: number;
  iterations: number;
  converged: boolean;
  /** True when the likelihood is monotone in some coefficient: its MLE is infinite. */
  monotoneLikelihood: boolean;
  ties: CoxTies;
  /** The method in words. */
  description: string;
}

/** Design held column-major for the hot loops: x[r·n + i] is covariate r of subject i. */
interface CoxDesign {
  n: number;
  p: number;
  /** Subject indices sorted by decreasing time (risk sets accumulate as the loop walks). */
  order: Int32Array;
  time: readonly number[];
  event: readonly number[];
  x: Float64Array;
}

function makeDesign(
  time: readonly number[],
  event: readonly number[],
  covariates: readonly (readonly number[])[],
): CoxDesign {
  const n = time.length;
  const p = covariates.length;
  const x = new Float64Array(p * n);
  for (let r = 0; r < p; r++) {
    const col = covariates[r];
    let mean = 0;
    for (let i = 0; i < n; i++) mean += col[i];
    mean /= n;
    for (let i = 0; i < n; i++) x[r * n + i] = col[i] - mean;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => time[b] - time[a]);
  return { n, p, order, time, event, x };
}

interface LikelihoodState {
  loglik: number;
  u: number[];
  imat: number[][];
}

/**
 * ℓ(β), U(β), I(β) in one backward pass over time: risk-set sums grow as time decreases; at each
 * distinct time the subjects with that time join the risk set before its deaths are processed.
 */
function coxLikelihood(d: CoxDesign, beta: readonly number[], ties: CoxTies, wantDerivatives = true): LikelihoodState {
  const { n, p, order, time, event, x } = d;
  const S1 = new Float64Array(p);
  const S2 = new Float64Array(p * p);
  const D1 = new Float64Array(p);
  const D2 = new Float64Array(p * p);
  const u = new Array<number>(p).fill(0);
  const imat = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let S0 = 0;
  let loglik = 0;
  for (let a = 0; a < n; ) {
    const t = time[order[a]];
    let D0 = 0;
    let deaths = 0;
    D1.fill(0);
    if (wantDerivatives) D2.fill(0);
    let b = a;
    for (; b < n && time[order[b]] === t; b++) {
      const i = order[b];
      let eta = 0;
      for (let r = 0; r < p; r++) eta += x[r * n + i] * beta[r];
      const w = Math.exp(eta);
      S0 += w;
      for (let r = 0; r < p; r++) {
        const xr = x[r * n + i];
        S1[r] += w * xr;
        if (wantDerivatives) for (let s = r; s < p; s++) S2[r * p + s] += w * xr * x[s * n + i];
      }
      if (event[i] === 1) {
        deaths++;
        D0 += w;
        loglik += eta;
        for (let r = 0; r < p; r++) {
          const xr = x[r * n + i];
          D1[r] += w * xr;
          u[r] += xr;
          if (wantDerivatives) for (let s = r; s < p; s++) D2[r * p + s] += w * xr * x[s * n + i];
        }
      }
    }
    a = b;
    for (let k = 0; k < deaths; k++) {
      const frac = ties === "efron" ? k / deaths : 0;
      const s0 = S0 - frac * D0;
      loglik -= Math.log(s0);
      for (let r = 0; r < p; r++) {
        const mr = (S1[r] - frac * D1[r]) / s0;
        u[r] -= mr;
        if (wantDerivatives)
          for (let s = r; s < p; s++) {
            const ms = (S1[s] - frac * D1[s]) / s0;
            imat[r][s] += (S2[r * p + s] - frac * D2[r * p + s]) / s0 - mr * ms;
          }
      }
    }
  }
  for (let r = 0; r < p; r++) for (let s = 0; s < r; s++) imat[r][s] = imat[s][r];
  return { loglik, u, imat };
}

/**
 * Harrell's C of a risk score (higher score = shorter expected survival), survival::concordance rules.
 * O(n log n) as survival's own: subjects are taken in decreasing time, a group of equal times at once;
 * the scores of those still at risk later are counted in a Fenwick tree over the score ranks, so each event
 * meets its comparable subjects (later times, and the censored at its own time, which count as later) as
 * three counts (lower, equal, higher score) instead of a loop over them. Tied event times are not compared.
 */
export function harrellConcordance(
  time: readonly number[],
  event: readonly number[],
  score: readonly number[],
): number {
  const n = time.length;
  const levels = Float64Array.from(score).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || levels[i] !== levels[distinct - 1]) levels[distinct++] = levels[i];
  /** 1-based rank of a score among the distinct scores. */
  const rankOf = (v: number): number => {
    let lo = 0;
    let hi = distinct;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (levels[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const rank = Int32Array.from(score, rankOf);
  const tree = new Float64Array(distinct + 1);
  const atRank = new Float64Array(distinct + 1);
  let atRisk = 0;
  const add = (r: number) => {
    atRank[r]++;
    atRisk++;
    for (let k = r; k <= distinct; k += k & -k) tree[k]++;
  };
  /** How many at risk have a rank ≤ r. */
  const upTo = (r: number) => {
    let c = 0;
    for (let k = r; k > 0; k -= k & -k) c += tree[k];
    return c;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => time[b] - time[a]);
  let concordant = 0;
  let discordant = 0;
  let tiedScore = 0;
  for (let a = 0; a < n; ) {
    let b = a;
    while (b < n && time[order[b]] === time[order[a]]) b++;
    for (let g = a; g < b; g++) if (event[order[g]] !== 1) add(rank[order[g]]);
    for (let g = a; g < b; g++) {
      const i = order[g];
      if (event[i] !== 1) continue;
      const lower = upTo(rank[i] - 1);
      const equal = atRank[rank[i]];
      concordant += lower;
      tiedScore += equal;
      discordant += atRisk - lower - equal;
    }
    for (let g = a; g < b; g++) if (event[order[g]] === 1) add(rank[order[g]]);
    a = b;
  }
  const total = concordant + discordant + tiedScore;
  return total === 0 ? Number.NaN : (concordant + tiedScore / 2) / total;
}

interface NewtonResult {
  beta: number[];
  state: LikelihoodState;
  initial: LikelihoodState;
  iterations: number;
  converged: boolean;
}

/** coxfit6's Newton–Raphson loop (see module comment). */
function newtonRaphson(d: CoxDesign, ties: CoxTies, maxIterations: number, eps: number): NewtonResult {
  const p = d.p;
  const initial = coxLikelihood(d, new Array(p).fill(0), ties);
  let oldBeta = new Array<number>(p).fill(0);
  let best = initial;
  let newBeta = oldBeta.map((b, r) => b + choleskySolve(symmetricDecompose(initial.imat), initial.u)[r]);
  let halving = false;
  for (let iter = 1; iter <= maxIterations; iter++) {
    const state = coxLikelihood(d, newBeta, ties);
    if (Math.abs(1 - best.loglik / state.loglik) <= eps && !halving) {
      return { beta: newBeta, state, initial, iterations: iter, converged: true };
    }
    if (iter === maxIterations) break;
    if (state.loglik < best.loglik) {
      halving = true;
      newBeta = newBeta.map((b, r) => (oldBeta[r] + b) / 2);
    } else {
      halving = false;
      best = state;
      oldBeta = newBeta;
      const step = choleskySolve(symmetricDecompose(state.imat), state.u);
      newBeta = newBeta.map((b, r) => b + step[r]);
    }
  }
  return { beta: oldBeta, state: best, initial, iterations: maxIterations, converged: false };
}

/**
 * Fits a Cox model. `covariates` maps a name to its column (one value per subject).
 * Example: `coxProportionalHazards({time, event}, {mtm_mm: mtm}).coefficients[0].hr` is the HR per mm.
 */
export function coxProportionalHazards(
  data: SurvivalData,
  covariates: Record<string, readonly number[]>,
  options: CoxOptions = {},
): CoxResult {
  const {
    ties = "efron",
    maxIterations = COX_ITERATION_DEFAULTS.maxIterations,
    eps = COX_ITERATION_DEFAULTS.eps,
    confLevel = 0.95,
    concordance = true,
  } = options;
  validateSurvivalData(data, "coxProportionalHazards");
  const names = Object.keys(covariates);
  if (names.length === 0) throw new RangeError("coxProportionalHazards: no covariates");
  const columns = names.map((name) => {
    const col = covariates[name];
    if (col.length !== data.time.length)
      throw new RangeError(
        `coxProportionalHazards: covariate '${name}' has ${col.length} values for ${data.time.length} subjects`,
      );
    col.forEach((v, i) => {
      if (!Number.isFinite(v))
        throw new RangeError(`coxProportionalHazards: covariate '${name}' is not finite at index ${i}`);
    });
    return col;
  });
  const events = data.event.reduce((a, b) => a + b, 0);
  const warnings: StatsWarning[] = [];
  const design = makeDesign(data.time, data.event, columns);
  const fit = newtonRaphson(design, ties, maxIterations, eps);
  const decomposition = symmetricDecompose(fit.state.imat);
  const variance = choleskyInverse(decomposition);
  const aliased = variance.map((row, r) => row[r] === 0);
  aliased.forEach((isAliased, r) => {
    if (isAliased)
      warnings.push(
        statsWarning(
          "collinear",
          `covariate '${names[r]}' is collinear with the others: its coefficient is not estimable (NA, as R)`,
        ),
      );
  });

  // R's check for an infinite coefficient: the Newton step still wanted at convergence.
  const step = fit.state.u.map((_, r) => fit.state.u.reduce((s, ur, c) => s + ur * variance[c][r], 0));
  // A fit that ran out of iterations is suspect too: when every event is perfectly ordered, ℓ → 0 and the
  // relative-change criterion never triggers.
  const suspect = step.map(
    (s, r) =>
      !aliased[r] && (!fit.converged || (Math.abs(s) > eps && Math.abs(s) > Math.sqrt(eps) * Math.abs(fit.beta[r]))),
  );
  // Confirmation: with a finite MLE, moving the coefficient further out (by 3 log-HR units per SD of the
  // covariate) lowers ℓ; on a monotone likelihood it does not. The step is bounded so exp() cannot overflow.
  const monotone = suspect.map((isSuspect, r) => {
    if (!isSuspect) return false;
    const col = columns[r];
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, col.length - 1)) || 1;
    const far = [...fit.beta];
    far[r] = fit.beta[r] + (Math.sign(fit.beta[r]) || 1) * (3 / sd);
    return coxLikelihood(design, far, ties, false).loglik >= fit.state.loglik - 1e-9;
  });
  const monotoneLikelihood = monotone.some(Boolean);
  if (!fit.converged && !monotoneLikelihood)
    warnings.push(statsWarning("not-converged", `did not converge in ${maxIterations} iterations`));
  monotone.forEach((isMonotone, r) => {
    if (isMonotone)
      warnings.push(
        statsWarning(
          "monotone-likelihood",
          `monotone likelihood in '${names[r]}' (separation): the partial likelihood keeps increasing as its coefficient goes to ${fit.beta[r] < 0 ? "−" : "+"}∞, so its MLE is infinite and the HR, SE and Wald p are not estimates — use coxFirth (penalised likelihood) or the likelihood-ratio test`,
        ),
      );
  });

  const z = normalQuantileStd(1 - (1 - confLevel) / 2);
  const coefficients = names.map((name, r): CoxCoefficient => {
    if (aliased[r])
      return {
        name,
        coef: Number.NaN,
        se: Number.NaN,
        statistic: Number.NaN,
        p: Number.NaN,
        hr: Number.NaN,
        ci: [Number.NaN, Number.NaN],
      };
    const coef = fit.beta[r];
    const se = Math.sqrt(variance[r][r]);
    return {
      name,
      coef,
      se,
      statistic: coef / se,
      p: normalTwoSidedP(coef / se),
      hr: Math.exp(coef),
      ci: [Math.exp(coef - z * se), Math.exp(coef + z * se)],
    };
  });
  const df = decomposition.rank;
  const lrStat = 2 * (fit.state.loglik - fit.initial.loglik);
  const waldStat = fit.beta.reduce(
    (s, br, r) =>
      s + (aliased[r] ? 0 : br * fit.state.imat[r].reduce((t, v, c) => t + (aliased[c] ? 0 : v * fit.beta[c]), 0)),
    0,
  );
  const scoreSolved = choleskySolve(symmetricDecompose(fit.initial.imat), fit.initial.u);
  const scoreStat = fit.initial.u.reduce((s, v, r) => s + v * scoreSolved[r], 0);
  let c = Number.NaN;
  if (concordance) {
    const lp = data.time.map((_, i) =>
      names.reduce((s, _n, r) => s + (aliased[r] ? 0 : fit.beta[r] * columns[r][i]), 0),
    );
    c = harrellConcordance(data.time, data.event, lp);
  }
  return {
    n: data.time.length,
    events,
    coefficients,
    variance,
    loglikNull: fit.initial.loglik,
    loglik: fit.state.loglik,
    tests: {
      lr: { statistic: lrStat, df, p: chiSquareUpperTail(lrStat, df) },
      wald: { statistic: waldStat, df, p: chiSquareUpperTail(waldStat, df) },
      score: { statistic: scoreStat, df, p: chiSquareUpperTail(scoreStat, df) },
    },
    concordance: c,
    iterations: fit.iterations,
    converged: fit.converged,
    monotoneLikelihood,
    ties,
    method: ties === "efron" ? "coxph-efron" : "coxph-breslow",
    description: `Cox proportional hazards, partial likelihood with ${ties === "efron" ? "Efron" : "Breslow"} ties, Newton-Raphson (R coxph conventions); Wald CI`,
    warnings,
  };
}

/**
 * The minimal univariable fit used in resampling loops (bootstrap): β̂ only, no tests or concordance.
 * Returns NaN when the fit does not converge or the likelihood is monotone (β̂ = ±∞).
 */
export function coxCoefficientFast(
  time: readonly number[],
  event: readonly number[],
  x: readonly number[],
  ties: CoxTies = "efron",
): number {
  const design = makeDesign(time, event, [x]);
  const { maxIterations, eps } = COX_ITERATION_DEFAULTS;
  const fit = newtonRaphson(design, ties, maxIterations, eps);
  if (!fit.converged) return Number.NaN;
  const info = fit.state.imat[0][0];
  if (!(info > 0)) return Number.NaN;
  const step = fit.state.u[0] / info;
  if (Math.abs(step) > eps && Math.abs(step) > Math.sqrt(eps) * Math.abs(fit.beta[0]))
    return fit.beta[0] < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return fit.beta[0];
}
