import { describe, expect, it } from "vitest";
import {
  chiSquareQuantile,
  chiSquareUpperTail,
  normalQuantileStd,
  normalTwoSidedP,
  normalUpperTail,
  studentTQuantile,
  studentTTwoSidedP,
  studentTUpperTail,
} from "./distributions.js";

// Reference values from R 4.2: pnorm, pchisq(lower.tail=FALSE), pt, qnorm, qchisq, qt.
describe("distributions", () => {
  it("normal tails and quantile", () => {
    expect(normalTwoSidedP(1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(normalQuantileStd(0.975)).toBeCloseTo(1.959963984540054, 12);
    // pnorm(10, lower.tail=FALSE) = 7.619853024160527e-24: 1 - pnorm(10) would give 0.
    expect(normalUpperTail(10) / 7.619853024160527e-24).toBeCloseTo(1, 10);
  });

  it("chi-square upper tail keeps tiny p-values", () => {
    expect(chiSquareUpperTail(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareQuantile(0.95, 2)).toBeCloseTo(5.991464547107979, 10);
    // pchisq(200, 1, lower.tail=FALSE) = 2.088487583762545e-45
    expect(chiSquareUpperTail(200, 1) / 2.088487583762545e-45).toBeCloseTo(1, 8);
    expect(chiSquareUpperTail(0, 3)).toBe(1);
  });

  it("student t tails and quantile", () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 10);
    expect(studentTTwoSidedP(2.228138851986274, 10)).toBeCloseTo(0.05, 12);
    expect(studentTUpperTail(-2.228138851986274, 10)).toBeCloseTo(0.975, 12);
    // pt(40, 5, lower.tail=FALSE) = 9.205981085886477e-08
    expect(studentTUpperTail(40, 5) / 9.205981085886477e-8).toBeCloseTo(1, 10);
  });
});
