/**
 * Turns a measured and analysed cohort (loaders' `analyzeCohortFolder`, the same call `cryomargin
 * analyze` makes) into what the study report shows: the CLI's tables and figure specs, the reproduction
 * report, per-case rows, the explorer's input and an octant summary (study.json); and, per case, the
 * numbers and the viewer's volumes (cases/<id>.json + NIfTI files). Pages only select and present.
 *
 * Publish mode (see siteEnv.ts) runs the same plan on the same cases with pseudonymous ids and without
 * user columns, so every table, figure and file the site writes is built from pseudonymised records;
 * the numbers are identical (the plan never reads an id except to group tumors by patient, and the
 * pseudonyms keep that grouping).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  type AnalysisResults,
  analyzeCohort,
  type CaseRecord,
  identityMat4,
  type MarginsJson,
  type Mat4,
  marginResultFromJson,
  marginSurfaces,
  marginUncertainty,
  marginUncertaintyJson,
  measureMargins,
  OCTANT_NAMES,
  type OctantName,
  type ReproductionReport,
  reproduce,
  studyFigures,
  summarize,
} from "@cryomargin/analysis";
import type { CohortAnalysis } from "../../build/loaders/cohort/analyzeFolder.js";
import { readPublishedValues } from "../../build/loaders/cohort/analyzeFolder.js";
import { cohortCaseFiles } from "../../build/loaders/cohort/measureCase.js";
import { encodeNifti, type NiftiImage, readNiftiImage, scaledVoxelValues } from "../../build/loaders/io/nifti.js";
import { readMaskFile } from "../../build/loaders/io/readMaskFile.js";
import { readTransformFile } from "../../build/loaders/io/transform.js";
import { caseMeshes, encodeCaseMeshes } from "../components/caseMesh.js";
import type {
  CaseJson,
  OctantCohortRow,
  SiteCaseRow,
  StudyAvailable,
  StudyCohort,
  StudyHeadline,
} from "../components/study.js";
import { studyTables, whatIfCasesOf } from "../components/study.js";
import { pseudonym } from "./siteEnv.js";
import {
  boxDims,
  boxVoxelToWorld,
  cropToBox,
  type Dims,
  maskBackground,
  resampleNearest,
  viewerBox,
} from "./viewerVolumes.js";

/** One file of the study archive (path inside study.zip). */
export interface StudyFile {
  path: string;
  content: string | Uint8Array;
}

/** A case id on the site, and how to scrub the cohort's own ids and paths from text in publish mode. */
export interface SiteNaming {
  publish: boolean;
  /** cohort case id → site id. */
  siteIds: Map<string, string>;
  /** Replaces every cohort path and (in publish mode) id in a message. */
  scrub: (text: string) => string;
}

/** Escapes a string for use in a RegExp. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The site's naming of a cohort's cases. In publish mode, messages have the cohort folder replaced by
 * "<cohort>" and each case id and patient id by its pseudonym (longest first, so "c1" never eats "c10").
 */
export function siteNaming(
  cohortDir: string,
  cases: readonly Pick<CaseRecord, "caseId" | "patientId">[],
  siteIds: Map<string, string>,
  publish: boolean,
): SiteNaming {
  const patients = patientPseudonyms(cases);
  const replacements: [string, string][] = [[cohortDir, "<cohort>"]];
  if (publish) {
    for (const c of cases) replacements.push([c.caseId, siteIds.get(c.caseId) as string]);
    for (const [id, alias] of patients) replacements.push([id, alias]);
  }
  replacements.sort((a, b) => b[0].length - a[0].length);
  const pattern = new RegExp(replacements.map(([from]) => escapeRegExp(from)).join("|"), "g");
  const lookup = new Map(replacements);
  return { publish, siteIds, scrub: (text) => text.replace(pattern, (m) => lookup.get(m) ?? m) };
}

/** patient id → "patient-NN" by first appearance. */
function patientPseudonyms(cases: readonly Pick<CaseRecord, "patientId">[]): Map<string, string> {
  const ids = [...new Set(cases.map((c) => c.patientId))];
  return new Map(ids.map((id, i) => [id, pseudonym("patient", i, ids.length)]));
}

/**
 * The cases as publish mode analyses them: case and patient ids replaced by pseudonyms (patients keep
 * their grouping), and the columns beyond the cohort format (`extra`) dropped — they may hold anything.
 */
export function pseudonymisedCases(cases: readonly CaseRecord[], siteIds: Map<string, string>): CaseRecord[] {
  const patients = patientPseudonyms(cases);
  return cases.map((c) => ({
    ...c,
    caseId: siteIds.get(c.caseId) as string,
    patientId: patients.get(c.patientId) as string,
    extra: {},
  }));
}

/**
 * Each octant across the cohort at the analysis threshold: how often it holds the case's minimum margin
 * and the regrowth, the median of its minimum margins and its mean coverage fractions.
 * Example: 3 cases whose smallest margin is right-anterior-superior → minMarginCases 3 in that row.
 */
export function octantCohortSummary(cases: readonly CaseRecord[], quantileType = 7 as const): OctantCohortRow[] {
  return OCTANT_NAMES.map((name: OctantName) => {
    const octants = cases.map((c) => c.margin.octants?.find((o) => o.name === name)).filter((o) => o !== undefined);
    const measured = octants.filter((o) => Number.isFinite(o.fractionGreen));
    const mins = octants.map((o) => o.minMarginMm).filter(Number.isFinite);
    const mean = (pick: (o: (typeof measured)[number]) => number) =>
      measured.length > 0 ? measured.reduce((s, o) => s + pick(o), 0) / measured.length : Number.NaN;
    return {
      name,
      minMarginCases: cases.filter((c) => c.margin.minMarginOctant === name).length,
      ltpRegrowthCases: cases.filter((c) => c.ltp && c.ltpOctant === name).length,
      medianMinMarginMm: mins.length > 0 ? summarize(mins, quantileType).median : Number.NaN,
      casesWithRed: measured.filter((o) => o.fractionRed > 0).length,
      meanFractionGreen: mean((o) => o.fractionGreen),
      meanFractionYellow: mean((o) => o.fractionYellow),
      meanFractionRed: mean((o) => o.fractionRed),
    };
  });
}

/** The overview's headline numbers. */
export function studyHeadline(r: AnalysisResults): StudyHeadline {
  const mtmRow = r.table3.rows.find((row) => row.key === "mtm_mm");
  return {
    ltp: r.outcome.ltp,
    localControl: r.outcome.localControl,
    medianMtmLtpMm: r.mtm.summary.ltp?.median ?? null,
    medianMtmLocalControlMm: r.mtm.summary.localControl?.median ?? null,
    mtmTestP: r.mtm.test.p,
    mtmTestMethod: r.mtm.test.description,
    hrPerMm: mtmRow && Number.isFinite(mtmRow.hr) ? mtmRow.hr : null,
    hrPerMmCi: mtmRow && Number.isFinite(mtmRow.hrLower) ? [mtmRow.hrLower, mtmRow.hrUpper] : null,
    survivalAt: r.survival.at.map((a) => ({ months: a.time, surv: a.surv, lower: a.lower, upper: a.upper })),
    atLeastThreshold: r.counts.atLeastThreshold,
    negative: r.counts.negative,
  };
}

/** Software behind the numbers (Methods page). */
export function softwareVersions(analysisVersion: string): Record<string, string> {
  const version = (pkg: string) => {
    try {
      const path = new URL(`../../node_modules/${pkg}/package.json`, import.meta.url);
      return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  return {
    "@cryomargin/analysis": analysisVersion,
    "@observablehq/framework": version("@observablehq/framework"),
    vega: version("vega"),
    "vega-lite": version("vega-lite"),
    "@niivue/niivue": version("@niivue/niivue"),
    "nifti-reader-js": version("nifti-reader-js"),
    node: process.versions.node,
  };
}

/**
 * study.json for an analysed cohort. `results` are the analysis the site shows: the CLI's own in normal
 * mode, the pseudonymised rerun in publish mode.
 */
export function studyJson(
  analysis: CohortAnalysis,
  results: AnalysisResults,
  cases: readonly CaseRecord[],
  reproduction: ReproductionReport | null,
  naming: SiteNaming,
): StudyAvailable {
  const ids = analysis.cases.map((c) => naming.siteIds.get(c.caseId) as string);
  const rows: SiteCaseRow[] = results.cases.map((row, i) => ({
    ...row,
    siteId: ids[i],
    caseId: naming.publish ? null : row.caseId,
    patientId: naming.publish ? null : row.patientId,
    warnings: row.warnings.map(naming.scrub),
  }));
  const info = analysis.info;
  const cohort: StudyCohort = {
    name: info.name,
    synthetic: info.synthetic,
    paperTwin: info.paperTwin,
    notes: (Array.isArray(info.notes) ? info.notes : [info.notes]).filter((n): n is string => typeof n === "string"),
    tumors: results.outcome.tumors,
    patients: results.outcome.patients,
  };
  return {
    available: true,
    publish: naming.publish,
    cohort,
    versions: softwareVersions(results.analysisVersion),
    settings: {
      thresholdMm: results.options.thresholdMm,
      conventions: results.conventions.name,
      mtmStatement: results.mtmStatement,
      confLevel: results.options.confLevel,
    },
    tables: studyTables(results, naming.publish),
    figures: studyFigures(results),
    reproduction,
    cases: rows,
    whatIfCases: whatIfCasesOf(results.cases, ids),
    octants: octantCohortSummary(cases),
    headline: studyHeadline(results),
    warnings: [...results.warnings, ...analysis.warnings.map((w) => w.message)].map(naming.scrub),
  };
}

/**
 * The analysis the site shows: the CLI's (`analysis.results`, `analysis.reproduction`) in normal mode;
 * in publish mode the same plan on pseudonymised cases with the same options.
 */
export function siteAnalysis(
  analysis: CohortAnalysis,
  naming: SiteNaming,
): { results: AnalysisResults; cases: CaseRecord[]; reproduction: ReproductionReport | null } {
  if (!naming.publish) return { results: analysis.results, cases: analysis.cases, reproduction: analysis.reproduction };
  const cases = pseudonymisedCases(analysis.cases, naming.siteIds);
  const o = analysis.results.options;
  const results = analyzeCohort(cases, { ...o, extraCovariates: [] });
  return {
    results,
    cases,
    reproduction: analysis.info.paperTwin ? reproduce(results, readPublishedValues()) : null,
  };
}

/** Gzipped NIfTI-1 of a crop-grid volume, with no header free text (descrip, aux_file, db_name, intent). */
function volumeFile(
  data: Uint8Array | Float32Array | Int16Array | Uint16Array | Int32Array | Float64Array,
  dims: Dims,
  voxelToWorld: Float64Array,
): Uint8Array {
  return encodeNifti({ dims, voxelToWorld, data, description: "", auxFile: "", intentName: "" }, { gzip: true });
}

/**
 * A scan's values for display: grey levels 0–255, linear from 0 to the crop's 99.5th percentile
 * (brighter voxels saturate). Eight bits are all a display shows, and MR noise in eight bits compresses
 * to about half of its int16 bytes; the margins are never read from these volumes.
 * Example: values [0, 500, 1000] with a 99.5th percentile of 1000 → [0, 128, 255].
 */
export function displayGreyLevels(values: ArrayLike<number>): Uint8Array {
  const sorted = Float64Array.from(values).sort();
  const top = sorted[Math.min(sorted.length - 1, Math.floor(0.995 * sorted.length))];
  const out = new Uint8Array(values.length);
  if (!(top > 0)) return out;
  for (let v = 0; v < values.length; v++) out[v] = Math.max(0, Math.min(255, Math.round((255 * values[v]) / top)));
  return out;
}

/** A scan as resampleNearest reads it: the scaled values (float32, or float64 for int32/float64 files). */
function scanValues(image: NiftiImage) {
  return { dims: image.dims, voxelToWorld: image.voxelToWorld, data: scaledVoxelValues(image) };
}

/** Largest difference between the viewer's re-measured MTM and the CLI's JSON (which rounds to 0.01 mm). */
const MTM_AGREEMENT_MM = 0.006;

/**
 * A case page's data: the numbers (the CLI's margins JSON, site row, clinical context) and the viewer's
 * volumes on the crop grid — background (pre.nii.gz if the cohort has it, else the masks), post.nii.gz
 * brought into the pre grid if present (both as 8-bit grey), the masks (the page traces the outlines),
 * the per-voxel margins (float32, NaN outside the tumor) from which the page colours coverage at any
 * threshold, and the 3D view's meshes (mesh.bin.gz). The margin engine is run again with per-voxel and
 * surface margins; its MTM must equal the CLI's or the build stops. `registered`: the transform cryomargin
 * made for a case without registration.tfm (the analysis's `registered`).
 */
export function caseFiles(
  cohortDir: string,
  record: CaseRecord,
  row: SiteCaseRow,
  json: MarginsJson,
  naming: SiteNaming,
  registered?: Mat4,
): StudyFile[] {
  const siteId = naming.siteIds.get(record.caseId) as string;
  const paths = cohortCaseFiles(cohortDir, record.caseId);
  // any accepted mask format (tumor.nrrd, segmentation.seg.nrrd, …), as the analysis read it
  const tumor = readMaskFile(paths.tumor, { role: "tumor" }).mask;
  const iceball = readMaskFile(paths.iceball, { role: "iceball" }).mask;
  const preToPost = registered ?? readTransformFile(paths.transform);
  // Built once for the margins and the uncertainty's draws, reading the tumor as the analysis did.
  const tumorOutline = json.tumor_outline?.mode ?? "auto";
  const surfaces = marginSurfaces(tumor, iceball, tumorOutline);
  const result = measureMargins(tumor, iceball, preToPost, {
    thresholdMm: json.threshold_mm,
    tumorOutline,
    voxelMargins: true,
    surfaceMargins: true,
    surfaces,
  });
  if (Math.abs(result.mtmMm - json.mtm_mm) > MTM_AGREEMENT_MM)
    throw new Error(
      `case ${naming.scrub(record.caseId)}: the viewer's MTM ${result.mtmMm.toFixed(3)} mm differs from the analysis's ${json.mtm_mm} mm`,
    );
  const box = viewerBox(tumor, iceball, preToPost);
  const dims = boxDims(box);
  const grid = boxVoxelToWorld(tumor.voxelToWorld, box);
  const tumorCrop = cropToBox(tumor.data, tumor.dims, box);
  const iceOnGrid = resampleNearest(iceball, dims, grid, preToPost) as Uint8Array;
  const dir = `cases/${siteId}`;
  const files: StudyFile[] = [];

  // Fixed file names (pages reference them statically): background = the pre-ablation image when the
  // cohort has one, else the masks; post = the post-ablation image brought into the pre grid, else the
  // ice-ball mask brought there.
  const prePath = join(cohortDir, "cases", record.caseId, "pre.nii.gz");
  const postPath = join(cohortDir, "cases", record.caseId, "post.nii.gz");
  const voxels = dims[0] * dims[1] * dims[2];
  let background: CaseJson["background"];
  if (existsSync(prePath)) {
    const onGrid = resampleNearest(
      scanValues(readNiftiImage(prePath)),
      dims,
      grid,
      identityMat4(),
      new Float32Array(voxels),
    );
    files.push({ path: `${dir}/background.nii.gz`, content: volumeFile(displayGreyLevels(onGrid), dims, grid) });
    background = { file: "background.nii.gz", kind: "pre" };
  } else {
    const masks = maskBackground(tumorCrop, iceOnGrid);
    files.push({ path: `${dir}/background.nii.gz`, content: volumeFile(masks, dims, grid) });
    background = { file: "background.nii.gz", kind: "masks" };
  }
  let post: CaseJson["post"];
  if (existsSync(postPath)) {
    const onGrid = resampleNearest(
      scanValues(readNiftiImage(postPath)),
      dims,
      grid,
      preToPost,
      new Float32Array(voxels),
    );
    files.push({ path: `${dir}/post.nii.gz`, content: volumeFile(displayGreyLevels(onGrid), dims, grid) });
    post = { file: "post.nii.gz", kind: "post" };
  } else {
    files.push({ path: `${dir}/post.nii.gz`, content: volumeFile(iceOnGrid, dims, grid) });
    post = { file: "post.nii.gz", kind: "masks" };
  }
  files.push({ path: `${dir}/masks.nii.gz`, content: volumeFile(maskBackground(tumorCrop, iceOnGrid), dims, grid) });
  const margins = cropToBox(result.voxelMarginsMm as Float32Array, tumor.dims, box);
  files.push({ path: `${dir}/margins.nii.gz`, content: volumeFile(margins, dims, grid) });

  const meshes = caseMeshes(tumor, iceball, preToPost, result);
  files.push({ path: `${dir}/mesh.bin.gz`, content: gzipSync(encodeCaseMeshes(meshes.encoded), { level: 9 }) });

  const caseJson: CaseJson = {
    siteId,
    caseId: naming.publish ? null : record.caseId,
    row,
    // The engine's shape of the margins JSON (NaN → null again when this JSON is written).
    margins: {
      ...marginResultFromJson(json),
      minMarginPointRas: json.min_margin_point_ras,
      warnings: json.warnings.map(naming.scrub),
    },
    marginUncertainty: marginUncertaintyJson(
      marginUncertainty(tumor, iceball, preToPost, { thresholdMm: json.threshold_mm, surfaces }),
    ),
    centroidRas: result.tumorCentroidRas,
    grid: {
      dims,
      voxelToWorld: Array.from(grid),
      sourceVoxelToWorld: Array.from(tumor.voxelToWorld),
      offset: [...box.min],
    },
    background,
    post,
    masks: { file: "masks.nii.gz", kind: "masks" },
    mesh: meshes.summary,
    marginsVolume: { file: "margins.nii.gz", kind: "margins" },
    clinical: {
      side: record.side,
      location: record.location,
      site: record.site,
      histology: record.histology,
      renalScore: record.renalScore,
      cryoprobes: record.cryoprobes,
    },
  };
  files.push({ path: `cases/${siteId}.json`, content: `${JSON.stringify(caseJson)}\n` });
  return files;
}
