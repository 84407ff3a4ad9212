/**
 * Cryoprobes and their ice: 2–4 parallel probes 10–20 mm apart (the paper's protocol: "> 1 cm and
 * < 2 cm from each other with the probe tips positioned at the most distal border of the tumour"), each
 * freezing an ellipsoidal isotherm around its distal shaft; the ice ball is the union.
 *
 * Isotherm of one probe with unit direction u (pointing the way the probe was pushed) and tip t: an
 * ellipsoid with semi-axes (r, r, ε·r) about the shaft, extending ζ·r beyond the tip, so its centre is
 * t − (ε − ζ)·r·u. For fixed ε and ζ it is the image of one ellipsoid under the homothety of ratio r
 * about the tip; since the tip lies inside it (ζ > 0), a larger r gives a strictly larger isotherm — the
 * ice ball grows monotonically with r, which is what makes the probe placement a 1-D root-finding.
 */
import type { Vec3 } from "../margin/types.js";
import type { Ellipsoid, PointCloud } from "./ellipsoid.js";
import { add, addScaled, dot, perpendicularFrame, rotateAbout, scale } from "./vector.js";

/** How far (fraction of the lateral radius) the ice extends beyond the probe tip. */
export const ISOTHERM_TIP_EXTENSION = 0.45;

export interface ProbeArray {
  /** Unit insertion direction (world). */
  directionRas: Vec3;
  /** Probe tips, world mm. */
  tipsRas: Vec3[];
  spacingMm: number;
}

/**
 * Lateral offsets of `count` probes `spacingMm` apart, centred on the array axis: a pair, an
 * equilateral triangle or a square (every neighbouring pair at exactly the spacing), rotated by
 * `rollRad` about u. Returned as world vectors perpendicular to u.
 */
export function probeOffsets(count: number, spacingMm: number, u: Readonly<Vec3>, rollRad: number): Vec3[] {
  const [v0] = perpendicularFrame(u);
  const v = rotateAbout(v0, u, rollRad);
  const radius = count === 2 ? spacingMm / 2 : count === 3 ? spacingMm / Math.sqrt(3) : spacingMm / Math.SQRT2;
  const out: Vec3[] = [];
  for (let p = 0; p < count; p++) out.push(scale(rotateAbout(v, u, (2 * Math.PI * p) / count), radius));
  return out;
}

/**
 * Places the array: probes parallel to u through `axisPointRas` + offsets, tips all at the tumor's
 * distal border (the largest p·u over its surface samples).
 */
export function placeProbes(
  tumorSurface: PointCloud,
  count: number,
  spacingMm: number,
  u: Readonly<Vec3>,
  rollRad: number,
  axisPointRas: Readonly<Vec3>,
): ProbeArray {
  let distal = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < tumorSurface.count; s++) {
    const t =
      tumorSurface.points[3 * s] * u[0] + tumorSurface.points[3 * s + 1] * u[1] + tumorSurface.points[3 * s + 2] * u[2];
    if (t > distal) distal = t;
  }
  const base = addScaled(axisPointRas, u, distal - dot(axisPointRas, u));
  const tipsRas = probeOffsets(count, spacingMm, u, rollRad).map((o) => add(base, o));
  return { directionRas: [...u], tipsRas, spacingMm };
}

/** The isotherm ellipsoids of every probe for lateral radius r (mm) and elongation ε (axial/lateral). */
export function isotherms(probes: ProbeArray, lateralRadiusMm: number, elongation: number): Ellipsoid[] {
  const u = probes.directionRas;
  const [v, w] = perpendicularFrame(u);
  const back = (elongation - ISOTHERM_TIP_EXTENSION) * lateralRadiusMm;
  return probes.tipsRas.map((tip) => ({
    center: addScaled(tip, u, -back),
    axes: [v, w, [...u]] as [Vec3, Vec3, Vec3],
    semiAxesMm: [lateralRadiusMm, lateralRadiusMm, elongation * lateralRadiusMm] as Vec3,
  }));
}
