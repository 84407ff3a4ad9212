/**
 * The committed synthetic cohort (data/cohort) against the paper: every case is re-measured from its
 * files by the margin engine, the paper's analysis plan runs on the result with SPSS conventions (the
 * paper's software), and the published figures must come out — so the cohort cannot drift from the
 * paper silently (an engine change that moves a margin across a rounding edge fails here).
 *
 * Bars (issue 5): counts exact; MTM, diameter, age, follow-up figures at the printed precision; volumes
 * and ice-ball volumes to the printed decimal (stricter than the plan's ±5%); LTP-free survival ±1.5
 * points; Cox HRs within 5% (their CI limits within 5% too); Spearman p rounding to .002; every test of
 * Tables 2 and 3 with the paper's significance decision; each LTP's regrowth octant = the engine's
 * minimum-margin octant.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type AnalysisResults,
  analyzeCohort,
  type CaseRecord,
  CLINICAL_COLUMNS,
  measureMargins,
  PAPER_CALIBRATION_TARGETS,
  quantile,
  type ReproductionReport,
  reproduce,
} from "@cryomargin/analysis";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCohortFolder } from "../loaders/cohort/cohortFolder.js";
import { readMask } from "../loaders/io/nifti.js";
import { readTransformFile } from "../loaders/io/transform.js";

const root = new URL("..", import.meta.url).pathname;
const cohortDir = join(root, "data", "cohort");
const published = JSON.parse(readFileSync(join(root, "data", "paper", "published-values.json"), "utf8"));

let cases: CaseRecord[] = [];
let results: AnalysisResults;
let report: ReproductionReport;

beforeAll(() => {
  const loaded = loadCohortFolder(cohortDir);
  expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
  cases = loaded.records.map((record) => {
    const dir = join(cohortDir, "cases", record.caseId);
    const tumor = readMask(join(dir, "tumor.nii.gz")).mask;
    const iceball = readMask(join(dir, "iceball.nii.gz")).mask;
    const transform = readTransformFile(join(dir, "registration.tfm"));
    return { ...record, margin: measureMargins(tumor, iceball, transform) };
  });
  results = analyzeCohort(cases, { conventions: "spss" });
  report = reproduce(results, published);
}, 120_000);

/** The reproduction entry at a published-values.json path. */
const entry = (path: string) => {
  const e = report.entries.find((x) => x.path === path);
  if (!e) throw new Error(`no reproduction entry for ${path}`);
  return e;
};

describe("the committed synthetic cohort reproduces the paper (margin engine + plan, SPSS conventions)", () => {
  it("is plainly labelled synthetic and holds no margins in its clinical table", () => {
    const info = JSON.parse(readFileSync(join(cohortDir, "cohort.json"), "utf8"));
    expect(info.synthetic).toBe(true);
    expect(info.paper_twin).toBe(true);
    expect(info.notes.join(" ")).toMatch(/SYNTHETIC/);
    const header = readFileSync(join(cohortDir, "clinical.csv"), "utf8").split("\n")[0];
    expect(header.split(",")).toEqual([...CLINICAL_COLUMNS]);
    expect(header).not.toMatch(/mtm|margin|diameter|volume/i);
  });

  it("is at most 25 MB (masks, transforms, CSV)", () => {
    const size = (p: string): number =>
      statSync(p).isDirectory() ? readdirSync(p).reduce((s, n) => s + size(join(p, n)), 0) : statSync(p).size;
    expect(size(cohortDir)).toBeLessThan(25 * 1024 * 1024);
  });

  it("every published figure the cohort can hold is within its tolerance", () => {
    const outside = report.entries.filter((e) => e.status === "outside");
    expect(outside.map((e) => `${e.path}: published ${e.published}, reproduced ${e.reproduced}`)).toEqual([]);
    expect(report.summary.within).toBeGreaterThanOrEqual(100);
  });

  it("counts are exact", () => {
    expect(results.outcome).toMatchObject({
      patients: 30,
      tumors: 32,
      localControl: 26,
      ltp: 6,
      ltpResidual: 2,
      ltpRecurrent: 4,
    });
    const rounded = cases.map((c) => c.margin.mtmMmRounded);
    const ltp = cases.filter((c) => c.ltp);
    expect(rounded.filter((m) => m >= 5)).toHaveLength(3);
    expect(ltp.every((c) => c.margin.mtmMmRounded < 0)).toBe(true);
    expect(cases.filter((c) => !c.ltp && c.margin.mtmMmRounded < 0)).toHaveLength(1);
    expect(cases.filter((c) => c.margin.mtmMmRounded < 0).every((c) => c.margin.tumorMaxDiameterMm > 30)).toBe(true);
  });

  it("MTM: mean 1.0 ± 4.4, range −11…6, type-6 quartiles −7 [−10, −5] vs 3 [2, 4]", () => {
    const m = cases.map((c) => c.margin.mtmMmRounded);
    const mean = m.reduce((a, b) => a + b, 0) / m.length;
    const sd = Math.sqrt(m.reduce((s, v) => s + (v - mean) ** 2, 0) / (m.length - 1));
    expect(Math.abs(mean - 1.0)).toBeLessThan(0.05);
    expect(Math.abs(sd - 4.4)).toBeLessThan(0.05);
    expect([Math.min(...m), Math.max(...m)]).toEqual([-11, 6]);
    const q = (x: number[]) => [0.5, 0.25, 0.75].map((p) => Math.round(quantile(x, p, 6)));
    expect(q(cases.filter((c) => c.ltp).map((c) => c.margin.mtmMmRounded))).toEqual([-7, -10, -5]);
    expect(q(cases.filter((c) => !c.ltp).map((c) => c.margin.mtmMmRounded))).toEqual([3, 2, 4]);
  });

  it("volumes round to the printed decimal: tumor 9.8 (1.0–39.4; LTP 15.5 ± 5.3, control 8.5 ± 8.8), ice ball 51.9 (16.3–115.4)", () => {
    const stats = (x: number[]) => {
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      return {
        mean,
        sd: Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (x.length - 1)),
        min: Math.min(...x),
        max: Math.max(...x),
      };
    };
    const t = PAPER_CALIBRATION_TARGETS;
    const near = (v: number, target: number) => expect(Math.abs(v - target)).toBeLessThan(0.05);
    const tumor = stats(cases.map((c) => c.margin.tumorVolumeMl));
    near(tumor.mean, t.tumorVolumeMl.mean);
    near(tumor.min, t.tumorVolumeMl.min);
    near(tumor.max, t.tumorVolumeMl.max);
    const ltp = stats(cases.filter((c) => c.ltp).map((c) => c.margin.tumorVolumeMl));
    const control = stats(cases.filter((c) => !c.ltp).map((c) => c.margin.tumorVolumeMl));
    near(ltp.mean, t.tumorVolumeMl.ltpMean);
    near(ltp.sd, t.tumorVolumeMl.ltpSd);
    near(control.mean, t.tumorVolumeMl.localControlMean);
    near(control.sd, t.tumorVolumeMl.localControlSd);
    const ice = stats(cases.map((c) => c.margin.iceballVolumeMl));
    near(ice.mean, t.iceballVolumeMl.mean);
    near(ice.min, t.iceballVolumeMl.min);
    near(ice.max, t.iceballVolumeMl.max);
  });

  it("survival, Cox and Spearman: KM ±1.5 points, HRs and CI limits within 5%, Spearman p rounds to .002", () => {
    expect(entry("outcome.ltp_free_survival.12_months").status).toBe("within");
    expect(entry("outcome.ltp_free_survival.24_months").status).toBe("within");
    const rows = results.table3.rows;
    const within5 = (v: number, target: number) => expect(Math.abs(v / target - 1)).toBeLessThan(0.05);
    const mtm = rows.find((r) => r.key === "mtm_mm")!;
    const diameter = rows.find((r) => r.key === "max_tumor_diameter_cm")!;
    within5(mtm.hr, 0.77);
    within5(mtm.hrLower, 0.66);
    within5(mtm.hrUpper, 0.89);
    within5(diameter.hr, 3.56);
    within5(diameter.hrLower, 1.32);
    within5(diameter.hrUpper, 9.57);
    expect(results.sizeVsMtm.p).toBeGreaterThanOrEqual(0.0015);
    expect(results.sizeVsMtm.p).toBeLessThan(0.0025);
  });

  it("every LTP regrows in the octant of its smallest margin (the engine's)", () => {
    const ltp = cases.filter((c) => c.ltp);
    expect(ltp.map((c) => c.ltpOctant)).toEqual(ltp.map((c) => c.margin.minMarginOctant));
  });

  it("the calibration targets in the generator are the published values", () => {
    const t = PAPER_CALIBRATION_TARGETS;
    const cases = published.case_figures;
    expect(t.caseFigures).toEqual({
      figure4: {
        mtmMm: cases.figure4_local_control.mtm_mm,
        diameterMm: cases.figure4_local_control.max_tumor_diameter_mm,
        followupMonths: cases.figure4_local_control.followup_months,
      },
      figure5: { mtmMm: cases.figure5_ltp.mtm_mm, diameterMm: cases.figure5_ltp.max_tumor_diameter_mm },
      tkiStartedAfterMonths: cases.negative_margin_without_ltp.tki_started_after_months,
      reablationWithinMonths: cases.reablation_within_months,
    });
    expect([t.patients, t.tumors, t.ltp, t.ltpResidual]).toEqual([
      published.cohort.patients,
      published.cohort.tumors,
      published.outcome.ltp,
      published.outcome.ltp_residual,
    ]);
    expect([t.mtm.mean, t.mtm.sd, t.mtm.min, t.mtm.max, t.mtm.atLeast5]).toEqual([
      published.mtm.all.mean,
      published.mtm.all.sd,
      published.mtm.all.min,
      published.mtm.all.max,
      published.mtm.ge_5mm,
    ]);
    expect(t.mtm.ltp).toEqual(published.mtm.ltp);
    expect(t.mtm.localControl).toEqual(published.mtm.local_control);
    expect([t.diameterMm.mean, t.diameterMm.sd, t.diameterMm.ltpMean, t.diameterMm.localControlMean]).toEqual([
      published.cohort.max_tumor_diameter_mm.mean,
      published.cohort.max_tumor_diameter_mm.sd,
      published.table2.max_tumor_diameter_mm.ltp.mean,
      published.table2.max_tumor_diameter_mm.local_control.mean,
    ]);
    expect([t.diameterMm.ltpSd, t.diameterMm.localControlSd]).toEqual([
      published.table2.max_tumor_diameter_mm.ltp.sd_as_printed * 10,
      published.table2.max_tumor_diameter_mm.local_control.sd_as_printed * 10,
    ]);
    expect([t.diameterMm.min, t.diameterMm.max]).toEqual(
      published.cohort.max_tumor_diameter_mm.text_range_cm.map((v: number) => v * 10),
    );
    expect(t.tumorVolumeMl).toMatchObject({
      mean: published.procedure.tumor_volume_ml.mean,
      min: published.procedure.tumor_volume_ml.min,
      max: published.procedure.tumor_volume_ml.max,
      ltpMean: published.procedure.tumor_volume_ml_by_outcome.ltp.mean,
      ltpSd: published.procedure.tumor_volume_ml_by_outcome.ltp.sd,
      localControlMean: published.procedure.tumor_volume_ml_by_outcome.local_control.mean,
      localControlSd: published.procedure.tumor_volume_ml_by_outcome.local_control.sd,
      p: published.procedure.tumor_volume_ml_by_outcome.p,
    });
    expect(t.iceballVolumeMl).toEqual(published.procedure.iceball_volume_ml);
    expect(t.cryoprobes).toEqual(published.procedure.cryoprobes_per_patient);
    expect(t.followupMonths).toEqual(published.outcome.followup_months);
    expect(t.recurrenceMonths).toEqual(published.outcome.time_to_recurrence_months);
    expect([t.survival.at12, t.survival.at24]).toEqual([
      published.outcome.ltp_free_survival["12_months"],
      published.outcome.ltp_free_survival["24_months"],
    ]);
    expect([t.coxMtm.hr, t.coxMtm.lower, t.coxMtm.upper]).toEqual([
      published.table3_univariable_cox.mtm_per_mm.hr,
      ...published.table3_univariable_cox.mtm_per_mm.ci,
    ]);
    expect([t.coxDiameterPerCm.hr, t.coxDiameterPerCm.lower, t.coxDiameterPerCm.upper]).toEqual([
      published.table3_univariable_cox.max_tumor_diameter_per_cm.hr,
      ...published.table3_univariable_cox.max_tumor_diameter_per_cm.ci,
    ]);
    expect(t.spearmanP).toBe(published.size_vs_mtm.p);
    expect([t.age.median, t.age.min, t.age.max]).toEqual([
      published.cohort.age_years.median,
      published.cohort.age_years.min,
      published.cohort.age_years.max,
    ]);
    expect(t.age.localControl).toEqual({
      median: published.table2.age_years.local_control.median,
      min: published.table2.age_years.local_control.min,
      max: published.table2.age_years.local_control.max,
    });
    expect(t.age.ltp).toEqual(published.table2.age_years.ltp);
    expect(t.age.p).toBe(published.table2.age_years.p);
    expect(t.diameterMm.p).toBe(published.table2.max_tumor_diameter_mm.p);
    expect([t.diameterMm.t1b, t.diameterMm.t1bLtp]).toEqual([
      published.cohort.t1b_tumors_ge_4cm,
      published.outcome.ltp_t1b,
    ]);
  });
});
