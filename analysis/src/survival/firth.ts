/**
 * Firth's penalised Cox regression (Heinze & Schemper 2001, "A solution to the problem of monotone
 * likelihood in Cox regression", Biometrics 57:114–119; R package coxphf). It maximises
 *   ℓ*(β) = ℓ(β) + ½·log|I(β)|
 * (Breslow ties, as coxphf), whose maximum is finite even under separation. Score:
 *   U*ᵣ = Uᵣ + ½·tr(I⁻¹ ∂I/∂βᵣ),
 * with, for each event time (d deaths; risk-set sums S0 = Σw, S1 = Σwx, S2 = Σwxxᵀ, S3ᵣ = Σw·xxᵀ·xᵣ),
 *   ∂I/∂βᵣ = d·[S3ᵣ/S0 − S2·S1ᵣ/S0² − (S2_{·r}S1ᵀ + S1S2_{r·})/S0² + 2·S1S1ᵀ·S1ᵣ/S0³].
 * Newton steps use I(β) (as coxphf), with step-halving when ℓ* decreases. Confidence intervals and p-values
 * come from the penalised profile likelihood (coxphf's default): the CI holds the βᵣ with
 * 2(ℓ*(β̂) − max_{β₋ᵣ} ℓ*(βᵣ, β₋ᵣ)) ≤ χ²₁(1 − α); the p-value tests βᵣ = 0 the same way.
 * Risk sets are summed directly (O(n²p³)): fine for the cohort sizes of ablation studies (n ≲ 1000).
 */

import { maxOf } from "../stats/descriptives.js";
import { chiSquareQuantile, chiSquareUpperTail } from "../stats/distributions.js";
import { type StatsResultBase, type StatsWarning, statsWarning } from "../stats/result.js";
import { uniroot } from "../stats/rootFinding.js";
import { type SurvivalData, validateSurvivalData } from "./data.js";
import { choleskyInverse, choleskySolve, symmetricDecompose } from "./linearAlgebra.js";

export interface FirthCoefficient {
  name: string;
  coef: number;
  se: number;
  hr: number;
  /** Profile penalised-likelihood CI of the HR. */
  ci: [number, number];
  /** Penalised likelihood-ratio p-value for βᵣ = 0. */
  p: number;
}

export interface FirthResult extends StatsResultBase<"coxph-firth"> {
  n: number;
  events: number;
  coefficients: FirthCoefficient[];
  penalizedLoglik: number;
  iterations: number;
  converged: boolean;
  /** The method in words. */
  description: string;
}

export interface PenalizedState {
  value: number;
  score: number[];
  info: number[][];
}

/** ℓ*(β), its modified score U* and the information I(β) (exported for verification). */
export function penalizedLikelihood(
  time: readonly number[],
  event: readonly number[],
  x: readonly (readonly number[])[],
  beta: readonly number[],
): PenalizedState {
  const n = time.length;
  const p = beta.length;
  const eta = time.map((_, i) => x.reduce((s, col, r) => s + col[i] * beta[r], 0));
  const w = eta.map(Math.exp);
  let loglik = 0;
  const U = new Array<number>(p).fill(0);
  const I = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  // dI[r][a][b] = ∂I_ab/∂β_r
  const dI = Array.from({ length: p }, () => Array.from({ length: p }, () => new Array<number>(p).fill(0)));
  const eventTimes = [...new Set(time.filter((_, i) => event[i] === 1))];
  for (const t of eventTimes) {
    let d = 0;
    let S0 = 0;
    const S1 = new Array<number>(p).fill(0);
    const S2 = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const S3 = Array.from({ length: p }, () => Array.from({ length: p }, () => new Array<number>(p).fill(0)));
    for (let i = 0; i < n; i++) {
      if (time[i] === t && event[i] === 1) {
        d++;
        loglik += eta[i];
        for (let r = 0; r < p; r++) U[r] += x[r][i];
      }
      if (time[i] < t) continue;
      S0 += w[i];
      for (let a = 0; a < p; a++) {
        S1[a] += w[i] * x[a][i];
        for (let b = 0; b < p; b++) {
          S2[a][b] += w[i] * x[a][i] * x[b][i];
          for (let r = 0; r < p; r++) S3[r][a][b] += w[i] * x[a][i] * x[b][i] * x[r][i];
        }
      }
    }
    loglik -= d * Math.log(S0);
    for (let a = 0; a < p; a++) {
      U[a] -= (d * S1[a]) / S0;
      for (let b = 0; b < p; b++) {
        I[a][b] += d * (S2[a][b] / S0 - (S1[a] * S1[b]) / (S0 * S0));
        for (let r = 0; r < p; r++) {
          dI[r][a][b] +=
            d *
            (S3[r][a][b] / S0 -
              (S2[a][b] * S1[r]) / S0 ** 2 -
              (S2[a][r] * S1[b] + S1[a] * S2[r][b]) / S0 ** 2 +
              (2 * S1[a] * S1[b] * S1[r]) / S0 ** 3);
        }
      }
    }
  }
  const decomposition = symmetricDecompose(I);
  const inverse = choleskyInverse(decomposition);
  // log|I| from the LDLᵀ diagonal.
  let logDet = 0;
  for (let a = 0; a < p; a++) logDet += Math.log(decomposition.ld[a][a]);
  const score = U.map((u, r) => {
    let trace = 0;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) trace += inverse[a][b] * dI[r][b][a];
    return u + 0.5 * trace;
  });
  return { value: loglik + 0.5 * logDet, score, info: I };
}

/** Maximises ℓ* over the free coefficients (those not in `fixed`), Newton–Raphson with step-halving. */
function maximize(
  time: readonly number[],
  event: readonly number[],
  x: readonly (readonly number[])[],
  start: readonly number[],
  fixed: ReadonlyMap<number, number>,
  maxIterations = 50,
): { beta: number[]; state: PenalizedState; iterations: number; converged: boolean } {
  const p = start.length;
  const free = Array.from({ length: p }, (_, r) => r).filter((r) => !fixed.has(r));
  let beta = start.map((b, r) => fixed.get(r) ?? b);
  let state = penalizedLikelihood(time, event, x, beta);
  if (free.length === 0) return { beta, state, iterations: 0, converged: true };
  for (let iter = 1; iter <= maxIterations; iter++) {
    const sub = free.map((a) => free.map((b) => state.info[a][b]));
    const step = choleskySolve(
      symmetricDecompose(sub),
      free.map((a) => state.score[a]),
    );
    // Limit a step to 5 log-HR units (coxphf's maxstep) and halve while ℓ* decreases.
    const largest = maxOf(step.map(Math.abs));
    let scale = largest > 5 ? 5 / largest : 1;
    let next = beta;
    let nextState = state;
    for (let h = 0; h < 30; h++) {
      next = [...beta];
      free.forEach((r, k) => {
        next[r] = beta[r] + scale * step[k];
      });
      nextState = penalizedLikelihood(time, event, x, next);
      if (nextState.value >= state.value - 1e-12) break;
      scale /= 2;
    }
    const change = maxOf(free.map((r) => Math.abs(next[r] - beta[r])));
    beta = next;
    state = nextState;
    if (change < 1e-8 && maxOf(free.map((r) => Math.abs(state.score[r]))) < 1e-6)
      return { beta, state, iterations: iter, converged: true };
  }
  return { beta, state, iterations: maxIterations, converged: false };
}

/**
 * Firth-penalised Cox fit with profile penalised-likelihood CIs and p-values.
 * Example: on separated data where coxProportionalHazards flags a monotone likelihood, `coxFirth` returns
 * a finite HR with a (wide, asymmetric) profile CI.
 */
export function coxFirth(
  data: SurvivalData,
  covariates: Record<string, readonly number[]>,
  { confLevel = 0.95 } = {},
): FirthResult {
  validateSurvivalData(data, "coxFirth");
  const names = Object.keys(covariates);
  if (names.length === 0) throw new RangeError("coxFirth: no covariates");
  const x = names.map((name) => covariates[name]);
  const { time, event } = data;
  const p = names.length;
  const fit = maximize(time, event, x, new Array(p).fill(0), new Map());
  const warnings: StatsWarning[] = [];
  if (!fit.converged) warnings.push(statsWarning("not-converged", "penalised likelihood did not converge"));
  const variance = choleskyInverse(symmetricDecompose(fit.state.info));
  const critical = chiSquareQuantile(confLevel, 1);
  const coefficients = names.map((name, r) => {
    const coef = fit.beta[r];
    const se = Math.sqrt(variance[r][r]);
    const profile = (b: number) => {
      const restricted = maximize(time, event, x, fit.beta, new Map([[r, b]]));
      return 2 * (fit.state.value - restricted.state.value);
    };
    const bound = (direction: 1 | -1): number => {
      // Walk out until the profile deviance exceeds the critical value, then find the crossing.
      let width = Math.max(se, 0.1);
      for (let k = 0; k < 40; k++) {
        const b = coef + direction * width;
        if (profile(b) > critical)
          return uniroot((v) => profile(v) - critical, direction > 0 ? coef : b, direction > 0 ? b : coef, {
            tol: 1e-8,
          }).root;
        width *= 2;
      }
      warnings.push(
        statsWarning(
          "profile-unbounded",
          `profile likelihood for '${name}' does not reach the critical value on the ${direction > 0 ? "upper" : "lower"} side`,
        ),
      );
      return direction * Number.POSITIVE_INFINITY;
    };
    const lower = bound(-1);
    const upper = bound(1);
    const pValue = chiSquareUpperTail(Math.max(0, profile(0)), 1);
    const ci: [number, number] = [Math.exp(lower), Math.exp(upper)];
    return { name, coef, se, hr: Math.exp(coef), ci, p: pValue };
  });
  return {
    n: time.length,
    events: event.reduce((a, b) => a + b, 0),
    coefficients,
    penalizedLoglik: fit.state.value,
    iterations: fit.iterations,
    converged: fit.converged,
    method: "coxph-firth",
    description:
      "Firth penalised partial likelihood (Heinze & Schemper 2001), Breslow ties; profile penalised-likelihood CI and p",
    warnings,
  };
}
