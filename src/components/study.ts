/**
 * The shape of the data the study report's loader writes (src/data/study.zip.ts → study/study.json and
 * study/cases/<id>.json) and the pages read, plus the one mapping from the analysis plan's per-case rows
 * to the what-if explorer's input. Types only and pure functions: imported by the Node loader, the pages
 * (in the browser) and the tests alike.
 */
import {
  type AnalysisResults,
  type CaseMarginRow,
  countsText,
  followUpText,
  ltpSiteText,
  type MarginUncertaintyJson,
  marginsText,
  methodsText,
  mtmText,
  type OctantName,
  type ReproductionReport,
  type StudyFigure,
  sizeVsMtmText,
  survivalText,
  type TextTable,
  table1Text,
  table2Text,
  table3Text,
  type Vec3,
  type WhatIfCase,
} from "@cryomargin/analysis";

/** What cohort.json says, as the pages show it. */
export interface StudyCohort {
  name: string;
  synthetic: boolean;
  paperTwin: boolean;
  /** cohort.json's notes (a string or a list of them there), as paragraphs. */
  notes: string[];
  tumors: number;
  patients: number;
}

/** One row of the per-case table (Margins page): the plan's row with the id the site uses. */
export interface SiteCaseRow extends Omit<CaseMarginRow, "caseId" | "patientId"> {
  /** The case's page is cases/<siteId> (a pseudonym in publish mode). */
  siteId: string;
  /** The cohort's own ids; null in publish mode. */
  caseId: string | null;
  patientId: string | null;
}

/** One octant across the cohort, at the analysis threshold. */
export interface OctantCohortRow {
  name: OctantName;
  /** Cases whose minimum margin lies in this octant. */
  minMarginCases: number;
  /** LTP cases whose tumor regrew in this octant (clinical ltp_octant). */
  ltpRegrowthCases: number;
  /** Median over cases of the octant's minimum margin, mm (NaN when no case measured it). */
  medianMinMarginMm: number;
  /** Cases with any uncovered (red) volume in this octant. */
  casesWithRed: number;
  /** Mean over cases of the octant's coverage fractions. */
  meanFractionGreen: number;
  meanFractionYellow: number;
  meanFractionRed: number;
}

/** The headline numbers of the overview page (all from the analysis results). */
export interface StudyHeadline {
  ltp: number;
  localControl: number;
  medianMtmLtpMm: number | null;
  medianMtmLocalControlMm: number | null;
  mtmTestP: number;
  mtmTestMethod: string;
  hrPerMm: number | null;
  hrPerMmCi: [number, number] | null;
  survivalAt: { months: number; surv: number; lower: number; upper: number }[];
  atLeastThreshold: number;
  negative: number;
}

export interface StudyAvailable {
  available: true;
  publish: boolean;
  cohort: StudyCohort;
  /** Software versions (Methods page). */
  versions: Record<string, string>;
  settings: { thresholdMm: number; conventions: string; mtmStatement: string; confLevel: number };
  /** The CLI's tables (formatResults' TextTables), by file stem: table1, table2, …, methods. */
  tables: Record<string, TextTable>;
  /** The CLI's figures (studyFigures), in report order. */
  figures: StudyFigure[];
  /** For a paper twin: the reproduction report (the same as reproduction.json); else null. */
  reproduction: ReproductionReport | null;
  cases: SiteCaseRow[];
  /** The explorer's input, one per case (whatIfCasesOf the plan's rows). */
  whatIfCases: WhatIfCase[];
  octants: OctantCohortRow[];
  headline: StudyHeadline;
  warnings: string[];
}

export interface StudyUnavailable {
  available: false;
  publish: boolean;
  /** Why there is nothing to show, e.g. "no cohort folder at data/cohort". */
  reason: string;
}

export type StudyJson = StudyAvailable | StudyUnavailable;

/** A volume file of a case page, in study/cases/<siteId>/. */
export interface CaseVolume {
  file: string;
  /** What it holds, for the page's legend. */
  kind: "pre" | "post" | "masks" | "margins";
}

/** study/cases/<siteId>.json: everything a case page shows beside the viewer. */
export interface CaseJson {
  siteId: string;
  caseId: string | null;
  row: SiteCaseRow;
  /** `cryomargin margins` output for the case (warnings scrubbed of paths in publish mode). */
  margins: {
    mtmMm: number;
    mtmMmRounded: number;
    /** [lo, hi] of the MTM over all surfaces consistent with both masks (null entries when unknown). */
    mtmMaskRangeMm: [number | null, number | null];
    /** MTM of the tumor mask as drawn (its 0.5 iso-surface, before any fit); null when unknown. */
    mtmAsDrawnMm: number | null;
    minMarginPointRas: Vec3;
    minMarginOctant: OctantName;
    thresholdMm: number;
    tumorVolumeMl: number;
    iceballVolumeMl: number;
    tumorMaxDiameterMm: number;
    coverage: { fractionGreen: number; fractionYellow: number; fractionRed: number };
    octants: {
      name: OctantName;
      tumorVolumeMl: number;
      minMarginMm: number | null;
      fractionGreen: number | null;
      fractionYellow: number | null;
      fractionRed: number | null;
    }[];
    warnings: string[];
  };
  /**
   * The MTM's interval under registration error (`margins --uncertainty` with its defaults: 200
   * draws, 1 mm and 1° SD per axis), as the CLI's JSON writes it.
   */
  marginUncertainty?: MarginUncertaintyJson;
  /** Tumor centroid, pre-ablation RAS mm (the octants' origin). */
  centroidRas: Vec3;
  /**
   * The viewer's crop of the pre-ablation (tumor) grid: its size and voxel → RAS matrix, and where it sits
   * on the tumor grid (the engine's matrix and the crop's first voxel) for exact octant assignment.
   */
  grid: {
    dims: [number, number, number];
    voxelToWorld: number[];
    sourceVoxelToWorld: number[];
    offset: [number, number, number];
  };
  /** background.nii.gz: the pre-ablation image, or the masks (1 ice ball, 2 tumor outside it, 3 inside). */
  background: CaseVolume;
  /** post.nii.gz: the post-ablation image in the pre grid, or the ice-ball mask there. */
  post: CaseVolume;
  /** masks.nii.gz: the masks on the crop grid, 1 ice ball only, 2 tumor outside the ice ball, 3 tumor inside it. */
  masks: CaseVolume;
  /** The 3D view's meshes (caseMesh.ts) and the tumor surface's class fractions by area at the analysis threshold. */
  mesh: {
    file: string;
    tumorVertices: number;
    iceVertices: number;
    /** Index of the tumor vertex with the smallest margin (the engine's minimum point). */
    minimumVertex: number;
    coverageByArea: { fractionGreen: number; fractionYellow: number; fractionRed: number };
  };
  marginsVolume: CaseVolume;
  clinical: {
    side: string | null;
    location: string | null;
    site: string | null;
    histology: string | null;
    renalScore: number | null;
    cryoprobes: number | null;
  };
}

/**
 * The what-if explorer's input from the analysis plan's per-case rows: the MTM the statistics use
 * (rounded to the mm by default, as the paper), LTP as 0/1, LTP-free months and the maximum diameter.
 * The CLI's margins.csv has the same columns (mtm_for_statistics_mm, ltp, ltp_free_months,
 * tumor_max_diameter_mm). Example: { caseId: "c1", mtmForStatisticsMm: -3, ltp: true, ltpFreeMonths: 6,
 * tumorMaxDiameterMm: 41 } → { caseId: "c1", mtmMm: -3, ltp: 1, timeMonths: 6, diameterMm: 41 }.
 */
export function whatIfCasesOf(
  rows: readonly Pick<CaseMarginRow, "mtmForStatisticsMm" | "ltp" | "ltpFreeMonths" | "tumorMaxDiameterMm">[],
  ids: readonly string[],
): WhatIfCase[] {
  return rows.map((r, i) => ({
    caseId: ids[i],
    mtmMm: r.mtmForStatisticsMm,
    ltp: r.ltp ? 1 : 0,
    timeMonths: r.ltpFreeMonths,
    diameterMm: r.tumorMaxDiameterMm,
  }));
}

/** A text table without one of its columns (publish mode drops the margins table's patient_id). */
function withoutColumn(table: TextTable, column: string): TextTable {
  const at = table.columns.indexOf(column);
  if (at < 0) return table;
  return {
    ...table,
    columns: table.columns.filter((_, i) => i !== at),
    rows: table.rows.map((row) => row.filter((_, i) => i !== at)),
  };
}

/**
 * The CLI's tables by file stem (the TextTables behind formatResults: table1 … methods), for the site's
 * pages and the own-data page alike; without patient ids when `publish`.
 */
export function studyTables(r: AnalysisResults, publish: boolean): Record<string, TextTable> {
  const tables = [
    table1Text(r),
    table2Text(r),
    table3Text(r),
    mtmText(r),
    sizeVsMtmText(r),
    survivalText(r),
    followUpText(r),
    countsText(r),
    ltpSiteText(r),
    publish ? withoutColumn(marginsText(r), "patient_id") : marginsText(r),
    methodsText(r),
  ];
  return Object.fromEntries(tables.map((t) => [t.name, t]));
}
