/**
 * Every classical-statistics case of R's reference file, held to 1e-6 relative agreement (Fisher's odds
 * ratio and its CI to 1e-4: R finds them with uniroot at tolerance ≈ 1.2e-4).
 */
import { describe, expect, it } from "vitest";
import { binomialTest } from "../analysis/src/stats/binomial.js";
import { fisherExact } from "../analysis/src/stats/fisher.js";
import { mannWhitney } from "../analysis/src/stats/mannWhitney.js";
import { rocCurve } from "../analysis/src/stats/roc.js";
import { shapiroWilk } from "../analysis/src/stats/shapiroWilk.js";
import { spearman } from "../analysis/src/stats/spearman.js";
import { tTest } from "../analysis/src/stats/tTest.js";
import { expectAllClose, expectClose, referenceCases } from "./helpers/reference.js";

const REL = 1e-6;

describe("Mann-Whitney vs R wilcox.test", () => {
  for (const c of referenceCases("mann_whitney")) {
    it(c.id, () => {
      const exact = c.exact === "auto" ? "auto" : Boolean(c.exact);
      const r = mannWhitney(c.x, c.y, { exact, correct: c.correct });
      expectClose(r.statistic, c.result.W, REL, "W");
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

describe("t-test vs R t.test", () => {
  for (const c of referenceCases("ttest")) {
    it(c.id, () => {
      const r = tTest(c.x, c.y, { welch: !c.var_equal });
      expectClose(r.statistic, c.result.t, REL, "t");
      expectClose(r.df, c.result.df, REL, "df");
      expectClose(r.p, c.result.p, REL, "p");
      expectAllClose(r.ci, c.result.ci, REL, "ci");
      expectAllClose(r.estimate, c.result.estimate, REL, "estimate");
    });
  }
});

describe("Shapiro-Wilk vs R shapiro.test", () => {
  for (const c of referenceCases("shapiro")) {
    it(c.id, () => {
      const r = shapiroWilk(c.x);
      expectClose(r.statistic, c.result.W, REL, "W");
      expectClose(r.p, c.result.p, REL, "p");
    });
  }
});

describe("Spearman vs R cor.test", () => {
  for (const c of referenceCases("spearman")) {
    it(c.id, () => {
      const r = spearman(c.x, c.y);
      expectClose(r.rho, c.result.rho, REL, "rho");
      expectClose(r.statistic, c.result.S, REL, "S");
      expectClose(r.p, c.result.p_auto, REL, "p (R default)");
      expectClose(r.pAsymptoticT, c.result.p_asymptotic_t, REL, "p (t approximation)");
      expect(r.method === "exact-as89").toBe(c.result.auto_is_exact);
    });
  }
});

describe("binomial test vs R binom.test", () => {
  for (const c of referenceCases("binom")) {
    it(c.id, () => {
      const r = binomialTest(c.x, c.n);
      expectClose(r.estimate, c.result.estimate, REL, "estimate");
      expectAllClose(r.ci, c.result.ci, REL, "ci");
      expectClose(r.p, c.result.p, REL, "p");
    });
  }
});

describe("ROC / DeLong vs pROC", () => {
  for (const c of referenceCases("roc")) {
    it(c.id, () => {
      const r = rocCurve(c.predictor, c.response);
      expectClose(r.auc, c.result.auc, REL, "auc");
      expectAllClose(r.ci, c.result.ci_delong, REL, "DeLong CI");
    });
  }
});
