/**
 * A margin threshold as a diagnostic test for local tumor progression: predicted (MTM < threshold ⇒ LTP)
 * against observed outcome, and the four accuracy proportions with exact (Clopper-Pearson) intervals.
 *
 *                 observed LTP   observed control
 *   predicted LTP      TP              FP
 *   predicted ctrl     FN              TN
 *
 * sensitivity = TP/(TP+FN), specificity = TN/(TN+FP), PPV = TP/(TP+FP), NPV = TN/(TN+FN).
 */
import { binomialTest } from "../stats/binomial.js";

/** Counts of the 2×2 table of predicted versus observed LTP. */
export interface ConfusionTable {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  trueNegative: number;
}

/** A proportion x/n with its exact confidence interval; NaN throughout when n = 0. */
export interface ProportionWithCi {
  x: number;
  n: number;
  estimate: number;
  lower: number;
  upper: number;
  confLevel: number;
}

export interface DiagnosticAccuracy {
  sensitivity: ProportionWithCi;
  specificity: ProportionWithCi;
  positivePredictiveValue: ProportionWithCi;
  negativePredictiveValue: ProportionWithCi;
}

/**
 * Tallies predicted against observed (both 0/1, same length).
 * Example: predicted [1, 1, 0, 0], observed [1, 0, 1, 0] → TP 1, FP 1, FN 1, TN 1.
 */
export function confusionTable(predicted: readonly number[], observed: readonly number[]): ConfusionTable {
  if (predicted.length !== observed.length)
    throw new RangeError("confusionTable: predicted and observed differ in length");
  const table: ConfusionTable = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i] === 1) {
      if (observed[i] === 1) table.truePositive++;
      else table.falsePositive++;
    } else if (observed[i] === 1) table.falseNegative++;
    else table.trueNegative++;
  }
  return table;
}

/**
 * x/n with the Clopper-Pearson interval of `binomialTest` (R's binom.test); n = 0 gives NaN (no
 * denominator: e.g. a PPV when no case is predicted positive). Example: 6/32 → 0.1875 [0.0721, 0.3644].
 */
export function proportionWithCi(x: number, n: number, confLevel = 0.95): ProportionWithCi {
  if (n === 0) return { x, n, estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, confLevel };
  const { estimate, ci } = binomialTest(x, n, { confLevel });
  return { x, n, estimate, lower: ci[0], upper: ci[1], confLevel };
}

/** Sensitivity, specificity, PPV and NPV of a 2×2 table (see the module comment for the formulas). */
export function diagnosticAccuracy(table: ConfusionTable, confLevel = 0.95): DiagnosticAccuracy {
  const { truePositive: tp, falsePositive: fp, falseNegative: fn, trueNegative: tn } = table;
  return {
    sensitivity: proportionWithCi(tp, tp + fn, confLevel),
    specificity: proportionWithCi(tn, tn + fp, confLevel),
    positivePredictiveValue: proportionWithCi(tp, tp + fp, confLevel),
    negativePredictiveValue: proportionWithCi(tn, tn + fn, confLevel),
  };
}
