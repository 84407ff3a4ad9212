/**
 * The numeric core of the paper cohort's design: each tumor's intended MTM (integer mm), maximum
 * diameter and LTP-free time, searched jointly so that the figures that tie them together come out as
 * published — MTM summaries by outcome, diameter summaries and t-test, LTP-free survival at 1 and 2
 * years, median follow-up, univariable Cox models of MTM and diameter, Spearman of size vs MTM.
 *
 * Statistics follow SPSS 25, the paper's software: Breslow ties in Cox, quartiles of type 6, Spearman's
 * p from the t approximation (the project's plan module, `conventionSettings("spss")`, documents the same
 * choices). The search is simulated annealing over permutations and small steps (see anneal.ts); the
 * intended values are integers (MTM, months) or tenths of a mm (diameter).
 */
import { LARGE_TUMOR_DIAMETER_MM, T1B_DIAMETER_MM } from "../plan/margins.js";
import { LANDMARK_MONTHS } from "../plan/survival.js";
import { maxOf, mean, minOf, quantile, standardDeviation } from "../stats/descriptives.js";
import { normalQuantileStd } from "../stats/distributions.js";
import { createRandom, type Random } from "../stats/random.js";
import { shapiroWilk } from "../stats/shapiroWilk.js";
import { spearman } from "../stats/spearman.js";
import { tTest } from "../stats/tTest.js";
import { coxProportionalHazards } from "../survival/cox.js";
import { kaplanMeier, survivalAt } from "../survival/kaplanMeier.js";
import { anneal, band } from "./anneal.js";
import type { ClinicalDesign } from "./designClinical.js";
import { shuffled, standardNormal } from "./sampling.js";
import type { CalibrationTargets } from "./targets.js";

/** Multisets of intended MTMs (integer mm) by outcome. */
export interface MtmMultisets {
  ltp: number[];
  localControl: number[];
}

/** Rounds half away from zero (as the paper's and the engine's mm rounding). */
function roundMm(v: number): number {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

/** Type-6 quartiles (SPSS) rounded to mm, as "median [q1, q3]". */
function roundedQuartiles(x: readonly number[]): [number, number, number] {
  return [roundMm(quantile(x, 0.5, 6)), roundMm(quantile(x, 0.25, 6)), roundMm(quantile(x, 0.75, 6))];
}

/**
 * The MTM multisets: every LTP sextuple and local-control multiset of integers that reproduces the
 * published MTM figures (SPSS type-6 median and quartiles by outcome after rounding, overall mean and
 * SD at the printed precision, range, count ≥ 5 mm, every LTP negative, `negativeWithoutLtp` negative
 * controls, `mustInclude` among the LTP values); of those, the one closest to the printed mean and SD
 * (ties broken by `rng`). LTP values span [min, −1]; local control [−3, max] with its negatives at −1…−3.
 *
 * Example: with the paper's figures one answer is LTP −11 −10 −8 −6 −5 −4 and local control −1, 1,
 * 2 ×8, 3 ×8, 4 ×5, 5, 5, 6 (mean 1.00, SD 4.41).
 */
export function designMtmMultisets(
  targets: CalibrationTargets,
  nLtp: number,
  nControl: number,
  mustIncludeLtp: readonly number[],
  rng: Random,
): MtmMultisets {
  const t = targets.mtm;
  const ltpSets: MultisetStats[] = [];
  const build = (prefix: number[], from: number) => {
    if (prefix.length === nLtp) {
      if (prefix[0] !== t.min || !mustIncludeLtp.every((v) => prefix.includes(v))) return;
      const [m, q1, q3] = roundedQuartiles(prefix);
      if (m === t.ltp.median && q1 === t.ltp.q1 && q3 === t.ltp.q3) ltpSets.push(multisetStats(prefix));
      return;
    }
    for (let v = from; v <= -1; v++) build([...prefix, v], v);
  };
  build([], t.min);
  // Local control: `negativeWithoutLtp` values in −3…−1, then counts of 1…4 and `atLeast5` values ≥ 5 up to max.
  const controlSets: MultisetStats[] = [];
  const negatives = t.negativeWithoutLtp;
  const rest = nControl - negatives - t.atLeast5;
  for (const negative of [-1, -2, -3]) {
    for (let n1 = 0; n1 <= rest; n1++) {
      for (let n2 = 0; n1 + n2 <= rest; n2++) {
        for (let n3 = 0; n1 + n2 + n3 <= rest; n3++) {
          const n4 = rest - n1 - n2 - n3;
          for (let n6 = 1; n6 <= t.atLeast5; n6++) {
            const control = [
              ...Array<number>(negatives).fill(negative),
              ...Array<number>(n1).fill(1),
              ...Array<number>(n2).fill(2),
              ...Array<number>(n3).fill(3),
              ...Array<number>(n4).fill(4),
              ...Array<number>(t.atLeast5 - n6).fill(5),
              ...Array<number>(n6).fill(t.max),
            ];
            const [m, q1, q3] = roundedQuartiles(control);
            if (m === t.localControl.median && q1 === t.localControl.q1 && q3 === t.localControl.q3)
              controlSets.push(multisetStats(control));
          }
        }
      }
    }
  }
  const n = nLtp + nControl;
  let bestScore = Number.POSITIVE_INFINITY;
  let best: [MultisetStats, MultisetStats][] = [];
  for (const ltp of ltpSets) {
    for (const control of controlSets) {
      const sum = ltp.sum + control.sum;
      const meanAll = sum / n;
      const sd = Math.sqrt((ltp.sumSquares + control.sumSquares - n * meanAll * meanAll) / (n - 1));
      const meanErr = Math.abs(meanAll - t.mean);
      const sdErr = Math.abs(sd - t.sd);
      if (meanErr >= 0.05 || sdErr >= 0.05) continue;
      // A quartile exactly halfway between integers rounds differently under other conventions: avoid.
      const score = meanErr + sdErr + ltp.halfwayQuartiles + control.halfwayQuartiles;
      if (score < bestScore - 1e-9) {
        bestScore = score;
        best = [];
      }
      if (score <= bestScore + 1e-9) best.push([ltp, control]);
    }
  }
  if (best.length === 0) throw new Error("design: no MTM multisets reproduce the published MTM figures");
  const [ltp, control] = best[rng.int(best.length)];
  return { ltp: ltp.values, localControl: control.values };
}

interface MultisetStats {
  values: number[];
  sum: number;
  sumSquares: number;
  /** How many of the type-6 quartiles fall exactly halfway between two integers. */
  halfwayQuartiles: number;
}

function multisetStats(values: number[]): MultisetStats {
  return {
    values,
    sum: values.reduce((a, b) => a + b, 0),
    sumSquares: values.reduce((a, b) => a + b * b, 0),
    halfwayQuartiles: [0.25, 0.5, 0.75]
      .map((p) => quantile(values, p, 6))
      .filter((q) => Math.abs(Math.abs(q % 1) - 0.5) < 1e-9).length,
  };
}

/** The searched numbers of every row (same order as the clinical design rows). */
export interface OutcomeDesign {
  mtmMm: number[];
  diameterMm: number[];
  /** Months to LTP detection (LTP rows) or to the last follow-up (censored). */
  timeMonths: number[];
}

/** Figures of the outcome block, computed the SPSS way (also used to report the design). */
export interface OutcomeFigures {
  survival12: number;
  survival24: number;
  followupMedian: number;
  coxMtm: { hr: number; lower: number; upper: number; monotone: boolean };
  coxDiameter: { hr: number; lower: number; upper: number; monotone: boolean };
  spearmanP: number;
  tTestP: number;
  shapiroLtpP: number;
  shapiroControlP: number;
  diameter: {
    mean: number;
    sd: number;
    ltpMean: number;
    ltpSd: number;
    controlMean: number;
    controlSd: number;
    min: number;
    max: number;
  };
  t1b: number;
  t1bLtp: number;
  /** Negative MTMs in tumors with diameter ≤ 3 cm + 0.5 mm (must be 0: "all negative margins in tumors > 3 cm"; the 0.5 mm keeps it so for a measurement a little off the design). */
  negativeInSmall: number;
  /** Diameters within 0.4 mm of the T1b cut (the T1b count would hang on the measurement): must be 0. */
  nearT1bEdge: number;
}

/** Stage-1 figures: LTP-free survival, follow-up, Cox of MTM (Breslow ties, as SPSS). */
export function survivalFigures(
  ltp: readonly boolean[],
  mtmMm: readonly number[],
  timeMonths: readonly number[],
): Pick<OutcomeFigures, "survival12" | "survival24" | "followupMedian" | "coxMtm"> {
  const data = { time: timeMonths, event: ltp.map((l) => (l ? 1 : 0)) };
  const km = kaplanMeier(data);
  const [s12, s24] = survivalAt(km, LANDMARK_MONTHS);
  return {
    survival12: s12.surv,
    survival24: s24.surv,
    followupMedian: quantile(timeMonths, 0.5),
    coxMtm: univariableCox(data, mtmMm),
  };
}

/** Univariable Cox fit with Breslow ties: HR, 95% CI and whether the likelihood is monotone. */
function univariableCox(data: { time: readonly number[]; event: readonly number[] }, covariate: readonly number[]) {
  const fit = coxProportionalHazards(data, { x: covariate }, { ties: "breslow", concordance: false });
  const c = fit.coefficients[0];
  return { hr: c.hr, lower: c.ci[0], upper: c.ci[1], monotone: fit.monotoneLikelihood };
}

/** Stage-2 figures: diameter summaries, t-test, Shapiro-Wilk, Cox per cm, Spearman vs MTM, T1b counts. */
export function diameterFigures(
  ltp: readonly boolean[],
  mtmMm: readonly number[],
  timeMonths: readonly number[],
  diameterMm: readonly number[],
): Omit<OutcomeFigures, "survival12" | "survival24" | "followupMedian" | "coxMtm"> {
  const data = { time: timeMonths, event: ltp.map((l) => (l ? 1 : 0)) };
  const dl = diameterMm.filter((_, i) => ltp[i]);
  const dc = diameterMm.filter((_, i) => !ltp[i]);
  return {
    coxDiameter: univariableCox(
      data,
      diameterMm.map((v) => v / 10),
    ),
    spearmanP: spearman(diameterMm, mtmMm).pAsymptoticT,
    tTestP: tTest(dc, dl).p,
    shapiroLtpP: shapiroWilk(dl).p,
    shapiroControlP: shapiroWilk(dc).p,
    diameter: {
      mean: mean(diameterMm),
      sd: standardDeviation(diameterMm),
      ltpMean: mean(dl),
      ltpSd: standardDeviation(dl),
      controlMean: mean(dc),
      controlSd: standardDeviation(dc),
      min: minOf(diameterMm),
      max: maxOf(diameterMm),
    },
    t1b: diameterMm.filter((v) => v >= T1B_DIAMETER_MM).length,
    t1bLtp: dl.filter((v) => v >= T1B_DIAMETER_MM).length,
    negativeInSmall: mtmMm.filter((m, i) => m < 0 && diameterMm[i] <= LARGE_TUMOR_DIAMETER_MM + 0.5).length,
    nearT1bEdge: diameterMm.filter((v) => Math.abs(v - T1B_DIAMETER_MM) < 0.4).length,
  };
}

/**
 * Bands for a Cox fit: the HR within its printed rounding (±0.005) and each CI limit within 1% — the
 * three printed numbers cannot all hold at their printed precision at once (HR² = lower·upper for a
 * Wald interval: 3.56² = 12.67 but 1.32·9.57 = 12.63), so the limits get a relative band.
 */
function coxBand(
  fit: { hr: number; lower: number; upper: number },
  target: { hr: number; lower: number; upper: number },
): number {
  return (
    band(Math.log(fit.hr), Math.log(target.hr), Math.log(1 + 0.005 / target.hr)) +
    band(Math.log(fit.lower), Math.log(target.lower), Math.log(1.01)) +
    band(Math.log(fit.upper), Math.log(target.upper), Math.log(1.01))
  );
}

/**
 * Loss of the survival figures (stage 1: times and MTMs): 0 when each would round to the printed figure
 * with room to spare (bands are 0.6 of the rounding half-width, so a measurement a little off the
 * intended value still rounds right; survival at 24 months gets ±1.2 points — see the report).
 */
export function survivalLoss(
  f: Pick<OutcomeFigures, "survival12" | "survival24" | "followupMedian" | "coxMtm">,
  t: CalibrationTargets,
): number {
  let loss = band(f.survival12, t.survival.at12, 0.012) + band(f.survival24, t.survival.at24, 0.012);
  loss += 5 * Math.abs(f.followupMedian - t.followupMonths.median);
  loss += f.coxMtm.monotone ? 1e4 : 0;
  loss += coxBand(f.coxMtm, t.coxMtm);
  return loss;
}

/** Loss of the diameter figures (stage 2: diameters, given MTMs and times). */
export function diameterLoss(
  f: Omit<OutcomeFigures, "survival12" | "survival24" | "followupMedian" | "coxMtm">,
  t: CalibrationTargets,
): number {
  let loss = f.coxDiameter.monotone ? 1e4 : 0;
  loss += coxBand(f.coxDiameter, t.coxDiameterPerCm);
  loss += band(f.spearmanP, t.spearmanP, 0.0003) + band(f.tTestP, t.diameterMm.p, 0.0003);
  loss += band(Math.min(f.shapiroLtpP, f.shapiroControlP), 0.5, 0.4);
  const dt = t.diameterMm;
  // ±0.02 mm: the engine reads each diameter within ≈ ±0.1 mm of the design, which moves these by ≈ 0.03.
  loss += band(f.diameter.mean, dt.mean, 0.02) + band(f.diameter.sd, dt.sd, 0.02);
  loss += band(f.diameter.ltpMean, dt.ltpMean, 0.02) + band(f.diameter.controlMean, dt.localControlMean, 0.02);
  loss += band(f.diameter.ltpSd, dt.ltpSd, 0.3) + band(f.diameter.controlSd, dt.localControlSd, 0.3);
  loss += band(f.diameter.min, dt.min, 0.3) + band(f.diameter.max, dt.max, 0.3);
  loss += 10 * ((f.t1b - dt.t1b) ** 2 + (f.t1bLtp - dt.t1bLtp) ** 2) + 100 * f.negativeInSmall + 10 * f.nearT1bEdge;
  return loss;
}

/** Time and diameter rules of the special rows (figure captions, the Methods' re-ablation). */
function roleLoss(
  rows: readonly ClinicalDesign[],
  timeMonths: readonly number[],
  residualMonths: number,
  cases: CalibrationTargets["caseFigures"],
): number {
  let loss = 0;
  rows.forEach((row, i) => {
    if (row.role === "ltpRetreated" && timeMonths[i] === residualMonths) loss += 100; // a recurrence, re-ablated
    if (row.role === "figure4" && timeMonths[i] < cases.figure4.followupMonths) loss += 100; // the caption's follow-up
    if (row.role === "negativeControl" && timeMonths[i] <= cases.tkiStartedAfterMonths) loss += 100; // TKI after
    if (row.role === "reablation") {
      const first = rows.findIndex((r) => r.role === "ltpRetreated");
      if (timeMonths[i] + timeMonths[first] > cases.reablationWithinMonths) loss += 100; // both in the window
    }
  });
  return loss;
}

/** Months with which a local control row's follow-up is drawn to start (6–58, the paper's range). */
const MIN_CENSORED_MONTHS = 6;

export interface OutcomeSearchOptions {
  /** Annealing steps per stage (three stages). Default 30,000. */
  iterations?: number;
  /** Fresh starts tried while the loss is above `acceptableLoss`. Default 6. */
  attempts?: number;
  /** Default 1e-9 (every figure in its band). */
  acceptableLoss?: number;
}

/**
 * Searches the outcome block: up to `attempts` independent annealing runs (each from its own seeded
 * start), stopping at the first whose loss is acceptable, else returning the best.
 */
export function designOutcome(
  rows: readonly ClinicalDesign[],
  multisets: MtmMultisets,
  targets: CalibrationTargets,
  seed: number,
  { iterations = 30_000, attempts = 8, acceptableLoss = 1e-9 }: OutcomeSearchOptions = {},
): OutcomeSearchResult {
  let best: OutcomeSearchResult | null = null;
  for (let a = 0; a < attempts; a++) {
    // Each attempt has its own stream (seed, attempt), so attempt a's answer does not depend on the others.
    const rng = createRandom((seed ^ Math.imul(a + 1, 0x85ebca6b)) >>> 0);
    const result = searchOutcomeOnce(rows, multisets, targets, rng, iterations);
    if (best === null || result.loss < best.loss) best = result;
    if (best.loss <= acceptableLoss) break;
  }
  return best!;
}

export interface OutcomeSearchResult {
  design: OutcomeDesign;
  loss: number;
  figures: OutcomeFigures;
}

/**
 * One annealing run of the outcome block. Rows with role figure5/figure4 keep the captions' MTM and
 * diameter (`targets.caseFigures`), figure5 its LTP at the shortest time to recurrence; the negative control keeps the
 * control multiset's negative value; one plain local-control row is the smallest tumor and another the
 * largest (the published range).
 */
function searchOutcomeOnce(
  rows: readonly ClinicalDesign[],
  multisets: MtmMultisets,
  targets: CalibrationTargets,
  rng: Random,
  iterations: number,
): OutcomeSearchResult {
  const ltp = rows.map((r) => r.ltp);
  const ltpIdx = rows.flatMap((r, i) => (r.ltp ? [i] : []));
  const ctlIdx = rows.flatMap((r, i) => (r.ltp ? [] : [i]));
  const fixedMtm = new Map<number, number>();
  const fixedDiameter = new Map<number, number>();
  const fixedTime = new Map<number, number>();
  rows.forEach((r, i) => {
    const { figure4, figure5 } = targets.caseFigures;
    if (r.role === "figure5") {
      fixedMtm.set(i, figure5.mtmMm);
      fixedDiameter.set(i, figure5.diameterMm);
      fixedTime.set(i, targets.recurrenceMonths.min);
    }
    if (r.role === "figure4") {
      fixedMtm.set(i, figure4.mtmMm);
      fixedDiameter.set(i, figure4.diameterMm);
    }
    if (r.role === "negativeControl") fixedMtm.set(i, minOf(multisets.localControl));
  });
  // The range's ends are single tumors, both plain local-control rows (a search over single diameters
  // rarely walks a value to an end; with the largest among the LTPs the Cox per cm does not fit).
  const plain = rows.flatMap((r, i) => (r.role === "plain" && !r.ltp ? [i] : []));
  const smallest = plain[rng.int(plain.length)];
  const largestPool = plain.filter((i) => i !== smallest);
  fixedDiameter.set(smallest, targets.diameterMm.min);
  const largest = largestPool[rng.int(largestPool.length)];
  fixedDiameter.set(largest, targets.diameterMm.max);
  const fu = targets.followupMonths;
  const rec = targets.recurrenceMonths;
  const residualMonths = fu.min;
  const eventTimes = (x: number) => [
    ...Array(targets.ltpResidual).fill(residualMonths),
    rec.min,
    x,
    2 * rec.median - x,
    rec.max,
  ];

  // Start: multisets shuffled onto the free rows, times and diameters drawn around the targets.
  const mtm = new Array<number>(rows.length);
  const placeMultiset = (idx: number[], values: number[]) => {
    const free = idx.filter((i) => !fixedMtm.has(i));
    let pool = [...values];
    for (const i of idx) if (fixedMtm.has(i)) pool.splice(pool.indexOf(fixedMtm.get(i)!), 1);
    pool = shuffled(rng, pool);
    free.forEach((i, k) => {
      mtm[i] = pool[k];
    });
    for (const i of idx) if (fixedMtm.has(i)) mtm[i] = fixedMtm.get(i)!;
  };
  placeMultiset(ltpIdx, multisets.ltp);
  placeMultiset(ctlIdx, multisets.localControl);
  const x0 = Math.round((rec.min + rec.median) / 2);
  const time = new Array<number>(rows.length);
  const placeEvents = (x: number, order: number[]) => {
    const pool = eventTimes(x);
    for (const i of ltpIdx) if (fixedTime.has(i)) pool.splice(pool.indexOf(fixedTime.get(i)!), 1);
    const free = ltpIdx.filter((i) => !fixedTime.has(i));
    free.forEach((i, k) => {
      time[i] = pool[order[k]];
    });
    for (const i of ltpIdx) if (fixedTime.has(i)) time[i] = fixedTime.get(i)!;
  };
  const freeLtp = ltpIdx.filter((i) => !fixedTime.has(i));
  placeEvents(
    x0,
    shuffled(
      rng,
      freeLtp.map((_, k) => k),
    ),
  );
  // Censored follow-ups start spread on both sides of the published median (half below, half above).
  shuffled(rng, ctlIdx).forEach((i, k) => {
    const below = k % 2 === 1;
    time[i] =
      k === 0
        ? fu.max
        : below
          ? MIN_CENSORED_MONTHS + rng.int(fu.median - MIN_CENSORED_MONTHS + 1)
          : fu.median + rng.int(fu.max - fu.median + 1);
  });
  const dt = targets.diameterMm;
  // Diameters start at normal scores of each group's published mean and SD (Blom's (i − 3/8)/(n + 1/4)),
  // shuffled onto the free rows; negative margins get the largest so "all negative in tumors > 3 cm" holds.
  const diameter = new Array<number>(rows.length);
  for (const idx of [ltpIdx, ctlIdx]) {
    const isLtp = idx === ltpIdx;
    const free = idx.filter((i) => !fixedDiameter.has(i));
    const scores = free
      .map((_, k) => normalQuantileStd((k + 1 - 3 / 8) / (free.length + 1 / 4)))
      .map((z) =>
        clampDiameter((isLtp ? dt.ltpMean : dt.localControlMean) + z * (isLtp ? dt.ltpSd : dt.localControlSd), dt),
      );
    const order = shuffled(rng, free).sort((a, b) => Number(mtm[a] < 0) - Number(mtm[b] < 0));
    const sorted = [...scores].sort((a, b) => a - b);
    const negatives = order.filter((i) => mtm[i] < 0).length;
    const pool = shuffled(rng, sorted.slice(0, sorted.length - negatives));
    order.forEach((i, k) => {
      diameter[i] = k < pool.length ? pool[k] : sorted[k];
    });
    for (const i of idx) if (fixedDiameter.has(i)) diameter[i] = fixedDiameter.get(i)!;
  }
  const freeMtmLtp = ltpIdx.filter((i) => !fixedMtm.has(i));
  const freeMtmCtl = ctlIdx.filter((i) => !fixedMtm.has(i));
  const freeDiameter = rows.map((_, i) => i).filter((i) => !fixedDiameter.has(i));
  const freeDiameterLtp = freeDiameter.filter((i) => ltp[i]);
  const freeDiameterCtl = freeDiameter.filter((i) => !ltp[i]);
  const swap = (arr: number[], idx: readonly number[], r: Random) => {
    const a = idx[r.int(idx.length)];
    const b = idx[r.int(idx.length)];
    [arr[a], arr[b]] = [arr[b], arr[a]];
  };
  /** A step in which row has which MTM and time. */
  const stepTimes = (s: SearchState, r: Random): SearchState | null => {
    const next = { ...s, mtmMm: [...s.mtmMm], timeMonths: [...s.timeMonths] };
    const move = r.int(12);
    if (move === 0) {
      const x = s.x + (r.int(2) ? 1 : -1);
      if (x < rec.min || x > rec.median) return null;
      // Same rows keep the same ranks of event time; only the values move.
      const ranked = [...freeLtp].sort((a, b) => s.timeMonths[a] - s.timeMonths[b] || a - b);
      const pool = eventTimes(x);
      for (const i of ltpIdx) if (fixedTime.has(i)) pool.splice(pool.indexOf(fixedTime.get(i)!), 1);
      pool.sort((a, b) => a - b);
      ranked.forEach((i, k) => {
        next.timeMonths[i] = pool[k];
      });
      next.x = x;
    } else if (move <= 2) swap(next.timeMonths, freeLtp, r);
    else if (move <= 4) swap(next.mtmMm, freeMtmLtp, r);
    else if (move <= 6) swap(next.mtmMm, freeMtmCtl, r);
    else if (move <= 8) swap(next.timeMonths, ctlIdx, r);
    else {
      const i = ctlIdx[r.int(ctlIdx.length)];
      const v = s.timeMonths[i] + (r.int(2) ? 1 : -1) * (1 + r.int(6));
      if (v < MIN_CENSORED_MONTHS || v > fu.max) return null;
      next.timeMonths[i] = v;
      if (!ctlIdx.some((j) => next.timeMonths[j] === fu.max)) return null;
    }
    return next;
  };
  /** A step in the diameters: swaps within an outcome group, coarse or fine nudges. */
  const stepDiameters = (s: SearchState, r: Random): SearchState => {
    const next = { ...s, diameterMm: [...s.diameterMm] };
    const move = r.int(8);
    if (move === 0) swap(next.diameterMm, freeDiameterLtp, r);
    else if (move <= 2) swap(next.diameterMm, freeDiameterCtl, r);
    else {
      const i = freeDiameter[r.int(freeDiameter.length)];
      next.diameterMm[i] = clampDiameter(s.diameterMm[i] + (move <= 5 ? 1.5 : 0.3) * standardNormal(r), dt);
    }
    return next;
  };
  // The largest tumor gets a small margin (≤ 2 mm), as the paper's size–margin correlation suggests and
  // so its ice ball stays within the published largest volume.
  const stage1Loss = (s: SearchState) =>
    survivalLoss(survivalFigures(ltp, s.mtmMm, s.timeMonths), targets) +
    roleLoss(rows, s.timeMonths, residualMonths, targets.caseFigures) +
    5 * Math.max(0, s.mtmMm[largest] - 2);
  const stage2Loss = (s: SearchState) =>
    diameterLoss(diameterFigures(ltp, s.mtmMm, s.timeMonths, s.diameterMm), targets);
  const schedule = (n: number, t0: number) => ({ iterations: n, startTemperature: t0, endTemperature: 1e-3 });

  // Stage 1: MTMs and times (survival, follow-up, Cox of MTM); stage 2: diameters given those (their
  // summaries, t-test, Cox per cm, Spearman); stage 3: both together from there, cooler, to settle the
  // figures that depend on both (Cox per cm needs the right tumors at risk at each event).
  let state: SearchState = { mtmMm: mtm, timeMonths: time, x: x0, diameterMm: diameter };
  state = anneal(state, stage1Loss, stepTimes, rng, schedule(iterations, 2)).state;
  state = anneal(state, stage2Loss, stepDiameters, rng, schedule(iterations, 0.5)).state;
  const joint = anneal(
    state,
    (s) => stage1Loss(s) + stage2Loss(s),
    (s, r) => (r.int(2) ? stepTimes(s, r) : stepDiameters(s, r)),
    rng,
    schedule(iterations, 0.2),
  );
  const { mtmMm, timeMonths, diameterMm } = joint.state;
  return {
    design: { mtmMm, timeMonths, diameterMm },
    loss: joint.loss,
    figures: { ...survivalFigures(ltp, mtmMm, timeMonths), ...diameterFigures(ltp, mtmMm, timeMonths, diameterMm) },
  };
}

/** The search state: the design plus the free recurrence time x. */
interface SearchState extends OutcomeDesign {
  x: number;
}

/** A diameter on the 0.1 mm grid inside the published range (its ends belong to two fixed rows). */
function clampDiameter(v: number, dt: CalibrationTargets["diameterMm"]): number {
  return Math.round(10 * Math.min(dt.max - 0.1, Math.max(dt.min + 0.1, v))) / 10;
}
