/**
 * Cohorts whose cases hold pre/post scans instead of registration.tfm: validate accepts them, analyze and
 * margins --cohort register them (as `cryomargin register`) before measuring, write the transform under
 * the output folder only, cache it, and say which cases were registered.
 *
 * The cohort is four cases of data/cohort (made by `synth --images`): S01 and S05 without their
 * registration.tfm (the truth stays in data/cohort, outside the folder the pipeline reads), S02 with both
 * a transform and scans, S11 with its transform only. Two registrations (elastix, ≈ 3–7 s CPU each) are
 * the cost of the file; every later run reads them from the cache.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  measureMargins,
  parseDelimited,
  rigidAbout,
  targetRegistrationErrorMm,
  tumorTargetPoints,
} from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCachedRegistration } from "../loaders/cohort/cohortRegistration.js";
import { readMask, readNiftiImage, writeNiftiFile } from "../loaders/io/nifti.js";
import { formatItkTransform, readTransformFile } from "../loaders/io/transform.js";
import { runCliInProcess } from "./helpers/cli.js";
import { folderState } from "./helpers/cohort.js";
import { temporaryFolder } from "./helpers/nifti.js";

const source = new URL("../data/cohort/", import.meta.url).pathname;
const CASES = ["S01", "S02", "S05", "S11"];
const REGISTERED = ["S01", "S05"];

const tmp = temporaryFolder("cryomargin-cohort-register-");
afterAll(tmp.remove);
const cohort = join(tmp.dir, "cohort");
const out = join(tmp.dir, "results");

beforeAll(() => {
  mkdirSync(join(cohort, "cases"), { recursive: true });
  const lines = readFileSync(join(source, "clinical.csv"), "utf8").trimEnd().split("\n");
  writeFileSync(
    join(cohort, "clinical.csv"),
    `${[lines[0], ...lines.filter((l) => CASES.includes(l.split(",")[0]))].join("\n")}\n`,
  );
  writeFileSync(join(cohort, "cohort.json"), JSON.stringify({ name: "scans cohort", synthetic: true }));
  for (const caseId of CASES) cpSync(join(source, "cases", caseId), join(cohort, "cases", caseId), { recursive: true });
  for (const caseId of REGISTERED) rmSync(join(cohort, "cases", caseId, "registration.tfm"));
  for (const scan of ["pre.nii.gz", "post.nii.gz"]) rmSync(join(cohort, "cases", "S11", scan));
});

describe("a cohort with scans and no transform", () => {
  it("validate accepts it, says which cases will be registered and that a case with both uses its tfm", async () => {
    const run = await runCliInProcess(["validate", cohort, "--quiet"]);
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      "registration: 2 case(s) without registration.tfm will be registered by cryomargin (analyze, margins --cohort",
    );
    expect(run.stdout).toMatch(/will be registered .*: S01, S05\n/);
    expect(run.stdout).toContain(
      "registration: 1 case(s) hold registration.tfm and pre/post scans: the registration.tfm is used, the scans are not registered (S02)",
    );
    expect(run.stdout).toContain(`${cohort}: valid — 4 case(s)`);
  });

  describe("after a first analyze (two registrations: the cost of this file, in this hook)", () => {
    let first: Awaited<ReturnType<typeof runCliInProcess>>;
    let inputBefore: [string, string][];
    beforeAll(async () => {
      inputBefore = folderState(cohort);
      first = await runCliInProcess(["analyze", cohort, "--out", out, "--quiet"]);
    });

    it("analyze registers them: TRE and MTM against the true transform, tfm under OUT only, JSON and methods say so; the second run is cached", async () => {
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toContain("4 cases, 4 measured, 0 from cache");
      expect(first.stdout).toContain(
        `registration: 2 of 4 cases registered by cryomargin (0 from cache) → ${join(out, "registrations", "<case_id>.tfm")}; the other 2 use their registration.tfm`,
      );
      // Nothing is written into the cohort folder.
      expect(folderState(cohort)).toEqual(inputBefore);

      const tre: number[] = [];
      for (const caseId of REGISTERED) {
        const dir = join(cohort, "cases", caseId);
        const estimated = readTransformFile(join(out, "registrations", `${caseId}.tfm`));
        const truth = readTransformFile(join(source, "cases", caseId, "registration.tfm"));
        const tumor = readMask(join(dir, "tumor.nii.gz")).mask;
        const iceball = readMask(join(dir, "iceball.nii.gz")).mask;
        tre.push(targetRegistrationErrorMm(tumorTargetPoints(tumor), estimated, truth));
        const json = JSON.parse(readFileSync(join(out, "cases", `${caseId}.json`), "utf8"));
        // The analysis measured through the transform it wrote, and that MTM is near the truth's.
        expect(json.mtm_mm).toBeCloseTo(measureMargins(tumor, iceball, estimated).mtmMm, 2);
        expect(Math.abs(json.mtm_mm - measureMargins(tumor, iceball, truth).mtmMm)).toBeLessThanOrEqual(0.5);
        expect(json.registration).toMatchObject({
          source: "cryomargin register",
          tfm: `registrations/${caseId}.tfm`,
          fixed: `cases/${caseId}/pre.nii.gz`,
          moving: `cases/${caseId}/post.nii.gz`,
          roi_mask: `cases/${caseId}/tumor.nii.gz`,
          roi_margin_mm: 30,
        });
        expect(json.registration.final_metric).toBeGreaterThan(json.registration.initial_metric);
      }
      console.log(`cohort registration TRE (mm): ${tre.map((t) => t.toFixed(3)).join(", ")}`);
      for (const t of tre) expect(t).toBeLessThanOrEqual(1.5);
      expect(tre.reduce((a, b) => a + b) / tre.length).toBeLessThanOrEqual(1.0);

      const s02 = JSON.parse(readFileSync(join(out, "cases", "S02.json"), "utf8"));
      expect(s02.registration).toEqual({
        source: "supplied",
        tfm: "cases/S02/registration.tfm",
        note: "the case also holds pre- and post-ablation scans: its registration.tfm is used, they are not registered",
      });
      expect(JSON.parse(readFileSync(join(out, "cases", "S11.json"), "utf8")).registration).toEqual({
        source: "supplied",
        tfm: "cases/S11/registration.tfm",
      });
      const methods = parseDelimited(readFileSync(join(out, "methods.csv"), "utf8"));
      const row = methods.rows.find((r) => r[0] === "Registration");
      expect(row?.[1]).toMatch(/^S01 and S05 \(2 of 4 cases\): registered by cryomargin/);
      expect(row?.[1]).toContain(
        "The other 2 cases: the transform supplied with the cohort (registration.tfm); 1 of them also holds pre- and post-ablation scans, which were not registered.",
      );

      const second = await runCliInProcess(["analyze", cohort, "--out", out, "--quiet"]);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain("4 cases, 0 measured, 4 from cache");
      expect(second.stdout).toContain("registration: 2 of 4 cases registered by cryomargin (2 from cache)");
    });

    it("margins --cohort (and --export) registers the same way (here from its output folder's cache) and writes the tfm beside its JSON", async () => {
      // S01 (no transform) and S02 (its own) alone: margins --cohort reads only case_id
      const pair = join(tmp.dir, "pair");
      mkdirSync(join(pair, "cases"), { recursive: true });
      writeFileSync(join(pair, "clinical.csv"), "case_id\nS01\nS02\n");
      for (const caseId of ["S01", "S02"])
        cpSync(join(cohort, "cases", caseId), join(pair, "cases", caseId), { recursive: true });
      const marginsOut = join(tmp.dir, "margins-out");
      const exported = join(tmp.dir, "export");
      cpSync(join(out, ".cache", "registrations"), join(marginsOut, ".cache", "registrations"), { recursive: true });
      const run = await runCliInProcess(["margins", "--cohort", pair, "--out", marginsOut, "--export", exported]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(
        `registration: 1 of 2 cases registered by cryomargin (1 from cache) → ${join(marginsOut, "registrations", "<case_id>.tfm")}; the other case uses its registration.tfm`,
      );
      expect(readFileSync(join(marginsOut, "registrations", "S01.tfm"), "utf8")).toBe(
        readFileSync(join(out, "registrations", "S01.tfm"), "utf8"),
      );
      for (const caseId of ["S01", "S02"]) {
        const json = JSON.parse(readFileSync(join(marginsOut, `${caseId}.json`), "utf8"));
        const analyzed = JSON.parse(readFileSync(join(out, "cases", `${caseId}.json`), "utf8"));
        expect(json.mtm_mm).toBe(analyzed.mtm_mm);
        expect(json.registration).toEqual(analyzed.registration);
        expect(existsSync(join(exported, caseId, "margins.seg.nrrd"))).toBe(true);
      }
      expect(existsSync(join(marginsOut, "registrations", "S02.tfm"))).toBe(false);
    });

    it("a case that cannot be registered is a problem listed with the others; the refused analyze leaves OUT as it was", async () => {
      const broken = join(tmp.dir, "broken");
      cpSync(cohort, broken, { recursive: true });
      // S05's post scan 400 mm away (no overlap: refused before elastix runs); S02 without its ice ball.
      const post = join(broken, "cases", "S05", "post.nii.gz");
      const image = readNiftiImage(post);
      const moved = Float64Array.from(image.voxelToWorld);
      moved[11] += 400;
      writeNiftiFile(post, { ...image, voxelToWorld: moved });
      rmSync(join(broken, "cases", "S02", "iceball.nii.gz"));
      const before = folderState(out);
      const run = await runCliInProcess(["analyze", broken, "--out", out, "--quiet"]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("the cohort has 2 problem(s); nothing was written");
      expect(run.stderr).toMatch(
        /cases\/S05\/post\.nii\.gz, case S05: does not overlap the fixed image: .* \(registering cases\/S05\/post\.nii\.gz to the pre-ablation scan, the tumor as region of interest\)/,
      );
      expect(run.stderr).toContain("cases/S02/iceball.nii.gz, case S02: missing");
      expect(folderState(out)).toEqual(before);
      expect(existsSync(join(broken, "cases", "S05", "registration.tfm"))).toBe(false);
    });

    it("a cache entry that is not a plausible rigid registration is not used (the case is registered again)", () => {
      const cacheDir = join(out, ".cache", "registrations");
      const entryFile = join(tmp.dir, "entry.json");
      const [name] = readdirSync(cacheDir);
      const good = JSON.parse(readFileSync(join(cacheDir, name), "utf8"));
      writeFileSync(entryFile, JSON.stringify(good));
      expect(readCachedRegistration(entryFile)).not.toBeNull();
      const scaled = Float64Array.from([1.1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
      const turned = rigidAbout([0, 0, (30 * Math.PI) / 180], [0, 0, 0], [0, 0, 0]);
      const wrong: unknown[] = [
        {},
        [good],
        { ...good, format: "cryomargin-registration-v0" },
        { ...good, tfm_text: "#Insight Transform File V1.0\nTransform: AffineTransform_double_3_3\nParameters: 1 2\n" },
        { ...good, tfm_text: formatItkTransform(scaled) },
        { ...good, tfm_text: formatItkTransform(turned) },
        { ...good, json: { ...good.json, final_metric: "high" } },
        { ...good, json: { ...good.json, translation_mm: 80 } },
        { ...good, json: { ...good.json, moving: null } },
      ];
      for (const w of wrong) {
        writeFileSync(entryFile, JSON.stringify(w));
        expect(readCachedRegistration(entryFile), JSON.stringify(w).slice(0, 120)).toBeNull();
      }
      writeFileSync(entryFile, "{ not json");
      expect(readCachedRegistration(entryFile)).toBeNull();
    });
  });
});
