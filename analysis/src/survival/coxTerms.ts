/**
 * Cox models whose covariates are terms — numeric columns or categorical factors — as R's
 * `coxph(Surv(time, status) ~ age + factor(celltype))` with R's default treatment contrasts
 * (`contr.treatment`):
 *
 * - a factor with levels L₁ … L_k (R's order of factor levels: sorted, numbers numerically — `sortedLevels`)
 *   and a reference level L_ref (default L₁; R's `relevel(x, ref)`) enters the model as k − 1 indicator
 *   columns 1[x = L_j], j ≠ ref, named as R names them (`paste0(term, level)`, e.g. `celltypesmallcell`);
 *   each coefficient is the log-HR of its level against the reference;
 * - per term, the joint Wald test β_Tᵀ V_TT⁻ β_T on the term's columns (V the fit's variance matrix, V⁻ its
 *   generalised inverse as R's cholesky2; df = rank of V_TT — for one column it is z²), and the
 *   likelihood-ratio test 2(ℓ(β̂) − ℓ(β̂ without the term)) against the model refitted without the term's
 *   columns (R's `drop1(fit, test = "Chisq")`; df = the number of estimable columns dropped).
 */
import { chiSquareUpperTail } from "../stats/distributions.js";
import { sortedLevels } from "../table/delimited.js";
import { type CoxOptions, type CoxResult, type CoxTest, coxProportionalHazards } from "./cox.js";
import type { SurvivalData } from "./data.js";
import { choleskySolve, symmetricDecompose } from "./linearAlgebra.js";

/** A numeric covariate: one value per subject. */
export interface NumericTerm {
  name: string;
  values: readonly number[];
}

/** A categorical covariate: one level label per subject, and optionally the reference level. */
export interface CategoricalTerm {
  name: string;
  labels: readonly string[];
  /** Baseline level (default: the first of the sorted levels, as R's factor). */
  reference?: string;
}

export type CoxTerm = NumericTerm | CategoricalTerm;

/** The indicator columns of one factor under treatment contrasts. */
export interface TreatmentContrasts {
  name: string;
  /** Every level: the reference first, then the others sorted (R's `levels(relevel(factor(x), ref))`). */
  levels: string[];
  reference: string;
  /** One column per non-reference level, in level order. */
  columns: { name: string; level: string; values: number[] }[];
}

/**
 * Treatment contrasts of a factor (R's `contr.treatment`, baseline `reference`).
 * Example: `treatmentContrasts("cell", ["b", "a", "c"]).columns` → cellb = [1, 0, 0], cellc = [0, 0, 1].
 */
export function treatmentContrasts(name: string, labels: readonly string[], reference?: string): TreatmentContrasts {
  const levels = sortedLevels(labels);
  if (levels.length < 2)
    throw new RangeError(
      `treatmentContrasts: factor '${name}' has ${levels.length === 1 ? `only the level '${levels[0]}'` : "no levels"}; a categorical covariate needs two or more`,
    );
  const baseline = reference ?? levels[0];
  if (!levels.includes(baseline))
    throw new RangeError(
      `treatmentContrasts: factor '${name}' has no level '${baseline}' (the reference); its levels are ${levels.map((l) => `'${l}'`).join(", ")}`,
    );
  const others = levels.filter((level) => level !== baseline);
  const columns = others.map((level) => ({
    name: `${name}${level}`,
    level,
    values: labels.map((l) => (l === level ? 1 : 0)),
  }));
  return { name, levels: [baseline, ...others], reference: baseline, columns };
}

/** Per-term joint tests of a Cox model. */
export interface CoxTermTests {
  name: string;
  kind: "numeric" | "categorical";
  /** The model's coefficient names of this term (one for a numeric term, k − 1 for a factor). */
  coefficients: string[];
  /** Factor levels (the baseline first, as R's relevel) and the baseline; absent for a numeric term. */
  levels?: string[];
  reference?: string;
  wald: CoxTest;
  lr: CoxTest;
}

/** A Cox fit of terms: the fit of the expanded columns, each coefficient tagged with its term and level. */
export interface CoxTermsResult extends CoxResult {
  /** Per coefficient (same order as `coefficients`): its term and, for a factor, its level and baseline. */
  coefficientTerms: { term: string; level: string | null; reference: string | null }[];
  /** The model's columns (numeric terms as given, factors as indicators), keyed by coefficient name. */
  design: Record<string, readonly number[]>;
  terms: CoxTermTests[];
}

interface ModelColumn {
  name: string;
  level: string | null;
  values: readonly number[];
}

function isCategorical(term: CoxTerm): term is CategoricalTerm {
  return "labels" in term;
}

/**
 * Fits a Cox model of numeric and categorical terms. Example: `coxTerms(data, [{ name: "age", values: age },
 * { name: "celltype", labels: cell }]).terms[1].lr.p` is the LR p of cell type given age (3 df for 4 levels).
 */
export function coxTerms(data: SurvivalData, terms: readonly CoxTerm[], options: CoxOptions = {}): CoxTermsResult {
  if (terms.length === 0) throw new RangeError("coxTerms: no covariates");
  const expanded = terms.map((term): { term: CoxTerm; contrasts?: TreatmentContrasts; columns: ModelColumn[] } => {
    if (!isCategorical(term)) return { term, columns: [{ name: term.name, level: null, values: term.values }] };
    const contrasts = treatmentContrasts(term.name, term.labels, term.reference);
    return { term, contrasts, columns: contrasts.columns };
  });
  const allColumns = expanded.flatMap((e) => e.columns);
  const seen = new Set<string>();
  for (const column of allColumns) {
    if (seen.has(column.name))
      throw new RangeError(`coxTerms: two model columns are both named '${column.name}'; rename a covariate`);
    seen.add(column.name);
  }
  const design = Object.fromEntries(allColumns.map((c) => [c.name, c.values]));
  const fit = coxProportionalHazards(data, design, options);
  let offset = 0;
  const termTests = expanded.map((e): CoxTermTests => {
    const index = e.columns.map((_, k) => offset + k);
    offset += e.columns.length;
    const estimable = index.filter((i) => !Number.isNaN(fit.coefficients[i].coef));
    const beta = estimable.map((i) => fit.coefficients[i].coef);
    const block = estimable.map((i) => estimable.map((j) => fit.variance[i][j]));
    let wald: CoxTest = { statistic: Number.NaN, df: 0, p: Number.NaN };
    if (estimable.length > 0) {
      const decomposition = symmetricDecompose(block);
      const solved = choleskySolve(decomposition, beta);
      const stat = beta.reduce((s, b, k) => s + b * solved[k], 0);
      wald = { statistic: stat, df: decomposition.rank, p: chiSquareUpperTail(stat, decomposition.rank) };
    }
    const others = allColumns.filter((_, i) => !index.includes(i));
    const reducedLoglik =
      others.length === 0
        ? fit.loglikNull
        : coxProportionalHazards(data, Object.fromEntries(others.map((c) => [c.name, c.values])), {
            ...options,
            concordance: false,
          }).loglik;
    const lrStat = 2 * (fit.loglik - reducedLoglik);
    const lr: CoxTest = { statistic: lrStat, df: estimable.length, p: chiSquareUpperTail(lrStat, estimable.length) };
    const names = e.columns.map((c) => c.name);
    if (e.contrasts === undefined) return { name: e.term.name, kind: "numeric", coefficients: names, wald, lr };
    return {
      name: e.term.name,
      kind: "categorical",
      coefficients: names,
      levels: e.contrasts.levels,
      reference: e.contrasts.reference,
      wald,
      lr,
    };
  });
  return {
    ...fit,
    coefficientTerms: expanded.flatMap((e) =>
      e.columns.map((c) => ({ term: e.term.name, level: c.level, reference: e.contrasts?.reference ?? null })),
    ),
    design,
    terms: termTests,
  };
}
