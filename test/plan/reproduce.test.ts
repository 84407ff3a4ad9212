/**
 * The reproduction report: every published figure appears with a status, tolerances flag values outside
 * them, figures the cohort format cannot hold are said to be so, and the paper's inconsistencies are read.
 */
import { readFileSync } from "node:fs";
import {
  analyzeCohort,
  formatPValue,
  type ReproductionEntry,
  reproduce,
  reproductionToMarkdown,
  withinTolerance,
} from "@cryomargin/analysis";
import { describe, expect, it } from "vitest";
import { paperCountsCohort } from "./cases.js";

const published = JSON.parse(readFileSync(new URL("../../data/paper/published-values.json", import.meta.url), "utf8"));
const results = analyzeCohort(paperCountsCohort(), { conventions: "spss" });

function entry(entries: ReproductionEntry[], path: string): ReproductionEntry {
  const e = entries.find((x) => x.path === path);
  if (!e) throw new Error(`no entry ${path}`);
  return e;
}

/** Number of leaves of a JSON value. */
function countLeaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countLeaves(x), 0);
  if (v !== null && typeof v === "object") return Object.values(v).reduce((n: number, x) => n + countLeaves(x), 0);
  return 1;
}

describe("reproduce", () => {
  const report = reproduce(results, published);

  it("lists every figure of published-values.json outside the text sections, none skipped", () => {
    const sections = Object.keys(published).filter(
      (k) => !["source", "notes", "methods", "inconsistencies"].includes(k),
    );
    const leaves = sections.reduce((n, k) => n + countLeaves(published[k]), 0);
    expect(report.entries).toHaveLength(leaves);
    expect(report.sectionsNotCompared).toEqual(["source", "notes", "methods", "inconsistencies"]);
    const s = report.summary;
    expect(s.within + s.outside + s["not-reproducible"] + s.informational).toBe(leaves);
  });

  it("says which figures cannot be reproduced from cohort data, and why", () => {
    const enrolled = entry(report.entries, "cohort.enrolled_patients");
    expect(enrolled.status).toBe("not-reproducible");
    expect(enrolled.published).toBe(37);
    expect(enrolled.note).toMatch(/^not reproducible from cohort data: enrolment/);
    expect(entry(report.entries, "procedure.imaging.haste_slice_mm").status).toBe("not-reproducible");
  });

  it("compares counts exactly, the MTM at printed precision, and p-values by decision", () => {
    expect(entry(report.entries, "cohort.sex.female")).toMatchObject({ reproduced: 10, status: "within" });
    expect(entry(report.entries, "cohort.side.left")).toMatchObject({ reproduced: 32, status: "outside" });
    // MTM mean 0.906 prints as 0.9, not the paper's 1.0; SD 4.417 prints as 4.4.
    expect(entry(report.entries, "mtm.all.mean").status).toBe("outside");
    expect(entry(report.entries, "mtm.all.sd").status).toBe("within");
    expect(entry(report.entries, "table2.renal_score.p")).toMatchObject({ status: "within" });
    expect(entry(report.entries, "table2.renal_score.p").reproduced).toBeCloseTo(0.0702, 4);
    // "< .001" as published is below .05: the reproduced Mann-Whitney p must be too.
    expect(entry(report.entries, "mtm.mann_whitney_p.abstract").status).toBe("within");
    // Age: the paper's .507 and the reproduced .176 are both not significant.
    expect(entry(report.entries, "table2.age_years.p").status).toBe("within");
  });

  it("refuses a hazard ratio under separation and compares a finite one within 5%", () => {
    const mtmHr = entry(report.entries, "table3_univariable_cox.mtm_per_mm.hr");
    expect(mtmHr.reproduced).toBeNull();
    expect(mtmHr.status).toBe("outside");
    const hr = results.table3.rows[1].hr; // diameter per cm, finite
    const tweak = (factor: number) => {
      const copy = structuredClone(published);
      copy.table3_univariable_cox.max_tumor_diameter_per_cm.hr = hr * factor;
      return entry(reproduce(results, copy).entries, "table3_univariable_cox.max_tumor_diameter_per_cm.hr");
    };
    expect(tweak(1.04).status).toBe("within");
    expect(tweak(1.06).status).toBe("outside"); // |hr − 1.06·hr| = 0.057·published > 5%
    expect(tweak(0.96).status).toBe("within");
    expect(tweak(0.94).status).toBe("outside");
  });

  it("holds survival to ±1.5 points and p-values to the same decision", () => {
    const s12 = results.survival.at[0].surv;
    const at = (value: number) => {
      const copy = structuredClone(published);
      copy.outcome.ltp_free_survival["12_months"] = value;
      return entry(reproduce(results, copy).entries, "outcome.ltp_free_survival.12_months");
    };
    expect(at(s12 + 0.014).status).toBe("within");
    expect(at(s12 + 0.016).status).toBe("outside");
    expect(at(s12 + 0.014).difference).toBeCloseTo(-0.014, 12);
    const copy = structuredClone(published);
    copy.table2.age_years.p = 0.01; // significant as published, not as reproduced (.176)
    expect(entry(reproduce(results, copy).entries, "table2.age_years.p").status).toBe("outside");
  });

  it("reads each of the paper's inconsistencies", () => {
    const readings = report.inconsistencies;
    expect(readings).toHaveLength(published.inconsistencies.length);
    expect(readings.every((r) => r.matches !== "not analysed")).toBe(true);
    const renal = readings.find((r) => /RENAL/.test(r.statement));
    expect(renal?.matches).toBe("first reading"); // the count 8 (30.8%), not 31.8%
    const mw = readings.find((r) => /Mann-Whitney/.test(r.statement));
    expect(mw?.matches).toBe("first reading"); // p = 0.000137 reads '< .001'
    const size = readings.find((r) => /3 cm/.test(r.statement));
    expect(size?.matches).toBe("both"); // the smallest negative-margin tumor is 36 mm
    const complications = readings.find((r) => /complications/.test(r.statement));
    expect(complications?.matches).toBe("neither"); // this test cohort has none
  });

  it("writes the report as Markdown with the out-of-tolerance figures marked", () => {
    const md = reproductionToMarkdown(report);
    expect(md).toMatch(/^# Reproduction report/);
    expect(md).toContain(`Figures: ${report.summary.within} within tolerance, ${report.summary.outside} outside`);
    expect(md).toMatch(/\| cohort\.side\.left \| 16 \| 32 \| 16 \| exact \| \*\*OUTSIDE\*\* \|/);
    expect(md).toMatch(/\| cohort\.enrolled_patients \| 37 \| — \| {2}\| — \| not reproducible from cohort data \|/);
    expect(md).toContain("| table2.sex.p | 0.647 (.647) | 0.6471 (.647) |");
    expect(md).toContain("## The paper's inconsistencies");
  });
});

describe("tolerance rules", () => {
  it("printed precision: the reproduced value must round to the printed one", () => {
    const t = { kind: "printed", decimals: 1 } as const;
    expect(withinTolerance(31.3, 31.349, t)).toBe(true);
    expect(withinTolerance(31.3, 31.351, t)).toBe(false);
    expect(withinTolerance(-7, -7.4, { kind: "printed", decimals: 0 })).toBe(true);
    expect(withinTolerance(-7, -7.6, { kind: "printed", decimals: 0 })).toBe(false);
  });

  it("significance: '< .001' and numbers, NaN never within", () => {
    const t = { kind: "significance", alpha: 0.05 } as const;
    expect(withinTolerance("< .001", 0.0004, t)).toBe(true);
    expect(withinTolerance("< 0.001", 0.2, t)).toBe(false);
    expect(withinTolerance(0.07, 0.051, t)).toBe(true);
    expect(withinTolerance(0.07, 0.049, t)).toBe(false);
    expect(withinTolerance(0.07, Number.NaN, t)).toBe(false);
  });

  it("p-values print as the paper", () => {
    expect([formatPValue(0.0004), formatPValue(0.0702), formatPValue(0.507), formatPValue(Number.NaN)]).toEqual([
      "< .001",
      ".070",
      ".507",
      "—",
    ]);
  });
});
