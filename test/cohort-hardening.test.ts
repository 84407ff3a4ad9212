/**
 * The cohort pipeline (validate / analyze, in process) against inputs a first-time user or a hostile file
 * brings: uncompressed masks, a corrupt or wrong-shaped cache, a refused analysis, absurd row counts.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkMarginsJson, parseDelimited } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../loaders/cli/main.js";
import { subcommands } from "../loaders/cli/registry.js";
import { measureCohortMargins } from "../loaders/cohort/cachedMargins.js";
import { loadCohortFolder } from "../loaders/cohort/cohortFolder.js";
import { readNiftiImage, writeNiftiFile } from "../loaders/io/nifti.js";
import { BALL_CASES, exactBallMtm, folderState, writeBallCase, writeBallCohort } from "./helpers/cohort.js";
import { temporaryFolder } from "./helpers/nifti.js";

const tmp = temporaryFolder("cryomargin-cohort-hardening-");
afterAll(tmp.remove);

describe("a cohort folder with uncompressed masks", () => {
  it("tumor.nii and iceball.nii are read and measured like .nii.gz", async () => {
    const dir = join(tmp.dir, "plain");
    const cases = BALL_CASES.slice(0, 2);
    writeBallCohort(dir, cases, { gzip: false });
    const loaded = loadCohortFolder(dir);
    expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
    const measured = await measureCohortMargins(
      dir,
      cases.map((c) => c.id),
      { options: {}, threads: 0 },
    );
    expect(measured.problems).toEqual([]);
    for (const c of cases)
      expect(Math.abs((measured.margins.get(c.id)?.mtm_mm ?? Number.NaN) - exactBallMtm(c))).toBeLessThan(0.9);
  });
});

/** Runs `cryomargin ARGS` in this process; returns the exit code and what it printed. */
async function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { status: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The row of `caseId` in a CSV text, as column → cell (cells without commas or quotes). */
function csvRecord(text: string, caseId: string): Record<string, string> {
  const [header, ...rows] = parseDelimited(text).rows.length
    ? [parseDelimited(text).columns, ...parseDelimited(text).rows]
    : [[]];
  const row = rows.find((r) => r[0] === caseId) ?? [];
  return Object.fromEntries(header.map((c, j) => [c, row[j]]));
}

describe("cryomargin analyze and its cache", () => {
  const dir = join(tmp.dir, "balls");
  const out = join(tmp.dir, "results");
  const cases = BALL_CASES;
  beforeAll(() => writeBallCohort(dir, cases));

  it("a cache entry of the wrong shape is re-measured, never trusted", async () => {
    const first = await cli("analyze", dir, "--out", out, "--quiet");
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const cacheDir = join(out, ".cache", "margins");
    const entries = readdirSync(cacheDir).sort();
    expect(entries.length).toBe(cases.length);
    const good = JSON.parse(readFileSync(join(cacheDir, entries[0]), "utf8"));
    const wrong = [
      {},
      { ...good, coverage: { ...good.coverage, fraction_green: "all" } },
      { ...good, octants: {} },
      { ...good, octants: good.octants.slice(1) },
      { ...good, mtm_mm: null },
      [good],
    ];
    for (const [i, w] of wrong.entries()) writeFileSync(join(cacheDir, entries[i]), JSON.stringify(w));
    const again = await cli("analyze", dir, "--out", out, "--quiet");
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`${wrong.length} measured, ${cases.length - wrong.length} from cache`);
    // the re-measured entries replaced the wrong ones
    expect((await cli("analyze", dir, "--out", out, "--quiet")).stdout).toContain(
      `0 measured, ${cases.length} from cache`,
    );
  });

  it("checkMarginsJson names the first wrong field", () => {
    expect(checkMarginsJson({})).toEqual({ problem: "mtm_mm: missing, expected a number (mm)" });
  });

  it("a refused analyze leaves the output folder, cache included, as it was, and lists every problem at once", async () => {
    const broken = join(tmp.dir, "balls-broken");
    cpSync(dir, broken, { recursive: true });
    // b01 re-shaped (a new cache entry would be due), b02's mask empty, b03's PNG named .nii.gz,
    // b04's transform scaled, b05's follow-up negative
    writeBallCase(broken, { ...cases[0], tumorMm: 6 });
    const b02 = join(broken, "cases", "b02", "tumor.nii.gz");
    const image = readNiftiImage(b02);
    writeNiftiFile(b02, { ...image, data: new Uint8Array(image.data.length) });
    writeFileSync(join(broken, "cases", "b03", "tumor.nii.gz"), Buffer.from("\x89PNG\r\n\x1a\n not really"));
    const tfm = readFileSync(join(broken, "cases", "b04", "registration.tfm"), "utf8");
    writeFileSync(
      join(broken, "cases", "b04", "registration.tfm"),
      tfm.replace("Parameters: 1 0 0 0 1 0", "Parameters: 1.05 0 0 0 1 0"),
    );
    const csv = readFileSync(join(broken, "clinical.csv"), "utf8");
    writeFileSync(join(broken, "clinical.csv"), csv.replace(/^(b05,(?:[^,]*,){12})6,/m, "$1-6,"));
    const before = folderState(out);
    expect(before.length).toBeGreaterThan(cases.length);
    const r = await cli("analyze", broken, "--out", out, "--quiet");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("nothing was written");
    expect(folderState(out)).toEqual(before);
    for (const expected of [
      /clinical\.csv line 6, case b05, field followup_months: '-6'/,
      /cases\/b02\/tumor\.nii\.gz, case b02: the mask is empty/,
      /cases\/b03\/tumor\.nii\.gz, case b03: is not a NIfTI file/,
      /cases\/b04\/registration\.tfm, case b04: the transform is not rigid/,
    ])
      expect(r.stderr).toMatch(expected);
    expect(r.stderr).toMatch(/the cohort has 4 problem\(s\)/);
    // validate lists the same four
    const v = await cli("validate", broken, "--quiet");
    expect(v.status).toBe(1);
    expect(v.stdout).toContain(": 4 error(s)");
    // a folder that did not exist is not created
    const fresh = join(tmp.dir, "never");
    expect((await cli("analyze", broken, "--out", fresh, "--quiet")).status).toBe(1);
    expect(existsSync(fresh)).toBe(false);
  });
});

describe("advice and usage", () => {
  const dir = join(tmp.dir, "scaled");
  beforeAll(() => {
    writeBallCohort(dir, BALL_CASES);
    const path = join(dir, "cases", "b01", "registration.tfm");
    writeFileSync(path, readFileSync(path, "utf8").replace("Parameters: 1 0 0 0 1 0", "Parameters: 1.02 0 0 0 1 0"));
  });

  it("every option a message advises is one the command takes (--allow-affine for validate and analyze)", async () => {
    for (const command of ["validate", "analyze"]) {
      const usage = (await subcommands.find((s) => s.name === command)?.load())?.usage ?? "";
      const args =
        command === "analyze" ? [dir, "--out", join(tmp.dir, "scaled-results"), "--quiet"] : [dir, "--quiet"];
      const refused = await cli(command, ...args);
      const said = `${refused.stdout}${refused.stderr}`.split("\nUsage:")[0];
      expect(said).toContain("--allow-affine");
      for (const option of said.match(/--[a-z][a-z-]*/g) ?? [])
        expect(usage, `${command}: ${option}`).toContain(option);
      const allowed = await cli(command, ...args, "--allow-affine");
      expect(allowed.status, allowed.stderr).toBe(0);
    }
  });

  it("a number option written in hex, binary or octal is a usage error, not a number", async () => {
    for (const word of ["0x10", "0b11", "0o7"]) {
      const r = await cli("margins", "--tumor", "t.nii.gz", "--iceball", "i.nii.gz", "--threshold", word);
      expect([r.status, r.stderr.split("\n")[0]]).toEqual([
        2,
        `cryomargin: --threshold must be a number, got '${word}'`,
      ]);
    }
  });

  it("an unknown option gets the project's own message and the command's usage, exit 2", async () => {
    // commands whose first argument names what they do
    const mode: Record<string, string[]> = { stats: ["km"], segment: ["tumor"] };
    for (const command of subcommands) {
      const args = [command.name, ...(mode[command.name] ?? []), "--no-such-option"];
      const r = await cli(...args);
      expect(r.status, command.name).toBe(2);
      expect(r.stderr).toMatch(/^cryomargin: unknown option '--no-such-option'; the options are --/);
      expect(r.stderr).not.toMatch(/positional argument/);
      expect(r.stderr).toContain((await command.load()).usage);
    }
  });
});

describe("a mask with several labels", () => {
  it("is a warning naming the labels in validate, and in analyze's margins.csv column warnings", async () => {
    const dir = join(tmp.dir, "labels");
    writeBallCohort(dir, BALL_CASES);
    const path = join(dir, "cases", "b02", "tumor.nii.gz");
    const image = readNiftiImage(path);
    const data = image.data as Uint8Array;
    for (let i = 0; i < data.length; i++) if (data[i] === 1 && i % 3 === 0) data[i] = 2;
    writeNiftiFile(path, image);
    const v = await cli("validate", dir, "--quiet");
    expect(v.status).toBe(0);
    const expected = "the mask is not binary: it holds the non-zero values 1, 2; every voxel > 0 was taken as inside";
    expect(v.stdout).toContain(`warning: cases/b02/tumor.nii.gz, case b02: ${expected}`);
    const out = join(tmp.dir, "labels-results");
    const a = await cli("analyze", dir, "--out", out, "--quiet");
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/warning: \d of 6 cases carry margin warnings/);
    const csv = readFileSync(join(out, "margins.csv"), "utf8");
    expect(csvRecord(csv, "b02").warnings).toContain(expected);
    expect(csvRecord(csv, "b01").warnings).not.toContain("not binary");
  });
});
