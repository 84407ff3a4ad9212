import { describe, expect, it } from "vitest";
import { rocCurve } from "./roc.js";

describe("rocCurve", () => {
  it("AUC, curve ends and the Youden threshold on a hand-checked example", () => {
    // Cases 0.35, 0.8; controls 0.1, 0.4: pairs (0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4) → AUC 3/4.
    const r = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(r.auc).toBe(0.75);
    expect(r.curve[0]).toEqual({ threshold: Number.NEGATIVE_INFINITY, sensitivity: 1, specificity: 0 });
    expect(r.curve.at(-1)).toEqual({ threshold: Number.POSITIVE_INFINITY, sensitivity: 0, specificity: 1 });
    // Best J = 0.5, first reached at threshold 0.225 (between 0.1 and 0.35): sens 1, spec 0.5.
    expect(r.youden.threshold).toBeCloseTo(0.225, 12);
    expect(r.youden.j).toBeCloseTo(0.5, 12);
  });
  it("rejects outcomes other than 0/1", () => {
    expect(() => rocCurve([1, 2], [0, 2])).toThrow(/0 or 1/);
  });
});
