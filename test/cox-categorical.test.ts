/**
 * Cox models with categorical covariates (treatment contrasts), held to R's survival on its own `lung` and
 * `veteran` data: test/fixtures/r/cox-categorical.json, written by test/fixtures/r/cox-categorical.R from the
 * CSVs beside it. Every coefficient, its SE, z, p and HR CI, the model's LR/Wald/score tests, the
 * concordance, and each factor's joint Wald and likelihood-ratio (drop1) test agree to 1e-6 relative — once
 * through the engine (`coxTerms`) and once through `cryomargin stats cox` as a user types it (in process).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type CoxTerm, coxTerms } from "../analysis/src/survival/coxTerms.js";
import { isMissing, numericColumn, parseDelimited, textColumn } from "../analysis/src/table/delimited.js";
import { runCliInProcess } from "./helpers/cli.js";
import { expectAllClose, expectClose } from "./helpers/reference.js";

const REL = 1e-6;
const fixtures = new URL("./fixtures/r/", import.meta.url);
const reference = JSON.parse(readFileSync(new URL("cox-categorical.json", fixtures), "utf8"));

interface TestR {
  stat: number;
  df: number;
  p: number;
}
interface CaseR {
  id: string;
  file: string;
  time: string;
  status: string;
  event_value: string;
  covariates: string[];
  factors: string[];
  /** R writes an empty named list as []. */
  reference: Record<string, string> | [];
  ties: "efron" | "breslow";
  result: {
    n: number;
    events: number;
    n_dropped: number;
    names: string[];
    coef: number[];
    se: number[];
    z: number[];
    p: number[];
    hr: number[];
    hr_lower: number[];
    hr_upper: number[];
    loglik_null: number;
    loglik: number;
    lr: TestR;
    wald: TestR;
    score: TestR;
    concordance: number;
    terms: { name: string; levels: string[]; reference: string; coefficients: string[]; wald: TestR; lr: TestR }[];
  };
}
const cases: CaseR[] = reference.cases;

function references(c: CaseR): Record<string, string> {
  return Array.isArray(c.reference) ? {} : c.reference;
}

/** A χ² test as the engine gives it (`statistic`) or as the CLI prints it (`stat`). */
function expectTest(
  actual: { statistic?: number; stat?: number; df: number; p: number },
  expected: TestR,
  label: string,
): void {
  expectClose(actual.statistic ?? actual.stat, expected.stat, REL, `${label} statistic`);
  expect(actual.df, `${label} df`).toBe(expected.df);
  expectClose(actual.p, expected.p, REL, `${label} p`);
}

/** The engine's fit of one case, on the complete rows of the CSV as R's na.omit keeps them. */
function engineFit(c: CaseR) {
  const table = parseDelimited(readFileSync(new URL(c.file, fixtures), "utf8"));
  const used = [c.time, c.status, ...c.covariates];
  const j = used.map((name) => table.columns.indexOf(name));
  const rows = table.rows.map((_, i) => i).filter((i) => j.every((k) => !isMissing(table.rows[i][k])));
  const pick = <T>(values: T[]) => rows.map((i) => values[i]);
  const time = pick(numericColumn(table, c.time));
  const event = pick(textColumn(table, c.status)).map((v) => (v === c.event_value ? 1 : 0));
  const terms: CoxTerm[] = c.covariates.map((name) => {
    const text = pick(textColumn(table, name));
    const categorical = c.factors.includes(name) || text.some((v) => Number.isNaN(Number(v)));
    return categorical
      ? { name, labels: text, reference: references(c)[name] }
      : { name, values: pick(numericColumn(table, name)) };
  });
  return { fit: coxTerms({ time, event }, terms, { ties: c.ties }), nDropped: table.rows.length - rows.length };
}

describe("categorical Cox covariates vs R coxph (lung, veteran)", () => {
  for (const c of cases) {
    it(`engine: ${c.id}`, () => {
      const { fit, nDropped } = engineFit(c);
      const r = c.result;
      expect(nDropped).toBe(r.n_dropped);
      expect(fit.n).toBe(r.n);
      expect(fit.events).toBe(r.events);
      expect(fit.coefficients.map((k) => k.name)).toEqual(r.names);
      expectAllClose(
        fit.coefficients.map((k) => k.coef),
        r.coef,
        REL,
        "coef",
      );
      expectAllClose(
        fit.coefficients.map((k) => k.se),
        r.se,
        REL,
        "se",
      );
      expectAllClose(
        fit.coefficients.map((k) => k.statistic),
        r.z,
        REL,
        "z",
      );
      expectAllClose(
        fit.coefficients.map((k) => k.p),
        r.p,
        REL,
        "p",
      );
      expectAllClose(
        fit.coefficients.map((k) => k.ci[0]),
        r.hr_lower,
        REL,
        "HR lower",
      );
      expectAllClose(
        fit.coefficients.map((k) => k.ci[1]),
        r.hr_upper,
        REL,
        "HR upper",
      );
      expectClose(fit.loglikNull, r.loglik_null, REL, "loglik null");
      expectClose(fit.loglik, r.loglik, REL, "loglik");
      expectTest(fit.tests.lr, r.lr, "LR");
      expectTest(fit.tests.wald, r.wald, "Wald");
      expectTest(fit.tests.score, r.score, "score");
      expectClose(fit.concordance, r.concordance, REL, "concordance");
      const factors = fit.terms.filter((t) => t.kind === "categorical");
      expect(factors.map((t) => t.name)).toEqual(r.terms.map((t) => t.name));
      factors.forEach((t, k) => {
        const rt = r.terms[k];
        expect(t.levels).toEqual(rt.levels);
        expect(t.reference).toBe(rt.reference);
        expect(t.coefficients).toEqual(rt.coefficients);
        expectTest(t.wald, rt.wald, `${t.name} joint Wald`);
        expectTest(t.lr, rt.lr, `${t.name} LR (drop1)`);
      });
    });
  }
});

function cliArgs(c: CaseR): string[] {
  const refs = Object.entries(references(c)).map(([column, level]) => `${column}=${level}`);
  return [
    "stats",
    "coxph",
    "--data",
    new URL(c.file, fixtures).pathname,
    "--time",
    c.time,
    "--event",
    c.status,
    "--event-value",
    c.event_value,
    "--covariates",
    c.covariates.join(","),
    "--ties",
    c.ties,
    ...(c.factors.length > 0 ? ["--factors", c.factors.join(",")] : []),
    ...(refs.length > 0 ? ["--reference", refs.join(",")] : []),
  ];
}

describe("cryomargin stats cox with categorical covariates vs R", () => {
  it("every case, as a user types it (alias 'coxph', --factors, --reference column=LEVEL)", async () => {
    const runs = [];
    for (const c of cases) runs.push(await runCliInProcess(cliArgs(c)));
    runs.forEach((run, k) => {
      const c = cases[k];
      const r = c.result;
      expect(run.status, `${c.id}: ${run.stderr}`).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.test).toBe("cox");
      expect(out.n).toBe(r.n);
      expect(out.n_dropped).toBe(r.n_dropped);
      expect(out.coefficients.map((k: { name: string }) => k.name)).toEqual(r.names);
      expectAllClose(
        out.coefficients.map((k: { coef: number }) => k.coef),
        r.coef,
        REL,
        `${c.id} coef`,
      );
      expectAllClose(
        out.coefficients.map((k: { hr_upper: number }) => k.hr_upper),
        r.hr_upper,
        REL,
        `${c.id} HR upper`,
      );
      expectTest(out.tests.lr, r.lr, `${c.id} LR`);
      expect(out.terms.map((t: { name: string }) => t.name)).toEqual(r.terms.map((t) => t.name));
      out.terms.forEach((t: { reference: string; wald: TestR; lr: TestR }, i: number) => {
        expect(t.reference).toBe(r.terms[i].reference);
        expectTest(t.wald, r.terms[i].wald, `${c.id} joint Wald`);
        expectTest(t.lr, r.terms[i].lr, `${c.id} factor LR`);
      });
      for (const coefficient of out.coefficients.filter((k: { level?: string }) => k.level !== undefined))
        expect(coefficient.name).toBe(`${coefficient.term}${coefficient.level}`);
    });
  });

  it("a single categorical covariate takes a plain --reference LEVEL", async () => {
    const c = cases.find((k) => k.id === "veteran-celltype-ref-squamous-breslow") as CaseR;
    const run = await runCliInProcess([...cliArgs(c).filter((a) => !a.startsWith("celltype=")), "squamous"]);
    expect(run.status, run.stderr).toBe(0);
    expectAllClose(
      JSON.parse(run.stdout).coefficients.map((k: { coef: number }) => k.coef),
      c.result.coef,
      REL,
      "coef",
    );
  });

  it("refuses an unknown reference level, naming the column and its levels", async () => {
    const c = cases[0];
    const run = await runCliInProcess([...cliArgs(c), "--reference", "oat-cell"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /veteran\.csv: .*factor 'celltype' has no level 'oat-cell'.*'adeno', 'large', 'smallcell', 'squamous'/,
    );
  });
});
