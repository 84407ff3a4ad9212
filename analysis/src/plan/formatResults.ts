/**
 * Every output of the analysis plan as text: one entry per table or figure source, each as CSV, Markdown
 * and JSON (plus the JSON-ready object), ready for the CLI to write to `--out` (e.g. table1.csv,
 * table1.md, table1.json) and for the site to show. And the reproduction report as Markdown.
 */
import type { AnalysisResults } from "./analyze.js";
import {
  formatCompact,
  formatCountPercent,
  formatFixed,
  formatMeanSd,
  formatMedianIqr,
  formatPValue,
  formatRange,
  formatSummary,
  MISSING_TEXT,
  type TextTable,
  textTableToCsv,
  textTableToMarkdown,
} from "./format.js";
import type { FigureValue, ReproductionEntry, ReproductionReport } from "./reproduce.js";

export interface FormattedOutput {
  /** File stem: table1, table2, table3, mtm_by_outcome, size_vs_mtm, survival, follow_up, counts, ltp_site, margins, methods. */
  name: string;
  title: string;
  csv: string;
  markdown: string;
  /** `data` as pretty-printed JSON (NaN and ±Infinity become null). */
  json: string;
  /** The result object behind the table, with every number unrounded and its method. */
  data: unknown;
}

const pct = (x: number) => `${formatFixed(100 * x, 1)}%`;
const yesNo = (b: boolean) => (b ? "yes" : "no");

/** Table 1 as the paper lays it out: characteristic, level, value (n (%), mean ± SD or median (range)). */
export function table1Text(r: AnalysisResults): TextTable {
  const t = r.table1;
  const rows: string[][] = [];
  for (const row of t.rows) {
    const counted = `${row.countedIn} (n = ${row.n}${row.missing > 0 ? `, ${row.missing} missing` : ""})`;
    if (row.kind === "continuous")
      rows.push([row.label, "", formatSummary(row.summary, row.display, row.decimals), counted]);
    else {
      rows.push([row.label, "", "", counted]);
      // As the paper: levels absent from the cohort are not printed (they stay in the JSON with count 0).
      for (const l of row.levels) if (l.count > 0) rows.push(["", l.label, formatCountPercent(l.count, l.percent), ""]);
    }
  }
  return {
    name: "table1",
    title: `Table 1. Patient (n = ${t.nPatients}) and tumor (n = ${t.nTumors}) characteristics`,
    columns: ["Characteristic", "Level", "No (%), mean ± SD, median (range) or mean (range)", "Counted in"],
    rows,
    notes: t.notes,
  };
}

/** Table 2: characteristic by outcome with the p-value and the test that produced it. */
export function table2Text(r: AnalysisResults): TextTable {
  const t = r.table2;
  const rows: string[][] = [];
  for (const row of t.rows) {
    if (row.kind === "continuous")
      rows.push([
        row.label,
        "",
        formatSummary(row.summary.localControl, row.display, row.decimals),
        formatSummary(row.summary.ltp, row.display, row.decimals),
        formatPValue(row.test.p),
        row.test.description,
      ]);
    else {
      rows.push([row.label, "", "", "", formatPValue(row.test.p), row.test.description]);
      for (const l of row.levels.filter((x) => row.testedLevels.includes(x.code)))
        rows.push([
          "",
          l.label,
          formatCountPercent(l.localControl.count, l.localControl.percent),
          formatCountPercent(l.ltp.count, l.ltp.percent),
          "",
          "",
        ]);
    }
  }
  return {
    name: "table2",
    title: "Table 2. Baseline characteristics by outcome",
    columns: [
      "Characteristic",
      "Level",
      `Local control (N = ${t.n.localControl})`,
      `Local tumor progression (N = ${t.n.ltp})`,
      "P-value",
      "Test",
    ],
    rows,
    notes: t.notes,
  };
}

/** "0.77 (0.66–0.89)". */
function hrText(hr: number, lo: number, hi: number): string {
  return `${formatFixed(hr, 2)} (${formatRange(formatFixed(lo, 2), formatFixed(hi, 2))})`;
}

/** Table 3: univariable Cox models; a separated covariate's row says so and gives Firth's estimate. */
export function table3Text(r: AnalysisResults): TextTable {
  const rows = r.table3.rows.map((row) => {
    if (row.method === "not fitted")
      return [
        row.label,
        row.per,
        "not fitted",
        MISSING_TEXT,
        "",
        MISSING_TEXT,
        `${row.events} / ${row.n}`,
        row.warnings.join("; "),
      ];
    const note = row.monotoneLikelihood
      ? `monotone likelihood (separation): HR not estimable${row.firth ? `; Firth ${hrText(row.firth.hr, row.firth.hrLower, row.firth.hrUpper)}, p ${formatPValue(row.firth.p)}` : ""}`
      : row.firth
        ? `Firth ${hrText(row.firth.hr, row.firth.hrLower, row.firth.hrUpper)}, p ${formatPValue(row.firth.p)}`
        : "";
    return [
      row.label,
      row.per,
      row.monotoneLikelihood ? "not estimable (separation)" : hrText(row.hr, row.hrLower, row.hrUpper),
      formatPValue(row.pReported),
      row.pMethod === "wald" ? "Wald" : "likelihood ratio",
      formatPValue(row.pLikelihoodRatio),
      `${row.events} / ${row.n}`,
      note,
    ];
  });
  return {
    name: "table3",
    title: "Table 3. Univariable Cox regression for local tumor progression",
    columns: [
      "Covariate",
      "Unit",
      `Hazard ratio (${Math.round(r.table3.confLevel * 100)}% CI)`,
      "P-value",
      "P method",
      "P-value (LR)",
      "Events / n",
      "Note",
    ],
    rows,
    notes: r.table3.notes,
  };
}

/** MTM by outcome: summaries and the Mann-Whitney p under each method. */
export function mtmText(r: AnalysisResults): TextTable {
  const m = r.mtm;
  const overall = m.overall;
  const rows = [
    [
      "All tumors",
      String(overall.n),
      formatMeanSd(overall, 1),
      formatRange(formatCompact(overall.min, 0), formatCompact(overall.max, 0)),
      formatMedianIqr(overall, 0),
      "",
      "",
    ],
    ...(["localControl", "ltp"] as const).map((g) => {
      const s = m.summary[g];
      return [
        g === "ltp" ? "Local tumor progression" : "Local control",
        String(s?.n ?? 0),
        formatMeanSd(s, 1),
        s ? formatRange(formatCompact(s.min, 0), formatCompact(s.max, 0)) : MISSING_TEXT,
        formatMedianIqr(s, 0),
        g === "localControl" ? formatPValue(m.test.p) : "",
        g === "localControl" ? m.test.description : "",
      ];
    }),
    ...m.alternatives.map((a) => ["(alternative p)", "", "", "", "", formatPValue(a.p), a.description]),
  ];
  return {
    name: "mtm_by_outcome",
    title: "Minimal treatment margin (mm) by outcome",
    columns: ["Group", "n", "Mean ± SD", "Range", "Median (IQR)", "P-value", "Test"],
    rows,
    notes: [r.mtmStatement, `Quartiles: Hyndman-Fan type ${overall.quantileType}.`],
  };
}

/** Spearman's rho of tumor size and MTM. */
export function sizeVsMtmText(r: AnalysisResults): TextTable {
  const s = r.sizeVsMtm;
  return {
    name: "size_vs_mtm",
    title: "Tumor size versus minimal treatment margin (Spearman)",
    columns: ["x", "y", "n", "rho", "P-value", "P method", "exact p (AS 89)", "t-approximation p"],
    rows: [
      [
        s.x,
        s.y,
        String(s.n),
        formatFixed(s.rho, 3),
        formatPValue(s.p),
        s.pMethod,
        s.pExact === null ? "n/a (ties)" : formatPValue(s.pExact),
        formatPValue(s.pAsymptoticT),
      ],
    ],
    notes: [r.mtmStatement],
  };
}

/** Kaplan-Meier LTP-free survival at the requested months. */
export function survivalText(r: AnalysisResults): TextTable {
  const s = r.survival;
  return {
    name: "survival",
    title: "LTP-free survival (Kaplan-Meier)",
    columns: ["Months", "LTP-free survival", `${Math.round(s.fit.confLevel * 100)}% CI`, "Standard error", "At risk"],
    rows: s.at.map((a) => [
      formatCompact(a.time, 0),
      pct(a.surv),
      formatRange(pct(a.lower), pct(a.upper)),
      formatFixed(a.stdErr, 3),
      String(a.nRisk),
    ]),
    notes: [`n = ${s.n}, ${s.events} LTP events.`, s.method],
  };
}

/** Follow-up and time to LTP. */
export function followUpText(r: AnalysisResults): TextTable {
  const f = r.followUp;
  const t = r.timeToLtp;
  const medianRange = (s: typeof t.recurrent) =>
    s
      ? `${formatCompact(s.median, 0)} (${formatRange(formatCompact(s.min, 0), formatCompact(s.max, 0))})`
      : MISSING_TEXT;
  return {
    name: "follow_up",
    title: "Follow-up and time to LTP (months)",
    columns: ["Quantity", "Value", "Method"],
    rows: [
      [
        "Median follow-up (range)",
        `${formatCompact(f.medianMonths, 0)} (${formatRange(formatCompact(f.minMonths, 0), formatCompact(f.maxMonths, 0))})`,
        f.methods[0],
      ],
      ["Median follow-up, reverse Kaplan-Meier", formatCompact(f.reverseKmMedianMonths, 0), f.methods[1]],
      [
        `Time to recurrence, recurrent LTP (n = ${t.recurrentCount})`,
        medianRange(t.recurrent),
        "median (range) of months_to_ltp",
      ],
      [`Time to LTP, all LTP (n = ${t.allLtp?.n ?? 0})`, medianRange(t.allLtp), "median (range) of months_to_ltp"],
    ],
    notes: [],
  };
}

/** The counts and statements of the paper's results text. */
export function countsText(r: AnalysisResults): TextTable {
  const c = r.counts;
  const o = r.outcome;
  const rows: [string, string][] = [
    ["Patients / tumors / procedures", `${o.patients} / ${o.tumors} / ${o.procedures}`],
    ["Local control", formatCountPercent(o.localControl, (100 * o.localControl) / o.tumors)],
    ["Local tumor progression (residual / recurrent)", `${o.ltp} (${o.ltpResidual} / ${o.ltpRecurrent})`],
    ["Major complications (Clavien-Dindo ≥ 3)", String(o.majorComplications)],
    [`MTM ≥ ${c.thresholdMm} mm`, formatCountPercent(c.atLeastThreshold, c.percentAtLeastThreshold)],
    ["Negative MTM", String(c.negative)],
    ["Negative MTM without LTP", String(c.negativeWithoutLtp)],
    ["LTP with a negative MTM", `${c.ltpWithNegative} / ${c.ltp} (all: ${yesNo(c.allLtpNegative)})`],
    [
      "MTM ≥ 1 mm with LTP",
      `${c.atLeast1mmWithLtp} / ${c.atLeast1mm} (all local control: ${yesNo(c.allAtLeast1mmLocalControl)})`,
    ],
    [
      "Negative MTMs in tumors ≥ 3 cm / > 3 cm",
      `${c.negativeInTumorsAtLeast30mm} / ${c.negativeInTumorsOver30mm} of ${c.negative} (smallest diameter ${formatFixed(c.smallestDiameterWithNegativeMtmMm, 1)} mm)`,
    ],
    ["T1b tumors (≥ 4 cm) / with LTP", `${c.t1bTumors} / ${c.t1bWithLtp}`],
    [
      "LTP site = smallest-margin octant / adjacent / shares a side",
      `${r.ltpSite.sameOctant} / ${r.ltpSite.adjacent} / ${r.ltpSite.sharesSide} of ${r.ltpSite.withOctant}`,
    ],
    [
      "LTP site in an uncovered octant",
      r.ltpSite.inUncoveredOctant === null
        ? "n/a (no per-octant margins)"
        : `${r.ltpSite.inUncoveredOctant} of ${r.ltpSite.withOctant}`,
    ],
  ];
  return {
    name: "counts",
    title: "Counts stated in the paper's results",
    columns: ["Statement", "Reproduced"],
    rows,
    notes: [r.mtmStatement, ...r.ltpSite.definitions],
  };
}

/** The LTP cases: regrowth octant beside the smallest-margin octant. */
export function ltpSiteText(r: AnalysisResults): TextTable {
  return {
    name: "ltp_site",
    title: "LTP site versus smallest-margin octant",
    columns: [
      "Case",
      "Regrowth octant",
      "Smallest-margin octant",
      "Axes in common",
      "Regrowth octant's minimum margin (mm)",
    ],
    rows: r.ltpSite.cases.map((c) => [
      c.caseId,
      c.ltpOctant,
      c.minMarginOctant,
      String(c.axesInCommon),
      c.ltpOctantMinMarginMm === null ? MISSING_TEXT : formatFixed(c.ltpOctantMinMarginMm, 1),
    ]),
    notes: r.ltpSite.definitions,
  };
}

/** Per-case margins with full precision (a data table, not a display table). */
export function marginsText(r: AnalysisResults): TextTable {
  const num = (x: number | null, d: number) => (x === null ? "" : formatFixed(x, d));
  return {
    name: "margins",
    title: "Per-case margins",
    columns: [
      "case_id",
      "patient_id",
      "ltp",
      "ltp_type",
      "ltp_free_months",
      "mtm_mm",
      "mtm_mm_rounded",
      "mtm_mask_range_lo_mm",
      "mtm_mask_range_hi_mm",
      "mtm_as_drawn_mm",
      "tumor_outline_reading",
      "mtm_for_statistics_mm",
      "min_margin_octant",
      "ltp_octant",
      "tumor_max_diameter_mm",
      "tumor_volume_ml",
      "iceball_volume_ml",
      "fraction_green",
      "fraction_yellow",
      "fraction_red",
      "warnings",
    ],
    rows: r.cases.map((c) => [
      c.caseId,
      c.patientId,
      c.ltp ? "1" : "0",
      c.ltpType ?? "",
      String(c.ltpFreeMonths),
      num(c.mtmMm, 2),
      String(c.mtmMmRounded),
      Number.isFinite(c.mtmMaskRangeMm[0]) ? num(c.mtmMaskRangeMm[0], 2) : "",
      Number.isFinite(c.mtmMaskRangeMm[1]) ? num(c.mtmMaskRangeMm[1], 2) : "",
      Number.isFinite(c.mtmAsDrawnMm) ? num(c.mtmAsDrawnMm, 2) : "",
      c.tumorOutlineReading ?? "",
      String(c.mtmForStatisticsMm),
      c.minMarginOctant,
      c.ltpOctant ?? "",
      num(c.tumorMaxDiameterMm, 2),
      num(c.tumorVolumeMl, 3),
      num(c.iceballVolumeMl, 3),
      num(c.fractionGreen, 4),
      num(c.fractionYellow, 4),
      num(c.fractionRed, 4),
      c.warnings.join(" | "),
    ]),
    notes: [r.mtmStatement],
  };
}

/**
 * The methods behind every number, in words. `registration`: where the cases' registrations came from
 * (the cohort's transforms, or registered by cryomargin), as the caller that read the cohort words it.
 */
export function methodsText(r: AnalysisResults, registration?: string): TextTable {
  const o = r.options;
  return {
    name: "methods",
    title: "Methods and conventions",
    columns: ["Item", "Method"],
    rows: [
      ["Conventions", r.conventions.name === "spss" ? "SPSS 25 (the paper's software)" : "R"],
      ...r.conventions.description.map((d) => ["Convention", d]),
      ["MTM in statistics", r.mtmStatement],
      ["Intended margin (threshold)", `${o.thresholdMm} mm`],
      ...(registration === undefined ? [] : [["Registration", registration]]),
      ["Table 1 units", r.table1.notes[0]],
      ["Table 2 tests", r.table2.notes[1]],
      ["Table 3", r.table3.notes.join(" ")],
      ["MTM by outcome", "Mann-Whitney U (whatever the normality, as the paper); alternatives shown"],
      ["Survival", r.survival.method],
      ["Significance", `P < ${o.alpha}`],
      ["Analysis version", r.analysisVersion],
    ],
    notes: r.warnings,
  };
}

/** JSON with NaN/±Infinity as null (JSON.stringify's own rule), two-space indented. */
function toJson(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

function output(t: TextTable, data: unknown): FormattedOutput {
  return {
    name: t.name,
    title: t.title,
    csv: textTableToCsv(t),
    markdown: textTableToMarkdown(t),
    json: toJson(data),
    data,
  };
}

/**
 * Every output of an analysis. Example: `formatResults(results).find(o => o.name === "table2")?.markdown`
 * starts with "## Table 2. Baseline characteristics by outcome".
 */
export function formatResults(r: AnalysisResults, { registration }: { registration?: string } = {}): FormattedOutput[] {
  return [
    output(table1Text(r), r.table1),
    output(table2Text(r), r.table2),
    output(table3Text(r), r.table3),
    output(mtmText(r), r.mtm),
    output(sizeVsMtmText(r), r.sizeVsMtm),
    output(survivalText(r), r.survival),
    output(followUpText(r), { followUp: r.followUp, timeToLtp: r.timeToLtp }),
    output(countsText(r), { outcome: r.outcome, counts: r.counts }),
    output(ltpSiteText(r), r.ltpSite),
    output(marginsText(r), r.cases),
    output(methodsText(r, registration), {
      options: r.options,
      conventions: r.conventions,
      mtm: r.mtmStatement,
      ...(registration === undefined ? {} : { registration }),
      warnings: r.warnings,
    }),
  ];
}

/** A figure for the reproduction table: numbers to 4 significant digits, p-values also as the paper. */
function figureText(v: FigureValue, entry: ReproductionEntry): string {
  if (v === null) return MISSING_TEXT;
  if (typeof v === "boolean") return yesNo(v);
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return MISSING_TEXT;
  const compact = String(Number(v.toPrecision(4)));
  return entry.tolerance.kind === "significance" ? `${compact} (${formatPValue(v)})` : compact;
}

const STATUS_TEXT: Record<ReproductionEntry["status"], string> = {
  within: "within",
  outside: "**OUTSIDE**",
  "not-reproducible": "not reproducible from cohort data",
  informational: "shown for information",
};

/** The reproduction report as Markdown: summary, every figure, the inconsistencies, what was not compared. */
export function reproductionToMarkdown(report: ReproductionReport): string {
  const s = report.summary;
  const figures: TextTable = {
    name: "reproduction",
    title: "Published versus reproduced",
    columns: ["Figure", "Published", "Reproduced", "Difference", "Tolerance", "Status", "Note"],
    rows: report.entries.map((e) => [
      e.path,
      figureText(e.published, e),
      figureText(e.reproduced, e),
      e.difference === null ? "" : String(Number(e.difference.toPrecision(3))),
      e.toleranceText,
      STATUS_TEXT[e.status],
      e.note,
    ]),
    notes: [],
  };
  const inconsistencies: TextTable = {
    name: "inconsistencies",
    title: "The paper's inconsistencies: which reading the reproduction matches",
    columns: ["Statement", "Matches", "Finding"],
    rows: report.inconsistencies.map((i) => [i.statement, i.matches, i.finding]),
    notes: [],
  };
  const header = [
    "# Reproduction report",
    "",
    `Conventions: ${report.conventions.toUpperCase()}. ${report.mtmSource}.`,
    "",
    `Figures: ${s.within} within tolerance, ${s.outside} outside, ${s["not-reproducible"]} not reproducible from cohort data, ${s.informational} shown for information.`,
    "",
    `Sections of published-values.json not compared (text, not figures): ${report.sectionsNotCompared.join(", ")}.`,
    "",
  ].join("\n");
  return `${header}\n${textTableToMarkdown(figures)}\n${textTableToMarkdown(inconsistencies)}`;
}
