/**
 * Lobulated tumor solids: a main ellipsoid with two or three smaller ellipsoidal lobes bulging through
 * its surface (renal cell carcinomas are often lobulated, rarely spherical). The shape is drawn once
 * (directions, aspect ratios, lobe sizes) and then realised at a chosen thickness and scale, so the
 * generator can hit an intended maximum diameter (scale, exactly linear) and volume (thickness,
 * monotone) without changing the shape's character.
 */
import type { Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { type Ellipsoid, ellipsoidFromAxes } from "./ellipsoid.js";
import { uniform, unitVector } from "./sampling.js";
import { addScaled, cross, dot, normalize, perpendicularFrame, rotateAbout } from "./vector.js";

export interface LobeDraw {
  /** Unit direction from the main centre to the lobe. */
  direction: Vec3;
  /** Lobe semi-axes as fractions of the main semi-major axis. */
  semiAxesFraction: Vec3;
  /** Lobe frame (orthonormal). */
  axes: [Vec3, Vec3, Vec3];
  /** Lobe centre at this fraction of the main body's radius in `direction` (< 1: partly buried). */
  depth: number;
}

export interface TumorShapeDraw {
  /** Main body frame (orthonormal); axis 0 is the long axis. */
  axes: [Vec3, Vec3, Vec3];
  /** Main body semi-axes relative to the long one at thickness 1: [1, b, c]. */
  aspect: Vec3;
  lobes: LobeDraw[];
}

/** A random orthonormal frame: a uniform direction and a uniform roll about it. */
export function randomFrame(rng: Random): [Vec3, Vec3, Vec3] {
  const a0 = unitVector(rng);
  const [v] = perpendicularFrame(a0);
  const roll = uniform(rng, 0, 2 * Math.PI);
  const a1 = rotateAbout(v, a0, roll);
  return [a0, a1, cross(a0, a1)];
}

/**
 * Draws a lobulated shape. `leadLobe`, when given, is the direction of the first (largest, most
 * protruding) lobe: the generator points it at the octant an LTP case regrows in, so the part the ice
 * ball misses is a real bulge of the tumor there. `compact` shapes (a tumor that fills much of the sphere
 * of its diameter) get two small lobes that barely break the surface: big lobes stretch the diameter
 * without adding volume.
 */
export function drawTumorShape(rng: Random, leadLobe?: Readonly<Vec3>, compact = false): TumorShapeDraw {
  const axes = randomFrame(rng);
  const aspect: Vec3 = [1, uniform(rng, 0.78, 0.95), uniform(rng, 0.66, 0.85)];
  const lobeCount = compact ? 2 : 2 + rng.int(2);
  const lobes: LobeDraw[] = [];
  for (let j = 0; j < lobeCount; j++) {
    const lead = j === 0 && leadLobe !== undefined;
    const direction = lead ? normalize(leadLobe) : unitVector(rng);
    const size = lead ? uniform(rng, 0.5, 0.58) : compact ? uniform(rng, 0.22, 0.3) : uniform(rng, 0.34, 0.5);
    lobes.push({
      direction,
      semiAxesFraction: [size, size * uniform(rng, 0.75, 0.95), size * uniform(rng, 0.65, 0.9)],
      axes: randomFrame(rng),
      depth: lead ? uniform(rng, 0.72, 0.8) : compact ? uniform(rng, 0.6, 0.75) : uniform(rng, 0.55, 0.75),
    });
  }
  return { axes, aspect, lobes };
}

/**
 * Radius of the ellipsoid (centre c, frame e, semi-axes a) in unit direction d: 1/√Σ (d·eₖ / aₖ)².
 * Example: a sphere of radius 5 gives 5 in every direction.
 */
function radiusInDirection(axes: readonly Vec3[], semiAxes: Readonly<Vec3>, d: Readonly<Vec3>): number {
  let s = 0;
  for (let k = 0; k < 3; k++) s += (dot(d, axes[k]) / semiAxes[k]) ** 2;
  return 1 / Math.sqrt(s);
}

/**
 * The shape's ellipsoids with long semi-axis `scaleMm`, minor axes multiplied by `thickness`, centred at
 * `centerRas`. Everything scales linearly with `scaleMm` about the centre, so the diameter does too.
 */
export function realizeTumor(
  draw: TumorShapeDraw,
  thickness: number,
  scaleMm: number,
  centerRas: Readonly<Vec3>,
): Ellipsoid[] {
  const main: Vec3 = [
    scaleMm * draw.aspect[0],
    scaleMm * draw.aspect[1] * thickness,
    scaleMm * draw.aspect[2] * thickness,
  ];
  const parts: Ellipsoid[] = [ellipsoidFromAxes(centerRas, draw.axes, main)];
  for (const lobe of draw.lobes) {
    const rho = radiusInDirection(draw.axes, main, lobe.direction);
    const lobeAxes: Vec3 = [
      scaleMm * lobe.semiAxesFraction[0],
      scaleMm * lobe.semiAxesFraction[1] * Math.sqrt(thickness),
      scaleMm * lobe.semiAxesFraction[2] * Math.sqrt(thickness),
    ];
    parts.push(ellipsoidFromAxes(addScaled(centerRas, lobe.direction, rho * lobe.depth), lobe.axes, lobeAxes));
  }
  return parts;
}
