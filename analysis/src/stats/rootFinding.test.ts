import { describe, expect, it } from "vitest";
import { R_UNIROOT_TOL, uniroot } from "./rootFinding.js";

describe("uniroot (R's zeroin)", () => {
  it("finds √2 to the requested tolerance", () => {
    expect(uniroot((x) => x * x - 2, 0, 2, { tol: 1e-12 }).root).toBeCloseTo(Math.SQRT2, 11);
  });
  it("stops at R's default tolerance", () => {
    const r = uniroot((x) => x * x * x - 0.3, 0, 1);
    expect(Math.abs(r.root - Math.cbrt(0.3))).toBeLessThan(R_UNIROOT_TOL);
    expect(r.estimatedPrecision).toBeGreaterThan(0);
  });
  it("refuses a bracket without a sign change", () => {
    expect(() => uniroot((x) => x * x + 1, -1, 1)).toThrow(/opposite sign/);
  });
});
