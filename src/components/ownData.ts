/**
 * "Your own data": a user's clinical table with an MTM column — the cohort format's clinical.csv
 * (analysis/src/cohort/schema.ts) plus a column of measured margins — and optionally the per-case JSON
 * files of `cryomargin margins --cohort` (named <case_id>.json), turned into the analysis plan's cases,
 * in the browser. Pure: the page reads the files (nothing is uploaded) and hands their text here.
 *
 * Where each case's numbers come from:
 * - MTM: the CSV's MTM column (`mtm_mm`, `mtm` or `minimal_treatment_margin_mm`), else the case's JSON;
 *   rounded to the mm for the statistics as the paper (`roundMarginMm`, the engine's rounding).
 * - maximum diameter, tumor and ice-ball volumes: the JSON, else CSV columns (`tumor_max_diameter_mm`
 *   or `max_diameter_mm`, `max_diameter_cm` ×10; `tumor_volume_ml`, `iceball_volume_ml`); missing → left
 *   out of the statistics that need them (tables count them as missing).
 * - smallest-margin octant, octants and coverage: the JSON only. Without it, the LTP-site comparison
 *   cannot be made and those LTP cases' regrowth octant is set aside (said in the warnings).
 */
import {
  type AnalysisResults,
  type CaseMargins,
  type CaseRecord,
  CLINICAL_COLUMNS,
  CLINICAL_OCTANT_CODES,
  checkMarginsJson,
  type MarginsJson,
  marginResultFromJson,
  type OctantName,
  parseClinicalCsv,
  parseDecimalNumber,
  roundMarginMm,
  type WhatIfCase,
} from "@cryomargin/analysis";
import { whatIfCasesOf } from "./study.js";

/** A dropped file: its name and text. */
export interface OwnFile {
  name: string;
  text: string;
}

export interface OwnCohort {
  /** Cases ready for analyzeCohort (empty when `errors` is not). */
  cases: CaseRecord[];
  /** Problems that stop the analysis, each naming the file, line, case or field. */
  errors: string[];
  warnings: string[];
  /** The CSV column the MTM came from (null when it came from the JSON files). */
  mtmColumn: string | null;
}

/** Accepted names of the MTM column (case-insensitive). */
export const MTM_COLUMNS = ["mtm_mm", "mtm", "minimal_treatment_margin_mm"] as const;

/**
 * Columns of the cohort format a user's table may leave out: descriptive ones, read as empty (missing)
 * when absent. The ids and the outcome columns (case_id, patient_id, followup_months, ltp, ltp_type,
 * months_to_ltp) must be there.
 */
export const OPTIONAL_CLINICAL_COLUMNS = CLINICAL_COLUMNS.filter(
  (c) => !["case_id", "patient_id", "followup_months", "ltp", "ltp_type", "months_to_ltp"].includes(c),
);

/**
 * The table with the optional columns it lacks added as empty cells (line by line: a cell holding a line
 * break inside quotes is not supported here). Returns the text and the columns added.
 * Example: "case_id;ltp\nc1;0" lacking `sex` → "case_id;ltp;sex\nc1;0;".
 */
export function withMissingColumns(text: string): { text: string; added: string[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = lines[0] ?? "";
  const separator = header.includes(";") && !header.includes(",") ? ";" : ",";
  const present = new Set(header.split(separator).map((c) => c.trim().replace(/^"|"$/g, "").toLowerCase()));
  const added = OPTIONAL_CLINICAL_COLUMNS.filter((c) => !present.has(c));
  if (added.length === 0) return { text, added };
  const pad = separator.repeat(added.length);
  const out = lines.map((line, i) =>
    i === 0 ? `${line}${separator}${added.join(separator)}` : line.trim() === "" ? line : `${line}${pad}`,
  );
  return { text: out.join("\n"), added };
}

/** A cell as a number: decimal comma accepted; empty or unreadable → NaN. */
export function cellNumber(text: string | undefined): number {
  return parseDecimalNumber((text ?? "").replace(",", "."));
}

/** The value of the first extra column present among `names` (case-insensitive). */
function extraValue(
  record: Pick<CaseRecord, "extra">,
  names: readonly string[],
): { column: string; value: string } | null {
  for (const [column, value] of Object.entries(record.extra))
    if (names.includes(column.trim().toLowerCase())) return { column, value };
  return null;
}

/** Reads the margins JSON files into a map by case id (file name without .json); problems as text. */
function readMarginsFiles(files: readonly OwnFile[], errors: string[]): Map<string, MarginsJson> {
  const byCase = new Map<string, MarginsJson>();
  for (const f of files) {
    const caseId = f.name.replace(/^.*[/\\]/, "").replace(/\.json$/i, "");
    try {
      const checked = checkMarginsJson(JSON.parse(f.text));
      if ("problem" in checked) throw new Error(`not the output of \`cryomargin margins\`: ${checked.problem}`);
      byCase.set(caseId, checked.json);
    } catch (error) {
      errors.push(`${f.name}: ${(error as Error).message}`);
    }
  }
  return byCase;
}

/** The plan's margins of a case from its `cryomargin margins` JSON, with the MTM the table gives. */
function marginsFromJson(json: MarginsJson, mtmMm: number): CaseMargins {
  return { ...marginResultFromJson(json), mtmMm, mtmMmRounded: roundMarginMm(mtmMm) };
}

/**
 * The cases of a user's files. `csv` is the clinical table (cohort format + an MTM column);
 * `marginsFiles` are optional per-case JSON files. Never throws: problems come back as `errors`.
 * Example: a clinical.csv with `mtm_mm` and `tumor_max_diameter_mm` columns → cases with those margins.
 */
export function ownCohort(csv: OwnFile, marginsFiles: readonly OwnFile[] = []): OwnCohort {
  const errors: string[] = [];
  const warnings: string[] = [];
  const completed = withMissingColumns(csv.text);
  if (completed.added.length > 0)
    warnings.push(`${csv.name}: no column ${completed.added.join(", ")} — read as empty (unknown) for every tumor`);
  const parsed = parseClinicalCsv(completed.text, { file: csv.name });
  for (const p of parsed.problems) (p.severity === "error" ? errors : warnings).push(p.message);
  const jsonByCase = readMarginsFiles(marginsFiles, errors);
  const mtmColumn = parsed.extraColumns.find((c) =>
    (MTM_COLUMNS as readonly string[]).includes(c.trim().toLowerCase()),
  );
  if (!mtmColumn && jsonByCase.size === 0)
    errors.push(
      `${csv.name}: no MTM column (name it ${MTM_COLUMNS.join(", ")}) and no margins JSON files: there is no margin to analyse`,
    );
  const cases: CaseRecord[] = [];
  let withoutOctant = 0;
  for (const record of parsed.records) {
    const json = jsonByCase.get(record.caseId);
    const mtmText = mtmColumn ? record.extra[mtmColumn] : undefined;
    const mtmMm = mtmColumn ? cellNumber(mtmText) : (json?.mtm_mm ?? Number.NaN);
    if (!Number.isFinite(mtmMm)) {
      errors.push(
        `${csv.name} line ${record.line}, case ${record.caseId}, field ${mtmColumn ?? "mtm_mm"}: '${mtmText ?? ""}' is not a margin in mm${mtmColumn ? "" : " (and no margins JSON for this case)"}`,
      );
      continue;
    }
    let margin: CaseMargins;
    let ltpOctant = record.ltpOctant;
    if (json) margin = marginsFromJson(json, mtmMm);
    else {
      const diameterMm = extraValue(record, ["tumor_max_diameter_mm", "max_diameter_mm", "max_tumor_diameter_mm"]);
      const diameterCm = extraValue(record, ["max_diameter_cm", "tumor_max_diameter_cm"]);
      const octant = extraValue(record, ["min_margin_octant"])?.value.trim().toLowerCase() ?? "";
      const knownOctant = (CLINICAL_OCTANT_CODES as readonly string[]).includes(octant);
      margin = {
        mtmMm,
        mtmMmRounded: roundMarginMm(mtmMm),
        tumorMaxDiameterMm: diameterMm ? cellNumber(diameterMm.value) : 10 * cellNumber(diameterCm?.value),
        tumorVolumeMl: cellNumber(extraValue(record, ["tumor_volume_ml"])?.value),
        iceballVolumeMl: cellNumber(extraValue(record, ["iceball_volume_ml"])?.value),
        // Unknown without the engine's output: an empty name (tables show it blank), and the LTP-site
        // comparison, the only statistic that reads it, leaves the case out (below).
        minMarginOctant: (knownOctant ? octant : "") as OctantName,
      };
      if (!knownOctant && ltpOctant !== null) {
        ltpOctant = null;
        withoutOctant++;
      }
    }
    cases.push({ ...record, ltpOctant, margin });
  }
  if (withoutOctant > 0)
    warnings.push(
      `${withoutOctant} LTP case(s) have no smallest-margin octant (no margins JSON, no min_margin_octant column): their regrowth octant is set aside and the LTP-site comparison leaves them out`,
    );
  return { cases: errors.length > 0 ? [] : cases, errors, warnings, mtmColumn: mtmColumn ?? null };
}

/**
 * The explorer's input from the analysis of the user's cases (whatIfCasesOf, as the study pages), without
 * the cases that have no maximum diameter (the explorer filters by size); says which were left out.
 */
export function ownExplorerCases(results: AnalysisResults): { cases: WhatIfCase[]; leftOut: string[] } {
  const rows = results.cases.filter((r) => Number.isFinite(r.tumorMaxDiameterMm));
  const leftOut = results.cases.filter((r) => !Number.isFinite(r.tumorMaxDiameterMm)).map((r) => r.caseId);
  return {
    cases: whatIfCasesOf(
      rows,
      rows.map((r) => r.caseId),
    ),
    leftOut,
  };
}
