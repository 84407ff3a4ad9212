/**
 * The study's figures as vega-lite specs, built from the analysis results: the same specs are saved as
 * SVG/PNG by `cryomargin analyze` and drawn by the site's pages, so a figure in the report and in the
 * output folder are one and the same.
 */
import { coxForest } from "../charts/coxForest.js";
import { kaplanMeierChart } from "../charts/kaplanMeierChart.js";
import { mtmByOutcome } from "../charts/mtmByOutcome.js";
import { mtmVersusSize } from "../charts/mtmVersusSize.js";
import { octantCoverage } from "../charts/octantCoverage.js";
import type { VegaLiteSpec } from "../charts/spec.js";
import type { AnalysisResults } from "./analyze.js";
import { LARGE_TUMOR_DIAMETER_MM } from "./margins.js";

export interface StudyFigure {
  /** File stem, e.g. "mtm-by-outcome" (→ mtm-by-outcome.svg / .png). */
  name: string;
  /** Which figure of the paper it reproduces, if any. */
  paperFigure: string | null;
  spec: VegaLiteSpec;
}

/** The paper's Fig. 3: MTM (as the statistics used it) by outcome, with the intended-margin line. */
export function mtmByOutcomeFigure(r: AnalysisResults): VegaLiteSpec {
  return mtmByOutcome(
    r.cases.map((c) => ({ caseId: c.caseId, mtmMm: c.mtmForStatisticsMm, ltp: c.ltp ? 1 : 0 })),
    { thresholdMm: r.options.thresholdMm, quantileType: r.conventions.quantileType },
  );
}

/**
 * The paper's Fig. 6: MTM versus maximum tumor diameter, coloured by outcome, 3 cm marked; with
 * `mtmIntervalsMm` (case id → the MTM's 95 % interval under registration error), error bars.
 */
export function mtmVersusSizeFigure(
  r: AnalysisResults,
  mtmIntervalsMm?: ReadonlyMap<string, [number, number]>,
): VegaLiteSpec {
  return mtmVersusSize(
    r.cases.map((c) => {
      const interval = mtmIntervalsMm?.get(c.caseId);
      return {
        caseId: c.caseId,
        mtmMm: c.mtmForStatisticsMm,
        diameterMm: c.tumorMaxDiameterMm,
        ltp: c.ltp ? 1 : 0,
        ...(interval ? { mtmIntervalMm: interval } : {}),
      };
    }),
    { thresholdMm: 0, sizeCutMm: LARGE_TUMOR_DIAMETER_MM },
  );
}

/** LTP-free survival (Kaplan-Meier, CI band, numbers at risk). */
export function survivalFigure(r: AnalysisResults): VegaLiteSpec {
  return kaplanMeierChart(r.survival.fit, {
    label: "All tumors",
    describeAt: r.options.survivalTimesMonths,
    title: "LTP-free survival",
  });
}

/** Table 3 as a forest plot: the univariable Cox HRs with their CIs (rows without a finite HR left out). */
export function coxForestFigure(r: AnalysisResults): VegaLiteSpec {
  const rows = r.table3.rows
    .filter((row) => Number.isFinite(row.hr) && Number.isFinite(row.hrLower) && Number.isFinite(row.hrUpper))
    .map((row) => ({
      label: `${row.label} (${row.per})`,
      hr: row.hr,
      lower: row.hrLower,
      upper: row.hrUpper,
      p: row.pReported,
    }));
  return coxForest(rows, { confLevel: r.table3.confLevel });
}

/** Coverage classes per case at the threshold, worst margin first. */
export function octantCoverageFigure(r: AnalysisResults): VegaLiteSpec | null {
  const rows = r.cases
    .filter((c) => c.fractionGreen !== null && c.fractionYellow !== null && c.fractionRed !== null)
    .map((c) => ({
      caseId: c.caseId,
      mtmMm: c.mtmMm,
      thresholdMm: r.options.thresholdMm,
      coverage: {
        fractionGreen: c.fractionGreen as number,
        fractionYellow: c.fractionYellow as number,
        fractionRed: c.fractionRed as number,
      },
    }));
  return rows.length > 0 ? octantCoverage(rows, { sortBy: "mtm" }) : null;
}

/** Every figure of the study, in report order (`mtmIntervalsMm`: see mtmVersusSizeFigure). */
export function studyFigures(
  r: AnalysisResults,
  mtmIntervalsMm?: ReadonlyMap<string, [number, number]>,
): StudyFigure[] {
  const figures: StudyFigure[] = [
    { name: "mtm-by-outcome", paperFigure: "Fig. 3", spec: mtmByOutcomeFigure(r) },
    { name: "mtm-versus-size", paperFigure: "Fig. 6", spec: mtmVersusSizeFigure(r, mtmIntervalsMm) },
    { name: "ltp-free-survival", paperFigure: null, spec: survivalFigure(r) },
    { name: "cox-forest", paperFigure: "Table 3", spec: coxForestFigure(r) },
  ];
  const coverage = octantCoverageFigure(r);
  if (coverage) figures.push({ name: "coverage-by-case", paperFigure: null, spec: coverage });
  return figures;
}
