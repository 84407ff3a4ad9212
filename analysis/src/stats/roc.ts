/**
 * ROC analysis as pROC 1.18 with `direction = "<"` (controls have lower predictor values than cases):
 * - AUC = P(X_case > X_control) + ½·P(equal), the Mann-Whitney form;
 * - DeLong (1988) variance: with placement values V10ᵢ = mean_j ψ(Xᵢ, Yⱼ) for each case and
 *   V01ⱼ = mean_i ψ(Xᵢ, Yⱼ) for each control, Var(AUC) = s²(V10)/m + s²(V01)/n; CI = AUC ± z·SD, clamped to
 *   [0, 1] as pROC's ci.auc(method = "delong") does;
 * - curve at pROC's thresholds (−∞, midpoints between consecutive distinct predictor values, +∞), a
 *   subject being called positive when predictor ≥ threshold; Youden's J = sensitivity + specificity − 1.
 */
import { normalQuantileStd } from "./distributions.js";

export interface RocPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
}

export interface RocResult {
  auc: number;
  /** DeLong CI of the AUC. */
  ci: [number, number];
  confLevel: number;
  se: number;
  nCases: number;
  nControls: number;
  curve: RocPoint[];
  /** Threshold maximising Youden's J (first of equal maxima, in increasing threshold order). */
  youden: RocPoint & { j: number };
  method: "delong";
  warnings: string[];
}

/** ψ kernel: 1 if the case ranks above the control, ½ on ties, 0 otherwise. */
function psi(caseValue: number, controlValue: number): number {
  return caseValue > controlValue ? 1 : caseValue === controlValue ? 0.5 : 0;
}

function sampleVariance(v: readonly number[]): number {
  const n = v.length;
  if (n < 2) return 0;
  const m = v.reduce((a, b) => a + b, 0) / n;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1);
}

/**
 * `outcome` is 1 for a case (e.g. LTP) and 0 for a control.
 * Example: predictor [0.1, 0.4, 0.35, 0.8], outcome [0, 0, 1, 1] → AUC 0.75.
 */
export function rocCurve(
  predictor: readonly number[],
  outcome: readonly number[],
  { confLevel = 0.95 } = {},
): RocResult {
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
  const v10 = cases.map((x) => controls.reduce((s, y) => s + psi(x, y), 0) / n);
  const v01 = controls.map((y) => cases.reduce((s, x) => s + psi(x, y), 0) / m);
  const auc = v10.reduce((a, b) => a + b, 0) / m;
  const se = Math.sqrt(sampleVariance(v10) / m + sampleVariance(v01) / n);
  const z = normalQuantileStd(1 - (1 - confLevel) / 2);
  const ci: [number, number] = [Math.max(0, auc - z * se), Math.min(1, auc + z * se)];

  const distinct = [...new Set(predictor)].sort((a, b) => a - b);
  const thresholds = [Number.NEGATIVE_INFINITY];
  for (let i = 0; i + 1 < distinct.length; i++) thresholds.push((distinct[i] + distinct[i + 1]) / 2);
  thresholds.push(Number.POSITIVE_INFINITY);
  const curve = thresholds.map((threshold) => ({
    threshold,
    sensitivity: cases.filter((x) => x >= threshold).length / m,
    specificity: controls.filter((y) => y < threshold).length / n,
  }));
  let youden = { ...curve[0], j: curve[0].sensitivity + curve[0].specificity - 1 };
  for (const point of curve) {
    const j = point.sensitivity + point.specificity - 1;
    if (j > youden.j + 1e-12) youden = { ...point, j };
  }
  const warnings = auc < 0.5 ? ["AUC < 0.5: the predictor ranks controls above cases (direction '<' assumed)"] : [];
  return { auc, ci, confLevel, se, nCases: m, nControls: n, curve, youden, method: "delong", warnings };
}
