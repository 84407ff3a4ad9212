/**
 * Every classical-statistics case of R's reference file, held to 1e-6 relative agreement (Fisher's odds
 * ratio and its CI to 1e-4: R finds them with uniroot at tolerance ≈ 1.2e-4).
 */
import { describe, expect, it } from "vitest";
import { fisherExact } from "../analysis/src/stats/fisher.js";
import { mannWhitney } from "../analysis/src/stats/mannWhitney.js";
import { expectClose, referenceCases } from "./helpers/reference.js";

const REL = 1e-6;

describe("Mann-Whitney vs R wilcox.test", () => {
  for (const c of referenceCases("mann_whitney")) {
    it(c.id, () => {
      const exact = c.exact === "auto" ? "auto" : Boolean(c.exact);
      const r = mannWhitney(c.x, c.y, { exact, correct: c.correct });
      expectClose(r.W, c.result.W, REL, "W");
      expectClose(r.p, c.result.p, REL, "p");
      if (c.result.method_exact !== undefined) expect(r.method === "exact").toBe(c.result.method_exact);
    });
  }
});

describe("Fisher exact vs R fisher.test", () => {
  for (const c of referenceCases("fisher")) {
    it(c.id, () => {
      const r = fisherExact(c.table);
      expectClose(r.p, c.result.p, REL, "p");
      if (c.result.odds_ratio !== undefined) {
        // The JSON writer turned R's Inf into null: an infinite estimate or bound is what R printed.
        const inf = (v: number | null) => (v === null ? Number.POSITIVE_INFINITY : v);
        expectClose(r.oddsRatio, inf(c.result.odds_ratio), 1e-4, "odds ratio");
        expectClose(r.ci?.[0], inf(c.result.ci[0]), 1e-4, "ci lower");
        expectClose(r.ci?.[1], inf(c.result.ci[1]), 1e-4, "ci upper");
      }
    });
  }
});
