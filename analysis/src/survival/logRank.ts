/**
 * Log-rank test for k groups, as R's `survival::survdiff(Surv(time, status) ~ group)` (rho = 0).
 * At each distinct event time t with nₜ at risk and dₜ events, group g (n_gt at risk) expects
 * E_g += dₜ·n_gt/nₜ, and the hypergeometric covariance is
 * V_gh += dₜ(nₜ − dₜ)/(nₜ − 1) · (n_gt/nₜ)(δ_gh − n_ht/nₜ).
 * χ² = (O − E)ᵀ V⁻ (O − E) on the first k − 1 groups (V has rank k − 1), df = k − 1.
 */
import { chiSquareUpperTail } from "../stats/distributions.js";
import type { TestResult } from "../stats/result.js";
import { sortedLevels } from "../table/delimited.js";
import { type SurvivalData, validateSurvivalData } from "./data.js";
import { choleskySolve, symmetricDecompose } from "./linearAlgebra.js";

export interface LogRankGroup {
  group: string;
  n: number;
  observed: number;
  expected: number;
}

export interface LogRankResult extends TestResult<"log-rank"> {
  /** χ² = (O − E)ᵀ V⁻ (O − E). */
  statistic: number;
  df: number;
  groups: LogRankGroup[];
  /** Covariance matrix of O − E (k × k). */
  variance: number[][];
}

/** What `method: "log-rank"` is, for a reader. */
export const LOG_RANK_DESCRIPTION = "log-rank (survdiff, rho = 0)";

/** Groups are reported in sorted label order (numeric-aware), like R's factor levels. */
export function logRank(data: SurvivalData, group: readonly (string | number)[]): LogRankResult {
  validateSurvivalData(data, "logRank");
  const { time, event } = data;
  if (group.length !== time.length) throw new RangeError("logRank: group and time differ in length");
  const labels = sortedLevels(group);
  const k = labels.length;
  if (k < 2) throw new RangeError("logRank: need at least two groups");
  const gi = group.map((g) => labels.indexOf(String(g)));
  const order = Array.from(time.keys()).sort((a, b) => time[a] - time[b]);
  const atRisk = new Float64Array(k);
  for (const g of gi) atRisk[g]++;
  const observed = new Float64Array(k);
  const expected = new Float64Array(k);
  const V = Array.from({ length: k }, () => new Float64Array(k));
  for (let i = 0; i < order.length; ) {
    const t = time[order[i]];
    const deaths = new Float64Array(k);
    const leaving = new Float64Array(k);
    while (i < order.length && time[order[i]] === t) {
      const s = order[i];
      if (event[s] === 1) deaths[gi[s]]++;
      leaving[gi[s]]++;
      i++;
    }
    const d = deaths.reduce((a, b) => a + b, 0);
    const n = atRisk.reduce((a, b) => a + b, 0);
    if (d > 0) {
      for (let g = 0; g < k; g++) {
        observed[g] += deaths[g];
        expected[g] += (d * atRisk[g]) / n;
      }
      if (n > 1) {
        const factor = (d * (n - d)) / (n - 1);
        for (let g = 0; g < k; g++)
          for (let h = 0; h < k; h++) V[g][h] += factor * (atRisk[g] / n) * ((g === h ? 1 : 0) - atRisk[h] / n);
      }
    }
    for (let g = 0; g < k; g++) atRisk[g] -= leaving[g];
  }
  // Quadratic form on the first k − 1 groups, with R's generalized Cholesky for a possibly singular V.
  const m = k - 1;
  const diff = Array.from({ length: m }, (_, g) => observed[g] - expected[g]);
  const sub = Array.from({ length: m }, (_, g) => Array.from({ length: m }, (_, h) => V[g][h]));
  const decomposition = symmetricDecompose(sub);
  const solved = choleskySolve(decomposition, diff);
  const chisq = diff.reduce((s, v, g) => s + v * solved[g], 0);
  const df = decomposition.rank;
  return {
    statistic: chisq,
    df,
    p: chiSquareUpperTail(chisq, df),
    ci: null,
    confLevel: null,
    groups: labels.map((label, g) => ({
      group: label,
      n: gi.filter((x) => x === g).length,
      observed: observed[g],
      expected: expected[g],
    })),
    variance: V.map((row) => Array.from(row)),
    method: "log-rank",
    warnings: [],
  };
}
