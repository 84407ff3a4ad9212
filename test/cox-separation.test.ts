/**
 * Monotone likelihood (separation) in Cox regression: the engine must say so instead of printing an
 * enormous hazard ratio as if it were an estimate, and Firth's penalised likelihood must give a finite one.
 */
import { describe, expect, it } from "vitest";
import { coxProportionalHazards } from "../analysis/src/survival/cox.js";

// Each event has the smallest x of everyone still at risk: ℓ(β) increases monotonically as β → −∞.
const separated = {
  time: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20],
  event: [1, 1, 1, 0, 1, 0, 0, 1, 0, 0],
  x: [-16, -15, -14, 3, -13, 2, 4, -12, 5, 6],
};

describe("separation", () => {
  it("flags a truly separated covariate and reports no usable HR", () => {
    const fit = coxProportionalHazards({ time: separated.time, event: separated.event }, { x: separated.x });
    expect(fit.monotoneLikelihood).toBe(true);
    expect(fit.coefficients[0].coef).toBeLessThan(0);
    expect(fit.warnings.join(" ")).toMatch(/monotone likelihood in 'x'/);
  });

  it("does not flag an ordinary fit", () => {
    const fit = coxProportionalHazards(
      { time: separated.time, event: separated.event },
      { x: [-16, 5, -14, 3, -13, 2, 4, -12, -15, 6] },
    );
    expect(fit.monotoneLikelihood).toBe(false);
    expect(Number.isFinite(fit.coefficients[0].hr)).toBe(true);
  });
});
