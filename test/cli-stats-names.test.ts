/**
 * `cryomargin stats` as a first-time user meets it: the names people type for a test (R's function names,
 * the spelled-out names, any case) reach the same analysis and print its canonical name; an ambiguous
 * `wilcoxon` is refused with the way forward; a CSV with a header and no rows says "no data rows".
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliRun, runCliInProcess } from "./helpers/cli.js";

const veteran = new URL("./fixtures/r/veteran.csv", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cryomargin-stats-names-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `cryomargin stats …args`, in process (runs one at a time). */
async function stats(...args: string[]): Promise<CliRun> {
  return runCliInProcess(["stats", ...args]);
}

describe("names of the tests", () => {
  it("kaplan-meier, Kaplan_Meier and survfit are km; log-rank is logrank; the output names the test once", async () => {
    const km = ["--data", veteran, "--time", "time", "--event", "status", "--group", "celltype"];
    const plain = await stats("km", ...km);
    const aliases: CliRun[] = [];
    for (const name of ["kaplan-meier", "Kaplan_Meier", "survfit"]) aliases.push(await stats(name, ...km));
    expect(plain.status, plain.stderr).toBe(0);
    for (const run of aliases) {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(plain.stdout);
    }
    expect(JSON.parse(plain.stdout).test).toBe("km");
    const logrank = await stats("log-rank", ...km);
    expect(logrank.status, logrank.stderr).toBe(0);
    expect(JSON.parse(logrank.stdout).test).toBe("logrank");
    expect(JSON.parse(logrank.stdout).chisq).toBeCloseTo(JSON.parse(plain.stdout).logrank.chisq, 12);
  });

  it("refuses a bare 'wilcoxon' (rank-sum or signed-rank?) and points to mann-whitney", async () => {
    const run = await stats("wilcoxon", "--data", veteran);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown test 'wilcoxon'.*use mann-whitney/);
  });
});

describe("a CSV with a header and no rows", () => {
  it("says 'no data rows', exit 1, for every test", async () => {
    const file = join(dir, "header-only.csv");
    writeFileSync(file, "time,status,group\n");
    const runs = [
      await stats("km", "--data", file, "--time", "time", "--event", "status"),
      await stats("shapiro", "--data", file, "--value", "time"),
    ];
    for (const run of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/header-only\.csv: no data rows/);
    }
  });
});
