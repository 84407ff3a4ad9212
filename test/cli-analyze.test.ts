/**
 * `cryomargin validate` and `cryomargin analyze` end to end on a small cohort written in the test: ball
 * tumors (1.2 × 1.2 × 3 mm pre-ablation grid) and bigger ball ice balls on a post-ablation grid of their
 * own, shifted by a known translation, so every MTM is known in closed form (R_ice − |offset| − r_tumor).
 * A copy of the cohort with deliberately broken files checks that validate lists every problem at once.
 *
 * The first validate and analyze run the compiled command in a process of its own, as a user does (its
 * streams, its worker threads); the other runs check what a run computes, prints and exits with, and
 * call its main() in this process (test/helpers/cli.ts).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONCAVE_CREASE_WARNING, FALLBACK_AT_MINIMUM_WARNING, type MarginsJson } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { marginWarningSummary } from "../loaders/cli/analyze.js";
import { runCliInProcess } from "./helpers/cli.js";
import {
  type BallCase,
  CLINICAL_HEADER,
  clinicalRow,
  exactBallMtm,
  writeBallCase,
  writeBallCohort,
} from "./helpers/cohort.js";
import { temporaryFolder } from "./helpers/nifti.js";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
/** `cryomargin ARGS`, the compiled command in a process of its own. */
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
/** `cryomargin ARGS` through main() in this process. */
const inProcess = (...args: string[]) => runCliInProcess(args);

const tmp = temporaryFolder("cryomargin-cli-analyze-");
afterAll(tmp.remove);
const cohort = join(tmp.dir, "cohort");

const specs: BallCase[] = [
  { id: "c01", tumorMm: 8, iceMm: 19, offsetMm: 2, ltp: 0, months: 30 },
  { id: "c02", tumorMm: 9, iceMm: 18, offsetMm: 3, ltp: 0, months: 24 },
  { id: "c03", tumorMm: 10, iceMm: 17, offsetMm: 4, ltp: 0, months: 18 },
  { id: "c04", tumorMm: 11, iceMm: 18, offsetMm: 2, ltp: 0, months: 40 },
  { id: "c05", tumorMm: 14, iceMm: 17, offsetMm: 8, ltp: 1, months: 6 },
  { id: "c06", tumorMm: 15, iceMm: 18, offsetMm: 9, ltp: 1, months: 14 },
  { id: "c07", tumorMm: 9, iceMm: 17, offsetMm: 1, ltp: 0, months: 12 },
  { id: "c08", tumorMm: 13, iceMm: 17, offsetMm: 7, ltp: 0, months: 20 },
];
const exactMtm = exactBallMtm;
const header = CLINICAL_HEADER;
const row = clinicalRow;
const writeCase = writeBallCase;

beforeAll(() => writeBallCohort(cohort, specs));

/**
 * A copy of the cohort with eight planted problems (in clinical.csv, the case folders and their files),
 * made on first use: validate lists them, analyze refuses the cohort.
 */
const brokenCohort = (): string => {
  const broken = join(tmp.dir, "broken");
  if (existsSync(broken)) return broken;
  cpSync(cohort, broken, { recursive: true });
  const lines = readFileSync(join(broken, "clinical.csv"), "utf8").trimEnd().split("\n");
  lines[1] = lines[1].replace(",male,", ",mail,"); // c01: unknown sex code
  lines[2] = lines[2].replace(/^c02,p2,61,/, "c02,p2,-3,"); // c02: impossible age
  lines[5] = lines[5].replace(/,1,recurrent,6,/, ",1,recurrent,60,"); // c05: LTP after follow-up ends
  lines.push(lines[3]); // c03 twice
  lines.push(row({ ...specs[0], id: "c09" }, 8)); // a row without a folder
  writeFileSync(join(broken, "clinical.csv"), `${lines.join("\n")}\n`);
  mkdirSync(join(broken, "cases", "c99")); // a folder without a row
  writeFileSync(join(broken, "cases", "c04", "tumor.nii.gz"), Buffer.from("not a nifti file at all"));
  rmSync(join(broken, "cases", "c06", "registration.tfm"));
  return broken;
};

describe("cryomargin validate", () => {
  it("a clean cohort: exit 0, every case measured", () => {
    const r = run("validate", cohort, "--quiet");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`valid — ${specs.length} case(s) (synthetic cohort)`);
  });

  it("a broken cohort: lists every problem at once, each naming file, case and field; exit 1", async () => {
    const r = await inProcess("validate", brokenCohort(), "--quiet");
    expect(r.status).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/clinical\.csv line 2, case c01, field sex: 'mail'/);
    expect(out).toMatch(/clinical\.csv line 3, case c02, field age_years: '-3'/);
    expect(out).toMatch(/clinical\.csv line 6, case c05, field months_to_ltp/);
    expect(out).toMatch(/case c03.*(duplicate|repeats|twice)/i);
    expect(out).toMatch(/case c09.*cases\/c09/);
    expect(out).toMatch(/cases\/c99/);
    expect(out).toMatch(/cases\/c04\/tumor\.nii\.gz, case c04/);
    expect(out).toMatch(/case c06.*registration\.tfm/);
    expect(out).toMatch(/^error: /m);
    // every listed error carries a location; at least the eight planted ones are reported
    expect(out.split("\n").filter((l) => l.startsWith("error: ")).length).toBeGreaterThanOrEqual(8);
  });

  it("takes --tumor-outline as margins and analyze do; a bad value is a usage error", async () => {
    const bad = await inProcess("validate", cohort, "--tumor-outline", "jagged", "--quiet");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--tumor-outline must be one of auto, smooth, drawn, got 'jagged'");
    const smooth = await inProcess("validate", cohort, "--tumor-outline", "smooth", "--quiet");
    expect(smooth.status).toBe(0);
    expect(smooth.stdout).toContain(`valid — ${specs.length} case(s)`);
  });

  it("a missing folder is an error, not a crash", async () => {
    const r = await inProcess("validate", join(tmp.dir, "nowhere"), "--quiet");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("no such cohort folder");
  });
});

describe("cryomargin analyze", () => {
  const out = join(tmp.dir, "results");
  /**
   * A new output folder holding the margin cache of `out` (content-addressed: cases whose masks,
   * transform and options are the same are read, not measured again). For the runs that check what
   * analyze does with the clinical table or the statistics, on masks the first run measured.
   */
  const outWithMarginCache = (name: string): string => {
    const dir = join(tmp.dir, name);
    cpSync(join(out, ".cache", "margins"), join(dir, ".cache", "margins"), { recursive: true });
    return dir;
  };

  /** The first run, by the compiled command: it measures every case and fills the margin cache. */
  let first: ReturnType<typeof run>;
  beforeAll(() => {
    first = run("analyze", cohort, "--out", out, "--quiet");
  });

  it("writes every table (CSV, JSON, Markdown), per-case margins and figures (SVG, PNG)", () => {
    const r = first;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${specs.length} measured, 0 from cache`);
    for (const t of ["table1", "table2", "table3", "mtm_by_outcome", "size_vs_mtm", "survival", "counts", "margins"])
      for (const ext of ["csv", "json", "md"]) expect(existsSync(join(out, `${t}.${ext}`)), `${t}.${ext}`).toBe(true);
    for (const f of ["mtm-by-outcome", "mtm-versus-size", "ltp-free-survival", "cox-forest", "coverage-by-case"]) {
      expect(readFileSync(join(out, "figures", `${f}.svg`), "utf8")).toMatch(/^<svg|<\?xml/);
      expect(
        readFileSync(join(out, "figures", `${f}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe("PNG");
    }
    expect(readFileSync(join(out, "README.md"), "utf8")).toContain("Synthetic cohort");
    // not the paper's twin: no reproduction report
    expect(existsSync(join(out, "reproduction.md"))).toBe(false);
  });

  it("measures each case's MTM to within the engine's bar of the closed form, and rounds as the paper", () => {
    for (const s of specs) {
      const json = JSON.parse(readFileSync(join(out, "cases", `${s.id}.json`), "utf8"));
      expect(Math.abs(json.mtm_mm - exactMtm(s)), s.id).toBeLessThanOrEqual(0.9);
      expect(json.mtm_mm_rounded).toBe(Math.round(json.mtm_mm));
    }
    const margins = JSON.parse(readFileSync(join(out, "margins.json"), "utf8"));
    expect(JSON.stringify(margins)).toContain("c08");
  });

  it("a second run reads every case from the cache; a changed mask is re-measured", async () => {
    const again = await inProcess("analyze", cohort, "--out", out, "--quiet");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`0 measured, ${specs.length} from cache`);
    writeCase(cohort, { ...specs[2], tumorMm: 9 });
    const changed = await inProcess("analyze", cohort, "--out", out, "--quiet");
    expect(changed.status).toBe(0);
    expect(changed.stdout).toContain(`1 measured, ${specs.length - 1} from cache`);
    const c03 = JSON.parse(readFileSync(join(out, "cases", "c03.json"), "utf8"));
    expect(Math.abs(c03.mtm_mm - exactMtm({ ...specs[2], tumorMm: 9 }))).toBeLessThanOrEqual(0.9);
    writeCase(cohort, specs[2]);
  });

  it("reads a European CSV (semicolons, decimal comma, BOM) to the same results", async () => {
    const euro = join(tmp.dir, "euro");
    cpSync(cohort, euro, { recursive: true });
    // Every time half a month longer, written with a decimal comma; fields separated by semicolons.
    const text = [
      header.replaceAll(",", ";"),
      ...specs.map((s, i) => row({ ...s, months: s.months + 0.5 }, i, true)),
    ].join("\r\n");
    writeFileSync(join(euro, "clinical.csv"), `\ufeff${text}`);
    const r = await inProcess("analyze", euro, "--out", outWithMarginCache("euro-results"), "--quiet");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`0 measured, ${specs.length} from cache`);
    const followUp = JSON.parse(readFileSync(join(tmp.dir, "euro-results", "follow_up.json"), "utf8"));
    // every follow-up is half a month longer than in the comma file: the decimal comma was read
    expect(followUp.followUp.maxMonths).toBe(40.5);
    expect(followUp.followUp.minMonths).toBe(6.5);
  });

  it("refuses a broken cohort and writes nothing", async () => {
    const r = await inProcess("analyze", brokenCohort(), "--out", join(tmp.dir, "never"), "--quiet");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("nothing was written");
    expect(existsSync(join(tmp.dir, "never"))).toBe(false);
  });

  it("--conventions spss switches the methods; a bad option is a usage error", async () => {
    const spss = outWithMarginCache("spss");
    const r = await inProcess("analyze", cohort, "--out", spss, "--conventions", "spss", "--quiet");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`0 measured, ${specs.length} from cache`);
    const methods = readFileSync(join(spss, "methods.md"), "utf8");
    expect(methods).toMatch(/Breslow/);
    expect(methods).toMatch(/type 6/);
    const bad = await inProcess("analyze", cohort, "--conventions", "sas");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--conventions must be one of r, spss, got 'sas'");
  });

  it("--mtm-reading as-drawn (or cohort.json's mtm_reading) puts each case's mtm_as_drawn_mm in every statistic", async () => {
    /** margins.csv's columns by name, one record per case. */
    const marginsCsv = (dir: string) => {
      const [head, ...rows] = readFileSync(join(dir, "margins.csv"), "utf8").trimEnd().split("\n");
      const names = head.split(",");
      return rows.map((line) => Object.fromEntries(line.split(",").map((v, i) => [names[i], v])));
    };
    const fitted = marginsCsv(out);
    expect(fitted.every((c) => c.mtm_for_statistics_mm === String(Math.round(Number(c.mtm_mm))))).toBe(true);
    // smooth rasterised balls: the outline test reads every tumor fitted, and margins.csv says so
    expect(fitted.map((c) => c.tumor_outline_reading)).toEqual(specs.map(() => "fitted"));
    expect(JSON.parse(readFileSync(join(out, "methods.json"), "utf8")).mtm).toContain(
      `tumor outline auto: the outline test read 0 of ${specs.length} tumors as drawn`,
    );
    const drawn = outWithMarginCache("as-drawn");
    const r = await inProcess(
      "analyze",
      cohort,
      "--out",
      drawn,
      "--mtm-reading",
      "as-drawn",
      "--mtm",
      "raw",
      "--quiet",
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`0 measured, ${specs.length} from cache`);
    const rows = marginsCsv(drawn);
    // On 3 mm slices the iso-surface and the fitted surface differ somewhere in this cohort.
    expect(rows.some((c) => c.mtm_as_drawn_mm !== c.mtm_mm)).toBe(true);
    for (const c of rows) expect(Number(c.mtm_for_statistics_mm), c.case_id).toBe(Number(c.mtm_as_drawn_mm));
    const byOutcome = JSON.parse(readFileSync(join(drawn, "mtm_by_outcome.json"), "utf8"));
    expect(byOutcome.overall.min).toBe(Math.min(...rows.map((c) => Number(c.mtm_as_drawn_mm))));
    const methods = JSON.parse(readFileSync(join(drawn, "methods.json"), "utf8"));
    expect(methods.options.mtmReading).toBe("as-drawn");
    expect(methods.mtm).toContain("as drawn");
    expect(readFileSync(join(drawn, "methods.md"), "utf8")).toContain("mtm_as_drawn_mm");
    expect(JSON.parse(readFileSync(join(out, "methods.json"), "utf8")).options.mtmReading).toBe("fitted");
    // the cohort's own setting, and a bad one
    const setting = join(tmp.dir, "as-drawn-cohort");
    cpSync(cohort, setting, { recursive: true });
    writeFileSync(join(setting, "cohort.json"), JSON.stringify({ name: "ball cohort", mtm_reading: "as-drawn" }));
    const bySetting = outWithMarginCache("as-drawn-setting");
    expect((await inProcess("analyze", setting, "--out", bySetting, "--mtm", "raw", "--quiet")).status).toBe(0);
    expect(marginsCsv(bySetting).map((c) => c.mtm_for_statistics_mm)).toEqual(rows.map((c) => c.mtm_for_statistics_mm));
    writeFileSync(join(setting, "cohort.json"), JSON.stringify({ name: "ball cohort", mtm_reading: "iso" }));
    const refused = await inProcess("analyze", setting, "--out", outWithMarginCache("never-drawn"), "--quiet");
    expect(refused.status).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/cohort\.json.*mtm_reading.*iso/);
    const smooth = outWithMarginCache("smooth-outline");
    expect((await inProcess("analyze", cohort, "--out", smooth, "--tumor-outline", "smooth", "--quiet")).status).toBe(
      0,
    );
    expect(JSON.parse(readFileSync(join(smooth, "methods.json"), "utf8")).mtm).toContain(
      "tumor outline smooth, as asked: every tumor read on its fitted surface",
    );
    // cohort.json's tumor_outline reads the cases as --tumor-outline does (the same cache entries)
    const smoothCohort = join(tmp.dir, "smooth-outline-cohort");
    cpSync(cohort, smoothCohort, { recursive: true });
    writeFileSync(join(smoothCohort, "cohort.json"), JSON.stringify({ name: "ball cohort", tumor_outline: "smooth" }));
    const bySmoothSetting = join(tmp.dir, "smooth-outline-setting");
    cpSync(join(smooth, ".cache", "margins"), join(bySmoothSetting, ".cache", "margins"), { recursive: true });
    const smoothSetting = await inProcess("analyze", smoothCohort, "--out", bySmoothSetting, "--quiet");
    expect(smoothSetting.status).toBe(0);
    expect(smoothSetting.stdout).toContain(`0 measured, ${specs.length} from cache`);
    expect(JSON.parse(readFileSync(join(bySmoothSetting, "methods.json"), "utf8")).mtm).toContain(
      "tumor outline smooth, as asked",
    );
    writeFileSync(join(smoothCohort, "cohort.json"), JSON.stringify({ name: "ball cohort", tumor_outline: "jagged" }));
    const badSetting = await inProcess("validate", smoothCohort, "--quiet");
    expect(badSetting.status).toBe(1);
    expect(badSetting.stdout).toMatch(/cohort\.json.*tumor_outline.*jagged/);
    const bad = await inProcess("analyze", cohort, "--mtm-reading", "iso");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--mtm-reading must be one of fitted, as-drawn, got 'iso'");
  });
});

describe("analyze's summary of per-case margin warnings", () => {
  const margins = (warnings: string[][]) =>
    new Map(warnings.map((w, i) => [`c${i}`, { warnings: w } as unknown as MarginsJson]));

  it("counts the warned cases and, apart, those whose minimum lies at a concave crease", () => {
    const lines = marginWarningSummary(
      margins([[], [`${CONCAVE_CREASE_WARNING} (it turns inward by 40°)`], ["12.0% of the tumor volume maps outside"]]),
    );
    expect(lines).toEqual([
      "warning: 2 of 3 cases carry margin warnings (margins.csv, column warnings); in 1 the minimum margin lies at a concave crease of the ice ball, where it may read high",
    ]);
    expect(
      marginWarningSummary(margins([[`${FALLBACK_AT_MINIMUM_WARNING}: a part one slice thick of the tumor`], []])),
    ).toEqual([
      "warning: 1 of 2 cases carry margin warnings (margins.csv, column warnings); in 1 it rests on a part of a surface the reconstruction could not model (see mtm_mask_range_mm)",
    ]);
    expect(marginWarningSummary(margins([["the tumor mask touches the edge of its scan"]]))).toEqual([
      "warning: 1 of 1 cases carry margin warnings (margins.csv, column warnings)",
    ]);
    expect(marginWarningSummary(margins([[], []]))).toEqual([]);
  });
});
