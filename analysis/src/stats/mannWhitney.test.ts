import { describe, expect, it } from "vitest";
import { mannWhitney } from "./mannWhitney.js";
import { createRandom } from "./random.js";
import { midRanks } from "./ranks.js";

/** The two-sided permutation p of x's mid-rank sum by listing every split of the pooled sample. */
function enumeratedConditionalP(x: readonly number[], y: readonly number[]): number {
  const ranks = midRanks([...x, ...y]);
  const n = ranks.length;
  const mean = (x.length * (n + 1)) / 2;
  let observed = 0;
  for (let i = 0; i < x.length; i++) observed += ranks[i];
  let extreme = 0;
  let total = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let size = 0;
    let sum = 0;
    for (let i = 0; i < n; i++)
      if (mask & (1 << i)) {
        size++;
        sum += ranks[i];
      }
    if (size !== x.length) continue;
    total++;
    if (Math.abs(sum - mean) >= Math.abs(observed - mean) - 1e-9) extreme++;
  }
  return extreme / total;
}

/** Whole-mm values, as rounded MTMs: many ties. */
function tiedSample(n: number, shift: number, seed: number): number[] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => Math.round(4 * (rng.next() + rng.next() - 1) + shift));
}

describe("mannWhitney, exact conditional p given the ties", () => {
  it("equals the p of listing every split, whichever group is the smaller", () => {
    const cases: [number[], number[]][] = [
      [tiedSample(4, 1, 1), tiedSample(9, 0, 2)],
      [tiedSample(9, 0, 3), tiedSample(4, 2, 4)],
      [tiedSample(6, -1, 5), tiedSample(7, 1, 6)],
    ];
    for (const [x, y] of cases) {
      const r = mannWhitney(x, y, { exact: "conditional" });
      expect(r.method).toBe("exact-conditional");
      expect(r.p).toBeCloseTo(enumeratedConditionalP(x, y), 12);
    }
  });

  it("equals R's exact p without ties (the Wilcoxon distribution is symmetric)", () => {
    const x = [0.4947, 1.2194, 1.0128, 2.2, -0.3];
    const y = [-0.1344, -1.2161, 2.0105, -0.8627, 0.05, 0.7];
    const exact = mannWhitney(x, y, { exact: true });
    expect(exact.method).toBe("exact");
    expect(mannWhitney(x, y, { exact: "conditional" }).p).toBeCloseTo(exact.p, 12);
  });

  it("is enumerated at 200 cases and close to the uncorrected normal approximation there", () => {
    const x = tiedSample(180, 0, 7);
    const y = tiedSample(20, 1, 8);
    const r = mannWhitney(x, y, { exact: "conditional" });
    expect(r.method).toBe("exact-conditional");
    const normal = mannWhitney(x, y, { exact: false, correct: false });
    expect(Math.abs(r.p - normal.p)).toBeLessThan(0.02);
  });

  it("falls back to the normal approximation with a coded warning when the enumeration is too large", () => {
    const x = tiedSample(900, 0, 9);
    const y = tiedSample(100, 1, 10);
    const r = mannWhitney(x, y, { exact: "conditional", correct: false });
    expect(r.method).toBe("normal");
    expect(r.warnings.map((w) => w.code)).toEqual(["exact-too-large"]);
    expect(r.p).toBe(mannWhitney(x, y, { exact: false, correct: false }).p);
  });
});
