/**
 * The margin results of the paper: MTM by outcome (median, IQR, Mann-Whitney), Spearman correlation of
 * tumor size with MTM, the counts its text states, and the per-case margins table.
 */
import { ltpFreeTimeMonths } from "../cohort/record.js";
import type { OctantName } from "../margin/types.js";
import { minOf, type NumericSummary, summarize } from "../stats/descriptives.js";
import { mtmForStatisticsMm, splitByOutcome } from "./cases.js";
import { type ConventionSettings, conventionSettings, mannWhitneyReport, spearmanByConvention } from "./conventions.js";
import { summarizeOrNull } from "./table1.js";
import type { ByOutcome } from "./table2.js";
import { type CaseRecord, type MtmSource, notTested, type TestReport } from "./types.js";

export interface MtmByOutcome {
  source: MtmSource;
  overall: NumericSummary;
  summary: ByOutcome<NumericSummary | null>;
  /** Mann-Whitney of local control vs LTP with the convention's p (the figure reported). */
  test: TestReport;
  /** The same comparison under the other p methods (R default, SPSS asymptotic, exact conditional). */
  alternatives: TestReport[];
}

/**
 * MTM by outcome. Mann-Whitney is used whatever the normality, as the paper (its MTM comparison is by
 * medians). Example: MTM [3, 4, 2, 5] vs [−7, −9] → LTP median −8.
 */
export function compareMtmByOutcome(
  cases: readonly CaseRecord[],
  settings: ConventionSettings,
  source: MtmSource,
): MtmByOutcome {
  const groups = splitByOutcome(cases);
  const lc = groups.localControl.map((c) => mtmForStatisticsMm(c, source));
  const ltp = groups.ltp.map((c) => mtmForStatisticsMm(c, source));
  const canTest = lc.length > 0 && ltp.length > 0;
  const nan: TestReport = notTested("not tested: an empty group");
  const variants: [string, Parameters<typeof mannWhitneyReport>[2]][] = [
    ["R default", conventionSettings("r").mannWhitney],
    ["SPSS asymptotic", conventionSettings("spss").mannWhitney],
    ["exact conditional", { exact: "conditional" }],
  ];
  return {
    source,
    overall: summarize(
      cases.map((c) => mtmForStatisticsMm(c, source)),
      settings.quantileType,
    ),
    summary: {
      localControl: summarizeOrNull(lc, settings.quantileType),
      ltp: summarizeOrNull(ltp, settings.quantileType),
    },
    test: canTest ? mannWhitneyReport(lc, ltp, settings.mannWhitney, settings.name.toUpperCase()) : nan,
    alternatives: canTest ? variants.map(([label, options]) => mannWhitneyReport(lc, ltp, options, label)) : [],
  };
}

export interface SizeVsMtm {
  n: number;
  x: string;
  y: string;
  rho: number;
  /** The p the convention reports. */
  p: number;
  pMethod: string;
  pExact: number | null;
  pAsymptoticT: number;
  ties: boolean;
}

/** Spearman's rho between maximal tumor diameter (mm) and MTM, p as the convention reports it. */
export function sizeVsMtm(cases: readonly CaseRecord[], settings: ConventionSettings, source: MtmSource): SizeVsMtm {
  const size = cases.map((c) => c.margin.tumorMaxDiameterMm);
  const mtm = cases.map((c) => mtmForStatisticsMm(c, source));
  const result = spearmanByConvention(size, mtm, settings);
  return {
    n: result.n,
    x: "maximal tumor diameter (mm)",
    y: `MTM (mm, ${source})`,
    rho: result.rho,
    p: result.pReported,
    pMethod: result.pMethod,
    pExact: result.pExact,
    pAsymptoticT: result.pAsymptoticT,
    ties: result.ties,
  };
}

/** Tumor diameter of a T1b tumor (TNM: > 4 cm; the paper counts "≥ 4 cm" as T1b), mm. */
export const T1B_DIAMETER_MM = 40;
/** The size the paper's "all negative margins in tumors ≥ 3 cm" refers to, mm. */
export const LARGE_TUMOR_DIAMETER_MM = 30;

export interface MarginCounts {
  thresholdMm: number;
  /** MTM ≥ threshold (the paper: 3/32 reached the intended 5 mm). */
  atLeastThreshold: number;
  percentAtLeastThreshold: number;
  negative: number;
  negativeWithoutLtp: number;
  ltp: number;
  ltpWithNegative: number;
  allLtpNegative: boolean;
  atLeast1mm: number;
  atLeast1mmWithLtp: number;
  allAtLeast1mmLocalControl: boolean;
  /** Smallest maximal diameter among tumors with a negative MTM, mm (NaN without negatives). */
  smallestDiameterWithNegativeMtmMm: number;
  negativeInTumorsAtLeast30mm: number;
  negativeInTumorsOver30mm: number;
  allNegativeInTumorsAtLeast30mm: boolean;
  allNegativeInTumorsOver30mm: boolean;
  t1bTumors: number;
  t1bWithLtp: number;
}

/**
 * The counts the paper's text states, on the MTM used for statistics. Example: MTM [−7, −1, 3, 6] with
 * LTP on the first only → negative 2, negativeWithoutLtp 1, atLeastThreshold 1 (threshold 5).
 */
export function marginCounts(cases: readonly CaseRecord[], source: MtmSource, thresholdMm: number): MarginCounts {
  const mtm = (c: CaseRecord) => mtmForStatisticsMm(c, source);
  const count = (pred: (c: CaseRecord) => boolean) => cases.filter(pred).length;
  const negatives = cases.filter((c) => mtm(c) < 0);
  const diameters = negatives.map((c) => c.margin.tumorMaxDiameterMm);
  const ltp = count((c) => c.ltp);
  const ltpWithNegative = count((c) => c.ltp && mtm(c) < 0);
  const atLeast1mm = count((c) => mtm(c) >= 1);
  const atLeast1mmWithLtp = count((c) => c.ltp && mtm(c) >= 1);
  const atLeast30 = diameters.filter((d) => d >= LARGE_TUMOR_DIAMETER_MM).length;
  const over30 = diameters.filter((d) => d > LARGE_TUMOR_DIAMETER_MM).length;
  const atLeastThreshold = count((c) => mtm(c) >= thresholdMm);
  return {
    thresholdMm,
    atLeastThreshold,
    percentAtLeastThreshold: cases.length > 0 ? (100 * atLeastThreshold) / cases.length : Number.NaN,
    negative: negatives.length,
    negativeWithoutLtp: negatives.filter((c) => !c.ltp).length,
    ltp,
    ltpWithNegative,
    allLtpNegative: ltp > 0 && ltpWithNegative === ltp,
    atLeast1mm,
    atLeast1mmWithLtp,
    allAtLeast1mmLocalControl: atLeast1mm > 0 && atLeast1mmWithLtp === 0,
    smallestDiameterWithNegativeMtmMm: diameters.length > 0 ? minOf(diameters) : Number.NaN,
    negativeInTumorsAtLeast30mm: atLeast30,
    negativeInTumorsOver30mm: over30,
    allNegativeInTumorsAtLeast30mm: negatives.length > 0 && atLeast30 === negatives.length,
    allNegativeInTumorsOver30mm: negatives.length > 0 && over30 === negatives.length,
    t1bTumors: count((c) => c.margin.tumorMaxDiameterMm >= T1B_DIAMETER_MM),
    t1bWithLtp: count((c) => c.ltp && c.margin.tumorMaxDiameterMm >= T1B_DIAMETER_MM),
  };
}

export interface CaseMarginRow {
  caseId: string;
  patientId: string;
  ltp: boolean;
  ltpType: string | null;
  ltpFreeMonths: number;
  mtmMm: number;
  mtmMmRounded: number;
  /** The range of the MTM the masks allow, mm ([NaN, NaN] when the margins do not carry it). */
  mtmMaskRangeMm: [number, number];
  /** The MTM of the tumor mask as drawn, mm (NaN when the margins do not carry it). */
  mtmAsDrawnMm: number;
  /** Which reading `mtmMm` is, by the tumor outline test (null when the margins do not carry it). */
  tumorOutlineReading: "fitted" | "as drawn" | null;
  /** The MTM the statistics used (rounded or raw). */
  mtmForStatisticsMm: number;
  minMarginOctant: OctantName;
  ltpOctant: OctantName | null;
  tumorMaxDiameterMm: number;
  tumorVolumeMl: number;
  iceballVolumeMl: number;
  /** Coverage fractions at the engine's threshold, when the margins carry them. */
  fractionGreen: number | null;
  fractionYellow: number | null;
  fractionRed: number | null;
  /** The readers' and the margin engine's warnings of the case (none when the margins carry none). */
  warnings: string[];
}

/**
 * The per-case margins table, in input order. `statisticsCases` (the same cases, with the MTM reading
 * the statistics use: analyzeCohort) give `mtmForStatisticsMm`; by default the cases themselves.
 */
export function caseMarginRows(
  cases: readonly CaseRecord[],
  source: MtmSource,
  statisticsCases: readonly CaseRecord[] = cases,
): CaseMarginRow[] {
  return cases.map((c, i) => ({
    caseId: c.caseId,
    patientId: c.patientId,
    ltp: c.ltp,
    ltpType: c.ltpType,
    ltpFreeMonths: ltpFreeTimeMonths(c),
    mtmMm: c.margin.mtmMm,
    mtmMmRounded: c.margin.mtmMmRounded,
    mtmMaskRangeMm: c.margin.mtmMaskRangeMm ?? [Number.NaN, Number.NaN],
    mtmAsDrawnMm: c.margin.mtmAsDrawnMm ?? Number.NaN,
    tumorOutlineReading: c.margin.tumorOutline ? (c.margin.tumorOutline.asDrawn ? "as drawn" : "fitted") : null,
    mtmForStatisticsMm: mtmForStatisticsMm(statisticsCases[i], source),
    minMarginOctant: c.margin.minMarginOctant,
    ltpOctant: c.ltpOctant,
    tumorMaxDiameterMm: c.margin.tumorMaxDiameterMm,
    tumorVolumeMl: c.margin.tumorVolumeMl,
    iceballVolumeMl: c.margin.iceballVolumeMl,
    fractionGreen: c.margin.coverage?.fractionGreen ?? null,
    fractionYellow: c.margin.coverage?.fractionYellow ?? null,
    fractionRed: c.margin.coverage?.fractionRed ?? null,
    warnings: c.margin.warnings ? [...c.margin.warnings] : [],
  }));
}
