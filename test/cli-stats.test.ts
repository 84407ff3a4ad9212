/**
 * `cryomargin stats` end to end: the command's main() is run in-process (test/helpers/cli.ts) on CSV
 * files written from R's reference cases, and the JSON it prints is held to R's answers (1e-6 relative;
 * Fisher's odds ratio and CI to 1e-4, as in test/stats-reference.test.ts). Then the CSV dialects, missing
 * values, and every error a user can meet, with its exit code and message. The last section spawns the
 * compiled command (bin/cryomargin.mjs) for the process itself: same JSON, exit codes 1 and 2, clean stdout.
 *
 * In-process, the ~220 runs take a few milliseconds each instead of a Node start-up each.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun as Run, runCliInProcess, spawnCli } from "./helpers/cli.js";
import { expectAllClose, expectClose, type ReferenceCase, referenceCases } from "./helpers/reference.js";

const REL = 1e-6;
const dir = mkdtempSync(join(tmpdir(), "cryomargin-stats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: the command's JSON is checked field by field.
type Json = Record<string, any>;

/** Runs `cryomargin stats …` in-process and collects its output. */
function stats(...args: string[]): Promise<Run> {
  return runCliInProcess(["stats", ...args]);
}

/** Runs every job, one after another (in-process runs share stdout); results in the jobs' order. */
async function runAll(jobs: string[][]): Promise<Run[]> {
  const out: Run[] = [];
  for (const job of jobs) out.push(await stats(...job));
  return out;
}

/** The JSON of a successful run (fails the test with stderr otherwise). */
function json(run: Run): Json {
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** Writes columns as a comma-separated file (numbers at full precision) and returns its path. */
function writeCsv(name: string, columns: Record<string, readonly (number | string)[]>): string {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const lines = [names.join(",")];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => String(columns[c][i])).join(","));
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Two samples as a value column and a group column labelled x and y (so x sorts first, as wilcox.test(x, y)). */
function twoSampleCsv(c: ReferenceCase): string {
  return writeCsv(c.id, {
    value: [...c.x, ...c.y],
    group: [...c.x.map(() => "x"), ...c.y.map(() => "y")],
  });
}

/**
 * Runs one reference section: `args(c)` gives each case's command line; `check(c, output)` its assertions.
 */
function section(name: string, args: (c: ReferenceCase) => string[], check: (c: ReferenceCase, out: Json) => void) {
  const cases = referenceCases(name);
  const runs = new Map<string, Run>();
  beforeAll(async () => {
    const results = await runAll(cases.map(args));
    cases.forEach((c, k) => {
      runs.set(c.id, results[k]);
    });
  });
  for (const c of cases) it(c.id, () => check(c, json(runs.get(c.id) as Run)));
}

describe("stats km vs R survfit", () => {
  section(
    "km",
    (c) => [
      "km",
      "--data",
      writeCsv(c.id, { time: c.data.time, status: c.data.status }),
      "--time",
      "time",
      "--event",
      "status",
      "--conf-type",
      c.conf_type,
      "--at",
      c.result.at.times.join(","),
    ],
    (c, out) => {
      const r = c.result;
      expect(out.groups).toHaveLength(1);
      const g = out.groups[0];
      expect(g.n).toBe(c.data.time.length);
      expect(out.n_dropped).toBe(0);
      const col = (key: string) => g.table.map((row: Json) => row[key]);
      expectAllClose(col("time"), r.time, REL, "time");
      expect(col("n_risk")).toEqual(r.n_risk);
      expect(col("n_event")).toEqual(r.n_event);
      expect(col("n_censor")).toEqual(r.n_censor);
      expectAllClose(col("surv"), r.surv, REL, "surv");
      expectAllClose(col("std_err"), r.std_err_surv, REL, "std_err (of S)");
      expectAllClose(col("std_err_cumhaz"), r.std_err_cumhaz, REL, "std_err_cumhaz");
      expectAllClose(col("lower"), r.lower, REL, "lower");
      expectAllClose(col("upper"), r.upper, REL, "upper");
      const at = (key: string) => g.at.map((row: Json) => row[key]);
      expectAllClose(at("time"), r.at.times, REL, "at time");
      expectAllClose(at("surv"), r.at.surv, REL, "at surv");
      expectAllClose(at("std_err"), r.at.std_err_surv, REL, "at std_err");
      expectAllClose(at("lower"), r.at.lower, REL, "at lower");
      expectAllClose(at("upper"), r.at.upper, REL, "at upper");
      expect(at("n_risk")).toEqual(r.at.n_risk);
      expectClose(g.median.value, r.median.value, REL, "median");
      expectClose(g.median.lower, r.median.lower, REL, "median lower");
      expectClose(g.median.upper, r.median.upper, REL, "median upper");
      expectClose(g.median_followup_reverse_km, r.median_followup_reverse_km, REL, "reverse-KM follow-up");
    },
  );
});

function logRankCsv(c: ReferenceCase): string {
  return writeCsv(c.id, { time: c.data.time, status: c.data.status, group: c.data.group });
}

function expectLogRank(out: Json, c: ReferenceCase): void {
  expectClose(out.chisq, c.result.chisq, REL, "chisq");
  expect(out.df).toBe(c.result.df);
  expectClose(out.p, c.result.p, REL, "p");
  expectAllClose(
    out.groups.map((g: Json) => g.observed),
    c.result.observed,
    REL,
    "observed",
  );
  expectAllClose(
    out.groups.map((g: Json) => g.expected),
    c.result.expected,
    REL,
    "expected",
  );
}

describe("stats logrank vs R survdiff", () => {
  section(
    "logrank",
    (c) => ["logrank", "--data", logRankCsv(c), "--time", "time", "--event", "status", "--group", "group"],
    (c, out) => {
      expectLogRank(out, c);
      expect(out.groups.map((g: Json) => g.n)).toEqual(
        out.groups.map((g: Json) => c.data.group.filter((v: number) => String(v) === g.group).length),
      );
    },
  );
});

describe("stats km --group", () => {
  const c = referenceCases("logrank").find((k) => k.id === "logrank-1-n32-g3-ties") as ReferenceCase;
  let out: Json;
  beforeAll(async () => {
    out = json(await stats("km", "--data", logRankCsv(c), "--time", "time", "--event", "status", "--group", "group"));
  });
  it("fits one curve per group, in sorted order, with counts that add up", () => {
    expect(out.groups.map((g: Json) => g.group)).toEqual(["1", "2", "3"]);
    for (const g of out.groups) {
      const idx = c.data.group.flatMap((v: number, i: number) => (String(v) === g.group ? [i] : []));
      expect(g.n).toBe(idx.length);
      expect(g.events).toBe(idx.reduce((s: number, i: number) => s + c.data.status[i], 0));
      expect(g.table[0].n_risk).toBe(idx.length);
    }
  });
  it("adds the log-rank test, as R's survdiff", () => expectLogRank(out.logrank, c));
});

describe("stats cox vs R coxph", () => {
  section(
    "coxph",
    (c) => [
      "cox",
      "--data",
      writeCsv(c.id, c.data),
      "--time",
      "time",
      "--event",
      "status",
      "--covariates",
      c.covariates.join(","),
      "--ties",
      c.ties,
    ],
    (c, out) => {
      const r = c.result;
      expect(out.n).toBe(c.data.time.length);
      expect(out.events).toBe(c.data.status.reduce((a: number, b: number) => a + b, 0));
      expect(out.coefficients.map((k: Json) => k.name)).toEqual(c.covariates);
      for (const key of ["coef", "se", "z", "p", "hr", "hr_lower", "hr_upper"])
        expectAllClose(
          out.coefficients.map((k: Json) => k[key]),
          r[key],
          REL,
          key,
        );
      expectClose(out.loglik_null, r.loglik_null, REL, "loglik_null");
      expectClose(out.loglik, r.loglik, REL, "loglik");
      for (const test of ["lr", "wald", "score"]) {
        expectClose(out.tests[test].stat, r[test].stat, REL, `${test} stat`);
        expect(out.tests[test].df).toBe(r[test].df);
        expectClose(out.tests[test].p, r[test].p, REL, `${test} p`);
      }
      expectClose(out.concordance, r.concordance, REL, "concordance");
      expect(out.monotone_likelihood).toBe(false);
      expect(out.warnings).toEqual([]);
    },
  );
});

describe("stats cox on separated data", () => {
  // Each event has the smallest x of everyone still at risk: ℓ(β) rises for ever as β → −∞.
  const data = {
    time: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20],
    status: [1, 1, 1, 0, 1, 0, 0, 1, 0, 0],
    x: [-16, -15, -14, 3, -13, 2, 4, -12, 5, 6],
  };
  let plain: Json;
  let firth: Json;
  beforeAll(async () => {
    const file = writeCsv("separated", data);
    const base = ["cox", "--data", file, "--time", "time", "--event", "status", "--covariates", "x"];
    [plain, firth] = (await runAll([base, [...base, "--firth"]])).map(json);
  });
  it("says so in warnings instead of presenting the HR as an estimate", () => {
    expect(plain.monotone_likelihood).toBe(true);
    expect(plain.warnings.join(" ")).toMatch(/monotone likelihood in 'x' \(separation\)/);
    expect(plain.warnings.join(" ")).toMatch(/--firth/);
    expect(plain.coefficients[0].coef).toBeLessThan(0);
  });
  it("--firth adds a finite penalised estimate with a profile CI below 1", () => {
    const f = firth.firth.coefficients[0];
    expect(firth.firth.converged).toBe(true);
    expect(Number.isFinite(f.coef)).toBe(true);
    expect(f.coef).toBeLessThan(0);
    expect(f.hr_lower).toBeLessThan(f.hr);
    expect(f.hr).toBeLessThan(f.hr_upper);
    expect(f.hr_upper).toBeLessThan(1);
    expect(firth.warnings.join(" ")).not.toMatch(/--firth/);
  });
});

const yesNo = (v: boolean) => (v ? "yes" : "no");

describe("stats mann-whitney vs R wilcox.test", () => {
  section(
    "mann_whitney",
    (c) => [
      "mann-whitney",
      "--data",
      twoSampleCsv(c),
      "--value",
      "value",
      "--group",
      "group",
      "--exact",
      c.exact === "auto" ? "auto" : yesNo(c.exact),
      "--correct",
      yesNo(c.correct),
    ],
    (c, out) => {
      expect(out.groups).toEqual(["x", "y"]);
      expect(out.n).toEqual([c.x.length, c.y.length]);
      expectClose(out.W, c.result.W, REL, "W");
      expectClose(out.p, c.result.p, REL, "p");
      expect(out.method === "exact").toBe(c.result.method_exact);
    },
  );
});

describe("stats mann-whitney --groups", () => {
  const c = referenceCases("mann_whitney").find((k) => k.id === "mw-1-6x4-noties-auto-cc") as ReferenceCase;
  it("reverses the comparison: W of the first group named, same two-sided p", async () => {
    const base = ["mann-whitney", "--data", twoSampleCsv(c), "--value", "value", "--group", "group"];
    const [reversed, forward] = (
      await runAll([
        [...base, "--groups", "y,x"],
        [...base, "--groups", "x,y"],
      ])
    ).map(json);
    expect(reversed.groups).toEqual(["y", "x"]);
    expectClose(reversed.W, c.x.length * c.y.length - c.result.W, REL, "W of y");
    expectClose(reversed.p, c.result.p, REL, "p");
    expectClose(forward.W, c.result.W, REL, "W of x");
  });
});

describe("stats fisher vs R fisher.test", () => {
  section(
    "fisher",
    (c) => {
      // One CSV row per subject of the table; labels r1…, c1… sort in the table's order. Levels are named
      // on the command line only where a margin is empty (an empty level has no row to come from).
      const rowLabels: string[] = [];
      const colLabels: string[] = [];
      c.table.forEach((row: number[], i: number) => {
        row.forEach((count, j) => {
          for (let k = 0; k < count; k++) {
            rowLabels.push(`r${i + 1}`);
            colLabels.push(`c${j + 1}`);
          }
        });
      });
      const levels = (prefix: string, k: number) => Array.from({ length: k }, (_, i) => `${prefix}${i + 1}`).join(",");
      const emptyRow = c.table.some((row: number[]) => row.every((v) => v === 0));
      const emptyCol = c.table[0].some((_: number, j: number) => c.table.every((row: number[]) => row[j] === 0));
      return [
        "fisher",
        "--data",
        writeCsv(c.id, { tumor: rowLabels, ltp: colLabels }),
        "--row",
        "tumor",
        "--col",
        "ltp",
        ...(emptyRow ? ["--row-levels", levels("r", c.table.length)] : []),
        ...(emptyCol ? ["--col-levels", levels("c", c.table[0].length)] : []),
      ];
    },
    (c, out) => {
      expect(out.table).toEqual(c.table);
      expectClose(out.p, c.result.p, REL, "p");
      if (c.result.odds_ratio !== undefined) {
        // JSON has no Inf: the fixture's null is R's Inf, and so is the command's.
        expectClose(out.odds_ratio, c.result.odds_ratio, 1e-4, "odds ratio");
        expectClose(out.ci[0], c.result.ci[0], 1e-4, "ci lower");
        expectClose(out.ci[1], c.result.ci[1], 1e-4, "ci upper");
      } else {
        expect(out.odds_ratio).toBeUndefined();
      }
    },
  );
});

describe("stats ttest vs R t.test", () => {
  section(
    "ttest",
    (c) => [
      "ttest",
      "--data",
      twoSampleCsv(c),
      "--value",
      "value",
      "--group",
      "group",
      ...(c.var_equal ? [] : ["--welch"]),
    ],
    (c, out) => {
      expect(out.method).toBe(c.var_equal ? "student" : "welch");
      expectClose(out.t, c.result.t, REL, "t");
      expectClose(out.df, c.result.df, REL, "df");
      expectClose(out.p, c.result.p, REL, "p");
      expectAllClose(out.ci, c.result.ci, REL, "ci");
      expectAllClose(out.estimate, c.result.estimate, REL, "estimate");
    },
  );
});

describe("stats spearman vs R cor.test", () => {
  section(
    "spearman",
    (c) => ["spearman", "--data", writeCsv(c.id, { a: c.x, b: c.y }), "--x", "a", "--y", "b"],
    (c, out) => {
      expectClose(out.rho, c.result.rho, REL, "rho");
      expectClose(out.S, c.result.S, REL, "S");
      expectClose(out.p, c.result.p_auto, REL, "p");
      expectClose(out.p_asymptotic_t, c.result.p_asymptotic_t, REL, "p (t)");
      expect(out.method === "exact-as89").toBe(c.result.auto_is_exact);
    },
  );
});

describe("stats roc vs pROC", () => {
  section(
    "roc",
    (c) => [
      "roc",
      "--data",
      writeCsv(c.id, { score: c.predictor, ltp: c.response }),
      "--predictor",
      "score",
      "--outcome",
      "ltp",
    ],
    (c, out) => {
      expect(out.n_cases).toBe(c.response.filter((v: number) => v === 1).length);
      expectClose(out.auc, c.result.auc, REL, "auc");
      expectAllClose(out.ci, c.result.ci_delong, REL, "DeLong CI");
      const best = out.curve.reduce((m: number, p: Json) => Math.max(m, p.sensitivity + p.specificity - 1), -1);
      expectClose(out.youden.j, best, 1e-12, "Youden J is the curve's maximum");
    },
  );
});

describe("stats roc --direction >", () => {
  // pROC's AUC for "cases higher" on x is the AUC for "cases lower" on −x: same AUC and DeLong CI, and the
  // Youden threshold mirrored.
  const cases = referenceCases("roc");
  let runs: Run[];
  beforeAll(async () => {
    const jobs = cases.flatMap((c) => {
      const base = ["roc", "--predictor", "score", "--outcome", "ltp"];
      const negated = writeCsv(`${c.id}-negated`, { score: c.predictor.map((v: number) => -v), ltp: c.response });
      return [
        [...base, "--data", negated, "--direction", ">"],
        [...base, "--data", writeCsv(c.id, { score: c.predictor, ltp: c.response })],
      ];
    });
    runs = await runAll(jobs);
  });
  cases.forEach((c, k) => {
    it(c.id, () => {
      const [greater, less] = [json(runs[2 * k]), json(runs[2 * k + 1])];
      expect(greater.direction).toBe(">");
      expectClose(greater.auc, c.result.auc, REL, "auc");
      expectAllClose(greater.ci, c.result.ci_delong, REL, "DeLong CI");
      expectClose(greater.youden.j, less.youden.j, 1e-12, "Youden J");
      // Thresholds increase from −Inf to Inf (JSON nulls at both ends), as for direction "<".
      const thresholds = greater.curve.map((p: Json) => p.threshold);
      const inner = thresholds.slice(1, -1);
      expect([thresholds[0], thresholds.at(-1)]).toEqual([null, null]);
      expect(inner).toEqual([...inner].sort((a, b) => a - b));
      expect(inner).toEqual(
        less.curve
          .slice(1, -1)
          .map((p: Json) => -p.threshold)
          .reverse(),
      );
      expect(greater.warnings).toEqual([]);
    });
  });
});

describe("stats shapiro vs R shapiro.test", () => {
  section(
    "shapiro",
    (c) => ["shapiro", "--data", writeCsv(c.id, { size_mm: c.x }), "--value", "size_mm"],
    (c, out) => {
      expect(out.n).toBe(c.x.length);
      expectClose(out.W, c.result.W, REL, "W");
      expectClose(out.p, c.result.p, REL, "p");
    },
  );
});

describe("CSV dialects and missing values", () => {
  const t = referenceCases("ttest").find((k) => k.id === "t-1-6x26-welch") as ReferenceCase;
  const km = referenceCases("km").find((k) => k.id === "km-1-n15-ties-log") as ReferenceCase;
  let european: Run;
  let withMissing: Run;
  let lungCoded: Run;
  let kmMissing: Run;
  beforeAll(async () => {
    // Semicolons, decimal commas, a UTF-8 BOM, CRLF line ends and a quoted header — as Excel exports it in
    // much of Europe.
    const lines = ['\uFEFF"value";group', ...t.x.map((v: number) => `${String(v).replace(".", ",")};x`)];
    lines.push(...t.y.map((v: number) => `${String(v).replace(".", ",")};y`));
    const europeanFile = join(dir, "european.csv");
    writeFileSync(europeanFile, `${lines.join("\r\n")}\r\n`);
    // The same data with five incomplete rows (every missing-value spelling) that must be dropped.
    const missingFile = writeCsv("ttest-missing", {
      value: [...t.x, ...t.y, "NA", "", ".", "3.5", "7"],
      group: [...t.x.map(() => "x"), ...t.y.map(() => "y"), "x", "y", "y", "-", "NA"],
    });
    // R's lung coding: 1 = censored, 2 = dead, with --event-value 2.
    const lungFile = writeCsv("km-lung", {
      time: km.data.time,
      status: km.data.status.map((s: number) => s + 1),
    });
    const kmMissingFile = writeCsv("km-missing", {
      time: [...km.data.time, "NA", 5],
      status: [...km.data.status, 1, "NA"],
    });
    const kmArgs = (file: string) => ["km", "--data", file, "--time", "time", "--event", "status", "--at", "12"];
    [european, withMissing, lungCoded, kmMissing] = await runAll([
      ["ttest", "--data", europeanFile, "--value", "value", "--group", "group", "--welch"],
      ["ttest", "--data", missingFile, "--value", "value", "--group", "group", "--welch"],
      [...kmArgs(lungFile), "--event-value", "2"],
      kmArgs(kmMissingFile),
    ]);
  });

  it("reads semicolons, decimal commas, a BOM and CRLF: same answer as R", () => {
    const out = json(european);
    expect(out.n).toEqual([t.x.length, t.y.length]);
    expectClose(out.t, t.result.t, REL, "t");
    expectClose(out.df, t.result.df, REL, "df");
    expectClose(out.p, t.result.p, REL, "p");
    expectAllClose(out.ci, t.result.ci, REL, "ci");
  });

  it("drops rows with a missing value in a used column and counts them", () => {
    const out = json(withMissing);
    expect(out.n_dropped).toBe(5);
    expect(out.n).toEqual([t.x.length, t.y.length]);
    expectClose(out.t, t.result.t, REL, "t");
    expectClose(out.p, t.result.p, REL, "p");
  });

  it("--event-value 2 selects the event in 1/2 coding", () => {
    const out = json(lungCoded);
    expect(out.groups[0].events).toBe(km.data.status.filter((s: number) => s === 1).length);
    expectAllClose(
      out.groups[0].table.map((r: Json) => r.surv),
      km.result.surv,
      REL,
      "surv",
    );
    expectClose(out.groups[0].median.value, km.result.median.value, REL, "median");
  });

  it("drops incomplete survival rows and counts them", () => {
    const out = json(kmMissing);
    expect(out.n_dropped).toBe(2);
    expect(out.groups[0].n).toBe(km.data.time.length);
    expectAllClose(
      out.groups[0].table.map((r: Json) => r.lower),
      km.result.lower,
      REL,
      "lower",
    );
  });
});

describe("--format table", () => {
  it("prints the same figures as aligned text, with R's Inf and NA", async () => {
    const f = referenceCases("fisher").find((k) => k.id === "fisher-1-6") as ReferenceCase; // [[10, 0], [0, 10]]
    const file = writeCsv("fisher-table", {
      a: [...Array(10).fill("no"), ...Array(10).fill("yes")],
      b: [...Array(10).fill("no"), ...Array(10).fill("yes")],
    });
    const r = await stats("fisher", "--data", file, "--row", "a", "--col", "b", "--format", "table");
    expect(r.status, r.stderr).toBe(0);
    const p = /^p\s+(\S+)$/m.exec(r.stdout);
    expect(p?.[1]).toMatch(/^\d\.\d{3}e-5$/); // 4 significant digits, exponent form
    expectClose(Number(p?.[1]), f.result.p, 5e-4, "p as printed");
    expect(r.stdout).toMatch(/^odds_ratio\s+Inf$/m);
    expect(r.stdout).toMatch(/^ci\s+\d+\.\d+, Inf$/m);
  });
});

describe("errors a user can meet", () => {
  const file = writeCsv("errors", {
    time: [5, 8, 12, 3, 7, 9],
    status: [1, 0, 1, 1, 0, 0],
    mtm_mm: [1.5, 4, "abc", 2, 6, 7],
    arm: ["a", "b", "c", "a", "b", "c"],
  });
  const negative = writeCsv("negative-time", { time: [5, -2, 7], status: [1, 0, 1] });
  const tiny = writeCsv("tiny", { v: [1, 2, "NA"] });
  const competing = writeCsv("competing", { time: [5, 2, 7, 9], status: [1, 0, 2, 1] });
  const cases: { name: string; args: string[]; status: number; message: RegExp }[] = [
    {
      name: "a missing column names it and the file",
      args: ["km", "--data", file, "--time", "months", "--event", "status"],
      status: 1,
      message: /errors\.csv: column 'months' not found; the columns are: time, status, mtm_mm, arm/,
    },
    {
      name: "a non-numeric value names the column and the line",
      args: ["cox", "--data", file, "--time", "time", "--event", "status", "--covariates", "mtm_mm"],
      status: 1,
      message: /errors\.csv: column 'mtm_mm', line 4: 'abc' is not a number/,
    },
    {
      name: "an event value that matches nothing names the column and its values",
      args: ["km", "--data", file, "--time", "time", "--event", "status", "--event-value", "2"],
      status: 1,
      message: /errors\.csv: column 'status': no row has the value '2' \(--event-value\); the column holds '0', '1'/,
    },
    {
      name: "a missing file is named",
      args: ["shapiro", "--data", join(dir, "nowhere.csv"), "--value", "x"],
      status: 1,
      message: /nowhere\.csv: cannot read the data file \(no such file\)/,
    },
    {
      name: "a negative time names the column and the line",
      args: ["km", "--data", negative, "--time", "time", "--event", "status"],
      status: 1,
      message: /negative-time\.csv: column 'time', line 3: time -2 is negative/,
    },
    {
      name: "three groups for a two-sample test ask for --groups",
      args: ["ttest", "--data", file, "--value", "time", "--group", "arm"],
      status: 1,
      message: /column 'arm' has 3 groups \('a', 'b', 'c'\); ttest compares two — choose them with --groups A,B/,
    },
    {
      name: "a group not in the column is named",
      args: ["mann-whitney", "--data", file, "--value", "time", "--group", "arm", "--groups", "a,z"],
      status: 1,
      message: /column 'arm' has no row in group 'z'/,
    },
    {
      name: "an engine refusal (too few values) names the file",
      args: ["shapiro", "--data", tiny, "--value", "v"],
      status: 1,
      message: /tiny\.csv: shapiroWilk: sample size must be between 3 and 5000, got 2/,
    },
    {
      name: "an event column with three codes is refused, naming them",
      args: ["km", "--data", competing, "--time", "time", "--event", "status"],
      status: 1,
      message: /competing\.csv: column 'status' holds 3 different values \(0, 1, 2\); it must hold two/,
    },
    {
      name: "an unknown test is a usage error",
      args: ["anova", "--data", file],
      status: 2,
      message:
        /unknown test 'anova'; the tests are km, logrank, cox, mann-whitney, fisher, ttest, spearman, roc, shapiro/,
    },
    {
      name: "an option of another test is a usage error",
      args: ["km", "--data", file, "--time", "time", "--event", "status", "--welch"],
      status: 2,
      message: /unknown option '--welch'[\s\S]*Usage: cryomargin stats TEST/,
    },
    {
      name: "a missing required option is a usage error naming it",
      args: ["logrank", "--data", file, "--time", "time", "--event", "status"],
      status: 2,
      message: /stats logrank: --group is required/,
    },
    {
      name: "a bad --at is a usage error",
      args: ["km", "--data", file, "--time", "time", "--event", "status", "--at", "12,two"],
      status: 2,
      message: /--at must be a number, got 'two'/,
    },
  ];
  let runs: Run[];
  beforeAll(async () => {
    runs = await runAll(cases.map((c) => c.args));
  });
  cases.forEach((c, k) => {
    it(c.name, () => {
      expect(runs[k].status, runs[k].stderr).toBe(c.status);
      expect(runs[k].stderr).toMatch(c.message);
      if (c.status !== 0) expect(runs[k].stdout).toBe("");
    });
  });
});

describe("the command as a process", () => {
  const t = referenceCases("ttest").find((k) => k.id === "t-1-6x26-welch") as ReferenceCase;
  const file = writeCsv("process-ttest", {
    value: [...t.x, ...t.y],
    group: [...t.x.map(() => "x"), ...t.y.map(() => "y")],
  });
  const jobs = [
    ["stats", "ttest", "--data", file, "--value", "value", "--group", "group", "--welch"],
    ["stats", "ttest", "--data", join(dir, "nowhere.csv"), "--value", "value", "--group", "group"],
    ["stats", "ttest", "--data", file, "--value", "value", "--group", "group", "--frobnicate"],
  ];
  let spawned: Run[];
  let inProcess: Run[];
  beforeAll(async () => {
    spawned = await Promise.all(jobs.map(spawnCli));
    inProcess = [];
    for (const job of jobs) inProcess.push(await runCliInProcess(job));
  });
  it("prints the same JSON as main() in-process, and R's answer", () => {
    const out = json(spawned[0]);
    expect(out).toEqual(json(inProcess[0]));
    expectClose(out.t, t.result.t, REL, "t");
    expect(spawned[0].stderr).toBe("");
  });
  it("exits 1 on a data problem and 2 on a usage error, with the same stderr and nothing on stdout", () => {
    expect(spawned.slice(1).map((r) => r.status)).toEqual([1, 2]);
    for (const k of [1, 2]) {
      expect(spawned[k].stdout).toBe("");
      expect(spawned[k].stderr).toBe(inProcess[k].stderr);
      expect(inProcess[k].status).toBe(spawned[k].status);
    }
    expect(spawned[1].stderr).toMatch(/nowhere\.csv: cannot read the data file/);
    expect(spawned[2].stderr).toMatch(/unknown option '--frobnicate'[\s\S]*Usage: cryomargin stats TEST/);
  });
});
