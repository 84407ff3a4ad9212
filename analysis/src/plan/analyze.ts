/**
 * The paper's analysis plan in one call: `analyzeCohort(cases, options)` runs every table and figure of
 * the paper on a cohort (clinical rows + measured margins) and returns plain result objects that state the
 * method of every number. Formatting (`formatResults`) and the comparison with the published figures
 * (`reproduce`) work on these results.
 */
import { DEFAULT_THRESHOLD_MM, roundMarginMm } from "../margin/measure.js";
import { ANALYSIS_VERSION } from "../version.js";
import { firstCasePerPatient } from "./cases.js";
import { type ConventionSettings, conventionSettings } from "./conventions.js";
import { type LtpSiteAgreement, ltpSiteAgreement } from "./ltpSite.js";
import {
  type CaseMarginRow,
  caseMarginRows,
  compareMtmByOutcome,
  type MarginCounts,
  type MtmByOutcome,
  marginCounts,
  type SizeVsMtm,
  sizeVsMtm,
} from "./margins.js";
import {
  type FollowUp,
  followUp,
  LANDMARK_MONTHS,
  type LtpFreeSurvival,
  ltpFreeSurvival,
  type TimeToLtp,
  timeToLtp,
} from "./survival.js";
import { type Table1, table1 } from "./table1.js";
import { type Table2, table2 } from "./table2.js";
import { type Table3, table3 } from "./table3.js";
import {
  type AnalysisOptions,
  type CaseRecord,
  type MtmReading,
  PlanInputError,
  type ResolvedAnalysisOptions,
} from "./types.js";

export interface OutcomeCounts {
  patients: number;
  tumors: number;
  /** One procedure per tumor row (the cohort format has no procedure id). */
  procedures: number;
  localControl: number;
  ltp: number;
  ltpResidual: number;
  ltpRecurrent: number;
  majorComplications: number;
  reAblations: number;
}

export interface AnalysisResults {
  analysisVersion: string;
  options: ResolvedAnalysisOptions;
  conventions: ConventionSettings;
  /** Which MTM the statistics use, in words. */
  mtmStatement: string;
  outcome: OutcomeCounts;
  table1: Table1;
  table2: Table2;
  table3: Table3;
  mtm: MtmByOutcome;
  sizeVsMtm: SizeVsMtm;
  survival: LtpFreeSurvival;
  followUp: FollowUp;
  timeToLtp: TimeToLtp;
  counts: MarginCounts;
  ltpSite: LtpSiteAgreement;
  cases: CaseMarginRow[];
  warnings: string[];
}

/** The methods' words for each MTM reading. */
const MTM_READING_STATEMENT: Record<MtmReading, string> = {
  fitted:
    "the engine's MTM (mtm_mm): of its fitted tumor surface, or of the tumor mask as drawn where the tumor outline test finds the outlines drawn slice by slice (tumor_outline)",
  "as-drawn":
    "the MTM of the tumor mask as drawn, its 0.5 iso-surface before any fit (mtm_as_drawn_mm); octants and coverage stay those of the fitted surface",
};

/**
 * Which tumor surface the cases' mtm_mm was read on, in words: with the outline test deciding ("; tumor
 * outline auto: the outline test read 3 of 32 tumors as drawn"), or as the user fixed it ("; tumor outline
 * smooth, as asked: every tumor read on its fitted surface"). Empty when no case's margins carry the test.
 */
function outlineTestStatement(cases: readonly CaseRecord[]): string {
  const tested = cases.filter((c) => c.margin.tumorOutline !== undefined);
  if (tested.length === 0) return "";
  const drawn = tested.filter((c) => c.margin.tumorOutline?.asDrawn).length;
  const modes = [...new Set(tested.map((c) => c.margin.tumorOutline?.mode))];
  const mode = modes.length === 1 ? modes[0] : "mixed";
  if (mode === "smooth") return "; tumor outline smooth, as asked: every tumor read on its fitted surface";
  if (mode === "drawn") return "; tumor outline drawn, as asked: every tumor read as drawn";
  return mode === "auto"
    ? `; tumor outline auto: the outline test read ${drawn} of ${tested.length} tumors as drawn`
    : `; tumor outline set differently across cases: ${drawn} of ${tested.length} tumors read as drawn`;
}

/**
 * The cases with the MTM as drawn in place of the fitted one (mtmMm and its rounding), for every
 * statistic. Throws PlanInputError naming the first case whose margins do not carry it.
 */
function asDrawnCases(cases: readonly CaseRecord[]): CaseRecord[] {
  return cases.map((c) => {
    const asDrawn = c.margin.mtmAsDrawnMm;
    if (asDrawn === undefined || !Number.isFinite(asDrawn))
      throw new PlanInputError(
        `case ${c.caseId}: its margins carry no MTM as drawn (mtm_as_drawn_mm), which the as-drawn reading needs`,
      );
    return { ...c, margin: { ...c.margin, mtmMm: asDrawn, mtmMmRounded: roundMarginMm(asDrawn) } };
  });
}

/** Options with their defaults filled in. */
export function resolveAnalysisOptions(options: AnalysisOptions = {}): ResolvedAnalysisOptions {
  return {
    thresholdMm: options.thresholdMm ?? DEFAULT_THRESHOLD_MM,
    conventions: options.conventions ?? "r",
    mtm: options.mtm ?? "rounded",
    mtmReading: options.mtmReading ?? "fitted",
    extraCovariates: options.extraCovariates ?? [],
    table1Units: options.table1Units ?? "paper",
    firth: options.firth ?? "on-separation",
    survivalTimesMonths: options.survivalTimesMonths ?? LANDMARK_MONTHS,
    kmConfType: options.kmConfType ?? "log",
    confLevel: options.confLevel ?? 0.95,
    alpha: options.alpha ?? 0.05,
    welch: options.welch ?? false,
  };
}

/** The outcome counts of the cohort. */
export function outcomeCounts(cases: readonly CaseRecord[]): OutcomeCounts {
  const count = (pred: (c: CaseRecord) => boolean) => cases.filter(pred).length;
  return {
    patients: firstCasePerPatient(cases).length,
    tumors: cases.length,
    procedures: cases.length,
    localControl: count((c) => !c.ltp),
    ltp: count((c) => c.ltp),
    ltpResidual: count((c) => c.ltp && c.ltpType === "residual"),
    ltpRecurrent: count((c) => c.ltp && c.ltpType === "recurrent"),
    majorComplications: count((c) => c.majorComplication === true),
    reAblations: count((c) => c.priorAblation === true),
  };
}

/**
 * Runs the whole plan. Example: `analyzeCohort(cases, { conventions: "spss" }).table3.rows[0].hr` is the
 * HR per mm of MTM with Breslow ties. Throws PlanInputError for an empty cohort or an unknown covariate.
 */
export function analyzeCohort(measured: readonly CaseRecord[], options: AnalysisOptions = {}): AnalysisResults {
  if (measured.length < 3)
    throw new PlanInputError(`the cohort has ${measured.length} cases: the analysis needs at least 3`);
  const o = resolveAnalysisOptions(options);
  const cases = o.mtmReading === "as-drawn" ? asDrawnCases(measured) : measured;
  const settings = conventionSettings(o.conventions);
  const t3 = table3(cases, settings, {
    mtmSource: o.mtm,
    extraCovariates: o.extraCovariates,
    firth: o.firth,
    confLevel: o.confLevel,
  });
  const ltpSite = ltpSiteAgreement(cases);
  const warnings = [
    ...t3.rows.flatMap((r) => r.warnings.map((w) => `Table 3, ${r.label}: ${w}`)),
    ...(ltpSite.withOctant < ltpSite.ltpCases
      ? [
          `LTP site: ${ltpSite.ltpCases - ltpSite.withOctant} LTP case(s) without ltp_octant are left out of the agreement counts`,
        ]
      : []),
  ];
  return {
    analysisVersion: ANALYSIS_VERSION,
    options: o,
    conventions: settings,
    mtmStatement: `${
      o.mtm === "rounded"
        ? "MTM rounded to the nearest mm before every statistic, as the paper ('rounded to the nearest millimeter')"
        : "raw (unrounded) MTM in every statistic"
    }; ${MTM_READING_STATEMENT[o.mtmReading]}${o.mtmReading === "fitted" ? outlineTestStatement(measured) : ""}`,
    outcome: outcomeCounts(cases),
    table1: table1(cases, { units: o.table1Units, quantileType: settings.quantileType }),
    table2: table2(cases, settings, { alpha: o.alpha, welch: o.welch }),
    table3: t3,
    mtm: compareMtmByOutcome(cases, settings, o.mtm),
    sizeVsMtm: sizeVsMtm(cases, settings, o.mtm),
    survival: ltpFreeSurvival(cases, {
      timesMonths: o.survivalTimesMonths,
      confType: o.kmConfType,
      confLevel: o.confLevel,
    }),
    followUp: followUp(cases),
    timeToLtp: timeToLtp(cases, settings.quantileType),
    counts: marginCounts(cases, o.mtm, o.thresholdMm),
    ltpSite,
    cases: caseMarginRows(measured, o.mtm, cases),
    warnings,
  };
}
