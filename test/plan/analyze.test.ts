/**
 * The analysis plan on small cohorts built in code: every expected number is the paper's own (from its
 * counts), R's, or worked by hand in the comment beside it.
 */
import {
  analyzeCohort,
  coxProportionalHazards,
  formatResults,
  kaplanMeier,
  ltpFreeSurvivalData,
  mannWhitney,
  PlanInputError,
  survivalAt,
  type Table2CategoricalRow,
  type Table2ContinuousRow,
} from "@cryomargin/analysis";
import { describe, expect, it } from "vitest";
import { makeCase, paperCountsCohort } from "./cases.js";

describe("Table 2 with the paper's counts", () => {
  const r = analyzeCohort(paperCountsCohort(), { conventions: "spss" });
  const row = (key: string) => r.table2.rows.find((x) => x.key === key) as Table2CategoricalRow;

  it("uses Fisher's exact test for two levels and reproduces the paper's p for sex and ASA", () => {
    expect(row("sex").test.test).toBe("fisher-exact");
    expect(row("sex").test.p).toBeCloseTo(0.6471277610042915, 12); // R: fisher.test(matrix(c(17,9,3,3),2))
    expect(row("asa").test.test).toBe("fisher-exact");
    expect(row("asa").testedLevels).toEqual(["II", "III"]); // ASA I and IV absent: a 2×2 table
    expect(row("asa").test.p).toBeCloseTo(0.1937403993855606, 12);
  });

  it("uses Fisher-Freeman-Halton for three RENAL levels and gets the paper's .070", () => {
    expect(row("renal_score").test.test).toBe("fisher-freeman-halton");
    expect(row("renal_score").testedLevels).toEqual(["low", "moderate", "high"]);
    expect(row("renal_score").test.p).toBeCloseTo(0.07020366544838177, 12);
    const t2 = formatResults(r).find((o) => o.name === "table2");
    expect(t2?.markdown).toMatch(/\| Sex \| {2}\| {2}\| {2}\| \.647 \|/);
    expect(t2?.markdown).toMatch(/\| RENAL score \| {2}\| {2}\| {2}\| \.070 \| Fisher-Freeman-Halton/);
    expect(t2?.markdown).toMatch(/\| {2}\| 7–9 \(moderate\) \| 8 \(30\.8\) \| 3 \(50\.0\) \|/);
  });

  it("counts patients for age, sex and ASA in Table 1 ('paper' units) and tumors otherwise", () => {
    const t1 = r.table1;
    expect([t1.nPatients, t1.nTumors]).toEqual([30, 32]);
    const count = (key: string, level: string, table = t1) => {
      const x = table.rows.find((y) => y.key === key);
      return x?.kind === "categorical" ? x.levels.find((l) => l.code === level)?.count : undefined;
    };
    expect([count("sex", "male"), count("sex", "female")]).toEqual([20, 10]);
    expect([count("asa", "II"), count("asa", "III")]).toEqual([17, 13]);
    expect(count("renal_score", "moderate")).toBe(11);
    const tumors = analyzeCohort(paperCountsCohort(), { table1Units: "tumors" }).table1;
    expect([count("sex", "male", tumors), count("sex", "female", tumors)]).toEqual([20, 12]);
  });
});

describe("Table 2: t-test when both groups are normal, Mann-Whitney otherwise", () => {
  // Diameters from R's t.test example (both groups pass Shapiro-Wilk); ages with one outlier (not normal).
  const lcDiam = [28.4, 31, 21.9, 40.8];
  const ltpDiam = [32.2, 42.4, 40.4, 40.7, 34.5];
  const lcAge = [60, 61, 62, 95];
  const ltpAge = [70, 71, 72, 73, 74];
  const cases = [
    ...lcDiam.map((d, i) => makeCase({ caseId: `lc${i}`, diameterMm: d, ageYears: lcAge[i], mtm: 2 + i })),
    ...ltpDiam.map((d, i) =>
      makeCase({ caseId: `ltp${i}`, ltp: true, months: 6 + i, diameterMm: d, ageYears: ltpAge[i], mtm: -3 - i }),
    ),
  ];
  const get = (conventions: "r" | "spss", key: string) =>
    analyzeCohort(cases, { conventions }).table2.rows.find((x) => x.key === key) as Table2ContinuousRow;

  it("picks Student's t-test for the diameter, as R's t.test(var.equal = TRUE)", () => {
    const d = get("r", "max_tumor_diameter_mm");
    expect(d.normality.localControl?.p).toBeGreaterThan(0.05);
    expect(d.normality.ltp?.p).toBeGreaterThan(0.05);
    expect(d.test.test).toBe("t-test");
    expect(d.test.statistic).toBeCloseTo(-1.8277, 4); // R: t = -1.8277, df = 7
    expect(d.display).toBe("mean-sd");
  });

  it("picks Mann-Whitney for the skewed age, with the convention's p", () => {
    const r = get("r", "age_years");
    expect(r.normality.localControl?.p).toBeLessThan(0.05);
    expect(r.test.test).toBe("mann-whitney");
    expect(r.display).toBe("median-range");
    // W = 5 (only 95 exceeds the LTP ages). Exact (R, no ties): 18 of the C(9,4) = 126 rank subsets have
    // W ≤ 5, p = 2·18/126.
    expect(r.test.statistic).toBe(5);
    expect(r.test.p).toBeCloseTo(36 / 126, 12);
    // SPSS: z = (5 − 10)/√(4·5·10/12) = −1.2247, p = 2Φ(−1.2247) = 0.2207.
    const spss = get("spss", "age_years");
    expect(spss.test.p).toBeCloseTo(0.22067136, 6);
    expect(spss.test.description).toMatch(/no continuity correction/);
  });
});

describe("conventions switch each method", () => {
  it("quartiles: type 7 (R) vs type 6 (SPSS) on the LTP MTMs", () => {
    // Sorted LTP MTMs −10, −10, −9, −5, −5, −5. Type 7: Q1 at h = 2.25 → −10 + 0.25·1 = −9.75; Q3 at 4.75 → −5.
    // Type 6: Q1 at h = 1.75 → −10; Q3 at h = 5.25 → −5.
    const cases = paperCountsCohort();
    const r = analyzeCohort(cases, { conventions: "r" }).mtm.summary.ltp;
    const spss = analyzeCohort(cases, { conventions: "spss" }).mtm.summary.ltp;
    expect([r?.median, r?.q1, r?.q3]).toEqual([-7, -9.75, -5]);
    expect([spss?.median, spss?.q1, spss?.q3]).toEqual([-7, -10, -5]);
  });

  it("Mann-Whitney of MTM: R's continuity correction vs SPSS's none, equal to the engine's", () => {
    const cases = paperCountsCohort();
    const lc = cases.filter((c) => !c.ltp).map((c) => c.margin.mtmMmRounded);
    const ltp = cases.filter((c) => c.ltp).map((c) => c.margin.mtmMmRounded);
    const r = analyzeCohort(cases, { conventions: "r" }).mtm.test;
    const spss = analyzeCohort(cases, { conventions: "spss" }).mtm.test;
    expect(r.p).toBe(mannWhitney(lc, ltp, { exact: "auto", correct: true }).p);
    expect(spss.p).toBe(mannWhitney(lc, ltp, { exact: false, correct: false }).p);
    expect(spss.p).toBeLessThan(r.p); // the correction moves z towards 0
    expect(r.description).toMatch(/continuity correction/);
  });

  it("Spearman: exact AS 89 (R, no ties) vs t approximation (SPSS)", () => {
    // R: cor.test(x, y, method = "spearman") on these pairs → rho = −0.4, S = 28, p = 0.5167 (exact).
    // Ranks are all Spearman uses, so the x pairs map to diameters by an increasing transform.
    const x = [1.44794, -1.63894, 0.5362, -3.00554, 0.68665];
    const y = [0.04324, 0.38782, 0.34663, 1.05059, 1.21725];
    const cases = x.map((xi, i) =>
      makeCase({ caseId: `c${i}`, diameterMm: 30 + 5 * xi, mtm: y[i], ltp: i === 0, months: 10 + i }),
    );
    const r = analyzeCohort(cases, { conventions: "r", mtm: "raw" }).sizeVsMtm;
    expect(r.rho).toBeCloseTo(-0.4, 12);
    expect(r.p).toBeCloseTo(0.516667, 6);
    const spss = analyzeCohort(cases, { conventions: "spss", mtm: "raw" }).sizeVsMtm;
    // t = −0.4·√(3/0.84) = −0.75593 on 3 df: two-sided p = 0.50463.
    expect(spss.p).toBeCloseTo(0.50463, 4);
    expect(spss.pMethod).toMatch(/t approximation/);
  });

  it("Cox ties: Efron (R) vs Breslow (SPSS), each equal to the engine's fit", () => {
    // Two LTP at 6 months (tied): the methods differ.
    const mtm = [-6, -4, -1, 1, 2, 3, 0, 4, -2, 5];
    const cases = mtm.map((m, i) =>
      makeCase({ caseId: `c${i}`, mtm: m, ltp: i < 3 || i === 6, months: i < 2 ? 6 : 8 + 3 * i }),
    );
    const data = ltpFreeSurvivalData(cases);
    const rows = (conventions: "r" | "spss") => analyzeCohort(cases, { conventions }).table3.rows;
    const efron = coxProportionalHazards(data, { mtm_mm: mtm }, { ties: "efron" }).coefficients[0];
    const breslow = coxProportionalHazards(data, { mtm_mm: mtm }, { ties: "breslow" }).coefficients[0];
    expect(rows("r")[0].hr).toBe(efron.hr);
    expect(rows("spss")[0].hr).toBe(breslow.hr);
    expect(Math.abs(efron.hr - breslow.hr)).toBeGreaterThan(1e-4);
    expect(rows("spss")[0].monotoneLikelihood).toBe(false);
    expect(rows("r")[1].hr).toBe(
      coxProportionalHazards(data, { d: cases.map(() => 3) }, { ties: "efron" }).coefficients[0].hr,
    ); // every diameter is 30 mm = 3 cm: the collinear fit is NaN, as the engine's
  });
});

describe("survival and follow-up", () => {
  // LTP at 1, 6 and 18 months; censored at 3, 8, 14, 20 and 4 × 30.
  const spec: [number, boolean][] = [
    [1, true],
    [3, false],
    [6, true],
    [8, false],
    [14, false],
    [18, true],
    [20, false],
    [30, false],
    [30, false],
    [30, false],
    [30, false],
  ];
  const cases = spec.map(([months, ltp], i) => makeCase({ caseId: `c${i}`, months, ltp, mtm: ltp ? -3 : 3 }));
  const r = analyzeCohort(cases);

  it("gives S(12) and S(24) by hand and as kaplanMeier + survivalAt", () => {
    // S(12) = (10/11)·(8/9) = 0.80808; at 18 there are 6 at risk: S(24) = 0.80808·5/6 = 0.67340.
    expect(r.survival.at.map((a) => a.time)).toEqual([12, 24]);
    expect(r.survival.at[0].surv).toBeCloseTo((10 / 11) * (8 / 9), 12);
    expect(r.survival.at[1].surv).toBeCloseTo((10 / 11) * (8 / 9) * (5 / 6), 12);
    const data = ltpFreeSurvivalData(cases);
    expect(r.survival.at).toEqual(survivalAt(kaplanMeier(data), [12, 24]));
    expect(r.survival.at[0].nRisk).toBe(7);
  });

  it("gives the plain and the reverse Kaplan-Meier median follow-up", () => {
    expect(r.followUp.medianMonths).toBe(18);
    // Reverse KM (censoring as the event): 3: 10 at risk → 9/10; 8: 8 → ·7/8; 14: 7 → ·6/7; 20: 5 → ·4/5 = 0.54;
    // 30: 4 at risk, 4 "events" → 0. It first reaches ≤ 0.5 at 30.
    expect(r.followUp.reverseKmMedianMonths).toBe(30);
  });
});

describe("counts and the LTP site", () => {
  const cases = [
    makeCase({
      caseId: "a",
      ltp: true,
      mtm: -7,
      diameterMm: 45,
      minMarginOctant: "right-anterior-superior",
      ltpOctant: "right-anterior-superior",
    }),
    makeCase({
      caseId: "b",
      ltp: true,
      mtm: -4,
      diameterMm: 31,
      minMarginOctant: "right-anterior-superior",
      ltpOctant: "right-posterior-superior",
    }),
    makeCase({
      caseId: "c",
      ltp: true,
      mtm: -2,
      diameterMm: 30,
      minMarginOctant: "right-anterior-superior",
      ltpOctant: "left-posterior-inferior",
    }),
    makeCase({
      caseId: "d",
      ltp: true,
      mtm: -1,
      diameterMm: 38,
      minMarginOctant: "left-anterior-inferior",
      ltpOctant: "right-posterior-inferior",
    }),
    makeCase({ caseId: "e", ltp: true, mtm: 1, diameterMm: 20, ltpOctant: null }),
    makeCase({ caseId: "f", mtm: -0.6, diameterMm: 33 }), // rounds to −1: negative without LTP
    makeCase({ caseId: "g", mtm: 5.4, diameterMm: 22 }),
    makeCase({ caseId: "h", mtm: 4.6, diameterMm: 25 }), // rounds to 5
    makeCase({ caseId: "i", mtm: 2, diameterMm: 41 }),
  ];
  const r = analyzeCohort(cases);

  it("counts the paper's statements on the rounded MTM", () => {
    const c = r.counts;
    expect(c.atLeastThreshold).toBe(2); // 5.4 → 5 and 4.6 → 5
    expect(c.negative).toBe(5);
    expect(c.negativeWithoutLtp).toBe(1);
    expect([c.ltpWithNegative, c.ltp, c.allLtpNegative]).toEqual([4, 5, false]);
    expect([c.atLeast1mm, c.atLeast1mmWithLtp, c.allAtLeast1mmLocalControl]).toEqual([4, 1, false]);
    expect([c.negativeInTumorsAtLeast30mm, c.negativeInTumorsOver30mm]).toEqual([5, 4]); // c is exactly 30 mm
    expect(c.smallestDiameterWithNegativeMtmMm).toBe(30);
    expect([c.t1bTumors, c.t1bWithLtp]).toEqual([2, 1]);
    const raw = analyzeCohort(cases, { mtm: "raw" }).counts;
    expect(raw.atLeastThreshold).toBe(1); // only 5.4 ≥ 5 unrounded
  });

  it("compares the regrowth octant with the smallest-margin octant at three strengths", () => {
    const s = r.ltpSite;
    expect([s.ltpCases, s.withOctant]).toEqual([5, 4]);
    expect(s.cases.map((x) => x.axesInCommon)).toEqual([3, 2, 0, 1]);
    expect([s.sameOctant, s.adjacent, s.sharesSide]).toEqual([1, 2, 3]);
    expect(s.inUncoveredOctant).toBeNull();
    expect(r.warnings.join(" ")).toMatch(/1 LTP case\(s\) without ltp_octant/);
  });

  it("asks whether the regrowth octant was uncovered when per-octant margins are given", () => {
    const withOctants = cases.map((c) =>
      c.ltp && c.ltpOctant
        ? {
            ...c,
            margin: {
              ...c.margin,
              octants: [
                {
                  name: c.ltpOctant,
                  minMarginMm: c.caseId === "a" ? -7 : 1.5,
                  tumorVolumeMl: 1,
                  fractionGreen: 0,
                  fractionYellow: 1,
                  fractionRed: 0,
                },
              ],
            },
          }
        : c,
    );
    expect(analyzeCohort(withOctants).ltpSite.inUncoveredOctant).toBe(1);
  });
});

describe("Table 3: separation, Firth and user covariates", () => {
  // Every LTP has a smaller MTM than anyone still at risk: the partial likelihood is monotone in the MTM.
  const cases = [
    ...[-9, -7, -5].map((m, i) =>
      makeCase({ caseId: `l${i}`, ltp: true, mtm: m, months: 4 + 4 * i, diameterMm: 40 + i }),
    ),
    ...[-1, 1, 2, 3, 4, 5, 6].map((m, i) =>
      makeCase({ caseId: `c${i}`, mtm: m, months: 20 + i, diameterMm: 25 + 2 * i, extra: { bmi: `${24 + i},5` } }),
    ),
  ];

  it("flags the monotone likelihood and gives Firth's finite HR", () => {
    const r = analyzeCohort(cases);
    const mtm = r.table3.rows[0];
    expect(mtm.key).toBe("mtm_mm");
    expect(mtm.monotoneLikelihood).toBe(true);
    expect(mtm.pMethod).toBe("likelihood-ratio");
    expect(mtm.pReported).toBe(mtm.pLikelihoodRatio);
    expect(mtm.firth).not.toBeNull();
    expect(mtm.firth?.hr).toBeGreaterThan(0);
    expect(mtm.firth?.hr).toBeLessThan(1);
    expect(mtm.firth?.hrUpper).toBeLessThan(1);
    expect(r.warnings.join(" ")).toMatch(/monotone likelihood in 'mtm_mm'/);
    const t3 = formatResults(r).find((o) => o.name === "table3");
    expect(t3?.markdown).toMatch(/not estimable \(separation\)/);
    expect(t3?.markdown).toMatch(/Firth \d\.\d\d \(/);
    expect(analyzeCohort(cases, { firth: "never" }).table3.rows[0].firth).toBeNull();
  });

  it("adds built-in and CSV covariates and refuses unknown ones", () => {
    const r = analyzeCohort(cases, { extraCovariates: ["tumor_volume_ml", "bmi"] });
    expect(r.table3.rows.map((x) => x.key)).toEqual(["mtm_mm", "max_tumor_diameter_cm", "tumor_volume_ml", "bmi"]);
    const bmi = r.table3.rows[3];
    expect(bmi.n).toBe(7); // the LTP cases have no bmi: left out of that model, so no events
    expect(bmi.events).toBe(0);
    expect(bmi.warnings[0]).toMatch(/no LTP events/);
    expect(() => analyzeCohort(cases, { extraCovariates: ["weight"] })).toThrow(PlanInputError);
    expect(() => analyzeCohort(cases, { extraCovariates: ["weight"] })).toThrow(/unknown Cox covariate 'weight'.*bmi/);
  });

  it("the diameter enters per cm: its HR is the per-mm HR to the 10th power", () => {
    const r = analyzeCohort(cases, { conventions: "spss" });
    const data = ltpFreeSurvivalData(cases);
    const perMm = coxProportionalHazards(
      data,
      { d: cases.map((c) => c.margin.tumorMaxDiameterMm) },
      { ties: "breslow" },
    ).coefficients[0];
    expect(r.table3.rows[1].hr).toBeCloseTo(perMm.hr ** 10, 8);
  });
});

describe("formatResults", () => {
  const r = analyzeCohort(paperCountsCohort(), { conventions: "spss" });
  const outputs = formatResults(r);

  it("gives every table as CSV, Markdown and JSON", () => {
    expect(outputs.map((o) => o.name)).toEqual([
      "table1",
      "table2",
      "table3",
      "mtm_by_outcome",
      "size_vs_mtm",
      "survival",
      "follow_up",
      "counts",
      "ltp_site",
      "margins",
      "methods",
    ]);
    for (const o of outputs) {
      expect(o.markdown.startsWith(`## ${o.title}`)).toBe(true);
      expect(() => JSON.parse(o.json)).not.toThrow();
    }
    const margins = outputs.find((o) => o.name === "margins");
    expect(margins?.csv.trim().split("\n")).toHaveLength(33);
    const t1 = outputs.find((o) => o.name === "table1");
    expect(t1?.csv).toContain("Maximal tumor diameter (mm),,31.9 ± 8.9,tumors (n = 32)");
    expect(t1?.csv).toContain(",Male,20 (66.7),");
    expect(t1?.csv).not.toContain(",IV,"); // absent levels are not printed
  });

  it("prints the MTM by outcome as the paper: median (IQR) and p", () => {
    const mtm = outputs.find((o) => o.name === "mtm_by_outcome")?.markdown ?? "";
    expect(mtm).toContain("| Local tumor progression | 6 | -7.3 ± 2.6 | -10 to -5 | -7 (IQR -10 to -5) |");
    expect(mtm).toContain("| Local control | 26 | 2.8 ± 1.7 | -2 to 6 | 3 (IQR 2 to 4) | < .001 |");
  });

  it("writes NaN as null in JSON and states the methods", () => {
    const methods = outputs.find((o) => o.name === "methods");
    expect(methods?.markdown).toMatch(/Breslow/);
    expect(methods?.markdown).toMatch(/type 6/);
    const t3 = JSON.parse(outputs.find((o) => o.name === "table3")?.json ?? "{}");
    expect(t3.rows[0].hrUpper).toBeNull(); // the separated MTM's infinite upper limit
  });
});

describe("input checks", () => {
  it("runs on a cohort without LTP, saying what could not be tested", () => {
    const cases = [1, 2, 3, 4, 5].map((m, i) => makeCase({ caseId: `c${i}`, mtm: m, ageYears: i < 2 ? null : 70 + i }));
    const r = analyzeCohort(cases);
    expect(r.table3.rows[0].warnings).toEqual(["no LTP events: a Cox model cannot be fitted"]);
    expect(r.mtm.test.description).toBe("not tested: an empty group");
    expect(r.survival.at[0].surv).toBe(1);
    const age = r.table1.rows.find((x) => x.key === "age_years");
    expect([age?.n, age?.missing]).toEqual([3, 2]);
    expect(formatResults(r).find((o) => o.name === "table3")?.csv).toContain(
      "Minimal treatment margin,per mm,not fitted,—,,—,0 / 5,no LTP events: a Cox model cannot be fitted",
    );
  });

  it("refuses a cohort too small to analyse", () => {
    expect(() => analyzeCohort([makeCase({ caseId: "a" })])).toThrow(/needs at least 3/);
  });
});
