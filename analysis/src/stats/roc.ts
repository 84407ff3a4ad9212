/**
 * ROC analysis as pROC 1.18. With `direction = "<"` (pROC's default: controls have lower predictor values
 * than cases):
 * - AUC = P(X_case > X_control) + ½·P(equal), the Mann-Whitney form;
 * - DeLong (1988) variance: with placement values V10ᵢ = mean_j ψ(Xᵢ, Yⱼ) for each case and
 *   V01ⱼ = mean_i ψ(Xᵢ, Yⱼ) for each control, Var(AUC) = s²(V10)/m + s²(V01)/n; CI = AUC ± z·SD, clamped to
 *   [0, 1] as pROC's ci.auc(method = "delong") does;
 * - curve at pROC's thresholds (−∞, midpoints between consecutive distinct predictor values, +∞), a
 *   subject being called positive when predictor ≥ threshold; Youden's J = sensitivity + specificity − 1.
 * With `direction = ">"` (cases have lower values, e.g. a margin that is smaller where the tumor progresses)
 * a subject is positive when predictor ≤ threshold: computed as "<" on −predictor (sensitivity and
 * specificity at −t are those of x ≤ t) with the thresholds negated back. Either way the curve runs from
 * (sensitivity 1, specificity 0) to (0, 1): thresholds increase for "<" and decrease for ">".
 */
import { variance } from "./descriptives.js";
import { normalQuantileStd } from "./distributions.js";
import { type StatsResultBase, type StatsWarning, statsWarning } from "./result.js";

export interface RocPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
}

export type RocDirection = "<" | ">";

export interface RocResult extends StatsResultBase<"delong"> {
  auc: number;
  /** DeLong CI of the AUC. */
  ci: [number, number];
  confLevel: number;
  se: number;
  nCases: number;
  nControls: number;
  curve: RocPoint[];
  /** Threshold maximising Youden's J (the first of equal maxima along `curve`). */
  youden: RocPoint & { j: number };
  direction: RocDirection;
}

/** The number of values of the ascending `sorted` below `v` (strictly) and up to `v` (inclusive). */
function countBelow(sorted: Float64Array, v: number): { below: number; upTo: number } {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  let upTo = lo;
  hi = sorted.length;
  while (upTo < hi) {
    const mid = (upTo + hi) >>> 1;
    if (sorted[mid] <= v) upTo = mid + 1;
    else hi = mid;
  }
  return { below: lo, upTo };
}

/** The sample variance of placement values; 0 for a single case or control (no spread to estimate). */
function placementVariance(v: readonly number[]): number {
  return v.length < 2 ? 0 : variance(v);
}

/**
 * `outcome` is 1 for a case (e.g. LTP) and 0 for a control.
 * Example: predictor [0.1, 0.4, 0.35, 0.8], outcome [0, 0, 1, 1] → AUC 0.75.
 */
export function rocCurve(
  predictor: readonly number[],
  outcome: readonly number[],
  { confLevel = 0.95, direction = "<" as RocDirection } = {},
): RocResult {
  if (direction === ">") {
    const flipped = rocCurve(
      predictor.map((v) => -v),
      outcome,
      { confLevel, direction: "<" },
    );
    const negate = (p: RocPoint): RocPoint => ({ ...p, threshold: -p.threshold });
    return {
      ...flipped,
      curve: flipped.curve.map(negate),
      youden: { ...negate(flipped.youden), j: flipped.youden.j },
      direction,
      warnings: rocWarnings(flipped.auc, direction),
    };
  }
  if (predictor.length !== outcome.length) throw new RangeError("rocCurve: predictor and outcome differ in length");
  const cases: number[] = [];
  const controls: number[] = [];
  predictor.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`rocCurve: non-finite predictor at index ${i}`);
    if (outcome[i] === 1) cases.push(v);
    else if (outcome[i] === 0) controls.push(v);
    else throw new RangeError(`rocCurve: outcome must be 0 or 1, got ${outcome[i]} at index ${i}`);
  });
  const m = cases.length;
  const n = controls.length;
  if (m === 0 || n === 0) throw new RangeError("rocCurve: need at least one case and one control");
  // Placement values by counting in the sorted other group: ψ summed over it is (# below) + ½·(# equal),
  // exact in floating point (halves of integers), so O((m + n) log(m + n)) instead of O(m·n).
  const sortedCases = Float64Array.from(cases).sort();
  const sortedControls = Float64Array.from(controls).sort();
  const v10 = cases.map((x) => {
    const { below, upTo } = countBelow(sortedControls, x);
    return (below + (upTo - below) / 2) / n;
  });
  const v01 = controls.map((y) => {
    const { below, upTo } = countBelow(sortedCases, y);
    return (m - upTo + (upTo - below) / 2) / m;
  });
  const auc = v10.reduce((a, b) => a + b, 0) / m;
  const se = Math.sqrt(placementVariance(v10) / m + placementVariance(v01) / n);
  const z = normalQuantileStd(1 - (1 - confLevel) / 2);
  const ci: [number, number] = [Math.max(0, auc - z * se), Math.min(1, auc + z * se)];

  const distinct = [...new Set(predictor)].sort((a, b) => a - b);
  const thresholds = [Number.NEGATIVE_INFINITY];
  for (let i = 0; i + 1 < distinct.length; i++) thresholds.push((distinct[i] + distinct[i + 1]) / 2);
  thresholds.push(Number.POSITIVE_INFINITY);
  // Thresholds ascend: the cases below and the controls below each one are counted by two pointers.
  let casesBelow = 0;
  let controlsBelow = 0;
  const curve = thresholds.map((threshold) => {
    while (casesBelow < m && sortedCases[casesBelow] < threshold) casesBelow++;
    while (controlsBelow < n && sortedControls[controlsBelow] < threshold) controlsBelow++;
    return { threshold, sensitivity: (m - casesBelow) / m, specificity: controlsBelow / n };
  });
  let youden = { ...curve[0], j: curve[0].sensitivity + curve[0].specificity - 1 };
  for (const point of curve) {
    const j = point.sensitivity + point.specificity - 1;
    if (j > youden.j + 1e-12) youden = { ...point, j };
  }
  return {
    auc,
    ci,
    confLevel,
    se,
    nCases: m,
    nControls: n,
    curve,
    youden,
    direction,
    method: "delong",
    warnings: rocWarnings(auc, direction),
  };
}

/** AUC < 0.5 means the data run against the direction given; say which way was expected. */
function rocWarnings(auc: number, direction: RocDirection): StatsWarning[] {
  if (!(auc < 0.5)) return [];
  return [
    statsWarning(
      "auc-below-direction",
      `AUC < 0.5: with direction '${direction}' the cases were expected to have ${direction === "<" ? "higher" : "lower"} predictor values than the controls, and mostly do not — check the direction`,
    ),
  ];
}
