/**
 * Small accessors over the cohort's cases shared by every table: which MTM the statistics use, the
 * outcome groups, the per-patient rows and the survival data.
 */
import { ltpFreeTimeMonths } from "../cohort/record.js";
import type { SurvivalData } from "../survival/data.js";
import type { CaseRecord, MtmSource } from "./types.js";

/**
 * The MTM that enters the statistics, mm: rounded to the nearest mm (the paper: "rounded to the nearest
 * millimeter") or raw. Example: raw −6.4 → rounded −6.
 */
export function mtmForStatisticsMm(c: CaseRecord, source: MtmSource): number {
  return source === "rounded" ? c.margin.mtmMmRounded : c.margin.mtmMm;
}

/** Cases split by outcome: local control (ltp = 0) and local tumor progression (ltp = 1), in input order. */
export function splitByOutcome<T extends CaseRecord>(cases: readonly T[]): { localControl: T[]; ltp: T[] } {
  return { localControl: cases.filter((c) => !c.ltp), ltp: cases.filter((c) => c.ltp) };
}

/**
 * One case per patient: the first row of each patient_id in input order (a patient treated for two
 * tumors is counted once for age, sex and ASA, as the paper's Table 1 counts 30 patients).
 */
export function firstCasePerPatient<T extends CaseRecord>(cases: readonly T[]): T[] {
  const seen = new Set<string>();
  return cases.filter((c) => {
    if (seen.has(c.patientId)) return false;
    seen.add(c.patientId);
    return true;
  });
}

/** LTP-free survival data: time = months to LTP when LTP occurred, else follow-up; event = LTP. */
export function ltpFreeSurvivalData(cases: readonly CaseRecord[]): SurvivalData {
  return { time: cases.map(ltpFreeTimeMonths), event: cases.map((c) => (c.ltp ? 1 : 0)) };
}
