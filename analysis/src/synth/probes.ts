/**
 * Cryoprobes and their ice: 2–4 parallel probes 10–20 mm apart (the paper's protocol: "> 1 cm and
 * < 2 cm from each other with the probe tips positioned at the most distal border of the tumour"), each
 * freezing an ellipsoidal isotherm around its distal shaft; the ice ball is the union.
 *
 * Isotherm of one probe with unit direction u (pointing the way the probe was pushed) and tip t: an
 * ellipsoid with semi-axes (r, r, a = ε·r) about the shaft, extending ζ·a beyond the tip (its centre at
 * t − (1 − ζ)·a·u: the ice forms around the active segment just proximal to the tip, and a 0 °C isotherm
 * of 30–40 mm reaches ≈ 8–10 mm past it). For fixed ε and ζ it is the image of one ellipsoid under the homothety of ratio r
 * about the tip; since the tip lies inside it (ζ > 0), a larger r gives a strictly larger isotherm — the
 * ice ball grows monotonically with r, which is what makes the probe placement a 1-D root-finding.
 */
import type { Vec3 } from "../margin/types.js";
import { type Ellipsoid, ellipsoidFromAxes, type PointCloud } from "./ellipsoid.js";
import { add, addScaled, cross, dot, normalize, perpendicularFrame, rotateAbout, scale, sub } from "./vector.js";

/** How far the ice extends beyond the probe tip, as a fraction ζ of the isotherm's axial semi-axis. */
export const ISOTHERM_TIP_EXTENSION = 0.35;

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
 * distal border (the largest p·u over its surface samples) — "the probe tips positioned at the most
 * distal border of the tumour".
 */
export function placeProbes(
  tumorSurface: PointCloud,
  count: number,
  spacingMm: number,
  u: Readonly<Vec3>,
  rollRad: number,
  axisPointRas: Readonly<Vec3>,
): ProbeArray {
  const pts = tumorSurface.points;
  let distal = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < tumorSurface.count; s++)
    distal = Math.max(distal, pts[3 * s] * u[0] + pts[3 * s + 1] * u[1] + pts[3 * s + 2] * u[2]);
  const base = addScaled(axisPointRas, u, distal - dot(axisPointRas, u));
  const tipsRas = probeOffsets(count, spacingMm, u, rollRad).map((o) => add(base, o));
  return { directionRas: [...u], tipsRas, spacingMm };
}

/**
 * The ice of the array for lateral radius r (mm) and elongation ε (axial/lateral): every probe's
 * isotherm plus the confluence between them. Parallel probes 1–2 cm apart freeze into one ice ball — the
 * tissue between them freezes first — so the array's ice has no deep valleys between the probes; the
 * confluence is one coaxial ellipsoid with the isotherms' axial extent (tip extension included) and a
 * cross-section reaching 0.8·r past the probes' ring (for a pair: across the pair, 0.95·r beside it).
 * It grows with r, so the whole ice ball still grows monotonically with r.
 */
export function isotherms(probes: ProbeArray, lateralRadiusMm: number, elongation: number): Ellipsoid[] {
  const u = probes.directionRas;
  const [v, w] = perpendicularFrame(u);
  const a = elongation * lateralRadiusMm;
  const back = (1 - ISOTHERM_TIP_EXTENSION) * a;
  const parts = probes.tipsRas.map((tip) =>
    ellipsoidFromAxes(addScaled(tip, u, -back), [v, w, u], [lateralRadiusMm, lateralRadiusMm, a]),
  );
  const n = probes.tipsRas.length;
  if (n < 2) return parts;
  const centre: Vec3 = [0, 1, 2].map((j) => probes.tipsRas.reduce((sum, t) => sum + t[j], 0) / n) as Vec3;
  const first = sub(probes.tipsRas[0], centre);
  const ring = Math.hypot(first[0], first[1], first[2]);
  const across = normalize(first);
  const beside = cross(u, across);
  const wide = ring + 0.8 * lateralRadiusMm;
  parts.push(
    ellipsoidFromAxes(
      addScaled(centre, u, -back),
      [across, beside, [...u]],
      [wide, n === 2 ? 0.95 * lateralRadiusMm : wide, a],
    ),
  );
  return parts;
}

/**
 * Where the tail starts behind the isotherm's centre, as a fraction of its axial semi-axis: far enough
 * back that the tail leaves the isotherm behind the tumor (where the two surfaces meet, a mask's surface
 * reconstruction is least reliable, so that seam must not face the tumor).
 */
export const TAIL_START = 0.7;

/** Lateral radius of the shaft's ice (the tail), as a fraction of the isotherm's lateral radius. */
export const TAIL_RADIUS_FRACTION = 0.95;

/**
 * The ice frozen along each probe's shaft behind its isotherm — the tail of a teardrop-shaped ice ball:
 * one ellipsoid per probe, coaxial, 0.95·r wide, starting 0.55·a behind the isotherm's centre and
 * `tailMm` long (centre c − (0.7·a + tailMm/2)·u, axial semi-axis tailMm/2 + 0.15·a). Its front lies
 * inside the isotherm; beyond the isotherm's back pole it adds ice behind the
 * tumor (the isotherm already reaches past its proximal end), so the volume grows with `tailMm` and the
 * margin stays — the generator's ice-volume knob. One smooth ellipsoid, not a chain of spheres: the
 * scalloped surface of a chain misleads surface reconstructions of the mask.
 */
export function shaftTails(
  probes: ProbeArray,
  lateralRadiusMm: number,
  elongation: number,
  tailMm: number,
): Ellipsoid[] {
  if (!(tailMm > 0)) return [];
  const u = probes.directionRas;
  const [v, w] = perpendicularFrame(u);
  const rho = TAIL_RADIUS_FRACTION * lateralRadiusMm;
  const a = elongation * lateralRadiusMm;
  const back = (1 - ISOTHERM_TIP_EXTENSION) * a;
  return probes.tipsRas.map((tip) =>
    ellipsoidFromAxes(
      addScaled(tip, u, -(back + TAIL_START * a + tailMm / 2)),
      [v, w, u],
      [rho, rho, tailMm / 2 + 0.15 * a],
    ),
  );
}
