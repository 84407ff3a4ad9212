/**
 * Published versus reproduced: every figure of `published-values.json` (parsed by the caller) beside the
 * value the analysis reproduced, the difference, the tolerance and whether it is within it, with these
 * tolerances:
 * - counts and yes/no statements: exact;
 * - MTM (after rounding to mm), age, follow-up, time to recurrence, probes, diameter: equal at the paper's
 *   printed precision (the reproduced value rounds to the printed one);
 * - volumes ("mean ≈ 9.8"): within 5% (relative);
 * - LTP-free survival at 12 and 24 months: ±1.5 percentage points;
 * - Cox hazard ratios: within 5%; their CIs are shown for information (no bar is set on them);
 * - every p-value (Tables 2 and 3, Mann-Whitney, Spearman): the same significance decision at α = 0.05.
 * Figures the cohort format cannot hold (patients enrolled before exclusions, scanner settings) are listed
 * as "not reproducible from cohort data", and so is any figure without a rule here — never skipped. The
 * paper's inconsistencies are each checked against the reproduction, saying which reading it matches.
 */
import type { AnalysisResults } from "./analyze.js";
import { formatPValue } from "./format.js";
import type { CategoricalSummaryRow, ContinuousSummaryRow } from "./table1.js";
import type { ByOutcome, Table2CategoricalRow, Table2ContinuousRow } from "./table2.js";

export type Tolerance =
  | { kind: "exact" }
  | { kind: "printed"; decimals: number }
  | { kind: "relative"; fraction: number }
  | { kind: "absolute"; amount: number }
  | { kind: "significance"; alpha: number }
  | { kind: "none" };

export type ReproductionStatus = "within" | "outside" | "not-reproducible" | "informational";

export type FigureValue = number | string | boolean | null;

export interface ReproductionEntry {
  /** Where the figure is in published-values.json, e.g. "mtm.all.mean" or "…text_range_cm[0]". */
  path: string;
  published: FigureValue;
  reproduced: FigureValue;
  /** reproduced − published for numbers (p-values too), else null. */
  difference: number | null;
  tolerance: Tolerance;
  /** The tolerance in words, e.g. "±5%" or "same decision at α = 0.05". */
  toleranceText: string;
  status: ReproductionStatus;
  /** How the value was reproduced, or why it cannot be. */
  note: string;
}

export interface InconsistencyReading {
  statement: string;
  /** Which reading the reproduction matches, in words. */
  finding: string;
  matches: "first reading" | "second reading" | "both" | "neither" | "not analysed";
}

export interface ReproductionReport {
  conventions: string;
  mtmSource: string;
  entries: ReproductionEntry[];
  summary: Record<ReproductionStatus, number>;
  inconsistencies: InconsistencyReading[];
  /** Sections of the JSON that hold text, not figures, and are not compared. */
  sectionsNotCompared: string[];
}

export interface ReproduceOptions {
  /** Relative tolerance on hazard ratios (default 0.05). */
  hrRelative?: number;
  /** Relative tolerance on volumes (default 0.05). */
  volumeRelative?: number;
  /** Absolute tolerance on survival probabilities (default 0.015, ±1.5 points). */
  survivalAbsolute?: number;
  /** Significance level for decisions (default: the analysis's alpha). */
  alpha?: number;
}

interface Rule {
  value: (r: AnalysisResults) => FigureValue;
  tolerance: Tolerance;
  note: string;
}

const NOT_COMPARED = ["source", "notes", "methods", "inconsistencies"];

/** Table 1 row by key (throws on a programming error: the keys are fixed). */
function t1(r: AnalysisResults, key: string) {
  const row = r.table1.rows.find((x) => x.key === key);
  if (!row) throw new Error(`Table 1 has no row '${key}'`);
  return row;
}
function t1Continuous(r: AnalysisResults, key: string): ContinuousSummaryRow {
  return t1(r, key) as ContinuousSummaryRow;
}
function t1Count(r: AnalysisResults, key: string, level: string): number | null {
  return (t1(r, key) as CategoricalSummaryRow).levels.find((l) => l.code === level)?.count ?? null;
}
function t2(r: AnalysisResults, key: string) {
  const row = r.table2.rows.find((x) => x.key === key);
  if (!row) throw new Error(`Table 2 has no row '${key}'`);
  return row;
}
function t2Summary(r: AnalysisResults, key: string, group: keyof ByOutcome<unknown>) {
  return (t2(r, key) as Table2ContinuousRow).summary[group];
}
function t2Count(r: AnalysisResults, key: string, group: keyof ByOutcome<unknown>, level: string): number | null {
  return (t2(r, key) as Table2CategoricalRow).levels.find((l) => l.code === level)?.[group].count ?? null;
}
function coxRow(r: AnalysisResults, key: string) {
  return r.table3.rows.find((x) => x.key === key) ?? null;
}
function survivalAtMonths(r: AnalysisResults, months: number): number | null {
  return r.survival.at.find((a) => a.time === months)?.surv ?? null;
}

/** The reproduction rules, keyed by JSON path. */
function rules(o: Required<ReproduceOptions>): Map<string, Rule | string> {
  const exact: Tolerance = { kind: "exact" };
  const printed = (decimals: number): Tolerance => ({ kind: "printed", decimals });
  const volume: Tolerance = { kind: "relative", fraction: o.volumeRelative };
  const hr: Tolerance = { kind: "relative", fraction: o.hrRelative };
  const km: Tolerance = { kind: "absolute", amount: o.survivalAbsolute };
  const sig: Tolerance = { kind: "significance", alpha: o.alpha };
  const info: Tolerance = { kind: "none" };
  const m = new Map<string, Rule | string>();
  const add = (path: string, value: Rule["value"], tolerance: Tolerance, note = "") =>
    m.set(path, { value, tolerance, note });

  add("cohort.patients", (r) => r.outcome.patients, exact, "distinct patient_id");
  add("cohort.tumors", (r) => r.outcome.tumors, exact, "rows of clinical.csv");
  add("cohort.procedures", (r) => r.outcome.procedures, exact, "one procedure per tumor row");
  const enrolment = "enrolment before exclusions is not part of the cohort format (only included tumors are)";
  m.set("cohort.enrolled_patients", enrolment);
  m.set("cohort.enrolled_tumors", enrolment);
  const caseFigure = "a single case the paper shows or describes: the cohort format does not say which row it is";
  for (const path of [
    "case_figures.figure4_local_control.mtm_mm",
    "case_figures.figure4_local_control.max_tumor_diameter_mm",
    "case_figures.figure4_local_control.followup_months",
    "case_figures.figure5_ltp.mtm_mm",
    "case_figures.figure5_ltp.max_tumor_diameter_mm",
    "case_figures.negative_margin_without_ltp.tki_started_after_months",
    "case_figures.reablation_within_months",
  ])
    m.set(path, caseFigure);
  const agePatients = "Table 1 age row (per patient in 'paper' units)";
  add("cohort.age_years.median", (r) => t1Continuous(r, "age_years").summary?.median ?? null, printed(0), agePatients);
  add("cohort.age_years.min", (r) => t1Continuous(r, "age_years").summary?.min ?? null, printed(0), agePatients);
  add("cohort.age_years.max", (r) => t1Continuous(r, "age_years").summary?.max ?? null, printed(0), agePatients);
  for (const level of ["male", "female"])
    add(`cohort.sex.${level}`, (r) => t1Count(r, "sex", level), exact, "Table 1 (per patient in 'paper' units)");
  for (const level of ["II", "III"])
    add(`cohort.asa.${level}`, (r) => t1Count(r, "asa", level), exact, "Table 1 (per patient in 'paper' units)");
  const diameter = (r: AnalysisResults) => t1Continuous(r, "max_tumor_diameter_mm").summary;
  add("cohort.max_tumor_diameter_mm.mean", (r) => diameter(r)?.mean ?? null, printed(1), "measured, per tumor");
  add("cohort.max_tumor_diameter_mm.sd", (r) => diameter(r)?.sd ?? null, printed(1), "measured, per tumor");
  add("cohort.max_tumor_diameter_mm.text_range_cm[0]", (r) => (diameter(r)?.min ?? NaN) / 10, printed(1), "cm");
  add("cohort.max_tumor_diameter_mm.text_range_cm[1]", (r) => (diameter(r)?.max ?? NaN) / 10, printed(1), "cm");
  const levels: [string, string, string[]][] = [
    ["side", "side", ["left", "right"]],
    ["location", "location", ["upper_pole", "interpolar", "lower_pole"]],
    ["site", "site", ["anterior", "posterior"]],
    [
      "histology",
      "histology",
      [
        "clear_cell_rcc",
        "papillary_rcc",
        "chromophobe_rcc",
        "oncocytoma_or_mixed",
        "inconclusive_biopsy",
        "no_histopathology",
      ],
    ],
  ];
  for (const [section, key, codes] of levels)
    for (const code of codes)
      add(`cohort.${section}.${code}`, (r) => t1Count(r, key, code), exact, "Table 1, per tumor");
  add("cohort.prior_cryoablation.first", (r) => t1Count(r, "prior_ablation", "first"), exact, "prior_ablation = 0");
  add(
    "cohort.prior_cryoablation.re_ablation",
    (r) => t1Count(r, "prior_ablation", "re_ablation"),
    exact,
    "prior_ablation = 1",
  );
  add("cohort.renal_score.low_4_6", (r) => t1Count(r, "renal_score", "low"), exact, "RENAL 4–6");
  add("cohort.renal_score.moderate_7_9", (r) => t1Count(r, "renal_score", "moderate"), exact, "RENAL 7–9");
  add("cohort.renal_score.high_10_12", (r) => t1Count(r, "renal_score", "high"), exact, "RENAL 10–12");
  add("cohort.t1b_tumors_ge_4cm", (r) => r.counts.t1bTumors, exact, "measured diameter ≥ 40 mm");

  const probes = (r: AnalysisResults) => t1Continuous(r, "cryoprobes").summary;
  const perProcedure = "per procedure (tumor row); the paper says 'per patient'";
  add("procedure.cryoprobes_per_patient.median", (r) => probes(r)?.median ?? null, printed(0), perProcedure);
  add("procedure.cryoprobes_per_patient.min", (r) => probes(r)?.min ?? null, printed(0), perProcedure);
  add("procedure.cryoprobes_per_patient.max", (r) => probes(r)?.max ?? null, printed(0), perProcedure);
  for (const [section, key] of [
    ["iceball_volume_ml", "iceball_volume_ml"],
    ["tumor_volume_ml", "tumor_volume_ml"],
  ]) {
    const s = (r: AnalysisResults) => t1Continuous(r, key).summary;
    add(`procedure.${section}.mean`, (r) => s(r)?.mean ?? null, volume, "measured from the masks");
    add(`procedure.${section}.min`, (r) => s(r)?.min ?? null, volume, "measured from the masks");
    add(`procedure.${section}.max`, (r) => s(r)?.max ?? null, volume, "measured from the masks");
  }
  for (const [group, key] of [
    ["ltp", "ltp"],
    ["local_control", "localControl"],
  ] as const) {
    add(
      `procedure.tumor_volume_ml_by_outcome.${group}.mean`,
      (r) => t2Summary(r, "tumor_volume_ml", key)?.mean ?? null,
      volume,
    );
    add(
      `procedure.tumor_volume_ml_by_outcome.${group}.sd`,
      (r) => t2Summary(r, "tumor_volume_ml", key)?.sd ?? null,
      volume,
    );
  }
  add("procedure.tumor_volume_ml_by_outcome.p", (r) => t2(r, "tumor_volume_ml").test.p, sig, "Table 2 rule");
  const acquisition =
    "acquisition parameters are not in the cohort format (the masks' voxel sizes are the generator's)";
  for (const k of ["haste_inplane_mm", "haste_slice_mm", "starvibe_inplane_mm", "starvibe_slice_mm"])
    m.set(`procedure.imaging.${k}`, acquisition);
  m.set("procedure.protocol", "a description of the freezing protocol, not a figure");

  add("outcome.local_control", (r) => r.outcome.localControl, exact);
  add("outcome.ltp", (r) => r.outcome.ltp, exact);
  add("outcome.ltp_residual", (r) => r.outcome.ltpResidual, exact);
  add("outcome.ltp_recurrent", (r) => r.outcome.ltpRecurrent, exact);
  add("outcome.followup_months.median", (r) => r.followUp.medianMonths, printed(0), "plain median of followup_months");
  add("outcome.followup_months.min", (r) => r.followUp.minMonths, printed(0));
  add("outcome.followup_months.max", (r) => r.followUp.maxMonths, printed(0));
  const recurrence = "months_to_ltp of recurrent LTP (residual disease is found at 1 month)";
  add("outcome.time_to_recurrence_months.median", (r) => r.timeToLtp.recurrent?.median ?? null, printed(0), recurrence);
  add("outcome.time_to_recurrence_months.min", (r) => r.timeToLtp.recurrent?.min ?? null, printed(0), recurrence);
  add("outcome.time_to_recurrence_months.max", (r) => r.timeToLtp.recurrent?.max ?? null, printed(0), recurrence);
  add("outcome.ltp_free_survival.12_months", (r) => survivalAtMonths(r, 12), km, "Kaplan-Meier S(12)");
  add("outcome.ltp_free_survival.24_months", (r) => survivalAtMonths(r, 24), km, "Kaplan-Meier S(24)");
  add("outcome.major_complications", (r) => r.outcome.majorComplications, exact, "major_complication = 1");
  add("outcome.ltp_t1b", (r) => r.counts.t1bWithLtp, exact, "LTP with diameter ≥ 40 mm");

  m.set("mtm.definition", "a definition, not a figure");
  add("mtm.all.mean", (r) => r.mtm.overall.mean, printed(1));
  add("mtm.all.sd", (r) => r.mtm.overall.sd, printed(1));
  add("mtm.all.min", (r) => r.mtm.overall.min, printed(0));
  add("mtm.all.max", (r) => r.mtm.overall.max, printed(0));
  add("mtm.ge_5mm", (r) => r.counts.atLeastThreshold, exact, "MTM ≥ threshold");
  for (const [group, key] of [
    ["ltp", "ltp"],
    ["local_control", "localControl"],
  ] as const) {
    add(`mtm.${group}.median`, (r) => r.mtm.summary[key]?.median ?? null, printed(0));
    add(`mtm.${group}.q1`, (r) => r.mtm.summary[key]?.q1 ?? null, printed(0), "quartile type of the conventions");
    add(`mtm.${group}.q3`, (r) => r.mtm.summary[key]?.q3 ?? null, printed(0), "quartile type of the conventions");
  }
  add("mtm.mann_whitney_p.abstract", (r) => r.mtm.test.p, sig, "Mann-Whitney, p of the conventions");
  add("mtm.mann_whitney_p.results", (r) => r.mtm.test.p, sig, "Mann-Whitney, p of the conventions");
  add("mtm.all_ltp_negative", (r) => r.counts.allLtpNegative, exact);
  add("mtm.negative_without_ltp", (r) => r.counts.negativeWithoutLtp, exact);
  add("mtm.all_ge_1mm_local_control", (r) => r.counts.allAtLeast1mmLocalControl, exact);
  add("mtm.all_negative_in_tumors_ge_3cm", (r) => r.counts.allNegativeInTumorsAtLeast30mm, exact, "diameter ≥ 30 mm");
  add(
    "mtm.ltp_site_matches_smallest_margin_side",
    (r) => r.ltpSite.sameOctant,
    exact,
    "regrowth octant = smallest-margin octant (see the LTP-site table for adjacent / shares-a-side)",
  );

  for (const g of ["local_control", "ltp"] as const) {
    const key = g === "ltp" ? "ltp" : "localControl";
    for (const stat of ["median", "min", "max"] as const)
      add(
        `table2.age_years.${g}.${stat}`,
        (r) => t2Summary(r, "age_years", key)?.[stat] ?? null,
        printed(0),
        "per tumor",
      );
    for (const level of ["male", "female"])
      add(`table2.sex.${g}.${level}`, (r) => t2Count(r, "sex", key, level), exact, "per tumor");
    add(
      `table2.max_tumor_diameter_mm.${g}.mean`,
      (r) => t2Summary(r, "max_tumor_diameter_mm", key)?.mean ?? null,
      printed(1),
    );
    add(
      `table2.max_tumor_diameter_mm.${g}.sd_as_printed`,
      (r) => (t2Summary(r, "max_tumor_diameter_mm", key)?.sd ?? NaN) / 10,
      printed(1),
      "SD in cm: the printed spread is the text's cm value (see inconsistencies)",
    );
    for (const level of ["II", "III"]) add(`table2.asa.${g}.${level}`, (r) => t2Count(r, "asa", key, level), exact);
    for (const level of ["low", "moderate", "high"])
      add(`table2.renal_score.${g}.${level}`, (r) => t2Count(r, "renal_score", key, level), exact);
  }
  for (const key of ["age_years", "sex", "max_tumor_diameter_mm", "asa", "renal_score"])
    add(`table2.${key}.p`, (r) => t2(r, key).test.p, sig, "Table 2 rule");

  for (const [section, key] of [
    ["mtm_per_mm", "mtm_mm"],
    ["max_tumor_diameter_per_cm", "max_tumor_diameter_cm"],
  ]) {
    // Under separation the HR is not an estimate: nothing to compare (the row is then outside).
    add(
      `table3_univariable_cox.${section}.hr`,
      (r) => (coxRow(r, key)?.monotoneLikelihood ? null : (coxRow(r, key)?.hr ?? null)),
      hr,
      "univariable Cox; null when the likelihood is monotone (separation: no finite estimate)",
    );
    add(`table3_univariable_cox.${section}.ci[0]`, (r) => coxRow(r, key)?.hrLower ?? null, info, "Wald CI");
    add(`table3_univariable_cox.${section}.ci[1]`, (r) => coxRow(r, key)?.hrUpper ?? null, info, "Wald CI");
    add(
      `table3_univariable_cox.${section}.p`,
      (r) => coxRow(r, key)?.pReported ?? null,
      sig,
      "Wald p (LR p under separation)",
    );
  }
  add("size_vs_mtm.test", () => "Spearman rho", info, "the test used");
  add("size_vs_mtm.p", (r) => r.sizeVsMtm.p, sig, "p of the conventions");
  add("size_vs_mtm.rho", (r) => r.sizeVsMtm.rho, info, "not reported in the paper; reproduced rho shown");
  return m;
}

/** Every leaf of a JSON value with its path ("a.b", "a.c[0]"). */
function leaves(value: unknown, path: string, out: [string, unknown][]): [string, unknown][] {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) leaves(value[i], `${path}[${i}]`, out);
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  else out.push([path, value]);
  return out;
}

/** A p-value as published: a number, or "< .001" / "< 0.001" read as below that bound. */
function publishedP(value: FigureValue): { p: number; below: boolean } | null {
  if (typeof value === "number") return { p: value, below: false };
  if (typeof value === "string") {
    const m = /^<\s*(0?\.\d+)$/.exec(value.trim());
    if (m) return { p: Number(m[1]), below: true };
  }
  return null;
}

/** The tolerance in words. */
export function toleranceText(t: Tolerance): string {
  switch (t.kind) {
    case "exact":
      return "exact";
    case "printed":
      return `equal at the printed precision (${t.decimals} decimal${t.decimals === 1 ? "" : "s"})`;
    case "relative":
      return `±${Math.round(t.fraction * 100)}%`;
    case "absolute":
      return `±${t.amount}`;
    case "significance":
      return `same decision at α = ${t.alpha}`;
    default:
      return "none stated (shown for information)";
  }
}

/** Whether a reproduced value is within the tolerance of the published one. */
export function withinTolerance(published: FigureValue, reproduced: FigureValue, t: Tolerance): boolean {
  if (reproduced === null || (typeof reproduced === "number" && !Number.isFinite(reproduced))) return false;
  if (t.kind === "significance") {
    const pub = publishedP(published);
    if (pub === null || typeof reproduced !== "number") return false;
    const publishedSignificant = pub.below ? pub.p <= t.alpha : pub.p < t.alpha;
    return publishedSignificant === reproduced < t.alpha;
  }
  if (t.kind === "exact") return published === reproduced;
  if (typeof published !== "number" || typeof reproduced !== "number") return false;
  const diff = Math.abs(reproduced - published);
  if (t.kind === "printed") return diff <= 0.5 * 10 ** -t.decimals + 1e-9;
  if (t.kind === "relative") return diff <= t.fraction * Math.abs(published) + 1e-12;
  if (t.kind === "absolute") return diff <= t.amount + 1e-12;
  return true;
}

/** One entry: the rule applied to one published leaf. */
function entryFor(
  path: string,
  published: FigureValue,
  rule: Rule | string | undefined,
  r: AnalysisResults,
): ReproductionEntry {
  if (rule === undefined || typeof rule === "string")
    return {
      path,
      published,
      reproduced: null,
      difference: null,
      tolerance: { kind: "none" },
      toleranceText: "—",
      status: "not-reproducible",
      note: `not reproducible from cohort data: ${rule ?? "no reproduction rule for this figure"}`,
    };
  const reproduced = rule.value(r);
  const pub = rule.tolerance.kind === "significance" ? (publishedP(published)?.p ?? null) : published;
  const difference =
    typeof reproduced === "number" && typeof pub === "number" && Number.isFinite(reproduced) ? reproduced - pub : null;
  const informational = rule.tolerance.kind === "none";
  return {
    path,
    published,
    reproduced,
    difference,
    tolerance: rule.tolerance,
    toleranceText: toleranceText(rule.tolerance),
    status: informational
      ? "informational"
      : withinTolerance(published, reproduced, rule.tolerance)
        ? "within"
        : "outside",
    note: rule.note,
  };
}

/**
 * Compares the analysis with the published figures. `published` is the parsed published-values.json.
 * Example: a cohort whose HR per mm of MTM is 0.70 gets `status: "outside"` on
 * "table3_univariable_cox.mtm_per_mm.hr" (0.70 is 9% below 0.77, beyond ±5%).
 */
export function reproduce(
  results: AnalysisResults,
  published: unknown,
  options: ReproduceOptions = {},
): ReproductionReport {
  const o: Required<ReproduceOptions> = {
    hrRelative: options.hrRelative ?? 0.05,
    volumeRelative: options.volumeRelative ?? 0.05,
    survivalAbsolute: options.survivalAbsolute ?? 0.015,
    alpha: options.alpha ?? results.options.alpha,
  };
  const ruleMap = rules(o);
  const root = (published ?? {}) as Record<string, unknown>;
  const entries: ReproductionEntry[] = [];
  for (const [section, value] of Object.entries(root)) {
    if (NOT_COMPARED.includes(section)) continue;
    for (const [path, leaf] of leaves(value, section, []))
      entries.push(entryFor(path, leaf as FigureValue, ruleMap.get(path), results));
  }
  const summary: Record<ReproductionStatus, number> = {
    within: 0,
    outside: 0,
    "not-reproducible": 0,
    informational: 0,
  };
  for (const e of entries) summary[e.status]++;
  const inconsistencies = Array.isArray(root.inconsistencies)
    ? root.inconsistencies.map((item) => readInconsistency(item, results, root))
    : [];
  return {
    conventions: results.conventions.name,
    mtmSource: results.mtmStatement,
    entries,
    summary,
    inconsistencies,
    sectionsNotCompared: NOT_COMPARED.filter((s) => s in root),
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** One of the paper's inconsistencies as published-values.json holds it: a key, the words, the printed figures. */
interface Inconsistency {
  key: string;
  statement: string;
  printed: Record<string, unknown>;
}

/** A number at a path of published-values.json (`["table2", "renal_score", …]`), else NaN. */
function publishedNumber(root: unknown, path: readonly string[]): number {
  let node = root;
  for (const key of path)
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  return typeof node === "number" ? node : Number.NaN;
}

/**
 * Checks one of the paper's stated inconsistencies against the reproduction. Each is recognised by its `key`;
 * the printed figures it compares come from published-values.json — the entry's own `printed` figures and
 * the tables' (e.g. Table 2's SD as printed). An unknown key, or an entry that is plain text, is listed as
 * "not analysed". Example: RENAL moderate 8 of 26 → "first reading" (the count; 31.8% is a misprint).
 */
export function readInconsistency(item: unknown, r: AnalysisResults, published: unknown = {}): InconsistencyReading {
  const entry: Inconsistency =
    item !== null && typeof item === "object"
      ? {
          key: String((item as Inconsistency).key),
          statement: String((item as Inconsistency).statement),
          printed: ((item as Inconsistency).printed ?? {}) as Record<string, unknown>,
        }
      : { key: "", statement: String(item), printed: {} };
  const { statement } = entry;
  const printed = (...path: string[]) => publishedNumber(entry.printed, path);
  const at = (...path: string[]) => publishedNumber(published, path);
  const verdict = (first: boolean, second: boolean): InconsistencyReading["matches"] =>
    first && second ? "both" : first ? "first reading" : second ? "second reading" : "neither";
  switch (entry.key) {
    case "diameter_sd_by_outcome_units": {
      const lc = t2Summary(r, "max_tumor_diameter_mm", "localControl");
      const ltp = t2Summary(r, "max_tumor_diameter_mm", "ltp");
      if (!lc || !ltp) return { statement, finding: "no diameters by outcome", matches: "not analysed" };
      const sdLc = at("table2", "max_tumor_diameter_mm", "local_control", "sd_as_printed");
      const sdLtp = at("table2", "max_tumor_diameter_mm", "ltp", "sd_as_printed");
      const mm = round(lc.sd, 1) === sdLc && round(ltp.sd, 1) === sdLtp;
      const cm =
        round(lc.sd / 10, 1) === printed("text_sd_cm", "local_control") &&
        round(ltp.sd / 10, 1) === printed("text_sd_cm", "ltp");
      return {
        statement,
        finding: `reproduced SDs ${lc.sd.toFixed(1)} and ${ltp.sd.toFixed(1)} mm = ${(lc.sd / 10).toFixed(2)} and ${(ltp.sd / 10).toFixed(2)} cm: ${cm ? `the cm reading (the text's SDs ${printed("text_sd_cm", "local_control")} and ${printed("text_sd_cm", "ltp")} cm)` : mm ? "the printed mm reading" : "neither reading exactly"}`,
        matches: verdict(mm, cm),
      };
    }
    case "renal_moderate_percent": {
      const row = t2(r, "renal_score") as Table2CategoricalRow;
      const moderate = row.levels.find((l) => l.code === "moderate")?.localControl;
      if (!moderate) return { statement, finding: "no RENAL row", matches: "not analysed" };
      const printedCount = at("table2", "renal_score", "local_control", "moderate");
      const printedPercent = printed("local_control_moderate_percent");
      const countMatches = moderate.count === printedCount;
      const percentMatches = round(moderate.percent, 1) === printedPercent;
      return {
        statement,
        finding: `reproduced ${moderate.count} of ${r.table2.n.localControl} (${moderate.percent.toFixed(1)}%): ${countMatches ? `the printed count (${printedCount}), so ${printedPercent}% is a misprint of ${moderate.percent.toFixed(1)}%` : "not the printed count"}`,
        matches: verdict(countMatches, percentMatches),
      };
    }
    case "mann_whitney_p": {
      const p = r.mtm.test.p;
      const abstract = publishedP(
        (published as { mtm?: { mann_whitney_p?: { abstract?: FigureValue } } }).mtm?.mann_whitney_p
          ?.abstract as FigureValue,
      );
      const results = at("mtm", "mann_whitney_p", "results");
      const below = abstract !== null && p < abstract.p;
      const equals = round(p, 3) === results;
      const others = r.mtm.alternatives
        .map((a) => `${a.description}: ${formatPValue(a.p)} (${a.p.toPrecision(3)})`)
        .join("; ");
      return {
        statement,
        finding: `reproduced p = ${p.toPrecision(3)} (${r.conventions.name.toUpperCase()} conventions) reads as '${formatPValue(p)}'; ${others}`,
        matches: verdict(below, equals),
      };
    }
    case "major_complications_percent": {
      const n = r.outcome.majorComplications;
      const printedCount = at("outcome", "major_complications");
      const printedPercent = printed("percent");
      const ofTumors = (100 * n) / r.outcome.tumors;
      const ofPatients = (100 * n) / r.outcome.patients;
      return {
        statement,
        finding: `reproduced ${n} major complications = ${ofTumors.toFixed(2)}% of ${r.outcome.tumors} tumors, ${ofPatients.toFixed(1)}% of ${r.outcome.patients} patients: ${n === printedCount ? `the printed count (${printedCount})` : "not the printed count"}; the printed ${printedPercent}% fits neither denominator`,
        matches: verdict(
          n === printedCount,
          round(ofTumors, 1) === printedPercent || round(ofPatients, 1) === printedPercent,
        ),
      };
    }
    case "diameter_units": {
      const d = t1Continuous(r, "max_tumor_diameter_mm").summary;
      if (!d) return { statement, finding: "no diameters", matches: "not analysed" };
      const mm =
        round(d.mean, 1) === at("cohort", "max_tumor_diameter_mm", "mean") &&
        round(d.sd, 1) === at("cohort", "max_tumor_diameter_mm", "sd");
      const cm =
        round(d.mean / 10, 1) === printed("text_cm", "mean") && round(d.sd / 10, 1) === printed("text_cm", "sd");
      return {
        statement,
        finding: `reproduced ${d.mean.toFixed(1)} ± ${d.sd.toFixed(1)} mm = ${(d.mean / 10).toFixed(1)} ± ${(d.sd / 10).toFixed(1)} cm (the two are the same figure at different precision)`,
        matches: verdict(mm, cm),
      };
    }
    case "negative_margins_3cm": {
      const c = r.counts;
      return {
        statement,
        finding: `${c.negative} negative MTMs; in tumors ≥ ${printed("size_cut_cm")} cm: ${c.negativeInTumorsAtLeast30mm}, > ${printed("size_cut_cm")} cm: ${c.negativeInTumorsOver30mm}; smallest diameter with a negative MTM ${c.smallestDiameterWithNegativeMtmMm.toFixed(1)} mm`,
        matches: verdict(c.allNegativeInTumorsOver30mm, c.allNegativeInTumorsAtLeast30mm),
      };
    }
    default:
      return { statement, finding: "this statement is not recognised by the reproduction", matches: "not analysed" };
  }
}
