/**
 * The ice-ball volumes of the cohort: each case's feasible range (from its prepared geometry), the
 * intended volume and tolerance per case, and the one case that absorbs the residual of the mean.
 */
import { maxOf, minOf } from "../stats/descriptives.js";
import { createRandom } from "../stats/random.js";
import type { CaseInProgress } from "./caseGeometry.js";
import type { CohortPlan } from "./cohortPlan.js";
import { designIceballVolumes } from "./designMeasures.js";

/** Ice-ball volume tolerance of the cases that set the published range and mean, ml. */
const ICE_VOLUME_TIGHT_ML = 0.02;
/** Ice-ball volume tolerance of the other cases, ml. */
export const ICE_VOLUME_TOL_ML = 0.25;

/** The feasible ice-ball volumes of a prepared case, ml: [at the lowest, at the highest elongation]. */
export function feasibleIceballVolumes(c: CaseInProgress): [number, number] {
  return [c.baseVolumeMl, c.maxVolumeMl];
}

/**
 * Intended ice-ball volume per file position (designIceballVolumes over the feasible ranges) and the
 * tolerance each case is finished to: ICE_VOLUME_TOL_ML, but at most half the distance to the smallest
 * and largest intended volumes (so no case crosses the published range's ends) and ICE_VOLUME_TIGHT_ML
 * for the two cases that set them.
 */
export function planIceballVolumes(
  plan: CohortPlan,
  feasible: readonly (readonly [number, number])[],
): { volumeMl: number[]; toleranceMl: number[] } {
  const ltp = plan.order.map((i) => plan.design.cases[i].ltp);
  const rng = createRandom((plan.seed ^ 0x1ceba11) >>> 0);
  // The published range and mean are the 32's; a cohort of another size takes each case's volume from
  // the middle part of its feasible range.
  const volumeMl =
    plan.n === plan.targets.tumors
      ? designIceballVolumes(ltp, feasible, plan.targets, rng).volumeMl
      : feasible.map(([lo, hi]) => lo + (0.3 + 0.4 * rng.next()) * (hi - lo));
  const lo = minOf(volumeMl);
  const hi = maxOf(volumeMl);
  const toleranceMl = volumeMl.map((v) =>
    Math.min(ICE_VOLUME_TOL_ML, Math.max(ICE_VOLUME_TIGHT_ML, 0.5 * Math.min(v - lo, hi - v))),
  );
  return { volumeMl, toleranceMl };
}

/**
 * The case that absorbs the residual of the mean ice-ball volume (each case is finished to its
 * tolerance; their mean must round to the published one), and its new intended volume — or null when
 * the mean is already within 0.02 ml. The largest case with the loosest tolerance is used (the smallest
 * relative change, far from the range's ends); it is then finished to ICE_VOLUME_TIGHT_ML.
 */
export function iceballMeanFixup(
  plan: CohortPlan,
  toleranceMl: readonly number[],
  measured: readonly number[],
): { k: number; volumeMl: number; toleranceMl: number } | null {
  if (plan.n !== plan.targets.tumors) return null;
  const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
  const residual = plan.targets.iceballVolumeMl.mean - mean;
  if (Math.abs(residual) <= 0.02) return null;
  let k = -1;
  for (let j = 0; j < measured.length; j++)
    if (toleranceMl[j] >= ICE_VOLUME_TOL_ML && (k < 0 || measured[j] > measured[k])) k = j;
  return { k, volumeMl: measured[k] + residual * measured.length, toleranceMl: ICE_VOLUME_TIGHT_ML };
}
