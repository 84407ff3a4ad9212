/**
 * Step 3's engine loop: the ice of a prepared case at its intended volume and MTM, closed through the
 * margin engine (the engine reads the masks a shape-dependent offset away from the continuous margin).
 */
import { measureMargins } from "../margin/measure.js";
import type { MarginResult, MaskVolume, OctantName } from "../margin/types.js";
import { type CaseInProgress, iceForPlan, maxTailMm, withTail } from "./caseGeometry.js";
import type { CaseDesign } from "./design.js";
import { ICE_VOLUME_TOL_ML } from "./iceVolumes.js";
import { type IceRealization, iceForMargin, iceMask, increasingRoot, type ProbePlan } from "./realize.js";
import { addScaled } from "./vector.js";
import { maskVolumeMl } from "./voxelize.js";

/** Engine and intended MTM may differ by this much when the loop stops (rounding edges are 0.5 away: 0.25 mm of room). */
const MTM_CLOSURE_MM = 0.25;
const MAX_ENGINE_ROUNDS = 6;

export interface FinishedCase {
  ice: IceRealization;
  iceball: MaskVolume;
  result: MarginResult;
  runs: number;
  /** The octant an LTP regrows in: the intended one, or where the engine found the deepest miss. */
  regrowthOctant: OctantName | null;
}

/**
 * The regrowth octant an LTP gets: where the engine finds its deepest miss — the design aimed a lobe at
 * `uncoveredOctant`, and the geometry decides. Fig. 5's regrowth must stay medial (its left/right half).
 */
function regrowthAcceptable(design: CaseDesign, found: OctantName): boolean {
  if (!design.ltp || design.role !== "figure5" || design.uncoveredOctant === null) return true;
  return found.split("-")[0] === design.uncoveredOctant.split("-")[0];
}

/**
 * Step 3's end: ice at the intended volume and MTM, closed through the engine. Each round: elongation
 * by secant on the ice-ball volume (the MTM re-solved at each ε) to ±`volumeTolMl`, then one engine
 * measurement. The continuous target follows a secant on the engine's response (the engine reads the
 * masks a shape-dependent offset away from the continuous margin) until the engine is within
 * MTM_CLOSURE_MM of the intended integer. A Fig. 5 case whose deepest miss is on the wrong side gets its
 * array shifted further from the lead lobe. The best round is kept (MTM, side, then volume).
 */
export function finishSyntheticCase(
  c: CaseInProgress,
  intendedIceMl: number,
  {
    volumeTolMl = ICE_VOLUME_TOL_ML,
    trace = () => {},
  }: { volumeTolMl?: number; trace?: (message: string) => void } = {},
): FinishedCase {
  let best = closeMargin(c, c.plan, c.elongation, c.baseIce, intendedIceMl, volumeTolMl, trace);
  // The engine's reading depends on the ice's shape (its offset from the continuous margin varies from
  // a few tenths to 2 mm): when the loop cannot close, the array is rolled to a new arrangement.
  for (let replan = 1; replan <= MAX_REPLANS && best.score >= CLOSED_SCORE; replan++) {
    // Rolled arrangements first; then longer isotherms (more volume without a shaft tail, whose seam the
    // engine can misread as a miss).
    const turns = replan <= 2 ? replan : replan - 2;
    const stretch = c.stretch + (replan <= 2 ? 0 : 0.4 * (replan - 2));
    const plan = { ...c.plan, rollRad: c.plan.rollRad + (turns * Math.PI) / (2 * c.plan.count) };
    trace(
      `re-planned: array rolled by ${((turns * 180) / (2 * c.plan.count)).toFixed(0)}°, isotherms +${stretch.toFixed(1)} ε`,
    );
    const ice = iceForPlan(c.tumor.parts, c.tumorSurface, plan, c.design.intendedMtmMm, stretch);
    const next = closeMargin(c, plan, ice.elongation, ice.baseIce, intendedIceMl, volumeTolMl, trace);
    if (next.score < best.score) best = next;
  }
  const { score: _score, ...finished } = best;
  return finished;
}

/** Re-plans of the probe array tried when the engine loop does not close. */
const MAX_REPLANS = 4;
/** Scores below this are closed loops (|error| ≤ MTM_CLOSURE_MM, right side; see closeMargin). */
const CLOSED_SCORE = 1;

/**
 * The engine loop for one probe plan: each round solves the isotherm size for the continuous target,
 * the shaft tail for the ice volume, and measures; the target follows a secant on the engine's response.
 * Score: |error| (+10 per mm beyond MTM_CLOSURE_MM, +100 on the wrong side, + volume misfit).
 */
function closeMargin(
  c: CaseInProgress,
  plan0: ProbePlan,
  elongation: number,
  baseIce: IceRealization,
  intendedIceMl: number,
  volumeTolMl: number,
  trace: (message: string) => void,
): FinishedCase & { score: number } {
  const { design } = c;
  let target = design.intendedMtmMm;
  let ice = baseIce;
  let plan = plan0;
  const responses: [number, number][] = []; // (continuous target, engine MTM)
  let best: (FinishedCase & { score: number }) | null = null;
  for (let round = 0; round < MAX_ENGINE_ROUNDS; round++) {
    if (round > 0)
      ice = iceForMargin(c.tumor.parts, c.tumorSurface, plan, elongation, target, 0.02, ice.lateralRadiusMm);
    const { iceball, tailMm } = tailForVolume(c, ice, intendedIceMl, volumeTolMl);
    const result = measureMargins(c.tumor.mask, iceball, c.preToPost);
    const error = design.intendedMtmMm - result.mtmMm;
    const sideOk = regrowthAcceptable(design, result.minMarginOctant);
    const volumeError = Math.abs(result.iceballVolumeMl - intendedIceMl);
    trace(
      `round ${round + 1}: target ${target.toFixed(2)} → continuous ${ice.continuousMtmMm.toFixed(2)}, engine ${result.mtmMm.toFixed(2)} (${result.minMarginOctant}${sideOk ? "" : ", wrong side"}), ice ${result.iceballVolumeMl.toFixed(2)}/${intendedIceMl.toFixed(2)} ml (tail ${tailMm.toFixed(1)} mm)`,
    );
    const score =
      10 * Math.max(0, Math.abs(error) - MTM_CLOSURE_MM) +
      Math.abs(error) * 0.5 +
      (sideOk ? 0 : 100) +
      0.1 * Math.max(0, volumeError - volumeTolMl);
    const regrowthOctant = design.ltp ? result.minMarginOctant : null;
    if (best === null || score < best.score)
      best = { ice: { ...ice, parts: withTail(ice, tailMm) }, iceball, result, runs: 0, regrowthOctant, score };
    best.runs = round + 1;
    if (Math.abs(error) <= MTM_CLOSURE_MM && sideOk) break;
    if (!sideOk && c.leadLobe) {
      // Move the array further from the lead lobe, so the lobe is what the ice misses.
      plan = { ...plan, axisPointRas: addScaled(plan.axisPointRas, c.leadLobe, -2.5) };
      responses.length = 0;
      continue;
    }
    responses.push([target, result.mtmMm]);
    // Secant on engine(target); slope clamped to [0.5, 2] (≈ 1: the engine reads a shifted margin).
    let slope = 1;
    if (responses.length >= 2) {
      const [[t0, m0], [t1, m1]] = responses.slice(-2);
      if (Math.abs(t1 - t0) > 1e-6) slope = Math.min(2, Math.max(0.5, (m1 - m0) / (t1 - t0)));
    }
    target += (round < 2 ? 1 : 0.7) * (error / slope);
    // The engine may read a covered tumor up to ≈ 2 mm wider than the continuous geometry: the target
    // may go a little past zero, not further (deep continuous misses make the engine's reading erratic).
    target = design.intendedMtmMm > 0 ? Math.max(-1, target) : Math.min(-0.2, target);
  }
  return best!;
}

/**
 * The shaft-tail length (0 to maxTailMm) whose ice mask holds `intendedMl` (±tolMl) by Illinois on the
 * mask volume (monotone in the tail); 0 when even the tail-less ice is larger.
 */
function tailForVolume(
  c: CaseInProgress,
  ice: IceRealization,
  intendedMl: number,
  tolMl: number,
): { iceball: MaskVolume; tailMm: number } {
  const masks = new Map<number, MaskVolume>();
  const volume = (tailMm: number) => {
    if (!masks.has(tailMm)) masks.set(tailMm, iceMask(withTail(ice, tailMm), c.preToPost, c.postGrid));
    return maskVolumeMl(masks.get(tailMm)!) - intendedMl;
  };
  const root = increasingRoot(volume, 0, maxTailMm(ice), tolMl, 30);
  return { iceball: masks.get(root.x)!, tailMm: root.x };
}
