/**
 * LTP-free survival (Kaplan-Meier at 12 and 24 months with CI), follow-up (plain median and reverse
 * Kaplan-Meier) and time to LTP — the paper's "Clinical outcome" figures.
 */
import { maxOf, median, minOf, type NumericSummary, type QuantileType } from "../stats/descriptives.js";
import {
  type ConfType,
  type KaplanMeierAt,
  type KaplanMeierResult,
  kaplanMeier,
  medianFollowUpReverseKM,
  survivalAt,
} from "../survival/kaplanMeier.js";
import { ltpFreeSurvivalData } from "./cases.js";
import { summarizeOrNull } from "./table1.js";
import type { CaseRecord } from "./types.js";

/** The paper's landmark times for LTP-free survival: 1 and 2 years, in months. */
export const LANDMARK_MONTHS: readonly number[] = [12, 24];

export interface LtpFreeSurvival {
  n: number;
  events: number;
  /** The whole curve (for the figure: steps, CI band, numbers at risk). */
  fit: KaplanMeierResult;
  /** S(t) with CI and numbers at risk at each requested time. */
  at: KaplanMeierAt[];
  method: string;
}

/**
 * Kaplan-Meier LTP-free survival (time = months to LTP if LTP, else follow-up) at the given times.
 * Example: 10 cases, one LTP at 6 months, everyone followed past 12 → S(12) = 0.9.
 */
export function ltpFreeSurvival(
  cases: readonly CaseRecord[],
  { timesMonths = LANDMARK_MONTHS, confType = "log" as ConfType, confLevel = 0.95 } = {},
): LtpFreeSurvival {
  const data = ltpFreeSurvivalData(cases);
  const fit = kaplanMeier(data, { confType, confLevel });
  return {
    n: fit.n,
    events: fit.events,
    fit,
    at: survivalAt(fit, timesMonths),
    method: `${fit.description}; time = months to LTP when LTP occurred, else follow-up; S(t) = the curve at the last step ≤ t`,
  };
}

export interface FollowUp {
  /** Plain median of followup_months (the paper's "median follow-up 16 months"). */
  medianMonths: number;
  minMonths: number;
  maxMonths: number;
  /** Reverse Kaplan-Meier median (Schemper & Smith 1996): censoring as the event, on the LTP-free times. */
  reverseKmMedianMonths: number;
  methods: string[];
}

/** Median follow-up both ways. Example: follow-ups [1, 10, 20] → plain median 10. */
export function followUp(cases: readonly CaseRecord[]): FollowUp {
  const months = cases.map((c) => c.followupMonths);
  return {
    medianMonths: median(months),
    minMonths: minOf(months),
    maxMonths: maxOf(months),
    reverseKmMedianMonths: medianFollowUpReverseKM(ltpFreeSurvivalData(cases)),
    methods: [
      "plain median and range of followup_months over all tumors",
      "reverse Kaplan-Meier median: KM of the LTP-free times with censoring as the event (R survival conventions)",
    ],
  };
}

export interface TimeToLtp {
  /** months_to_ltp of recurrent LTP (the paper's "time to tumor recurrence", 17 (6–23)). */
  recurrent: NumericSummary | null;
  /** months_to_ltp of every LTP (residual and recurrent). */
  allLtp: NumericSummary | null;
  residual: number;
  recurrentCount: number;
}

/**
 * Time to LTP. The paper's "median time to tumor recurrence 17 months (6–23)" is read as the recurrent
 * cases only: residual disease is by definition found on the 1-month scan, below the printed minimum of 6.
 */
export function timeToLtp(cases: readonly CaseRecord[], quantileType: QuantileType): TimeToLtp {
  const ltp = cases.filter((c) => c.ltp && c.monthsToLtp !== null);
  const recurrent = ltp.filter((c) => c.ltpType === "recurrent");
  return {
    recurrent: summarizeOrNull(
      recurrent.map((c) => c.monthsToLtp as number),
      quantileType,
    ),
    allLtp: summarizeOrNull(
      ltp.map((c) => c.monthsToLtp as number),
      quantileType,
    ),
    residual: cases.filter((c) => c.ltp && c.ltpType === "residual").length,
    recurrentCount: recurrent.length,
  };
}
