/**
 * The rest of the paper cohort's numeric design, each an independent small search once the outcome
 * block (designOutcome.ts) has fixed MTMs, diameters and times: tumor volumes, ages, cryoprobe counts
 * and ice-ball volumes. Comparisons by outcome follow the paper's rule as the plan module applies it
 * (t-test when Shapiro-Wilk passes in both groups, else Mann-Whitney; SPSS's asymptotic p).
 */
import { maxOf, mean, minOf, quantile, standardDeviation } from "../stats/descriptives.js";
import { mannWhitney } from "../stats/mannWhitney.js";
import type { Random } from "../stats/random.js";
import { shapiroWilk } from "../stats/shapiroWilk.js";
import { tTest } from "../stats/tTest.js";
import { anneal, band } from "./anneal.js";
import type { ClinicalDesign } from "./designClinical.js";
import { shuffled, uniform } from "./sampling.js";
import type { CalibrationTargets } from "./targets.js";

/** Volume of the sphere of diameter d mm, in ml: π d³ / 6000. */
export function sphereVolumeMl(diameterMm: number): number {
  return (Math.PI * diameterMm ** 3) / 6000;
}

/**
 * Fill ratio bounds: tumor volume / volume of the sphere of its maximum diameter. A lobulated solid
 * longer than it is wide fills 0.3–0.62 of that sphere (the generator's shapes span ≈ 0.15–0.7).
 */
export const FILL_RATIO_RANGE: readonly [number, number] = [0.3, 0.62];

/** p of a two-group comparison by the paper's rule (t-test if both groups pass Shapiro-Wilk, else MW). */
export function paperRuleP(x: readonly number[], y: readonly number[]): { p: number; test: "t-test" | "mann-whitney" } {
  const normal = (v: readonly number[]) => v.length >= 3 && maxOf(v) > minOf(v) && shapiroWilk(v).p > 0.05;
  if (normal(x) && normal(y)) return { p: tTest(x, y).p, test: "t-test" };
  return { p: mannWhitney(x, y, { exact: false, correct: false }).p, test: "mann-whitney" };
}

/** Splits values by the rows' outcome: [local control, LTP]. */
function byOutcome(rows: readonly ClinicalDesign[], values: readonly number[]): [number[], number[]] {
  return [values.filter((_, i) => !rows[i].ltp), values.filter((_, i) => rows[i].ltp)];
}

/**
 * Intended tumor volumes (ml): fill ratios searched so that the volume figures come out — overall mean
 * and range, mean ± SD by outcome, and the comparison's p (Mann-Whitney: local-control volumes are
 * skewed, as the paper's 8.5 ± 8.8 ml says).
 */
export function designTumorVolumes(
  rows: readonly ClinicalDesign[],
  diameterMm: readonly number[],
  targets: CalibrationTargets,
  rng: Random,
  iterations = 20_000,
): { volumeMl: number[]; loss: number } {
  const t = targets.tumorVolumeMl;
  const [lo, hi] = FILL_RATIO_RANGE;
  const volumes = (ratio: readonly number[]) => ratio.map((r, i) => r * sphereVolumeMl(diameterMm[i]));
  const loss = (ratio: readonly number[]) => {
    const v = volumes(ratio);
    const [control, ltp] = byOutcome(rows, v);
    const comparison = paperRuleP(control, ltp);
    return (
      band(mean(v), t.mean, 0.03) +
      band(minOf(v), t.min, 0.03) +
      band(maxOf(v), t.max, 0.03) +
      band(mean(ltp), t.ltpMean, 0.03) +
      band(standardDeviation(ltp), t.ltpSd, 0.03) +
      band(mean(control), t.localControlMean, 0.03) +
      band(standardDeviation(control), t.localControlSd, 0.03) +
      band(comparison.p, t.p, 0.0003) +
      (comparison.test === "mann-whitney" ? 0 : 10)
    );
  };
  const initial = rows.map(() => uniform(rng, 0.42, 0.52));
  const result = anneal(
    initial,
    loss,
    (ratio, r) => {
      const next = [...ratio];
      const i = r.int(next.length);
      const move = r.int(4);
      if (move === 0) {
        const j = r.int(next.length);
        [next[i], next[j]] = [next[j], next[i]];
      } else next[i] = Math.min(hi, Math.max(lo, next[i] + (move === 1 ? 0.05 : 0.005) * (2 * r.next() - 1)));
      return next;
    },
    rng,
    { iterations, startTemperature: 1, endTemperature: 1e-3 },
  );
  return { volumeMl: volumes(result.state), loss: result.loss };
}

/**
 * Ages in years: Table 2 by outcome (median and range per group, the comparison's p) over tumors, and
 * Table 1 over patients (each patient's first row: median and range; the abstract's mean age 69).
 * Rows of one patient share an age.
 *
 * Constructive: each group's sorted ages are a piecewise-linear curve through anchors — its minimum, a
 * lower-quartile age, the median pair (median ∓ k), an upper-quartile age, its maximum — so the
 * published median and range hold by construction and the ages are spread like a clinical series. The
 * few anchor values are searched against the patient-level median and mean and the comparison's p.
 * The second rows of the two two-tumor patients (re-ablation, bilateral) are local-control rows in the
 * upper half with their first row's age.
 */
export function designAges(
  rows: readonly ClinicalDesign[],
  targets: CalibrationTargets,
  rng: Random,
  iterations = 6_000,
): { ageYears: number[]; loss: number } {
  const t = targets.age;
  const owner = rows.map((r) => rows.findIndex((q) => q.patientKey === r.patientKey));
  const second = rows.flatMap((_, i) => (owner[i] !== i ? [i] : []));
  if (second.some((i) => rows[i].ltp)) throw new Error("design: a second tumor of a patient must be local control");
  const ltpIdx = shuffled(
    rng,
    rows.flatMap((r, i) => (r.ltp ? [i] : [])),
  );
  const firstsOfSeconds = second.map((i) => owner[i]);
  const controlCurveIdx = shuffled(
    rng,
    rows.flatMap((r, i) => (!r.ltp && owner[i] === i ? [i] : [])),
  );
  const nLow = (controlCurveIdx.length + second.length) / 2;
  if (!Number.isInteger(nLow) || ltpIdx.length !== 6)
    throw new Error("design: age curves assume 6 LTP and an even control group");
  // Rows whose age another row copies sit in the upper half of their group's curve.
  const upperFirst = (idx: number[]) => [
    ...idx.filter((i) => !firstsOfSeconds.includes(i)),
    ...idx.filter((i) => firstsOfSeconds.includes(i)),
  ];
  const ltpOrder = upperFirst(ltpIdx);
  const controlOrder = upperFirst(controlCurveIdx);

  interface AgeParams {
    kControl: number;
    kLtp: number;
    controlQ1: number;
    controlQ3: number;
    ltp2: number;
    ltp5: number;
  }
  const build = (q: AgeParams): number[] => {
    const age = new Array<number>(rows.length);
    const lt = t.ltp;
    const ltpSorted = [lt.min, q.ltp2, lt.median - q.kLtp, lt.median + q.kLtp, q.ltp5, lt.max];
    // Rows copied by a second row take the top ranks; the rest fill in order.
    const ltpRanks = [0, 1, 2, 3, 4, 5].filter((k) => k !== 4);
    ltpOrder.forEach((i, k) => {
      age[i] = firstsOfSeconds.includes(i) ? ltpSorted[4] : ltpSorted[ltpRanks[k]];
    });
    const c = t.localControl;
    const nCurve = controlCurveIdx.length;
    const anchors: [number, number][] = [
      [0, c.min],
      [Math.round((nLow - 1) / 2), q.controlQ1],
      [nLow - 1, c.median - q.kControl],
      [nLow, c.median + q.kControl],
      [Math.round((nLow + nCurve - 1) / 2), q.controlQ3],
      [nCurve - 1, c.max],
    ];
    const curve = Array.from({ length: nCurve }, (_, r) => {
      const s = anchors.findIndex(([rank]) => rank >= r);
      if (anchors[s][0] === r) return anchors[s][1];
      const [r0, v0] = anchors[s - 1];
      const [r1, v1] = anchors[s];
      return Math.round(v0 + ((v1 - v0) * (r - r0)) / (r1 - r0));
    });
    // Upper-half ranks for the first rows of two-tumor patients, the others in order.
    const upperRanks = Array.from({ length: nCurve - nLow }, (_, k) => nLow + k);
    const copied = controlOrder.filter((i) => firstsOfSeconds.includes(i));
    const copiedRanks = upperRanks.slice(1, 1 + copied.length);
    const otherRanks = curve.map((_, r) => r).filter((r) => !copiedRanks.includes(r));
    controlOrder
      .filter((i) => !firstsOfSeconds.includes(i))
      .forEach((i, k) => {
        age[i] = curve[otherRanks[k]];
      });
    copied.forEach((i, k) => {
      age[i] = curve[copiedRanks[k]];
    });
    for (const i of second) age[i] = age[owner[i]];
    return age;
  };
  const loss = (q: AgeParams) => {
    if (q.ltp5 < t.localControl.median + q.kControl) return 1e3; // its copy must sit in the control upper half
    const age = build(q);
    const [control, ltp] = byOutcome(rows, age);
    const patients = age.filter((_, i) => owner[i] === i);
    // Realism: no pile of equal ages (a flat stretch of the curve).
    const counts = new Map<number, number>();
    for (const a of patients) counts.set(a, (counts.get(a) ?? 0) + 1);
    const piles = [...counts.values()].reduce((sum, c) => sum + Math.max(0, c - 2), 0);
    return (
      0.5 * piles +
      10 * Math.abs(quantile(control, 0.5) - t.localControl.median) +
      10 * Math.abs(quantile(patients, 0.5) - t.median) +
      band(mean(patients), patientMeanAbstract, 0.3) +
      // Mann-Whitney's asymptotic p moves in steps of ≈ 0.015 per unit of U here: aim within ±0.01.
      band(paperRuleP(control, ltp).p, t.p, 0.01)
    );
  };
  const patientMeanAbstract = 69; // abstract: "30 patients (mean age 69y)"
  const limits: Record<keyof AgeParams, (q: AgeParams) => [number, number]> = {
    kControl: () => [1, 8],
    kLtp: () => [0, 3],
    controlQ1: (q) => [t.localControl.min + 5, t.localControl.median - q.kControl],
    controlQ3: (q) => [t.localControl.median + q.kControl, t.localControl.max - 1],
    ltp2: (q) => [t.ltp.min, t.ltp.median - q.kLtp],
    ltp5: (q) => [t.ltp.median + q.kLtp, t.ltp.max],
  };
  const keys = Object.keys(limits) as (keyof AgeParams)[];
  const clampParams = (q: AgeParams): AgeParams => {
    const out = { ...q };
    for (const key of keys) {
      const [lo, hi] = limits[key](out);
      out[key] = Math.min(hi, Math.max(lo, out[key]));
    }
    return out;
  };
  const start = clampParams({ kControl: 3, kLtp: 1, controlQ1: 62, controlQ3: 77, ltp2: 66, ltp5: 76 });
  const result = anneal(
    start,
    loss,
    (q, r) => {
      const key = keys[r.int(keys.length)];
      return clampParams({ ...q, [key]: q[key] + (r.int(2) ? 1 : -1) * (1 + r.int(3)) });
    },
    rng,
    { iterations, startTemperature: 2, endTemperature: 1e-3 },
  );
  return { ageYears: build(result.state), loss: result.loss };
}

/**
 * Cryoprobes per tumor (2–4): close to the size rule physicians follow (2 below 28 mm, 4 from 40 mm, 3
 * between) while the published median and range hold and the counts do not differ by outcome (the
 * paper: "did not differ significantly").
 */
export function designCryoprobes(
  rows: readonly ClinicalDesign[],
  diameterMm: readonly number[],
  targets: CalibrationTargets,
  rng: Random,
  iterations = 5_000,
): { cryoprobes: number[]; loss: number } {
  const t = targets.cryoprobes;
  const rule: number[] = diameterMm.map((d) => (d < 28 ? 2 : d >= 40 ? 4 : 3));
  const loss = (probes: readonly number[]) => {
    const [control, ltp] = byOutcome(rows, probes);
    const p = paperRuleP(control, ltp).p;
    return (
      Math.abs(quantile(probes, 0.5) - t.median) +
      Math.abs(minOf(probes) - t.min) +
      Math.abs(maxOf(probes) - t.max) +
      (p > 0.2 ? 0 : 5 * (0.2 - p) * 10) +
      // One probe off the size rule is a physician's choice; two is implausible.
      // and a tumor under 25 mm gets two probes (more would leave too little ice for the published smallest).
      probes.reduce(
        (s, v, i) =>
          s +
          0.3 * Math.abs(v - rule[i]) +
          (Math.abs(v - rule[i]) > 1 ? 100 : 0) +
          (diameterMm[i] < 25 && v !== 2 ? 100 : 0),
        0,
      )
    );
  };
  const result = anneal(
    rule,
    loss,
    (probes, r) => {
      const next = [...probes];
      const i = r.int(next.length);
      next[i] = Math.min(t.max, Math.max(t.min, next[i] + (r.int(2) ? 1 : -1)));
      return next;
    },
    rng,
    { iterations, startTemperature: 1, endTemperature: 1e-3 },
  );
  return { cryoprobes: result.state, loss: result.loss };
}

/**
 * Intended ice-ball volumes (ml) within each case's feasible range [lo, hi] (what its probes can freeze
 * while keeping its intended margin): the published mean and range, and no difference by outcome.
 */
export function designIceballVolumes(
  ltp: readonly boolean[],
  feasibleMl: readonly (readonly [number, number])[],
  targets: CalibrationTargets,
  rng: Random,
  iterations = 20_000,
): { volumeMl: number[]; loss: number } {
  const t = targets.iceballVolumeMl;
  const volumes = (tau: readonly number[]) =>
    tau.map((u, i) => feasibleMl[i][0] + u * (feasibleMl[i][1] - feasibleMl[i][0]));
  const loss = (tau: readonly number[]) => {
    const v = volumes(tau);
    const p = paperRuleP(
      v.filter((_, i) => !ltp[i]),
      v.filter((_, i) => ltp[i]),
    ).p;
    return (
      band(mean(v), t.mean, 0.03) +
      band(minOf(v), t.min, 0.03) +
      band(maxOf(v), t.max, 0.03) +
      (p > 0.2 ? 0 : 50 * (0.2 - p)) +
      // Prefer the middle of each range (room for the final adjustment).
      0.01 * tau.reduce((s, u) => s + (u - 0.5) ** 2, 0)
    );
  };
  const result = anneal(
    ltp.map(() => 0.5),
    loss,
    (tau, r) => {
      const next = [...tau];
      const i = r.int(next.length);
      next[i] = Math.min(1, Math.max(0, next[i] + (r.int(2) ? 0.1 : 0.01) * (2 * r.next() - 1)));
      return next;
    },
    rng,
    { iterations, startTemperature: 1, endTemperature: 1e-4 },
  );
  return { volumeMl: volumes(result.state), loss: result.loss };
}
