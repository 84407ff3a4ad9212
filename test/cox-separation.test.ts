/**
 * Monotone likelihood (separation) in Cox regression: the engine must say so instead of printing an
 * enormous hazard ratio as if it were an estimate, and Firth's penalised likelihood must give a finite one.
 */
import { describe, expect, it } from "vitest";
import { coxProportionalHazards } from "../analysis/src/survival/cox.js";
import { coxFirth, penalizedLikelihood } from "../analysis/src/survival/firth.js";

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
    const warning = fit.warnings.find((w) => w.code === "monotone-likelihood");
    expect(warning?.message).toMatch(/monotone likelihood in 'x'/);
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

describe("Firth's penalised Cox", () => {
  it("gives a finite estimate with a profile CI on separated data", () => {
    const fit = coxFirth({ time: separated.time, event: separated.event }, { x: separated.x });
    expect(fit.converged).toBe(true);
    const c = fit.coefficients[0];
    expect(Number.isFinite(c.coef)).toBe(true);
    expect(c.coef).toBeLessThan(0);
    expect(c.ci[0]).toBeLessThan(c.hr);
    expect(c.ci[1]).toBeGreaterThan(c.hr);
    expect(c.ci[1]).toBeLessThan(1); // the separation is strong evidence of a protective effect
    // The analytic modified score must be the gradient of ℓ*: check it by central differences, at the
    // estimate (where both vanish) and away from it.
    for (const b of [c.coef, c.coef + 0.3, -0.05]) {
      const h = 1e-5;
      const numeric =
        (penalizedLikelihood(separated.time, separated.event, [separated.x], [b + h]).value -
          penalizedLikelihood(separated.time, separated.event, [separated.x], [b - h]).value) /
        (2 * h);
      const analytic = penalizedLikelihood(separated.time, separated.event, [separated.x], [b]).score[0];
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-5 * Math.max(1, Math.abs(analytic)));
    }
    expect(
      Math.abs(penalizedLikelihood(separated.time, separated.event, [separated.x], [c.coef]).score[0]),
    ).toBeLessThan(1e-6);
  });

  it("the modified score is the gradient of ℓ* with two covariates", () => {
    const x2 = [0.5, -1, 2, 0.3, 1.1, -0.7, 0.2, 1.5, -1.2, 0.9];
    const beta = [-0.2, 0.4];
    for (let r = 0; r < 2; r++) {
      const h = 1e-5;
      const up = [...beta];
      const down = [...beta];
      up[r] += h;
      down[r] -= h;
      const numeric =
        (penalizedLikelihood(separated.time, separated.event, [separated.x, x2], up).value -
          penalizedLikelihood(separated.time, separated.event, [separated.x, x2], down).value) /
        (2 * h);
      const analytic = penalizedLikelihood(separated.time, separated.event, [separated.x, x2], beta).score[r];
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-5 * Math.max(1, Math.abs(analytic)));
    }
  });

  it("is close to the ordinary Cox fit when the data are informative and not separated", () => {
    // Firth's bias correction is O(1/n): on a large, well-behaved sample the two estimates nearly agree.
    const n = 300;
    const time: number[] = [];
    const event: number[] = [];
    const x: number[] = [];
    let seed = 12345;
    const u = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed + 0.5) / 2147483648;
    };
    for (let i = 0; i < n; i++) {
      const xi = u() * 2 - 1;
      const t = -Math.log(u()) / Math.exp(0.7 * xi);
      const c = -Math.log(u()) * 2;
      x.push(xi);
      time.push(Math.min(t, c));
      event.push(t <= c ? 1 : 0);
    }
    const firth = coxFirth({ time, event }, { x });
    const ordinary = coxProportionalHazards({ time, event }, { x }, { ties: "breslow" });
    expect(Math.abs(firth.coefficients[0].coef - ordinary.coefficients[0].coef)).toBeLessThan(0.02);
    // Profile CI close to the Wald CI in this regular case.
    expect(Math.abs(Math.log(firth.coefficients[0].ci[0]) - Math.log(ordinary.coefficients[0].ci[0]))).toBeLessThan(
      0.05,
    );
  });
});
