/**
 * The what-if computation on an 8-case cohort small enough to check by hand (numbers derived in the
 * comments; Clopper-Pearson limits are R's binom.test).
 */
import { describe, expect, it } from "vitest";
import { normalQuantileStd, normalTwoSidedP } from "../stats/distributions.js";
import { proportionWithCi } from "./diagnosticAccuracy.js";
import { isShiftExact, shiftedMarginMm } from "./iceballDelta.js";
import { type WhatIfCase, WhatIfInputError, whatIf } from "./whatIf.js";

// caseId, MTM mm, LTP, months, diameter mm
const rows: [string, number, number, number, number][] = [
  ["A", -6, 1, 6, 45],
  ["B", -3, 1, 12, 40],
  ["C", -1, 0, 30, 35],
  ["D", 1, 1, 18, 32],
  ["E", 2, 0, 24, 28],
  ["F", 4, 0, 36, 25],
  ["G", 6, 0, 40, 20],
  ["H", 9, 0, 48, 18],
];
const cases: WhatIfCase[] = rows.map(([caseId, mtmMm, ltp, timeMonths, diameterMm]) => ({
  caseId,
  mtmMm,
  ltp,
  timeMonths,
  diameterMm,
}));

describe("whatIf at threshold 0 mm, Δ 0", () => {
  const r = whatIf(cases, { thresholdMm: 0 });

  it("tallies predicted (MTM < 0: A, B, C) against observed (A, B, D)", () => {
    expect(r.table).toEqual({ truePositive: 2, falsePositive: 1, falseNegative: 1, trueNegative: 4 });
    expect(r.n).toBe(8);
    expect(r.nExcluded).toBe(0);
  });

  it("gives sensitivity 2/3 and specificity 4/5 with R's exact intervals", () => {
    const { sensitivity, specificity, positivePredictiveValue, negativePredictiveValue } = r.accuracy;
    expect(sensitivity.estimate).toBeCloseTo(2 / 3, 12);
    expect(sensitivity.lower).toBeCloseTo(0.09429932, 7); // binom.test(2, 3)
    expect(sensitivity.upper).toBeCloseTo(0.99159624, 7);
    expect(specificity.estimate).toBeCloseTo(0.8, 12);
    expect(specificity.lower).toBeCloseTo(0.2835821, 6); // binom.test(4, 5)
    expect(specificity.upper).toBeCloseTo(0.9949492, 6);
    expect([positivePredictiveValue.x, positivePredictiveValue.n]).toEqual([2, 3]);
    expect([negativePredictiveValue.x, negativePredictiveValue.n]).toEqual([4, 5]);
  });

  it("gives Fisher p = 26/56 (hypergeometric tables with P ≤ P(observed) = 15/56)", () => {
    // Margins 3/5 × 3/5 of N = 8: P(x) ∝ C(3,x)C(5,3−x) = 10, 30, 15, 1 for x = 0..3.
    expect(r.fisher.p).toBeCloseTo(26 / 56, 10);
    expect(r.fisher.oddsRatio).toBeGreaterThan(1);
  });

  it("fits Kaplan-Meier per predicted group and the log-rank test by hand", () => {
    const [below, above] = r.survival.groups;
    expect(below.label).toBe("MTM < 0 mm");
    expect([below.n, below.events, above.n, above.events]).toEqual([3, 2, 5, 1]);
    // Predicted LTP: events at 6 and 12 among 3 → S = 2/3, 1/3; censored at 30.
    const closeTo = (values: number[]) => values.map((v) => expect.closeTo(v, 12));
    expect(below.fit?.table.map((row) => row.surv)).toEqual(closeTo([2 / 3, 1 / 3, 1 / 3]));
    expect(below.landmarks.map((l) => l.surv)).toEqual(closeTo([1 / 3, 1 / 3]));
    expect(above.landmarks.map((l) => l.surv)).toEqual(closeTo([1, 0.8]));
    // Event times 6, 12, 18 with (n, n₁) = (8, 3), (7, 2), (6, 1); O₁ = 2.
    const expected = 3 / 8 + 2 / 7 + 1 / 6;
    const variance = (3 / 8) * (5 / 8) + (2 / 7) * (5 / 7) + (1 / 6) * (5 / 6);
    const chisq = (2 - expected) ** 2 / variance;
    expect(r.survival.logRank.chisq).toBeCloseTo(chisq, 10);
    expect(r.survival.logRank.df).toBe(1);
    expect(r.survival.logRank.p).toBeCloseTo(normalTwoSidedP(Math.sqrt(chisq)), 10);
  });

  it("computes the ROC of the margin in the right direction (small MTM → LTP)", () => {
    const roc = r.roc!;
    // LTP MTMs −6, −3, 1 against controls −1, 2, 4, 6, 9: 14 of 15 pairs have the case lower.
    expect(roc.auc).toBeCloseTo(14 / 15, 12);
    // DeLong: V10 = (1, 1, 4/5), V01 = (2/3, 1, 1, 1, 1) → Var = (1/75)/3 + (1/45)/5 = 2/225.
    const se = Math.sqrt(2) / 15;
    expect(roc.ci[0]).toBeCloseTo(14 / 15 - normalQuantileStd(0.975) * se, 10);
    expect(roc.ci[1]).toBe(1);
    // Youden: MTM < 1.5 → sensitivity 1, specificity 4/5, J = 0.8 (MTM < −2 only reaches J = 2/3).
    expect(roc.youden.thresholdMm).toBe(1.5);
    expect(roc.youden.sensitivity).toBe(1);
    expect(roc.youden.specificity).toBeCloseTo(0.8, 12);
    expect(roc.youden.j).toBeCloseTo(0.8, 12);
    expect(r.operatingPoint).toEqual({ sensitivity: 2 / 3, specificity: 0.8 });
  });
});

describe("whatIf controls", () => {
  it("a case exactly at the threshold is predicted to be controlled (rule is MTM < threshold)", () => {
    const r = whatIf(cases, { thresholdMm: 1 });
    expect(r.cases.find((c) => c.caseId === "D")?.predictedLtp).toBe(0);
    expect(r.table.truePositive).toBe(2);
  });

  it("ice-ball Δ = +2 mm shifts every MTM by 2: C (−1 → 1) leaves the predicted-LTP group", () => {
    const r = whatIf(cases, { thresholdMm: 0, iceballDeltaMm: 2 });
    expect(r.cases.map((c) => c.shiftedMtmMm)).toEqual([-4, -1, 1, 3, 4, 6, 8, 11]);
    expect(r.table).toEqual({ truePositive: 2, falsePositive: 0, falseNegative: 1, trueNegative: 5 });
    expect(r.roc?.auc).toBeCloseTo(14 / 15, 12); // a shift keeps the ranks
    expect(r.roc?.youden.thresholdMm).toBe(3.5); // 1.5 + Δ
    // Exact only where the grown ice ball still leaves the tumor uncovered (A, B).
    expect(r.cases.filter((c) => c.shiftExact).map((c) => c.caseId)).toEqual(["A", "B"]);
    expect(r.notes.some((n) => n.includes("6 shifted MTM(s) are a bound"))).toBe(true);
  });

  it("'tumors > 3 cm only' keeps A–D (45, 40, 35, 32 mm)", () => {
    const r = whatIf(cases, { thresholdMm: 0, largeTumorsOnly: true });
    expect(r.n).toBe(4);
    expect(r.nExcluded).toBe(4);
    expect(r.table).toEqual({ truePositive: 2, falsePositive: 1, falseNegative: 1, trueNegative: 0 });
    expect(r.accuracy.specificity.estimate).toBe(0);
    expect(r.accuracy.specificity.upper).toBeCloseTo(0.975, 12); // 0/1: [0, 1 − 0.025]
    // A custom cut: > 40 mm keeps A only → ROC undefined.
    const one = whatIf(cases, { thresholdMm: 0, largeTumorsOnly: true, largeTumorMinDiameterMm: 40 });
    expect(one.n).toBe(1);
    expect(one.roc).toBeNull();
  });
});

describe("whatIf degenerate cases give NaN and notes, never throw", () => {
  it("nobody predicted to progress (threshold −10 mm)", () => {
    const r = whatIf(cases, { thresholdMm: -10 });
    expect(r.table).toEqual({ truePositive: 0, falsePositive: 0, falseNegative: 3, trueNegative: 5 });
    expect(r.accuracy.positivePredictiveValue.estimate).toBeNaN();
    expect(r.accuracy.sensitivity.estimate).toBe(0);
    expect(r.fisher.p).toBe(1);
    expect(r.fisher.oddsRatio).toBeNaN();
    expect(r.survival.groups[0].fit).toBeNull();
    expect(r.survival.logRank.p).toBeNaN();
    expect(r.notes).toContain("Log-rank undefined: one predicted group is empty.");
    expect(r.roc?.auc).toBeCloseTo(14 / 15, 12); // the ROC does not depend on the threshold
  });

  it("no case at all", () => {
    const r = whatIf([], { thresholdMm: 5 });
    expect(r.n).toBe(0);
    expect(r.accuracy.sensitivity.estimate).toBeNaN();
    expect(r.fisher.p).toBeNaN();
    expect(r.survival.logRank.p).toBeNaN();
    expect(r.roc).toBeNull();
    expect(r.notes[0]).toMatch(/No case left/);
  });

  it("every case a control", () => {
    const controls = cases.map((c) => ({ ...c, ltp: 0 }));
    const r = whatIf(controls, { thresholdMm: 0 });
    expect(r.accuracy.sensitivity.estimate).toBeNaN();
    expect(r.survival.logRank.p).toBeNaN();
    expect(r.roc).toBeNull();
    expect(r.notes).toContain("ROC undefined: every case is a control.");
  });

  it("rejects an invalid row naming the case and field", () => {
    const bad = [...cases, { caseId: "X9", mtmMm: Number.NaN, ltp: 0, timeMonths: 3, diameterMm: 20 }];
    expect(() => whatIf(bad, { thresholdMm: 0 })).toThrow(WhatIfInputError);
    expect(() => whatIf(bad, { thresholdMm: 0 })).toThrow("case X9: mtmMm must be a finite number, got NaN");
  });
});

describe("helpers", () => {
  it("proportionWithCi matches binom.test(6, 32) and is NaN for n = 0", () => {
    const p = proportionWithCi(6, 32);
    expect(p.lower).toBeCloseTo(0.07208, 5);
    expect(p.upper).toBeCloseTo(0.36439, 5);
    expect(proportionWithCi(0, 0).estimate).toBeNaN();
  });

  it("shiftedMarginMm / isShiftExact", () => {
    expect(shiftedMarginMm(-3, 2)).toBe(-1);
    expect(isShiftExact(-3, 2)).toBe(true);
    expect(isShiftExact(-1, 2)).toBe(false);
    expect(isShiftExact(4, -3)).toBe(true);
    expect(isShiftExact(2, -3)).toBe(false);
    expect(isShiftExact(2, 0)).toBe(true);
  });
});
