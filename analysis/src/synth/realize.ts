/**
 * From one case's design to its geometry: a lobulated tumor of the intended maximum diameter and volume
 * on the pre-ablation grid, cryoprobes placed by the protocol, and the ice ball that gives the intended
 * MTM and ice-ball volume, on the post-ablation grid in its own pose.
 *
 * Each target is a 1-D monotone root-finding on the analytic shapes:
 * - volume: the tumor's minor-axis thickness (at fixed diameter — the shape is rescaled exactly to it);
 * - MTM: the isotherms' size r (the ice ball grows monotonically with r, see probes.ts);
 * - ice-ball volume: the isotherms' elongation ε (with r re-solved for the MTM each time).
 * An uncovered case (negative MTM) has its probe array shifted away from a lobe pointing into the
 * octant where it later regrows, so that lobe is what the ice ball misses.
 * The margin engine (measure.ts) is the judge: the generator measures the masks with it and corrects
 * its continuous targets until the engine's numbers are the design's (see closeLoop in cohort.ts).
 */
import { maxPairwiseDistance } from "../margin/diameter.js";
import { maskBounds } from "../margin/maskBounds.js";
import { reconstructSurface } from "../margin/measure.js";
import type { MaskVolume, Mat4, OctantName, Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { octantDirection } from "./anatomy.js";
import { continuousMargin } from "./continuousMargin.js";
import { type Ellipsoid, type PointCloud, transformEllipsoid, unionSurfaceSamples } from "./ellipsoid.js";
import { isotherms, type ProbeArray, placeProbes } from "./probes.js";
import { uniform } from "./sampling.js";
import { realizeTumor, type TumorShapeDraw } from "./tumorShape.js";
import { addScaled, dot, normalize, perpendicularFrame, sub } from "./vector.js";
import { type GridSpec, maskVolumeMl, voxelizeUnion } from "./voxelize.js";

/** Surface sample spacings for the continuous margin during the searches (≈ 0.04 mm from the fine answer). */
const TUMOR_SPACING_MM = 0.8;
const ICE_SPACING_MM = 0.6;

/**
 * Illinois (modified regula falsi) root of an increasing function f on [lo, hi] with f(lo) < 0 < f(hi),
 * to |f| ≤ tol or `maxSteps` evaluations. Returns the best point found.
 */
export function increasingRoot(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tol: number,
  maxSteps = 40,
): { x: number; fx: number } {
  let flo = f(lo);
  let fhi = f(hi);
  let best = Math.abs(flo) < Math.abs(fhi) ? { x: lo, fx: flo } : { x: hi, fx: fhi };
  if (flo >= 0 || fhi <= 0) return best;
  let side = 0;
  for (let step = 0; step < maxSteps; step++) {
    const x = hi - (fhi * (hi - lo)) / (fhi - flo);
    const xm = Number.isFinite(x) && x > lo && x < hi ? x : (lo + hi) / 2;
    const fx = f(xm);
    if (Math.abs(fx) < Math.abs(best.fx)) best = { x: xm, fx };
    if (Math.abs(fx) <= tol) break;
    if (fx < 0) {
      lo = xm;
      flo = fx;
      if (side === -1) fhi /= 2;
      side = -1;
    } else {
      hi = xm;
      fhi = fx;
      if (side === 1) flo /= 2;
      side = 1;
    }
  }
  return best;
}

export interface TumorRealization {
  draw: TumorShapeDraw;
  parts: Ellipsoid[];
  mask: MaskVolume;
  /** Thickness and long semi-axis (mm) of the realised shape. */
  thickness: number;
  scaleMm: number;
  /** Maximum diameter of the analytic shape, mm (the continuous target the engine's reading is matched through). */
  continuousDiameterMm: number;
}

/**
 * The tumor with continuous maximum diameter `diameterMm` whose mask on `grid` holds `volumeMl`
 * (±`tolMl`): thickness found by Illinois on the mask volume, the scale set exactly for the diameter.
 */
export function tumorForDiameterAndVolume(
  draw: TumorShapeDraw,
  centerRas: Readonly<Vec3>,
  diameterMm: number,
  volumeMl: number,
  grid: GridSpec,
  tolMl = 0.008,
): TumorRealization {
  const at = (thickness: number) => {
    const unit = realizeTumor(draw, thickness, 1, centerRas);
    const unitSurface = unionSurfaceSamples(unit, 0.06);
    const unitDiameter = maxPairwiseDistance(unitSurface.points, unitSurface.count);
    const scaleMm = diameterMm / unitDiameter;
    const parts = realizeTumor(draw, thickness, scaleMm, centerRas);
    const mask = voxelizeUnion(parts, grid);
    return { parts, mask, scaleMm, thickness, volume: maskVolumeMl(mask) };
  };
  const cache = new Map<number, ReturnType<typeof at>>();
  const cached = (t: number) => {
    if (!cache.has(t)) cache.set(t, at(t));
    return cache.get(t)!;
  };
  // Up to ≈ 1.15 the volume grows with the thickness; beyond, the minor axes overtake the long one and
  // the diameter normalisation shrinks the shape again.
  const root = increasingRoot((t) => cached(t).volume - volumeMl, 0.3, 1.15, tolMl);
  const r = cached(root.x);
  return {
    draw,
    parts: r.parts,
    mask: r.mask,
    thickness: r.thickness,
    scaleMm: r.scaleMm,
    continuousDiameterMm: diameterMm,
  };
}

/** The margin engine's reading of a mask's maximum diameter (its surface samples' largest distance). */
export function engineDiameterMm(mask: MaskVolume): number {
  const surface = reconstructSurface(mask, maskBounds(mask), { raggedRimsAsDrawn: true });
  return maxPairwiseDistance(surface.samples.points, surface.samples.count);
}

/** The placement of one case's probes and the isotherm shape parameters. */
export interface ProbePlan {
  /** Unit insertion direction. */
  direction: Vec3;
  count: number;
  spacingMm: number;
  rollRad: number;
  /** Where the array axis crosses the tumor: its centroid plus an offset ⊥ direction, world mm. */
  axisPointRas: Vec3;
}

/**
 * Probe plan: the approach direction made perpendicular to the lead lobe when the case is uncovered
 * (so the missed lobe lies beside the array, not ahead of its tips), and the array shifted away from
 * that lobe by `shiftMm`; otherwise centred with ≤ 1.5 mm of placement scatter.
 */
export function planProbes(
  approach: Readonly<Vec3>,
  centroidRas: Readonly<Vec3>,
  count: number,
  spacingMm: number,
  rng: Random,
  uncovered: { leadLobe: Vec3; shiftMm: number } | null,
): ProbePlan {
  let direction: Vec3 = [...approach];
  let axisPointRas: Vec3;
  if (uncovered) {
    const d = uncovered.leadLobe;
    direction = normalize(sub(approach, [d[0] * dot(approach, d), d[1] * dot(approach, d), d[2] * dot(approach, d)]));
    axisPointRas = addScaled(centroidRas, d, -uncovered.shiftMm);
  } else {
    const [v, w] = perpendicularFrame(direction);
    axisPointRas = addScaled(addScaled(centroidRas, v, uniform(rng, -1.5, 1.5)), w, uniform(rng, -1.5, 1.5));
  }
  return { direction, count, spacingMm, rollRad: uniform(rng, 0, 2 * Math.PI), axisPointRas };
}

export interface IceRealization {
  probes: ProbeArray;
  parts: Ellipsoid[];
  lateralRadiusMm: number;
  elongation: number;
  continuousMtmMm: number;
  continuousMinPointRas: Vec3;
}

/**
 * The ice ball whose continuous MTM is `mtmMm` (±`tolMm`) for elongation ε: isotherm size r by
 * Illinois (MTM increases with r). `tumorSurface` are the tumor's surface samples (pre world).
 */
export function iceForMargin(
  tumorParts: readonly Ellipsoid[],
  tumorSurface: PointCloud,
  plan: ProbePlan,
  elongation: number,
  mtmMm: number,
  tolMm = 0.02,
  guessRadiusMm?: number,
): IceRealization {
  const probes = placeProbes(tumorSurface, plan.count, plan.spacingMm, plan.direction, plan.rollRad, plan.axisPointRas);
  const padding = Math.max(4, Math.abs(mtmMm) + 4);
  const margin = (r: number) =>
    continuousMargin(tumorSurface, tumorParts, isotherms(probes, r, elongation), {
      iceSpacingMm: ICE_SPACING_MM,
      clipPaddingMm: padding,
    });
  const memo = new Map<number, ReturnType<typeof margin>>();
  const f = (r: number) => {
    if (!memo.has(r)) memo.set(r, margin(r));
    return memo.get(r)!.mtmMm - mtmMm;
  };
  // MTM changes by ≈ 1 mm per mm of r: step from the guess by the error until the sign changes, then
  // Illinois inside the bracket.
  let a = Math.max(2, guessRadiusMm ?? 15);
  let fa = f(a);
  let b = Math.max(2, a - fa);
  let fb = f(b);
  for (let k = 0; k < 12 && Math.sign(fa) === Math.sign(fb) && Math.abs(fb) > tolMm; k++) {
    const next = Math.min(90, Math.max(2, b - 1.5 * fb));
    if (next === b) break;
    a = b;
    fa = fb;
    b = next;
    fb = f(b);
  }
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const root = Math.abs(fb) <= tolMm ? { x: b, fx: fb } : increasingRoot(f, lo, hi, tolMm);
  const result = memo.get(root.x) ?? margin(root.x);
  return {
    probes,
    parts: isotherms(probes, root.x, elongation),
    lateralRadiusMm: root.x,
    elongation,
    continuousMtmMm: result.mtmMm,
    continuousMinPointRas: result.pointRas,
  };
}

/** Samples of the tumor surface at the searches' spacing. */
export function tumorSurfaceSamples(parts: readonly Ellipsoid[]): PointCloud {
  return unionSurfaceSamples(parts, TUMOR_SPACING_MM);
}

/** The ice ball's mask on the post-ablation grid: the isotherms moved by the pre → post transform. */
export function iceMask(parts: readonly Ellipsoid[], preToPost: Mat4, postGrid: GridSpec): MaskVolume {
  return voxelizeUnion(
    parts.map((p) => transformEllipsoid(p, preToPost)),
    postGrid,
  );
}

/** The lead-lobe direction for an uncovered case regrowing in `octant`: its diagonal, jittered ≤ 12°. */
export function leadLobeDirection(octant: OctantName, rng: Random): Vec3 {
  const d = octantDirection(octant);
  const jitter = 0.2;
  return normalize([
    d[0] + uniform(rng, -jitter, jitter),
    d[1] + uniform(rng, -jitter, jitter),
    d[2] + uniform(rng, -jitter, jitter),
  ]);
}
