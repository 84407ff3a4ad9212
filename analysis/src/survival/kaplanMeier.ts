/**
 * Kaplan-Meier estimator with Greenwood standard errors and pointwise confidence intervals, following
 * R's survival 3.5 (`survfit(Surv(time, status) ~ 1, conf.type = …)`, `summary(fit, times, extend = TRUE)`
 * and `quantile(fit)`).
 *
 * At each distinct time tᵢ with nᵢ at risk and dᵢ events: S(tᵢ) = Π_{j≤i} (1 − dⱼ/nⱼ).
 * Greenwood: se{Λ}(tᵢ) = √Σ_{j≤i} dⱼ/(nⱼ(nⱼ − dⱼ)) (R's `std.err`, on the cumulative-hazard/log scale);
 * se{S}(t) = S(t)·se{Λ}(t) (what summary.survfit prints). Both are NA once S = 0.
 * Confidence intervals at level 1 − α with z = Φ⁻¹(1 − α/2) (R's survfit_confint):
 * - log (R's default):  S·exp(∓ z·se{Λ}), upper capped at 1; NA where S = 0;
 * - log-log:            exp(−exp(log(−log S) ± z·se{Λ}/log S)); NA where S is 0 or 1;
 * - plain:              S ∓ z·se{S}, clipped to [0, 1].
 * Median (and its CI): R's quantile.survfit rule — the first time the curve (or its lower/upper limit)
 * reaches ≤ 0.5, or the midpoint of a flat segment lying exactly at 0.5 (tolerance √eps).
 */

import { maxOf } from "../stats/descriptives.js";
import { normalQuantileStd } from "../stats/distributions.js";
import type { StatsResultBase } from "../stats/result.js";
import { sortedLevels } from "../table/delimited.js";
import { type SurvivalData, validateSurvivalData } from "./data.js";

export type ConfType = "log" | "log-log" | "plain";

export interface KaplanMeierRow {
  time: number;
  nRisk: number;
  nEvent: number;
  nCensor: number;
  surv: number;
  /** Standard error of S(t) (R's summary.survfit std.err); NaN where undefined (S = 0). */
  stdErr: number;
  /** Greenwood standard error of the cumulative hazard (R's survfit std.err). */
  stdErrCumHaz: number;
  lower: number;
  upper: number;
}

export interface KaplanMeierAt {
  time: number;
  surv: number;
  stdErr: number;
  lower: number;
  upper: number;
  nRisk: number;
}

export interface MedianEstimate {
  value: number;
  lower: number;
  upper: number;
}

export interface KaplanMeierResult extends StatsResultBase<"kaplan-meier"> {
  n: number;
  events: number;
  table: KaplanMeierRow[];
  confType: ConfType;
  confLevel: number;
  median: MedianEstimate;
  /** The method in words, with the CI type and level. */
  description: string;
}

export interface KaplanMeierOptions {
  confType?: ConfType;
  confLevel?: number;
}

/** Example: times [2, 3, 3, 5, 6], events [0, 1, 1, 1, 1] → S = 1, 0.5, 0.25, 0 at 2, 3, 5, 6; median 4. */
export function kaplanMeier(
  data: SurvivalData,
  { confType = "log", confLevel = 0.95 }: KaplanMeierOptions = {},
): KaplanMeierResult {
  validateSurvivalData(data, "kaplanMeier");
  const { time, event } = data;
  const order = Array.from(time.keys()).sort((a, b) => time[a] - time[b]);
  const z = normalQuantileStd(1 - (1 - confLevel) / 2);
  const table: KaplanMeierRow[] = [];
  let atRisk = time.length;
  let surv = 1;
  let greenwood = 0;
  for (let i = 0; i < order.length; ) {
    const t = time[order[i]];
    let d = 0;
    let c = 0;
    while (i < order.length && time[order[i]] === t) {
      if (event[order[i]] === 1) d++;
      else c++;
      i++;
    }
    surv *= 1 - d / atRisk;
    greenwood += d / (atRisk * (atRisk - d)); // Infinity when every subject at risk fails: S = 0 there
    const seCumHaz = surv === 0 ? Number.NaN : Math.sqrt(greenwood);
    const { lower, upper } = confidenceLimits(surv, seCumHaz, confType, z);
    table.push({
      time: t,
      nRisk: atRisk,
      nEvent: d,
      nCensor: c,
      surv,
      stdErr: surv * seCumHaz,
      stdErrCumHaz: seCumHaz,
      lower,
      upper,
    });
    atRisk -= d + c;
  }
  const events = event.reduce((a, b) => a + b, 0);
  return {
    n: time.length,
    events,
    table,
    confType,
    confLevel,
    median: medianSurvival(table),
    method: "kaplan-meier",
    description: `Kaplan-Meier; Greenwood variance; ${confType} confidence interval at ${confLevel} (R survival conventions)`,
    warnings: [],
  };
}

/** Pointwise limits for S with Greenwood SE on the log scale (see the module comment). */
export function confidenceLimits(
  surv: number,
  seCumHaz: number,
  confType: ConfType,
  z: number,
): { lower: number; upper: number } {
  if (Number.isNaN(seCumHaz)) return { lower: Number.NaN, upper: Number.NaN };
  if (confType === "plain") {
    const h = z * seCumHaz * surv;
    return { lower: Math.max(surv - h, 0), upper: Math.min(surv + h, 1) };
  }
  if (confType === "log") {
    if (surv === 0) return { lower: Number.NaN, upper: Number.NaN };
    return {
      lower: Math.exp(Math.log(surv) - z * seCumHaz),
      upper: Math.min(Math.exp(Math.log(surv) + z * seCumHaz), 1),
    };
  }
  if (surv === 0 || surv === 1) return { lower: Number.NaN, upper: Number.NaN };
  const shift = (z * seCumHaz) / Math.log(surv);
  const loglog = Math.log(-Math.log(surv));
  return { lower: Math.exp(-Math.exp(loglog - shift)), upper: Math.exp(-Math.exp(loglog + shift)) };
}

/**
 * Survival at given times as `summary(fit, times, extend = TRUE)`: the curve's value at the last time ≤ t
 * (1 before the first), and the number at risk at t (subjects with time ≥ t). The table holds every
 * distinct time, events and censorings alike, so the number at risk at t is that of the first row at or
 * after t (0 beyond the last) — the fit alone answers.
 */
export function survivalAt(fit: KaplanMeierResult, times: readonly number[]): KaplanMeierAt[] {
  return times.map((t) => {
    let row: KaplanMeierRow | undefined;
    for (const r of fit.table) if (r.time <= t) row = r;
    const nRisk = fit.table.find((r) => r.time >= t)?.nRisk ?? 0;
    if (!row) return { time: t, surv: 1, stdErr: 0, lower: 1, upper: 1, nRisk };
    return { time: t, surv: row.surv, stdErr: row.stdErr, lower: row.lower, upper: row.upper, nRisk };
  });
}

const QUANTILE_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * R's `findq` (quantile.survfit.R): where the horizontal line at p meets the step function
 * y = 1 − S (a CDF) plotted at times x, with the midpoint rule on a flat segment at exactly p.
 */
function findQuantile(x: readonly number[], y: readonly number[], p: number): number {
  const finite = y.filter((v) => !Number.isNaN(v));
  if (finite.length === 0 || maxOf(finite) < p) return Number.NaN;
  const xmax = x[x.length - 1];
  // Drop repeated y values (censoring-only times), keeping the first, as R's duplicated(); NaNs count
  // as one value for duplicated() too.
  const xs: number[] = [];
  const ys: number[] = [];
  const seen = new Set<number | string>();
  for (let i = 0; i < y.length; i++) {
    const key = Number.isNaN(y[i]) ? "NaN" : y[i];
    if (seen.has(key)) continue;
    seen.add(key);
    xs.push(x[i]);
    ys.push(y[i]);
  }
  // approx(y ± tol, 1:n, p, method = "constant", f = 1) with NA pairs removed, rule = 1.
  const approxIndex = (offset: number): number => {
    const X: number[] = [];
    const I: number[] = [];
    ys.forEach((v, i) => {
      if (!Number.isNaN(v)) {
        X.push(v + offset);
        I.push(i);
      }
    });
    if (p < X[0] || p > X[X.length - 1]) return -1;
    let lo = 0;
    let hi = X.length - 1;
    while (lo < hi - 1) {
      const mid = (lo + hi) >> 1;
      if (p < X[mid]) hi = mid;
      else lo = mid;
    }
    if (p === X[hi]) return I[hi];
    if (p === X[lo]) return I[lo];
    return I[hi];
  };
  const i1 = approxIndex(QUANTILE_TOLERANCE);
  const i2 = approxIndex(-QUANTILE_TOLERANCE);
  const last = ys[ys.length - 1];
  if (!Number.isNaN(last) && Math.abs(p - last) < QUANTILE_TOLERANCE && i1 >= 0) return (xs[i1] + xmax) / 2;
  if (i1 < 0 || i2 < 0) return Number.NaN;
  return (xs[i1] + xs[i2]) / 2;
}

/** Quantile p of the survival distribution with its CI (R's quantile.survfit); p = 0.5 is the median. */
export function survivalQuantile(table: readonly KaplanMeierRow[], p: number): MedianEstimate {
  const x = [0, ...table.map((r) => r.time)];
  const cdf = (values: number[]) => [0, ...values.map((s) => (Number.isNaN(s) ? Number.NaN : 1 - s))];
  return {
    value: findQuantile(x, cdf(table.map((r) => r.surv)), p),
    lower: findQuantile(x, cdf(table.map((r) => r.lower)), p),
    upper: findQuantile(x, cdf(table.map((r) => r.upper)), p),
  };
}

/** Median survival time with CI (NaN where the curve or limit never reaches 0.5). */
export function medianSurvival(table: readonly KaplanMeierRow[]): MedianEstimate {
  return survivalQuantile(table, 0.5);
}

/**
 * Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith 1996): the KM median of the
 * censoring distribution, i.e. with censoring as the "event" and events as censored.
 */
export function medianFollowUpReverseKM(data: SurvivalData): number {
  const reversed = { time: data.time, event: data.event.map((e) => 1 - e) };
  return kaplanMeier(reversed).median.value;
}

export interface KaplanMeierGroup extends KaplanMeierResult {
  group: string;
}

/** One Kaplan-Meier fit per group label, groups in sorted label order (as R's strata). */
export function kaplanMeierByGroup(
  data: SurvivalData,
  group: readonly (string | number)[],
  options: KaplanMeierOptions = {},
): KaplanMeierGroup[] {
  if (group.length !== data.time.length) throw new RangeError("kaplanMeierByGroup: group and time differ in length");
  const labels = sortedLevels(group);
  return labels.map((label) => {
    const idx = group.flatMap((g, i) => (String(g) === label ? [i] : []));
    const fit = kaplanMeier({ time: idx.map((i) => data.time[i]), event: idx.map((i) => data.event[i]) }, options);
    return { ...fit, group: label };
  });
}
