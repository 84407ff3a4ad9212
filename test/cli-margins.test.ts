/**
 * `cryomargin margins` end to end, on masks of analytic spheres written with writeNiftiFile: the
 * tumor on a 1 mm grid (pre-ablation), the ice ball on a 1.2 × 1.2 × 3 mm grid (post-ablation) with its
 * own origin, and a known translation between the two scans. The exact MTM of two spheres is
 * R_ice − |c_ice − T(c_tumor)| − r_tumor; the tolerance is the issue's bar for a single case at this
 * spacing (max |error| ≤ 0.9 mm), tight enough to tell every transform direction apart (the three
 * readings below differ by ≥ 6 mm).
 *
 * The process itself (its JSON alone on stdout, nothing on stderr; worker threads; the progress bar on a
 * terminal) runs as a user runs it, the compiled command; the tests of what a run computes, prints and
 * exits with call its main() in this process (test/helpers/cli.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Mat4 } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mat4FromRows } from "../loaders/io/affine.js";
import { writeNiftiFile } from "../loaders/io/nifti.js";
import { formatItkTransform } from "../loaders/io/transform.js";
import { runCliInProcess } from "./helpers/cli.js";
import { axisAlignedGrid, ballMask, temporaryFolder } from "./helpers/nifti.js";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
/** `cryomargin margins ARGS`, the compiled command in a process of its own. */
const run = (...args: string[]) => spawnSync(process.execPath, [bin, "margins", ...args], { encoding: "utf8" });
/** `cryomargin margins ARGS` through main() in this process. */
const margins = (...args: string[]) => runCliInProcess(["margins", ...args]);

const tmp = temporaryFolder("cryomargin-cli-margins-");
afterAll(tmp.remove);

/** The issue's bar for one measurement at 1.2 × 1.2 × 3.0 mm: max |error| ≤ 0.9 mm. */
const MTM_TOLERANCE_MM = 0.9;
const TUMOR_RADIUS_MM = 10;
const ICE_RADIUS_MM = 18;
/** Ice-ball centre in post-ablation world mm. */
const ICE_CENTRE: [number, number, number] = [6, 0, 0];

const translation = (x: number, y: number, z: number): Mat4 =>
  mat4FromRows([
    [1, 0, 0, x],
    [0, 1, 0, y],
    [0, 0, 1, z],
  ]);

/** Paths of the fixture files, written once. */
const f = {
  tumor: join(tmp.dir, "tumor.nii.gz"),
  iceball: join(tmp.dir, "iceball.nii.gz"),
  /** pre → post translation (+6, 0, 0): the tumor lands centred in the ice ball. */
  centred: join(tmp.dir, "centred.tfm"),
  /** the same registration written the other way (post → pre): needs --invert. */
  reversed: join(tmp.dir, "reversed.tfm"),
  json: join(tmp.dir, "centred.json"),
  scaled: join(tmp.dir, "scaled.tfm"),
  far: join(tmp.dir, "far.tfm"),
  edge: join(tmp.dir, "edge.tfm"),
  empty: join(tmp.dir, "empty.nii.gz"),
  garbage: join(tmp.dir, "garbage.tfm"),
};

/**
 * `margins --tumor --iceball --transform centred`, run once for the file: three tests read the same
 * command's output (its keys and MTM, the same bytes with --label 1, the cohort's per-case JSON).
 */
let centredRunResult: ReturnType<typeof run> | undefined;
const centredRun = () => {
  centredRunResult ??= run("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.centred);
  return centredRunResult;
};

/** Exact MTM of the two spheres when the tumor centre lands at `centre` (post world). */
function exactMtm(centre: [number, number, number]): number {
  return ICE_RADIUS_MM - Math.hypot(...centre.map((v, a) => v - ICE_CENTRE[a])) - TUMOR_RADIUS_MM;
}

beforeAll(() => {
  const tumorGrid = axisAlignedGrid([1, 1, 1], [-20, -20, -20]);
  writeNiftiFile(f.tumor, {
    dims: [41, 41, 41],
    voxelToWorld: tumorGrid,
    data: ballMask([41, 41, 41], tumorGrid, [0, 0, 0], TUMOR_RADIUS_MM),
  });
  const iceGrid = axisAlignedGrid([1.2, 1.2, 3], [-24.6, -30.3, -31.5]);
  writeNiftiFile(f.iceball, {
    dims: [52, 51, 22],
    voxelToWorld: iceGrid,
    data: ballMask([52, 51, 22], iceGrid, ICE_CENTRE, ICE_RADIUS_MM),
  });
  writeNiftiFile(f.empty, { dims: [4, 4, 4], voxelToWorld: tumorGrid, data: new Uint8Array(64) });
  writeFileSync(f.centred, formatItkTransform(translation(6, 0, 0), { kind: "versor" }));
  writeFileSync(f.reversed, formatItkTransform(translation(-6, 0, 0)));
  writeFileSync(
    f.json,
    JSON.stringify({
      space: "LPS",
      matrix: [
        [1, 0, 0, -6],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
    }),
  );
  writeFileSync(
    f.scaled,
    formatItkTransform(
      mat4FromRows([
        [1.05, 0, 0, 6],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
      ]),
    ),
  );
  writeFileSync(f.far, formatItkTransform(translation(500, 0, 0)));
  // The ice grid ends at x = −24.6 + 51·1.2 = 36.6 mm (+0.6 half voxel): shift the tumor so its right
  // part (x > 37.2) falls outside the field of view.
  writeFileSync(f.edge, formatItkTransform(translation(32, 0, 0)));
  writeFileSync(f.garbage, "#Insight Transform File V1.0\nTransform: AffineTransform_double_3_3\nParameters: 1 2\n");
});

describe("cryomargin margins, one case", () => {
  it("prints exactly the issue's JSON keys, and the MTM of the centred spheres", () => {
    const r = centredRun();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual([
      "mtm_mm",
      "mtm_mm_rounded",
      "mtm_mask_range_mm",
      "mtm_as_drawn_mm",
      "tumor_outline",
      "min_margin_point_ras",
      "min_margin_octant",
      "threshold_mm",
      "tumor_volume_ml",
      "iceball_volume_ml",
      "tumor_max_diameter_mm",
      "coverage",
      "octants",
      "warnings",
    ]);
    expect(Object.keys(json.coverage)).toEqual(["fraction_green", "fraction_yellow", "fraction_red"]);
    expect(json.octants).toHaveLength(8);
    for (const o of json.octants)
      expect(Object.keys(o)).toEqual([
        "name",
        "tumor_volume_ml",
        "min_margin_mm",
        "fraction_green",
        "fraction_yellow",
        "fraction_red",
      ]);
    const expected = exactMtm([6, 0, 0]); // 8 mm
    expect(Math.abs(json.mtm_mm - expected)).toBeLessThanOrEqual(MTM_TOLERANCE_MM);
    expect(json.mtm_mm_rounded).toBe(Math.round(json.mtm_mm));
    // The range the masks allow holds the exact MTM and the engine's reading.
    const [lo, hi] = json.mtm_mask_range_mm;
    expect(lo).toBeLessThanOrEqual(Math.min(expected, json.mtm_mm));
    expect(hi).toBeGreaterThanOrEqual(Math.max(expected, json.mtm_mm));
    // The mask's 0.5 iso-surface is one of the surfaces the tumor mask allows.
    expect(json.mtm_as_drawn_mm).toBeGreaterThanOrEqual(lo);
    expect(json.mtm_as_drawn_mm).toBeLessThanOrEqual(hi);
    // A rasterised sphere: its outlines follow one smooth surface, so it is read fitted.
    expect(json.tumor_outline.mode).toBe("auto");
    expect(json.tumor_outline.reading).toBe("fitted");
    expect(json.tumor_outline.misfit).toBeLessThan(json.tumor_outline.limit);
    expect(json.threshold_mm).toBe(5);
    // a covered tumor with ≥ 7 mm everywhere: all green
    expect(json.coverage).toEqual({ fraction_green: 1, fraction_yellow: 0, fraction_red: 0 });
    // volumes within 3% of the spheres' (4/3 π r³), diameter within one voxel diagonal
    expect(json.tumor_volume_ml).toBeCloseTo(((4 / 3) * Math.PI * 1000) / 1000, 0);
    expect(Math.abs(json.tumor_volume_ml / ((4 / 3) * Math.PI) - 1)).toBeLessThan(0.03);
    expect(Math.abs(json.iceball_volume_ml / (((4 / 3) * Math.PI * 18 ** 3) / 1000) - 1)).toBeLessThan(0.03);
    expect(Math.abs(json.tumor_max_diameter_mm - 20)).toBeLessThanOrEqual(Math.sqrt(3));
    const octantVolume = json.octants.reduce((s: number, o: { tumor_volume_ml: number }) => s + o.tumor_volume_ml, 0);
    expect(octantVolume).toBeCloseTo(json.tumor_volume_ml, 2);
    expect(json.warnings).toEqual([]);
  });

  it("the transform direction matters: identity, pre → post, and post → pre with --invert", async () => {
    const identity = JSON.parse((await margins("--tumor", f.tumor, "--iceball", f.iceball)).stdout);
    expect(Math.abs(identity.mtm_mm - exactMtm([0, 0, 0]))).toBeLessThanOrEqual(MTM_TOLERANCE_MM); // 2 mm
    // Reading the post → pre file as if it were pre → post moves the tumor the wrong way: uncovered.
    const wrongWay = JSON.parse(
      (await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.reversed)).stdout,
    );
    expect(Math.abs(wrongWay.mtm_mm - exactMtm([-6, 0, 0]))).toBeLessThanOrEqual(MTM_TOLERANCE_MM); // −4 mm
    expect(wrongWay.coverage.fraction_red).toBeGreaterThan(0);
    const inverted = JSON.parse(
      (await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.reversed, "--invert")).stdout,
    );
    expect(Math.abs(inverted.mtm_mm - exactMtm([6, 0, 0]))).toBeLessThanOrEqual(MTM_TOLERANCE_MM);
    // JSON in LPS: x translation −6 LPS = +6 RAS
    const json = JSON.parse((await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.json)).stdout);
    expect(json.mtm_mm).toBe(inverted.mtm_mm);
  });

  it("--threshold moves the coverage classes; --format table prints the same keys", async () => {
    const strict = JSON.parse(
      (await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.centred, "--threshold", "12")).stdout,
    );
    expect(strict.threshold_mm).toBe(12);
    expect(strict.coverage.fraction_green).toBeLessThan(1);
    expect(strict.coverage.fraction_red).toBe(0);
    const table = await margins("--tumor", f.tumor, "--iceball", f.iceball, "--format", "table");
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^mtm_mm\s+\S+/m);
    expect(table.stdout).toContain("octants:");
  });

  it("--label N selects the voxels equal to N in both masks", async () => {
    const byDefault = centredRun().stdout;
    expect(
      (await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.centred, "--label", "1")).stdout,
    ).toBe(byDefault);
    const r = await margins("--tumor", f.tumor, "--iceball", f.iceball, "--label", "2");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tumor\.nii\.gz: the mask is empty: no voxel has label 2 \(non-zero values present: 1\)/);
  });

  it("a tumor partly outside the post-ablation field of view: measured, with a warning giving the fraction", async () => {
    const r = await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.edge);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.warnings.join("\n")).toMatch(
      /\d+(\.\d)?% of the tumor volume maps outside the post-ablation scan's field of view/,
    );
  });
});

describe("cryomargin margins, bad input: exit 1 naming the file, nothing on stdout", () => {
  const bad = async (args: string[], pattern: RegExp) => {
    const r = await margins(...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(pattern);
    return r;
  };

  it("missing file", async () => {
    const missing = join(tmp.dir, "nope.nii.gz");
    await bad(["--tumor", missing, "--iceball", f.iceball], new RegExp(`${missing}: no such file`));
  });

  it("empty mask", async () => {
    await bad(["--tumor", f.empty, "--iceball", f.iceball], /empty\.nii\.gz: the mask is empty: no voxel is > 0/);
  });

  it("tumor wholly outside the post scan after the transform", async () => {
    await bad(
      ["--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.far],
      /tumor\.nii\.gz: the tumor maps wholly outside the post-ablation scan .*iceball\.nii\.gz.*far\.tfm/,
    );
  });

  it("non-rigid transform, accepted with --allow-affine", async () => {
    await bad(
      ["--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.scaled],
      /scaled\.tfm: the transform is not rigid/,
    );
    expect(
      (await margins("--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.scaled, "--allow-affine")).status,
    ).toBe(0);
  });

  it("unreadable transform file", async () => {
    await bad(
      ["--tumor", f.tumor, "--iceball", f.iceball, "--transform", f.garbage],
      /garbage\.tfm: line 2: AffineTransform_double_3_3 needs 12 Parameters, the file has 2/,
    );
  });

  it("usage errors exit 2 with the usage", async () => {
    for (const args of [
      ["--tumor", f.tumor],
      ["--tumor", f.tumor, "--iceball", f.iceball, "--format", "xml"],
      ["--tumor", f.tumor, "--iceball", f.iceball, "--threshold", "five"],
      ["--tumor", f.tumor, "--iceball", f.iceball, "--threshold", "-1"],
      ["--tumor", f.tumor, "--iceball", f.iceball, "--frobnicate"],
      ["--cohort", tmp.dir, "--tumor", f.tumor],
    ]) {
      const r = await margins(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("Usage: cryomargin margins");
    }
  });
});

describe("cryomargin margins --cohort", () => {
  /** A cohort folder with the given case ids; `broken` cases lack their ice ball. */
  function cohort(name: string, ids: string[], broken: string[] = []): string {
    const dir = join(tmp.dir, name);
    for (const id of ids) {
      const caseDir = join(dir, "cases", id);
      mkdirSync(caseDir, { recursive: true });
      writeFileSync(join(caseDir, "tumor.nii.gz"), readFileSync(f.tumor));
      if (!broken.includes(id)) writeFileSync(join(caseDir, "iceball.nii.gz"), readFileSync(f.iceball));
      writeFileSync(join(caseDir, "registration.tfm"), readFileSync(id.endsWith("b") ? f.reversed : f.centred));
    }
    writeFileSync(join(dir, "clinical.csv"), `case_id,patient_id\n${ids.map((id) => `${id},p-${id}`).join("\n")}\n`);
    return dir;
  }

  it("measures every case in worker threads, one JSON each and a CSV summary", () => {
    const dir = cohort("good", ["c01", "c02b", "c03"]);
    const out = join(tmp.dir, "good-out");
    const r = run("--cohort", dir, "--out", out, "--jobs", "2");
    expect(r.stderr).toBe(""); // not a terminal: no progress bar
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("3 of 3 cases measured");
    expect(readdirSync(out).sort()).toEqual(["c01.json", "c02b.json", "c03.json", "margins.csv"]);
    const single = JSON.parse(centredRun().stdout);
    // the cohort's JSON is the single case's, and says where its registration came from
    const { registration, ...measured } = JSON.parse(readFileSync(join(out, "c01.json"), "utf8"));
    expect(measured).toEqual(single);
    expect(registration).toEqual({ source: "supplied", tfm: "cases/c01/registration.tfm" });
    const csv = readFileSync(join(out, "margins.csv"), "utf8").trim().split("\n");
    expect(csv[0].split(",").slice(0, 3)).toEqual(["case_id", "mtm_mm", "mtm_mm_rounded"]);
    expect(csv).toHaveLength(4);
    const mtm = (line: string) => Number(line.split(",")[1]);
    expect(mtm(csv[1])).toBe(single.mtm_mm);
    expect(mtm(csv[2])).toBeLessThan(0); // c02b holds the reversed file: uncovered
    expect(mtm(csv[3])).toBe(single.mtm_mm);
    // Which reading mtm_mm is (the outline test): the rasterised spheres are read fitted.
    const readingColumn = csv[0].split(",").indexOf("tumor_outline_reading");
    expect(readingColumn).toBeGreaterThan(0);
    for (const line of csv.slice(1)) expect(line.split(",")[readingColumn]).toBe("fitted");
  });

  it.skipIf(!existsSync("/usr/bin/script"))("draws a progress bar on a terminal (stderr is a TTY)", () => {
    const dir = cohort("tty", ["t1", "t2"]);
    const command = [process.execPath, bin, "margins", "--cohort", dir, "--jobs", "1"].map((a) => `'${a}'`).join(" ");
    // util-linux script(1) runs the command on a pseudo-terminal and echoes what it writes
    const r = spawnSync("/usr/bin/script", ["-qec", command, "/dev/null"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`[${"#".repeat(15)}${"-".repeat(15)}] 1/2 t1`);
    expect(r.stdout).toContain(`[${"#".repeat(30)}] 2/2 t2`);
    expect(r.stdout).toMatch(/1\/2 t1 +\d+(\.\d)? cases\/s {2}ETA \d+ s/); // rate and time left
    expect(r.stdout).toMatch(/2\/2 t2 +\d+(\.\d)? cases\/s {2}done/);
  });

  it("a broken case is reported (exit 1, named) while the others are written", () => {
    const dir = cohort("broken", ["c01", "c02"], ["c02"]);
    const r = run("--cohort", dir, "--jobs", "2");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/case c02: .*cases\/c02\/iceball\.nii\.gz: no such file/);
    expect(r.stderr).toContain("1 of 2 cases could not be measured");
    const out = join(dir, "margins");
    expect(readdirSync(out).sort()).toEqual(["c01.json", "margins.csv"]);
    const csv = readFileSync(join(out, "margins.csv"), "utf8");
    expect(csv).toMatch(/^c02,{14}.*no such file/m);
  });

  it("reads the tumors as cohort.json's tumor_outline says unless --tumor-outline is given; a bad one is an error naming it", () => {
    const dir = cohort("drawn-outline", ["d1"]);
    writeFileSync(join(dir, "cohort.json"), JSON.stringify({ tumor_outline: "drawn" }));
    const mode = (out: string) => JSON.parse(readFileSync(join(out, "d1.json"), "utf8")).tumor_outline;
    expect(run("--cohort", dir, "--out", join(dir, "by-cohort")).status).toBe(0);
    expect(mode(join(dir, "by-cohort"))).toMatchObject({ mode: "drawn", reading: "as drawn" });
    expect(run("--cohort", dir, "--out", join(dir, "by-flag"), "--tumor-outline", "auto").status).toBe(0);
    expect(mode(join(dir, "by-flag"))).toMatchObject({ mode: "auto", reading: "fitted" });
    writeFileSync(join(dir, "cohort.json"), JSON.stringify({ tumor_outline: "jagged" }));
    const bad = run("--cohort", dir, "--out", join(dir, "never"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /drawn-outline\/cohort\.json: field tumor_outline: 'jagged' must be "auto" or "smooth" or "drawn"/,
    );
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("a clinical.csv without case_id is an error naming it", () => {
    const dir = join(tmp.dir, "no-ids");
    mkdirSync(dir);
    writeFileSync(join(dir, "clinical.csv"), "patient,age\np1,60\n");
    const r = run("--cohort", dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no-ids\/clinical\.csv: column 'case_id' not found/);
    expect(existsSync(join(dir, "margins"))).toBe(false);
  });
});
