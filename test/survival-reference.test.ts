/**
 * Every survival case of R's reference file (survival 3.5-3), held to 1e-6 relative agreement.
 */
import { describe, expect, it } from "vitest";
import { kaplanMeier, medianFollowUpReverseKM, survivalAt } from "../analysis/src/survival/kaplanMeier.js";
import { logRank } from "../analysis/src/survival/logRank.js";
import { expectAllClose, expectClose, referenceCases } from "./helpers/reference.js";

const REL = 1e-6;

describe("Kaplan-Meier vs R survfit", () => {
  for (const c of referenceCases("km")) {
    it(c.id, () => {
      const data = { time: c.data.time, event: c.data.status };
      const fit = kaplanMeier(data, { confType: c.conf_type });
      const r = c.result;
      expectAllClose(
        fit.table.map((t) => t.time),
        r.time,
        REL,
        "time",
      );
      expect(fit.table.map((t) => t.nRisk)).toEqual(r.n_risk);
      expect(fit.table.map((t) => t.nEvent)).toEqual(r.n_event);
      expect(fit.table.map((t) => t.nCensor)).toEqual(r.n_censor);
      expectAllClose(
        fit.table.map((t) => t.surv),
        r.surv,
        REL,
        "surv",
      );
      expectAllClose(
        fit.table.map((t) => t.stdErrCumHaz),
        r.std_err_cumhaz,
        REL,
        "std.err (cumhaz)",
      );
      expectAllClose(
        fit.table.map((t) => t.stdErr),
        r.std_err_surv,
        REL,
        "std.err (surv)",
      );
      expectAllClose(
        fit.table.map((t) => t.lower),
        r.lower,
        REL,
        "lower",
      );
      expectAllClose(
        fit.table.map((t) => t.upper),
        r.upper,
        REL,
        "upper",
      );
      const at = survivalAt(fit, r.at.times, data);
      expectAllClose(
        at.map((a) => a.surv),
        r.at.surv,
        REL,
        "at surv",
      );
      expectAllClose(
        at.map((a) => a.stdErr),
        r.at.std_err_surv,
        REL,
        "at std.err",
      );
      expectAllClose(
        at.map((a) => a.lower),
        r.at.lower,
        REL,
        "at lower",
      );
      expectAllClose(
        at.map((a) => a.upper),
        r.at.upper,
        REL,
        "at upper",
      );
      expect(at.map((a) => a.nRisk)).toEqual(r.at.n_risk);
      expectClose(fit.median.value, r.median.value, REL, "median");
      expectClose(fit.median.lower, r.median.lower, REL, "median lower");
      expectClose(fit.median.upper, r.median.upper, REL, "median upper");
      expectClose(medianFollowUpReverseKM(data), r.median_followup_reverse_km, REL, "reverse-KM median follow-up");
    });
  }
});

describe("log-rank vs R survdiff", () => {
  for (const c of referenceCases("logrank")) {
    it(c.id, () => {
      const r = logRank({ time: c.data.time, event: c.data.status }, c.data.group);
      expectClose(r.chisq, c.result.chisq, REL, "chisq");
      expect(r.df).toBe(c.result.df);
      expectClose(r.p, c.result.p, REL, "p");
      expectAllClose(
        r.groups.map((g) => g.observed),
        c.result.observed,
        REL,
        "observed",
      );
      expectAllClose(
        r.groups.map((g) => g.expected),
        c.result.expected,
        REL,
        "expected",
      );
    });
  }
});
