/**
 * Table 3: univariable Cox proportional hazards models for LTP (time = months to LTP, else follow-up):
 * the MTM per mm and the maximal tumor diameter per cm, as the paper, and any covariate the user names.
 * HR = exp(β) with a Wald CI and Wald p (what SPSS and R's summary print), plus the likelihood-ratio p.
 *
 * Separation: with few events a covariate can order every event before every survivor (e.g. each LTP case
 * has the smallest MTM still at risk); the partial likelihood is then monotone and the MLE infinite. The
 * engine detects it (`monotoneLikelihood`, with its warning); the row then carries Firth's penalised fit
 * (Heinze & Schemper 2001; Breslow ties; profile-likelihood CI and p), whose HR is finite.
 */

import { warningMessages } from "../stats/result.js";
import { coxProportionalHazards } from "../survival/cox.js";
import { coxFirth } from "../survival/firth.js";
import { parseNumberCell } from "../table/delimited.js";
import { ltpFreeSurvivalData, mtmForStatisticsMm } from "./cases.js";
import type { ConventionSettings } from "./conventions.js";
import { type CaseRecord, type MtmSource, PlanInputError } from "./types.js";

export interface CoxCovariate {
  key: string;
  label: string;
  /** The unit one HR step refers to, e.g. "per mm". */
  per: string;
  value: (c: CaseRecord, mtmSource: MtmSource) => number | null;
}

const flag = (b: boolean | null) => (b === null ? null : b ? 1 : 0);
const ASA_ORDINAL: Record<string, number> = { I: 1, II: 2, III: 3, IV: 4 };

/** Built-in covariates for Table 3 (the first two are the paper's). */
export const COX_COVARIATES: readonly CoxCovariate[] = [
  { key: "mtm_mm", label: "Minimal treatment margin", per: "per mm", value: (c, s) => mtmForStatisticsMm(c, s) },
  {
    key: "max_tumor_diameter_cm",
    label: "Maximal tumor diameter",
    per: "per cm",
    value: (c) => c.margin.tumorMaxDiameterMm / 10,
  },
  { key: "age_years", label: "Age", per: "per year", value: (c) => c.ageYears },
  { key: "tumor_volume_ml", label: "Tumor volume", per: "per ml", value: (c) => c.margin.tumorVolumeMl },
  { key: "iceball_volume_ml", label: "Ice-ball volume", per: "per ml", value: (c) => c.margin.iceballVolumeMl },
  { key: "cryoprobes", label: "Cryoprobes", per: "per probe", value: (c) => c.cryoprobes },
  { key: "renal_score", label: "RENAL score", per: "per point", value: (c) => c.renalScore },
  { key: "asa", label: "ASA class", per: "per class", value: (c) => (c.asa === null ? null : ASA_ORDINAL[c.asa]) },
  {
    key: "sex_female",
    label: "Female sex",
    per: "female vs male",
    value: (c) => (c.sex === null ? null : c.sex === "female" ? 1 : 0),
  },
  { key: "prior_ablation", label: "Re-ablation", per: "yes vs no", value: (c) => flag(c.priorAblation) },
];

/** The paper's two covariates. */
export const PAPER_COX_COVARIATES = ["mtm_mm", "max_tumor_diameter_cm"] as const;

/**
 * A covariate by name: a built-in key, or a column of clinical.csv beyond the schema (read as a number;
 * decimal comma accepted). Throws PlanInputError naming the covariate, or the case and line of a cell
 * that is not a number.
 */
export function resolveCovariate(name: string, cases: readonly CaseRecord[]): CoxCovariate {
  const builtIn = COX_COVARIATES.find((c) => c.key === name);
  if (builtIn) return builtIn;
  const extraColumns = [...new Set(cases.flatMap((c) => Object.keys(c.extra)))];
  if (extraColumns.includes(name))
    return {
      key: name,
      label: name,
      per: "per unit",
      value: (c) => {
        const cell = c.extra[name] ?? "";
        if (cell === "") return null;
        try {
          // Decimal comma accepted whatever the separator: a quoted "3,5" can occur in a comma file too.
          return parseNumberCell(cell, true, name, c.line);
        } catch {
          throw new PlanInputError(
            `clinical.csv line ${c.line}, case ${c.caseId}, field ${name}: '${cell}' is not a number (Cox covariates must be numeric)`,
          );
        }
      },
    };
  throw new PlanInputError(
    `unknown Cox covariate '${name}': use one of ${[...COX_COVARIATES.map((c) => c.key), ...extraColumns].join(", ")}`,
  );
}

export interface FirthRow {
  hr: number;
  hrLower: number;
  hrUpper: number;
  p: number;
  method: string;
  warnings: string[];
}

export interface CoxRow {
  key: string;
  label: string;
  per: string;
  /** Cases with a value (missing values are left out of that model). */
  n: number;
  events: number;
  coef: number;
  se: number;
  hr: number;
  hrLower: number;
  hrUpper: number;
  /** Wald p (the paper's and SPSS's "Sig."); not meaningful under separation (see `pReported`). */
  p: number;
  pLikelihoodRatio: number;
  /** The p a table should print: Wald, or the likelihood-ratio p when the likelihood is monotone. */
  pReported: number;
  pMethod: "wald" | "likelihood-ratio";
  monotoneLikelihood: boolean;
  converged: boolean;
  /** Firth's penalised estimate: on separation (default), always, or never. */
  firth: FirthRow | null;
  method: string;
  warnings: string[];
}

export interface Table3 {
  rows: CoxRow[];
  ties: "efron" | "breslow";
  confLevel: number;
  notes: string[];
}

/** One univariable Cox model of LTP-free survival on a covariate. */
export function univariableCox(
  cases: readonly CaseRecord[],
  covariate: CoxCovariate,
  settings: ConventionSettings,
  {
    mtmSource = "rounded" as MtmSource,
    firth = "on-separation" as "on-separation" | "always" | "never",
    confLevel = 0.95,
  } = {},
): CoxRow {
  const used = cases.filter((c) => {
    const v = covariate.value(c, mtmSource);
    return v !== null && Number.isFinite(v);
  });
  const data = ltpFreeSurvivalData(used);
  const x = used.map((c) => covariate.value(c, mtmSource) as number);
  const events = data.event.reduce((a, b) => a + b, 0);
  const base = { key: covariate.key, label: covariate.label, per: covariate.per, n: used.length, events };
  if (events === 0 || used.length < 2) {
    const nan = Number.NaN;
    return {
      ...base,
      coef: nan,
      se: nan,
      hr: nan,
      hrLower: nan,
      hrUpper: nan,
      p: nan,
      pLikelihoodRatio: nan,
      pReported: nan,
      pMethod: "wald",
      monotoneLikelihood: false,
      converged: false,
      firth: null,
      method: "not fitted",
      warnings: [events === 0 ? "no LTP events: a Cox model cannot be fitted" : "fewer than 2 cases with a value"],
    };
  }
  const fit = coxProportionalHazards(data, { [covariate.key]: x }, { ties: settings.coxTies, confLevel });
  const c = fit.coefficients[0];
  const wantFirth = firth === "always" || (firth === "on-separation" && fit.monotoneLikelihood);
  let firthRow: FirthRow | null = null;
  if (wantFirth) {
    const f = coxFirth(data, { [covariate.key]: x }, { confLevel });
    const fc = f.coefficients[0];
    firthRow = {
      hr: fc.hr,
      hrLower: fc.ci[0],
      hrUpper: fc.ci[1],
      p: fc.p,
      method: f.description,
      warnings: warningMessages(f.warnings),
    };
  }
  return {
    ...base,
    coef: c.coef,
    se: c.se,
    hr: c.hr,
    hrLower: c.ci[0],
    hrUpper: c.ci[1],
    p: c.p,
    pLikelihoodRatio: fit.tests.lr.p,
    // Under separation the Wald test collapses (SE → ∞, Hauck-Donner): the LR test stays valid.
    pReported: fit.monotoneLikelihood ? fit.tests.lr.p : c.p,
    pMethod: fit.monotoneLikelihood ? "likelihood-ratio" : "wald",
    monotoneLikelihood: fit.monotoneLikelihood,
    converged: fit.converged,
    firth: firthRow,
    method: fit.description,
    warnings: warningMessages(fit.warnings),
  };
}

/**
 * Table 3: the paper's covariates then `extraCovariates`, each in its own univariable model.
 * Example: `table3(cases, conventionSettings("spss")).rows[0].hr` is the HR per mm of MTM (Breslow ties).
 */
export function table3(
  cases: readonly CaseRecord[],
  settings: ConventionSettings,
  {
    mtmSource = "rounded" as MtmSource,
    extraCovariates = [] as readonly string[],
    firth = "on-separation" as "on-separation" | "always" | "never",
    confLevel = 0.95,
  } = {},
): Table3 {
  const names = [...PAPER_COX_COVARIATES, ...extraCovariates.filter((n) => !PAPER_COX_COVARIATES.includes(n as never))];
  const covariates = names.map((n) => resolveCovariate(n, cases));
  const rows = covariates.map((cov) => univariableCox(cases, cov, settings, { mtmSource, firth, confLevel }));
  return {
    rows,
    ties: settings.coxTies,
    confLevel,
    notes: [
      `Univariable Cox proportional hazards models of LTP-free time (months to LTP, else follow-up); ${settings.coxTies === "efron" ? "Efron" : "Breslow"} ties.`,
      `HR = exp(β) with Wald ${Math.round(confLevel * 100)}% CI and Wald p (likelihood-ratio p when the likelihood is monotone); likelihood-ratio p alongside.`,
      `MTM: ${mtmSource === "rounded" ? "rounded to the nearest mm, as the paper" : "raw (unrounded)"}; diameter per cm.`,
      "A monotone likelihood (separation) is flagged; the row then also carries Firth's penalised HR (profile-likelihood CI and p).",
    ],
  };
}
