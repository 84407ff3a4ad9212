/**
 * The inputs of the analysis plan: a case is a validated clinical row plus the margins the margin engine
 * measured from its images; options say which conventions and which MTM the statistics use.
 */
import type { ClinicalRecord } from "../cohort/record.js";
import type { MarginResult } from "../margin/types.js";
import type { TestResult } from "../stats/result.js";
import type { ConfType } from "../survival/kaplanMeier.js";

/**
 * The part of a `MarginResult` the plan uses (a full MarginResult fits). `octants` is optional: with it
 * the LTP-site comparison also asks whether the regrowth octant was uncovered.
 */
export type CaseMargins = Pick<
  MarginResult,
  "mtmMm" | "mtmMmRounded" | "tumorMaxDiameterMm" | "tumorVolumeMl" | "iceballVolumeMl" | "minMarginOctant"
> &
  Partial<
    Pick<
      MarginResult,
      "octants" | "coverage" | "thresholdMm" | "warnings" | "mtmMaskRangeMm" | "mtmAsDrawnMm" | "tumorOutline"
    >
  >;

/** One treated tumor: its clinical row and its measured margins. */
export interface CaseRecord extends ClinicalRecord {
  margin: CaseMargins;
}

/**
 * Statistical conventions where R and SPSS 25 (the paper's software) differ; see `conventionSettings`.
 * Everything else (Shapiro-Wilk, Fisher, t-test, Kaplan-Meier, Wald CIs) is the same in both.
 */
export type Conventions = "r" | "spss";

/** Which MTM enters the statistics: rounded to the nearest mm as the paper did, or the raw measurement. */
export type MtmSource = "rounded" | "raw";

/**
 * Which reading of the tumor's surface the MTM of the statistics is: the engine's fitted surface
 * (`mtmMm`, right for smooth rasterisations, phantoms and segmentations from a smooth model) or the mask
 * as drawn (`mtmAsDrawnMm`, its 0.5 iso-surface: nearer the tumor for hand-drawn thick-slice masks).
 */
export type MtmReading = "fitted" | "as-drawn";

export interface AnalysisOptions {
  /** Intended margin, mm: the "MTM ≥ threshold" count (default 5, the paper's intended margin). */
  thresholdMm?: number;
  /** Default "r". */
  conventions?: Conventions;
  /** Default "rounded" (as the paper). */
  mtm?: MtmSource;
  /** Default "fitted". With "as-drawn" every case's margins must carry `mtmAsDrawnMm`. */
  mtmReading?: MtmReading;
  /** Further univariable Cox covariates for Table 3: built-in keys (see `COX_COVARIATES`) or extra CSV columns. */
  extraCovariates?: readonly string[];
  /**
   * Table 1's counting unit: "paper" counts patients for age, sex and ASA (first row of each patient_id)
   * and tumors for the rest, as the paper's Table 1; "tumors" counts tumors throughout. Default "paper".
   */
  table1Units?: "paper" | "tumors";
  /** Firth's penalised Cox alongside the ordinary fit: on separation only (default), always, or never. */
  firth?: "on-separation" | "always" | "never";
  /** Times (months) at which LTP-free survival is reported (default [12, 24], the paper's 1 and 2 years). */
  survivalTimesMonths?: readonly number[];
  /** Kaplan-Meier CI transformation (default "log", R's survfit default). */
  kmConfType?: ConfType;
  /** Confidence level of every interval (default 0.95). */
  confLevel?: number;
  /** Significance level for decisions (default 0.05, the paper's). */
  alpha?: number;
  /** Welch's t-test instead of Student's pooled one in Table 2 (default false: SPSS's first row, the paper's). */
  welch?: boolean;
}

export type ResolvedAnalysisOptions = Required<AnalysisOptions>;

/** An input the plan cannot use (unknown covariate, non-numeric covariate cell, empty cohort). */
export class PlanInputError extends Error {
  override name = "PlanInputError";
}

/**
 * The test the plan chose and the engine's result itself (statistic, p, CI, method code, coded warnings —
 * the shape every test shares), with the choice and the p's method in words for tables and the
 * reproduction report. A test not run has NaN statistic and p, method "none" and says why in `description`.
 */
export interface TestReport extends TestResult {
  test: "t-test" | "mann-whitney" | "fisher-exact" | "fisher-freeman-halton" | "none";
  /** How p was obtained, e.g. "Mann-Whitney U, normal approximation with tie correction, no continuity correction (SPSS)". */
  description: string;
}

/** A TestReport for a test that was not run, saying why. */
export function notTested(why: string): TestReport {
  return {
    test: "none",
    statistic: Number.NaN,
    p: Number.NaN,
    ci: null,
    confLevel: null,
    method: "none",
    warnings: [],
    description: why,
  };
}
