/**
 * `cryomargin stats TEST --data FILE.csv [options]`: one statistical test or survival model on any CSV,
 * printed as JSON (or, with `--format table`, as a readable table).
 *
 * Each TEST is one small function mapping its options → the analysis engine's call → the command's JSON
 * shape (snake_case keys named as R names the figures: W, t, rho, chisq, hr_lower …; R's NA and Inf, which
 * JSON cannot hold, print as null). The engine's results share one shape (statistic, p, ci, method code,
 * coded warnings: stats/result.ts); this module only names their fields for the JSON, whose keys stay as
 * they are. Every result also carries `test`, `data` (the file), `n_dropped` (rows with a missing value in
 * a used column, dropped as R's na.omit does), `warnings` (messages) and `warning_codes` (their codes). The engine is checked against R in test/stats-reference.test.ts and
 * test/survival-reference.test.ts; this module adds no statistics of its own.
 */
import {
  type ConfType,
  type CoxTerm,
  type CoxTest,
  type CoxTies,
  coxFirth,
  coxTerms,
  fisherExact,
  type KaplanMeierAt,
  type KaplanMeierGroup,
  kaplanMeierByGroup,
  LOG_RANK_DESCRIPTION,
  type LogRankResult,
  logRank,
  type MannWhitneyOptions,
  mannWhitney,
  medianFollowUpReverseKM,
  type RocDirection,
  rocCurve,
  type StatsWarning,
  type SurvivalData,
  shapiroWilk,
  sortedLevels,
  spearman,
  statsWarning,
  survivalAt,
  tTest,
  warningMessages,
} from "@cryomargin/analysis";
import { CliUsageError, CryomarginError } from "../errors.js";
import {
  choiceOption,
  listOption,
  numberOption,
  type OptionSpec,
  type ParsedCommandArgs,
  parseCommandArgs,
} from "./args.js";
import type { Subcommand } from "./registry.js";
import {
  type CompleteRows,
  type CsvInput,
  checkNonNegative,
  chooseLevels,
  completeRows,
  indicator,
  inFile,
  isTextColumn,
  labelValues,
  numericValues,
  pick,
  readCsv,
} from "./statsData.js";
import { renderResultTable } from "./textTable.js";

type Options = ParsedCommandArgs["values"];
type Result = Record<string, unknown>;

/** One TEST of `cryomargin stats`: its own options, a usage line, and the analysis itself. */
interface StatsTest {
  name: string;
  synopsis: string;
  options: OptionSpec;
  analyze(input: CsvInput, options: Options): Result;
}

// ---------------------------------------------------------------------------------------------------------
// Options

/** A string option the TEST cannot run without; absent → usage error naming it. */
function required(options: Options, name: string, test: string): string {
  const v = options[name];
  if (typeof v !== "string" || v.trim() === "") throw new CliUsageError(`stats ${test}: --${name} is required`);
  return v;
}

function optional(options: Options, name: string): string | undefined {
  const v = options[name];
  return typeof v === "string" ? v : undefined;
}

/** `--at 12,24` → [12, 24] (times at which to read the survival curve). */
function numberList(options: Options, name: string): number[] {
  return (listOption(options, name) ?? []).map((item) => numberOption(item, name, Number.NaN));
}

// ---------------------------------------------------------------------------------------------------------
// Shared column handling

/** The survival outcome of km, logrank and cox, on the complete rows of time, event and `others`. */
interface SurvivalInput {
  data: SurvivalData;
  rows: CompleteRows;
  timeColumn: string;
  eventColumn: string;
  eventValue: string;
}

/**
 * Reads `--time` (≥ 0) and `--event` (1 where it equals `--event-value`, default "1"; the column must hold
 * two values) on the rows complete in them and in `others` (the group or covariate columns).
 */
function survivalInput(input: CsvInput, options: Options, test: string, others: (number[] | string[])[]) {
  const timeColumn = required(options, "time", test);
  const eventColumn = required(options, "event", test);
  const eventValue = optional(options, "event-value") ?? "1";
  const time = numericValues(input, timeColumn);
  const eventLabels = labelValues(input, eventColumn);
  const rows = completeRows(input, [time, eventLabels, ...others]);
  if (rows.index.length === 0) throw new CryomarginError(`${input.file}: no row has all of the columns used`);
  const usedTime = pick(time, rows);
  checkNonNegative(input, usedTime, timeColumn, rows);
  const event = indicator(input, pick(eventLabels, rows), eventColumn, eventValue, "--event-value");
  return { data: { time: usedTime, event }, rows, timeColumn, eventColumn, eventValue } satisfies SurvivalInput;
}

/** Refuses a grouping column with fewer than two groups among the rows used, naming it. */
function requireTwoOrMore(input: CsvInput, levels: readonly string[], column: string, what: string): void {
  if (levels.length < 2)
    throw new CryomarginError(
      `${input.file}: column '${column}' has ${levels.length === 1 ? `only the group '${levels[0]}'` : "no groups"} among the rows used; ${what} needs two or more`,
    );
}

/** Two samples of `--value` split by `--group`, in the order of `--groups A,B`, else the sorted labels. */
interface TwoSamples {
  groups: [string, string];
  x: number[];
  y: number[];
  nDropped: number;
  nExcluded: number;
}

function twoSamples(input: CsvInput, options: Options, test: string): TwoSamples {
  const valueColumn = required(options, "value", test);
  const groupColumn = required(options, "group", test);
  const requested = listOption(options, "groups");
  if (requested && requested.length !== 2)
    throw new CliUsageError(`--groups must name exactly two groups, got ${requested.length}`);
  const values = numericValues(input, valueColumn);
  const labels = labelValues(input, groupColumn);
  const rows = completeRows(input, [values, labels]);
  const used = pick(labels, rows);
  const levels = chooseLevels(input, used, groupColumn, requested);
  if (levels.length !== 2)
    throw new CryomarginError(
      `${input.file}: column '${groupColumn}' has ${levels.length} groups (${levels.map((l) => `'${l}'`).join(", ")}); ${test} compares two — choose them with --groups A,B`,
    );
  const usedValues = pick(values, rows);
  const sample = (level: string) => usedValues.filter((_, k) => used[k] === level);
  const x = sample(levels[0]);
  const y = sample(levels[1]);
  return {
    groups: [levels[0], levels[1]],
    x,
    y,
    nDropped: rows.nDropped,
    nExcluded: used.length - x.length - y.length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// JSON shapes

/** A Kaplan-Meier fit of one group as the command's JSON (`group` null when the data are not grouped). */
function kmGroupJson(fit: KaplanMeierGroup, at: KaplanMeierAt[], followUp: number, grouped: boolean): Result {
  return {
    group: grouped ? fit.group : null,
    n: fit.n,
    events: fit.events,
    table: fit.table.map((r) => ({
      time: r.time,
      n_risk: r.nRisk,
      n_event: r.nEvent,
      n_censor: r.nCensor,
      surv: r.surv,
      std_err: r.stdErr,
      lower: r.lower,
      upper: r.upper,
      std_err_cumhaz: r.stdErrCumHaz,
    })),
    at: at.map((a) => ({
      time: a.time,
      surv: a.surv,
      std_err: a.stdErr,
      lower: a.lower,
      upper: a.upper,
      n_risk: a.nRisk,
    })),
    median: fit.median,
    median_followup_reverse_km: followUp,
  };
}

/** Coded warnings as the JSON prints them: the messages, and their codes in the same order. */
function warningFields(warnings: readonly StatsWarning[]): { warnings: string[]; warning_codes: string[] } {
  return { warnings: warningMessages(warnings), warning_codes: warnings.map((w) => w.code) };
}

/** A χ² test (Cox model or term) as the JSON prints it. */
function chiSquareJson(t: CoxTest): Result {
  return { stat: t.statistic, df: t.df, p: t.p };
}

/** A log-rank result as the command's JSON. */
function logRankJson(r: LogRankResult): Result {
  return {
    chisq: r.statistic,
    df: r.df,
    p: r.p,
    groups: r.groups.map((g) => ({ group: g.group, n: g.n, observed: g.observed, expected: g.expected })),
    method: LOG_RANK_DESCRIPTION,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The tests

/** Kaplan-Meier (R's survfit + summary(times, extend = TRUE) + quantile), one curve per group. */
function km(input: CsvInput, options: Options): Result {
  const groupColumn = optional(options, "group");
  const confType = choiceOption<ConfType>(options, "conf-type", ["log", "log-log", "plain"], "log");
  const times = numberList(options, "at");
  const group = groupColumn === undefined ? undefined : labelValues(input, groupColumn);
  const s = survivalInput(input, options, "km", group ? [group] : []);
  const labels = group ? pick(group, s.rows) : s.data.time.map(() => "all");
  const warnings: StatsWarning[] = [];
  const fits = kaplanMeierByGroup(s.data, labels, { confType });
  const groups = fits.map((fit) => {
    const idx = labels.flatMap((l, i) => (l === fit.group ? [i] : []));
    const sub = { time: idx.map((i) => s.data.time[i]), event: idx.map((i) => s.data.event[i]) };
    return kmGroupJson(fit, survivalAt(fit, times), medianFollowUpReverseKM(sub), group !== undefined);
  });
  let logrank: Result | undefined;
  if (group && groupColumn) {
    if (groups.length >= 2) logrank = logRankJson(logRank(s.data, labels));
    else
      warnings.push(
        statsWarning("one-group", `column '${groupColumn}' has one group among the rows used: no log-rank test`),
      );
  }
  return {
    conf_type: confType,
    conf_level: fits[0].confLevel,
    groups,
    logrank,
    n: s.data.time.length,
    n_dropped: s.rows.nDropped,
    event_value: s.eventValue,
    method: "Kaplan-Meier; Greenwood variance (R survival conventions)",
    ...warningFields([...fits.flatMap((fit) => fit.warnings), ...warnings]),
  };
}

/** Log-rank test for k groups (R's survdiff, rho = 0). */
function logrank(input: CsvInput, options: Options): Result {
  const groupColumn = required(options, "group", "logrank");
  const group = labelValues(input, groupColumn);
  const s = survivalInput(input, options, "logrank", [group]);
  const labels = pick(group, s.rows);
  requireTwoOrMore(input, sortedLevels(labels), groupColumn, "the log-rank test");
  const result = logRank(s.data, labels);
  return {
    ...logRankJson(result),
    n: s.data.time.length,
    n_dropped: s.rows.nDropped,
    event_value: s.eventValue,
    ...warningFields(result.warnings),
  };
}

/**
 * The `--reference` option: `LEVEL` (one categorical covariate) or `column=LEVEL,column=LEVEL`; → the
 * baseline per column. A plain LEVEL with several categorical covariates is ambiguous and refused.
 */
function referenceLevels(options: Options, categorical: readonly string[]): Map<string, string> {
  const items = listOption(options, "reference") ?? [];
  const references = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      if (categorical.length !== 1)
        throw new CliUsageError(
          categorical.length === 0
            ? `--reference ${item}: no covariate is categorical (a text column, or one named in --factors)`
            : `--reference ${item}: several covariates are categorical (${categorical.join(", ")}); write --reference column=LEVEL`,
        );
      references.set(categorical[0], item);
    } else {
      const column = item.slice(0, eq).trim();
      if (!categorical.includes(column))
        throw new CliUsageError(
          `--reference ${item}: '${column}' is not a categorical covariate${categorical.length > 0 ? ` (those are ${categorical.join(", ")})` : ""}`,
        );
      references.set(column, item.slice(eq + 1).trim());
    }
  }
  return references;
}

/**
 * Cox proportional hazards (R's coxph), with Firth's penalised fit on request (`--firth`). A covariate is
 * categorical when its column holds only text, or when `--factors` names it (R's `factor(x)` of a coded column):
 * treatment contrasts against the first sorted level or `--reference`, one coefficient per other level, and
 * each factor's joint Wald and likelihood-ratio test in `terms`.
 */
function cox(input: CsvInput, options: Options): Result {
  const names = listOption(options, "covariates");
  if (!names) throw new CliUsageError("stats cox: --covariates is required (e.g. --covariates mtm_mm,age)");
  const ties = choiceOption<CoxTies>(options, "ties", ["efron", "breslow"], "efron");
  const factors = listOption(options, "factors") ?? [];
  for (const f of factors)
    if (!names.includes(f)) throw new CliUsageError(`--factors ${f}: '${f}' is not one of --covariates`);
  const categorical = names.filter((name) => factors.includes(name) || isTextColumn(input, name));
  const references = referenceLevels(options, categorical);
  const columns = names.map((name) =>
    categorical.includes(name) ? labelValues(input, name) : numericValues(input, name),
  );
  const s = survivalInput(input, options, "cox", columns);
  const terms: CoxTerm[] = names.map((name, r) =>
    categorical.includes(name)
      ? { name, labels: pick(columns[r] as string[], s.rows), reference: references.get(name) }
      : { name, values: pick(columns[r] as number[], s.rows) },
  );
  const fit = coxTerms(s.data, terms, { ties });
  const warnings = [...fit.warnings];
  if (fit.monotoneLikelihood && options.firth !== true)
    warnings.push(
      statsWarning(
        "monotone-likelihood",
        "rerun with --firth for Firth's penalised estimate, which stays finite under separation",
      ),
    );
  const result: Result = {
    n: fit.n,
    events: fit.events,
    coefficients: fit.coefficients.map((c, r) => ({
      name: c.name,
      ...(fit.coefficientTerms[r].level === null
        ? {}
        : {
            term: fit.coefficientTerms[r].term,
            level: fit.coefficientTerms[r].level,
            reference: fit.coefficientTerms[r].reference,
          }),
      coef: c.coef,
      se: c.se,
      z: c.statistic,
      p: c.p,
      hr: c.hr,
      hr_lower: c.ci[0],
      hr_upper: c.ci[1],
    })),
    loglik_null: fit.loglikNull,
    loglik: fit.loglik,
    tests: {
      lr: chiSquareJson(fit.tests.lr),
      wald: chiSquareJson(fit.tests.wald),
      score: chiSquareJson(fit.tests.score),
    },
    ...(categorical.length === 0
      ? {}
      : {
          terms: fit.terms
            .filter((t) => t.kind === "categorical")
            .map((t) => ({
              name: t.name,
              levels: t.levels,
              reference: t.reference,
              coefficients: t.coefficients,
              wald: chiSquareJson(t.wald),
              lr: chiSquareJson(t.lr),
            })),
        }),
    concordance: fit.concordance,
    ties: fit.ties,
    iterations: fit.iterations,
    converged: fit.converged,
    monotone_likelihood: fit.monotoneLikelihood,
    n_dropped: s.rows.nDropped,
    event_value: s.eventValue,
    method: fit.description,
    ...warningFields(warnings),
  };
  if (options.firth === true) {
    const firth = coxFirth(s.data, fit.design);
    result.firth = {
      coefficients: firth.coefficients.map((c) => ({
        name: c.name,
        coef: c.coef,
        se: c.se,
        p: c.p,
        hr: c.hr,
        hr_lower: c.ci[0],
        hr_upper: c.ci[1],
      })),
      penalized_loglik: firth.penalizedLoglik,
      converged: firth.converged,
      method: firth.description,
      ...warningFields(firth.warnings),
    };
  }
  return result;
}

/** Wilcoxon rank-sum / Mann-Whitney U (R's wilcox.test(x, y)); W is the first group's statistic. */
function mannWhitneyTest(input: CsvInput, options: Options): Result {
  const exactWord = choiceOption(options, "exact", ["auto", "yes", "no", "conditional"], "auto");
  const exact: MannWhitneyOptions["exact"] =
    exactWord === "yes" ? true : exactWord === "no" ? false : (exactWord as "auto" | "conditional");
  const correct = choiceOption(options, "correct", ["yes", "no"], "yes") === "yes";
  const s = twoSamples(input, options, "mann-whitney");
  const r = mannWhitney(s.x, s.y, { exact, correct });
  return {
    W: r.statistic,
    p: r.p,
    method: r.method,
    z: r.z,
    groups: s.groups,
    n: [r.nx, r.ny],
    ties: r.ties,
    n_dropped: s.nDropped,
    n_excluded: s.nExcluded,
    ...warningFields(r.warnings),
  };
}

/** Independent two-sample t-test, Student or (`--welch`) Welch (R's t.test(x, y, var.equal)). */
function ttest(input: CsvInput, options: Options): Result {
  const s = twoSamples(input, options, "ttest");
  const r = tTest(s.x, s.y, { welch: options.welch === true });
  return {
    t: r.statistic,
    df: r.df,
    p: r.p,
    ci: r.ci,
    conf_level: r.confLevel,
    estimate: r.estimate,
    groups: s.groups,
    n: [s.x.length, s.y.length],
    method: r.method,
    n_dropped: s.nDropped,
    n_excluded: s.nExcluded,
    ...warningFields(r.warnings),
  };
}

/**
 * Fisher's exact test of the cross-table of `--row` by `--col` (R's fisher.test(table(row, col))); levels
 * in sorted order or as `--row-levels`/`--col-levels` give them (which also orients the 2×2 odds ratio).
 */
function fisher(input: CsvInput, options: Options): Result {
  const rowColumn = required(options, "row", "fisher");
  const colColumn = required(options, "col", "fisher");
  const rowLabels = labelValues(input, rowColumn);
  const colLabels = labelValues(input, colColumn);
  const rows = completeRows(input, [rowLabels, colLabels]);
  const r = pick(rowLabels, rows);
  const c = pick(colLabels, rows);
  const rowLevels = chooseLevels(input, r, rowColumn, listOption(options, "row-levels"), true);
  const colLevels = chooseLevels(input, c, colColumn, listOption(options, "col-levels"), true);
  requireTwoOrMore(input, rowLevels, rowColumn, "Fisher's test");
  requireTwoOrMore(input, colLevels, colColumn, "Fisher's test");
  const table = rowLevels.map(() => colLevels.map(() => 0));
  let nExcluded = 0;
  r.forEach((label, k) => {
    const i = rowLevels.indexOf(label);
    const j = colLevels.indexOf(c[k]);
    if (i < 0 || j < 0) nExcluded++;
    else table[i][j]++;
  });
  const f = fisherExact(table);
  return {
    p: f.p,
    table: f.table,
    rows: rowLevels,
    cols: colLevels,
    // An r×c table has no odds ratio: the keys are left out (the engine's null), as they always were.
    odds_ratio: f.oddsRatio ?? undefined,
    ci: f.ci ?? undefined,
    conf_level: f.confLevel ?? undefined,
    method: f.method,
    n_dropped: rows.nDropped,
    n_excluded: nExcluded,
    ...warningFields(f.warnings),
  };
}

/** Spearman's rank correlation (R's cor.test(x, y, method = "spearman")). */
function spearmanTest(input: CsvInput, options: Options): Result {
  const xColumn = required(options, "x", "spearman");
  const yColumn = required(options, "y", "spearman");
  const x = numericValues(input, xColumn);
  const y = numericValues(input, yColumn);
  const rows = completeRows(input, [x, y]);
  const r = spearman(pick(x, rows), pick(y, rows));
  return {
    rho: r.rho,
    S: r.statistic,
    p: r.p,
    p_exact: r.pExact,
    p_asymptotic_t: r.pAsymptoticT,
    n: r.n,
    ties: r.ties,
    method: r.method,
    n_dropped: rows.nDropped,
    ...warningFields(r.warnings),
  };
}

/**
 * ROC curve and AUC with DeLong CI (pROC). `--direction <` (pROC's, the default): cases have higher
 * predictor values, a subject is called positive when predictor ≥ threshold. `--direction >` (e.g. a margin,
 * smaller in the cases that progress): positive when predictor ≤ threshold (the engine's `direction`).
 */
function roc(input: CsvInput, options: Options): Result {
  const predictorColumn = required(options, "predictor", "roc");
  const outcomeColumn = required(options, "outcome", "roc");
  const caseValue = optional(options, "case-value") ?? "1";
  const direction = choiceOption<RocDirection>(options, "direction", ["<", ">"], "<");
  const predictor = numericValues(input, predictorColumn);
  const outcome = labelValues(input, outcomeColumn);
  const rows = completeRows(input, [predictor, outcome]);
  const isCase = indicator(input, pick(outcome, rows), outcomeColumn, caseValue, "--case-value");
  const r = rocCurve(pick(predictor, rows), isCase, { direction });
  const point = (p: { threshold: number; sensitivity: number; specificity: number }) => ({
    threshold: p.threshold,
    sensitivity: p.sensitivity,
    specificity: p.specificity,
  });
  return {
    auc: r.auc,
    ci: r.ci,
    conf_level: r.confLevel,
    se: r.se,
    n_cases: r.nCases,
    n_controls: r.nControls,
    youden: { ...point(r.youden), j: r.youden.j },
    direction,
    case_value: caseValue,
    method: r.method,
    n_dropped: rows.nDropped,
    ...warningFields(r.warnings),
    curve: direction === "<" ? r.curve.map(point) : r.curve.map(point).reverse(), // thresholds increasing
  };
}

/** Shapiro-Wilk normality test (R's shapiro.test). */
function shapiro(input: CsvInput, options: Options): Result {
  const valueColumn = required(options, "value", "shapiro");
  const value = numericValues(input, valueColumn);
  const rows = completeRows(input, [value]);
  const r = shapiroWilk(pick(value, rows));
  return { W: r.statistic, p: r.p, n: r.n, method: r.method, n_dropped: rows.nDropped, ...warningFields(r.warnings) };
}

const survivalOptions: OptionSpec = {
  time: { type: "string" },
  event: { type: "string" },
  "event-value": { type: "string" },
};

const twoSampleOptions: OptionSpec = {
  value: { type: "string" },
  group: { type: "string" },
  groups: { type: "string" },
};

export const statsTests: StatsTest[] = [
  {
    name: "km",
    synopsis: "km --time T --event E [--event-value V] [--group G] [--at 12,24] [--conf-type log|log-log|plain]",
    options: {
      ...survivalOptions,
      group: { type: "string" },
      at: { type: "string" },
      "conf-type": { type: "string" },
    },
    analyze: km,
  },
  {
    name: "logrank",
    synopsis: "logrank --time T --event E [--event-value V] --group G",
    options: { ...survivalOptions, group: { type: "string" } },
    analyze: logrank,
  },
  {
    name: "cox",
    synopsis:
      "cox --time T --event E [--event-value V] --covariates a,b [--factors b] [--reference LEVEL|b=LEVEL] [--ties efron|breslow] [--firth]",
    options: {
      ...survivalOptions,
      covariates: { type: "string" },
      factors: { type: "string" },
      reference: { type: "string" },
      ties: { type: "string" },
      firth: { type: "boolean" },
    },
    analyze: cox,
  },
  {
    name: "mann-whitney",
    synopsis: "mann-whitney --value V --group G [--groups A,B] [--exact auto|yes|no|conditional] [--correct yes|no]",
    options: { ...twoSampleOptions, exact: { type: "string" }, correct: { type: "string" } },
    analyze: mannWhitneyTest,
  },
  {
    name: "fisher",
    synopsis: "fisher --row R --col C [--row-levels A,B] [--col-levels X,Y]",
    options: {
      row: { type: "string" },
      col: { type: "string" },
      "row-levels": { type: "string" },
      "col-levels": { type: "string" },
    },
    analyze: fisher,
  },
  {
    name: "ttest",
    synopsis: "ttest --value V --group G [--groups A,B] [--welch]",
    options: { ...twoSampleOptions, welch: { type: "boolean" } },
    analyze: ttest,
  },
  {
    name: "spearman",
    synopsis: "spearman --x X --y Y",
    options: { x: { type: "string" }, y: { type: "string" } },
    analyze: spearmanTest,
  },
  {
    name: "roc",
    synopsis: "roc --predictor P --outcome O [--case-value V] [--direction '<'|'>']",
    options: {
      predictor: { type: "string" },
      outcome: { type: "string" },
      "case-value": { type: "string" },
      direction: { type: "string" },
    },
    analyze: roc,
  },
  {
    name: "shapiro",
    synopsis: "shapiro --value V",
    options: { value: { type: "string" } },
    analyze: shapiro,
  },
];

const commonOptions: OptionSpec = { data: { type: "string" }, format: { type: "string" } };

/**
 * Other names a user types for a TEST (R's function names, the spelled-out names), matched after lower-casing
 * and reading '_', '.' and spaces as '-'. `wilcoxon` alone is not one: it names both the rank-sum test of two
 * groups (mann-whitney) and the paired signed-rank test, which `stats` does not offer.
 */
const TEST_ALIASES: Record<string, string> = {
  "kaplan-meier": "km",
  kaplanmeier: "km",
  survfit: "km",
  "log-rank": "logrank",
  survdiff: "logrank",
  coxph: "cox",
  "cox-ph": "cox",
  mannwhitney: "mann-whitney",
  "mann-whitney-u": "mann-whitney",
  "wilcoxon-rank-sum": "mann-whitney",
  "rank-sum": "mann-whitney",
  "wilcox-test": "mann-whitney",
  "fisher-exact": "fisher",
  "fisher-test": "fisher",
  "t-test": "ttest",
  "shapiro-wilk": "shapiro",
  "shapiro-test": "shapiro",
  "cor-test": "spearman",
};

/** The TEST a typed name means (canonical name, alias, any case), or undefined. */
export function resolveTestName(typed: string): StatsTest | undefined {
  const key = typed
    .trim()
    .toLowerCase()
    .replace(/[_.\s]+/g, "-");
  return statsTests.find((t) => t.name === (TEST_ALIASES[key] ?? key));
}

export const statsUsage = [
  "Usage: cryomargin stats TEST --data FILE.csv [options] [--format json|table]",
  "",
  "Runs one analysis on a CSV file (header row; ',' or ';' separated, decimal comma with ';', UTF-8 BOM",
  "accepted) and prints JSON. Rows with a missing value (empty, NA, ., -) in a used column are dropped and",
  "counted (n_dropped). The event column holds two codes; --event-value (default 1) is the event.",
  "",
  "Tests (also accepted: kaplan-meier, log-rank, coxph, wilcoxon-rank-sum, t-test, fisher-exact, shapiro-wilk):",
  ...statsTests.map((t) => `  ${t.synopsis}`),
].join("\n");

/**
 * Runs `cryomargin stats` with the arguments after `stats`: TEST, then its options. Resolves to 0 after
 * printing; problems with the data throw CryomarginError (exit 1), with the command line CliUsageError (2).
 */
export async function runStats(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const names = statsTests.map((t) => t.name).join(", ");
  if (name === undefined || name.startsWith("-")) throw new CliUsageError(`stats needs a TEST: one of ${names}`);
  const test = resolveTestName(name);
  if (!test) {
    const wilcoxon = /^wilcoxon$/i.test(name.trim())
      ? "; for two independent groups (R's wilcox.test(x, y)) use mann-whitney — the paired signed-rank test is not offered"
      : "";
    throw new CliUsageError(`unknown test '${name}'; the tests are ${names}${wilcoxon}`);
  }
  const { values } = parseCommandArgs(rest, { ...commonOptions, ...test.options });
  const format = choiceOption(values, "format", ["json", "table"], "json");
  const input = readCsv(required(values, "data", test.name));
  if (input.table.rows.length === 0)
    throw new CryomarginError(`${input.file}: no data rows (the file has a header line and nothing after it)`);
  const result = { test: test.name, data: input.file, ...inFile(input.file, () => test.analyze(input, values)) };
  process.stdout.write(format === "table" ? renderResultTable(result) : `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

export const statsCommand: Subcommand = {
  name: "stats",
  usage: statsUsage,
  run: runStats,
};
