/**
 * Analytic phantoms for the margin engine: ellipsoids (spheres included) rasterised onto arbitrary
 * voxel grids, and their exact margins — the ground truth of the phantom suite and the inputs of the
 * benchmark. Pure computation (no I/O), exported so tests, benchmarks and the site can share it.
 *
 * A voxel is inside a phantom when its centre is (the binary-segmentation model: a mask records, per
 * voxel centre, inside or outside; no partial volume).
 */
import { createRandom } from "../stats/random.js";
import { applyAffine, invertAffine } from "./affine.js";
import type { MaskVolume, Mat4, Vec3 } from "./types.js";

/** A solid ellipsoid in world mm: centre, semi-axes, and the rotation whose columns are its axes. */
export interface Ellipsoid {
  centre: Vec3;
  semiAxesMm: Vec3;
  /** Row-major 3×3 rotation; column a is the world direction of semi-axis a. */
  rotation: Float64Array;
}

/** A sphere as an ellipsoid. Example: `sphere([0, 0, 0], 15)`. */
export function sphere(centre: Vec3, radiusMm: number): Ellipsoid {
  return {
    centre,
    semiAxesMm: [radiusMm, radiusMm, radiusMm],
    rotation: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
  };
}

/**
 * Uniformly random rotation (Shoemake's quaternion method) from a uniform [0, 1) source, as a row-major 3×3.
 */
export function randomRotation(next: () => number): Float64Array {
  const u1 = next();
  const u2 = 2 * Math.PI * next();
  const u3 = 2 * Math.PI * next();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  return quaternionToMatrix(a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3));
}

/** Rotation matrix (row-major 3×3) of the unit quaternion w + xi + yj + zk. */
export function quaternionToMatrix(w: number, x: number, y: number, z: number): Float64Array {
  return new Float64Array([
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ]);
}

/**
 * Voxel-to-world matrix of a grid with the given spacing (mm), axis directions (columns of `rotation`)
 * and world position of voxel (0, 0, 0). Example: `gridAffine([1.2, 1.2, 3], identity3, [0, 0, 0])`.
 */
export function gridAffine(spacingMm: Vec3, rotation: Float64Array, originMm: Vec3): Mat4 {
  const m = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[4 * r + c] = rotation[3 * r + c] * spacingMm[c];
    m[4 * r + 3] = originMm[r];
  }
  m[15] = 1;
  return m;
}

/** Rigid 4×4 transform x ↦ R·x + t. */
export function rigidTransform(rotation: Float64Array, translationMm: Vec3): Mat4 {
  return gridAffine([1, 1, 1], rotation, translationMm);
}

/** Half-extent of the ellipsoid's world bounding box along each world axis. */
export function ellipsoidHalfExtent(e: Ellipsoid): Vec3 {
  const out: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    let s = 0;
    for (let c = 0; c < 3; c++) s += (e.rotation[3 * r + c] * e.semiAxesMm[c]) ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** True when world point p is inside (or on) the ellipsoid. */
export function insideEllipsoid(e: Ellipsoid, p: Readonly<Vec3>): boolean {
  return ellipsoidLevel(e, p[0], p[1], p[2]) <= 1;
}

/**
 * Level Σ (uₖ/aₖ)² of world point (x, y, z), uₖ = (p − c)·eₖ the point in the ellipsoid's frame: < 1
 * inside, 1 on the surface, > 1 outside. Unboxed for the rasterising and generating hot loops.
 */
export function ellipsoidLevel(e: Ellipsoid, x: number, y: number, z: number): number {
  const dx = x - e.centre[0];
  const dy = y - e.centre[1];
  const dz = z - e.centre[2];
  const R = e.rotation;
  let level = 0;
  for (let k = 0; k < 3; k++) {
    const u = (R[k] * dx + R[3 + k] * dy + R[6 + k] * dz) / e.semiAxesMm[k];
    level += u * u;
  }
  return level;
}

/**
 * Writes 1 into `mask.data` at every voxel whose centre is inside the ellipsoid (visiting only the
 * ellipsoid's bounding box). Returns the number of voxels set.
 */
export function rasterizeEllipsoid(mask: MaskVolume, e: Ellipsoid): number {
  return rasterizeSolid(mask, e.centre, ellipsoidHalfExtent(e), (x, y, z) => ellipsoidLevel(e, x, y, z) <= 1);
}

/**
 * Writes 1 into `mask.data` at every voxel whose centre (x, y, z, world mm) is `inside` a solid held in
 * the world box centre ± half, visiting only the grid voxels of that box. Returns the number of voxels
 * set (those that were 0).
 */
export function rasterizeSolid(
  mask: MaskVolume,
  centre: Readonly<Vec3>,
  half: Readonly<Vec3>,
  inside: (x: number, y: number, z: number) => boolean,
): number {
  const [nx, ny, nz] = mask.dims;
  const inv = invertAffine(mask.voxelToWorld, "options");
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const p: Vec3 = [
      centre[0] + (corner & 1 ? half[0] : -half[0]),
      centre[1] + (corner & 2 ? half[1] : -half[1]),
      centre[2] + (corner & 4 ? half[2] : -half[2]),
    ];
    const v = applyAffine(inv, p);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], v[a]);
      hi[a] = Math.max(hi[a], v[a]);
    }
  }
  const dims = [nx, ny, nz];
  const from = lo.map((v) => Math.max(0, Math.floor(v)));
  const to = hi.map((v, a) => Math.min(dims[a] - 1, Math.ceil(v)));
  const m = mask.voxelToWorld;
  let set = 0;
  for (let k = from[2]; k <= to[2]; k++) {
    for (let j = from[1]; j <= to[1]; j++) {
      for (let i = from[0]; i <= to[0]; i++) {
        const x = m[0] * i + m[1] * j + m[2] * k + m[3];
        const y = m[4] * i + m[5] * j + m[6] * k + m[7];
        const z = m[8] * i + m[9] * j + m[10] * k + m[11];
        if (inside(x, y, z)) {
          const idx = i + nx * (j + ny * k);
          if (mask.data[idx] === 0) set++;
          mask.data[idx] = 1;
        }
      }
    }
  }
  return set;
}

/** Mean |error|, largest |error| and mean signed error of a list of errors (mm), as the suites report them. */
export interface ErrorSummary {
  meanAbs: number;
  max: number;
  meanSigned: number;
}

/** {@link ErrorSummary} of `errors`. Example: `summarizeErrors([0.1, -0.3])` → 0.2 / 0.3 / −0.1. */
export function summarizeErrors(errors: readonly number[]): ErrorSummary {
  let abs = 0;
  let max = 0;
  let signed = 0;
  for (const e of errors) {
    abs += Math.abs(e);
    signed += e;
    if (Math.abs(e) > max) max = Math.abs(e);
  }
  return { meanAbs: abs / errors.length, max, meanSigned: signed / errors.length };
}

/** Volume of the ellipsoid, ml: 4/3 π abc / 1000. */
export function ellipsoidVolumeMl(e: Ellipsoid): number {
  return ((4 / 3) * Math.PI * e.semiAxesMm[0] * e.semiAxesMm[1] * e.semiAxesMm[2]) / 1000;
}

/** Maximum 3-D diameter of the ellipsoid: twice its longest semi-axis. */
export function ellipsoidDiameterMm(e: Ellipsoid): number {
  return 2 * Math.max(...e.semiAxesMm);
}

/** Point on the ellipsoid surface at polar angle u ∈ [0, π] and azimuth v, world mm. */
export function ellipsoidSurfacePoint(e: Ellipsoid, u: number, v: number): Vec3 {
  const q = [
    e.semiAxesMm[0] * Math.sin(u) * Math.cos(v),
    e.semiAxesMm[1] * Math.sin(u) * Math.sin(v),
    e.semiAxesMm[2] * Math.cos(u),
  ];
  const R = e.rotation;
  return [
    e.centre[0] + R[0] * q[0] + R[1] * q[1] + R[2] * q[2],
    e.centre[1] + R[3] * q[0] + R[4] * q[1] + R[5] * q[2],
    e.centre[2] + R[6] * q[0] + R[7] * q[1] + R[8] * q[2],
  ];
}

/**
 * Exact signed distance (mm, positive inside) from world point p to the ellipsoid's surface.
 * Example: for `sphere([0, 0, 0], 10)`, the point [3, 0, 0] gives +7 and [12, 0, 0] gives −2.
 */
export function ellipsoidSignedDistance(e: Ellipsoid, p: Readonly<Vec3>): number {
  const c = ellipsoidClosestPoint(e, p);
  return c.inside ? c.distanceMm : -c.distanceMm;
}

/**
 * The point of the ellipsoid's surface nearest to world point p, its distance (mm) and whether p is
 * inside. Eberly, "Distance from a point to an ellipse, an ellipsoid, or a hyperellipsoid" (2013): in
 * the ellipsoid's frame, with axes sorted e0 ≥ e1 ≥ e2 and the point folded into the first octant, the
 * closest point is x_i = e_i² y_i / (t + e_i²) where t is the root of Σ (e_i y_i / (t + e_i²))² = 1,
 * found by bisection; the cases with a zero coordinate reduce to an ellipse or have a closed form.
 * The closest point is then unfolded (signs, axis order) and mapped back to the world.
 */
export function ellipsoidClosestPoint(
  e: Ellipsoid,
  p: Readonly<Vec3>,
): { distanceMm: number; pointRas: Vec3; inside: boolean } {
  const dx = p[0] - e.centre[0];
  const dy = p[1] - e.centre[1];
  const dz = p[2] - e.centre[2];
  const R = e.rotation;
  const local = [0, 1, 2].map((c) => R[c] * dx + R[3 + c] * dy + R[6 + c] * dz);
  const order = [0, 1, 2].sort((a, b) => e.semiAxesMm[b] - e.semiAxesMm[a]);
  const ax = order.map((a) => e.semiAxesMm[a]);
  const y = order.map((a) => Math.abs(local[a]));
  const x = closestPointEllipsoid(ax[0], ax[1], ax[2], y[0], y[1], y[2]);
  const q = [0, 0, 0];
  for (let k = 0; k < 3; k++) q[order[k]] = local[order[k]] < 0 ? -x[k] : x[k];
  const level = (y[0] / ax[0]) ** 2 + (y[1] / ax[1]) ** 2 + (y[2] / ax[2]) ** 2;
  return {
    distanceMm: Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]),
    pointRas: [
      e.centre[0] + R[0] * q[0] + R[1] * q[1] + R[2] * q[2],
      e.centre[1] + R[3] * q[0] + R[4] * q[1] + R[5] * q[2],
      e.centre[2] + R[6] * q[0] + R[7] * q[1] + R[8] * q[2],
    ],
    inside: level < 1,
  };
}

function robustLength(...v: number[]): number {
  const m = Math.max(...v.map(Math.abs));
  if (m === 0) return 0;
  return m * Math.sqrt(v.reduce((s, x) => s + (x / m) ** 2, 0));
}

/** Bisection for the root s of Σ (n_i / (s + r_i))² = 1 on [s0, s1] (Eberly's GetRoot). */
function bisectRoot(n: number[], r: number[], s0: number, s1: number): number {
  let s = 0;
  for (let it = 0; it < 2200; it++) {
    s = 0.5 * (s0 + s1);
    if (s === s0 || s === s1) break;
    let g = -1;
    for (let i = 0; i < n.length; i++) g += (n[i] / (s + r[i])) ** 2;
    if (g > 0) s0 = s;
    else if (g < 0) s1 = s;
    else break;
  }
  return s;
}

/** Closest point of the ellipse (e0 ≥ e1) to (y0, y1) with y0, y1 ≥ 0 (Eberly's DistancePointEllipse). */
function closestPointEllipse(e0: number, e1: number, y0: number, y1: number): [number, number] {
  if (y1 > 0) {
    if (y0 > 0) {
      const z0 = y0 / e0;
      const z1 = y1 / e1;
      const g = z0 * z0 + z1 * z1 - 1;
      if (g === 0) return [y0, y1];
      const r0 = (e0 / e1) ** 2;
      const s = bisectRoot([r0 * z0, z1], [r0, 1], z1 - 1, g < 0 ? 0 : robustLength(r0 * z0, z1) - 1);
      return [(r0 * y0) / (s + r0), y1 / (s + 1)];
    }
    return [0, e1];
  }
  const numer0 = e0 * y0;
  const denom0 = e0 * e0 - e1 * e1;
  if (numer0 < denom0) {
    const xde0 = numer0 / denom0;
    return [e0 * xde0, e1 * Math.sqrt(1 - xde0 * xde0)];
  }
  return [e0, 0];
}

/** Closest point of the ellipsoid (e0 ≥ e1 ≥ e2) to (y0, y1, y2), all ≥ 0 (Eberly's DistancePointEllipsoid). */
function closestPointEllipsoid(
  e0: number,
  e1: number,
  e2: number,
  y0: number,
  y1: number,
  y2: number,
): [number, number, number] {
  if (y2 > 0) {
    if (y1 > 0) {
      if (y0 > 0) {
        const z0 = y0 / e0;
        const z1 = y1 / e1;
        const z2 = y2 / e2;
        const g = z0 * z0 + z1 * z1 + z2 * z2 - 1;
        if (g === 0) return [y0, y1, y2];
        const r0 = (e0 / e2) ** 2;
        const r1 = (e1 / e2) ** 2;
        const s = bisectRoot(
          [r0 * z0, r1 * z1, z2],
          [r0, r1, 1],
          z2 - 1,
          g < 0 ? 0 : robustLength(r0 * z0, r1 * z1, z2) - 1,
        );
        return [(r0 * y0) / (s + r0), (r1 * y1) / (s + r1), y2 / (s + 1)];
      }
      const [x1, x2] = closestPointEllipse(e1, e2, y1, y2);
      return [0, x1, x2];
    }
    if (y0 > 0) {
      const [x0, x2] = closestPointEllipse(e0, e2, y0, y2);
      return [x0, 0, x2];
    }
    return [0, 0, e2];
  }
  const denom0 = e0 * e0 - e2 * e2;
  const denom1 = e1 * e1 - e2 * e2;
  const numer0 = e0 * y0;
  const numer1 = e1 * y1;
  if (numer0 < denom0 && numer1 < denom1) {
    const xde0 = numer0 / denom0;
    const xde1 = numer1 / denom1;
    const discr = 1 - xde0 * xde0 - xde1 * xde1;
    if (discr > 0) return [e0 * xde0, e1 * xde1, e2 * Math.sqrt(discr)];
  }
  const [x0, x1] = closestPointEllipse(e0, e1, y0, y1);
  return [x0, x1, 0];
}

/**
 * Exact MTM of a tumor ellipsoid against any ice ball given by its exact signed distance (mm,
 * positive inside, post-ablation world): min over the tumor surface of the signed distance at the
 * mapped point ({@link exactMinimalMarginOverSurface} on the ellipsoid's (u, v) parametrisation, a
 * 24 × 48 search zoomed around the best three). `rounds = 0` gives the coarse search alone (for the
 * suite's placement of the ice ball).
 */
export function exactMinimalMargin(
  tumor: Ellipsoid,
  iceSignedDistance: (p: Vec3) => number,
  preToPost: Mat4,
  rounds = 7,
): { mtmMm: number; point: Vec3 } {
  return exactMinimalMarginOverSurface((u, v) => ellipsoidSurfacePoint(tumor, u, v), iceSignedDistance, preToPost, {
    rounds,
  });
}

/** Resolution of {@link exactMinimalMarginOverSurface}'s search. */
export interface SurfaceSearchOptions {
  /** Zoom rounds (default 7; 0 = the coarse search alone). */
  rounds?: number;
  /** Coarse steps in the polar angle u ∈ [0, π] (default 24) and the azimuth v (default 48). */
  polarSteps?: number;
  azimuthSteps?: number;
  /** Coarse candidates zoomed around (default 3). */
  starts?: number;
}

/**
 * Exact MTM over a smooth closed surface given by its parametrisation `surfacePoint(u, v)` (polar
 * angle u ∈ [0, π], azimuth v, pre-ablation world) against an ice ball given by its exact signed
 * distance (mm, positive inside, post-ablation world): min of the signed distance at the mapped surface
 * points. A polarSteps × azimuthSteps search over (u, v), then `rounds` rounds of zooming (±1 cell in
 * steps of ¼) around the best `starts`; the minimum of a signed distance over a smooth surface is
 * attained at a smooth point, so the zoom converges (cell 4⁻⁷ of the first after 7 rounds, < 1e-4 mm
 * for the phantoms' sizes).
 */
export function exactMinimalMarginOverSurface(
  surfacePoint: (u: number, v: number) => Vec3,
  iceSignedDistance: (p: Vec3) => number,
  preToPost: Mat4,
  { rounds = 7, polarSteps = 24, azimuthSteps = 48, starts = 3 }: SurfaceSearchOptions = {},
): { mtmMm: number; point: Vec3 } {
  const f = (u: number, v: number) => iceSignedDistance(applyAffine(preToPost, surfacePoint(u, v)));
  const nu = polarSteps;
  const nv = azimuthSteps;
  const candidates: { u: number; v: number; m: number }[] = [];
  for (let a = 0; a <= nu; a++) {
    const u = (Math.PI * a) / nu;
    for (let b = 0; b < nv; b++) {
      const v = (2 * Math.PI * b) / nv;
      candidates.push({ u, v, m: f(u, v) });
    }
  }
  candidates.sort((x, y) => x.m - y.m);
  let best = candidates[0];
  for (const start of rounds > 0 ? candidates.slice(0, starts) : []) {
    let c = start;
    let du = Math.PI / nu;
    let dv = (2 * Math.PI) / nv;
    for (let round = 0; round < rounds; round++) {
      let local = c;
      for (let a = -4; a <= 4; a++) {
        for (let b = -4; b <= 4; b++) {
          const u = Math.min(Math.PI, Math.max(0, c.u + (a * du) / 4));
          const v = c.v + (b * dv) / 4;
          const m = f(u, v);
          if (m < local.m) local = { u, v, m };
        }
      }
      c = local;
      du /= 4;
      dv /= 4;
    }
    if (c.m < best.m) best = c;
  }
  return { mtmMm: best.m, point: surfacePoint(best.u, best.v) };
}

/**
 * Exact signed distance (mm, positive inside) to the union of two balls — the ice ball of two
 * cryoprobes, a non-quadric phantom with a concave waist. Outside, the distance to a union is the
 * smaller of the two distances. Inside, the boundary is (∂B₁ \ B₂) ∪ (∂B₂ \ B₁): the nearest point of
 * ∂B₁ to p is its radial projection; if that lies inside B₂, the nearest point of what is left of ∂B₁
 * is on the circle ∂B₁ ∩ ∂B₂ (distance to a sphere grows with the angle from p's direction), and
 * likewise for B₂.
 */
export function twoBallUnionSignedDistance(c1: Vec3, r1: number, c2: Vec3, r2: number, p: Readonly<Vec3>): number {
  const d1 = Math.hypot(p[0] - c1[0], p[1] - c1[1], p[2] - c1[2]);
  const d2 = Math.hypot(p[0] - c2[0], p[1] - c2[1], p[2] - c2[2]);
  if (d1 > r1 && d2 > r2) return -Math.min(d1 - r1, d2 - r2);
  const axis = [c2[0] - c1[0], c2[1] - c1[1], c2[2] - c1[2]];
  const d = Math.hypot(axis[0], axis[1], axis[2]);
  // Distance from p to the intersection circle (if the spheres intersect).
  let toCircle = Number.POSITIVE_INFINITY;
  if (d > 0 && d < r1 + r2 && d > Math.abs(r1 - r2)) {
    const x = (d * d + r1 * r1 - r2 * r2) / (2 * d);
    const rc = Math.sqrt(r1 * r1 - x * x);
    const a = axis.map((v) => v / d);
    const rel = [p[0] - c1[0] - x * a[0], p[1] - c1[1] - x * a[1], p[2] - c1[2] - x * a[2]];
    const z = rel[0] * a[0] + rel[1] * a[1] + rel[2] * a[2];
    const r = Math.hypot(rel[0] - z * a[0], rel[1] - z * a[1], rel[2] - z * a[2]);
    toCircle = Math.hypot(z, r - rc);
  }
  const piece = (c: Vec3, r: number, dist: number, other: Vec3, rOther: number) => {
    if (dist === 0) return r;
    const q = [c[0] + ((p[0] - c[0]) * r) / dist, c[1] + ((p[1] - c[1]) * r) / dist, c[2] + ((p[2] - c[2]) * r) / dist];
    const inOther = Math.hypot(q[0] - other[0], q[1] - other[1], q[2] - other[2]) < rOther;
    return inOther ? toCircle : Math.abs(dist - r);
  };
  return Math.min(piece(c1, r1, d1, c2, r2), piece(c2, r2, d2, c1, r1));
}

/** An empty mask on a grid. Example: `emptyMask([512, 512, 120], gridAffine(...))`. */
export function emptyMask(dims: [number, number, number], voxelToWorld: Mat4): MaskVolume {
  return { dims, voxelToWorld, data: new Uint8Array(dims[0] * dims[1] * dims[2]) };
}

/**
 * The benchmark case of the issue: two 512 × 512 × 120 uint8 masks at 1.2 × 1.2 × 3.0 mm, a ~30 mm
 * tumor on the pre-ablation grid and a ~50 mm ice ball on a post-ablation grid of another origin,
 * with a rigid transform of a few degrees and mm between them. Deterministic.
 */
export function benchmarkMarginCase(): { tumor: MaskVolume; iceball: MaskVolume; preToPost: Mat4 } {
  const dims: [number, number, number] = [512, 512, 120];
  const spacing: Vec3 = [1.2, 1.2, 3.0];
  const axial = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const tumor = emptyMask(dims, gridAffine(spacing, axial, [-307.2, -307.2, -180]));
  const iceball = emptyMask(dims, gridAffine(spacing, axial, [-306.5, -306.9, -178.7]));
  const tumorShape: Ellipsoid = {
    centre: [12.3, -20.1, 4.4],
    semiAxesMm: [15.5, 13.5, 14.5],
    rotation: quaternionToMatrix(0.97, 0.1, 0.17, 0.14),
  };
  const preToPost = rigidTransform(quaternionToMatrix(0.9994, 0.02, -0.015, 0.025), [2.1, -1.4, 3.2]);
  const mapped = applyAffine(preToPost, tumorShape.centre);
  const iceShape: Ellipsoid = {
    centre: [mapped[0] + 2.5, mapped[1] - 1.5, mapped[2] + 3],
    semiAxesMm: [25, 23.5, 27.5],
    rotation: quaternionToMatrix(0.95, -0.2, 0.1, 0.2),
  };
  normalizeRotation(tumorShape.rotation);
  normalizeRotation(iceShape.rotation);
  rasterizeEllipsoid(tumor, tumorShape);
  rasterizeEllipsoid(iceball, iceShape);
  return { tumor, iceball, preToPost };
}

/** Re-orthonormalises a rotation built from a not-quite-unit quaternion (Gram-Schmidt on columns). */
function normalizeRotation(r: Float64Array): void {
  const col = (c: number) => [r[c], r[3 + c], r[6 + c]];
  const set = (c: number, v: number[]) => {
    r[c] = v[0];
    r[3 + c] = v[1];
    r[6 + c] = v[2];
  };
  const unit = (v: number[]) => {
    const l = Math.hypot(v[0], v[1], v[2]);
    return v.map((x) => x / l);
  };
  const a = unit(col(0));
  const b0 = col(1);
  const ab = a[0] * b0[0] + a[1] * b0[1] + a[2] * b0[2];
  const b = unit([b0[0] - ab * a[0], b0[1] - ab * a[1], b0[2] - ab * a[2]]);
  const c = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  set(0, a);
  set(1, b);
  set(2, c);
}

/** The phantom suite's four situations, by the exact MTM they are placed at. */
export type PhantomScenario = "covered" | "tight" | "partly uncovered" | "missed";

/** One analytic phantom case: masks, transform, and the exact answers. */
export interface PhantomCase {
  name: string;
  scenario: PhantomScenario;
  tumor: MaskVolume;
  iceball: MaskVolume;
  preToPost: Mat4;
  tumorShape: Ellipsoid;
  /** Exact MTM (mm) and where it is attained (pre-ablation RAS). */
  exactMtmMm: number;
  exactMinPointRas: Vec3;
  exactTumorVolumeMl: number;
  exactIceballVolumeMl: number;
  exactTumorDiameterMm: number;
  /** The ice ball's exact signed distance, post-ablation world (positive inside). */
  iceSignedDistance: (p: Vec3) => number;
  /** The ice ball as a union of ellipsoids, post-ablation world. */
  iceParts: Ellipsoid[];
}

export interface PhantomSuiteOptions {
  seed: number;
  count: number;
  tumorSpacingMm: Vec3;
  iceSpacingMm: Vec3;
  /** "ellipsoids": ellipsoid (40% spheres) tumor and ice ball; "two-ball union": a two-probe ice ball. */
  shapes: "ellipsoids" | "two-ball union";
}

/**
 * Random analytic cases (odd ones on axial grids, even ones on randomly oriented grids): a tumor ellipsoid (longest semi-axis 8–18 mm, the others 0.7–1 of it: maximum
 * diameters 16–36 mm, the paper's 1.6–5.1 cm range up to its mean) on a randomly oriented pre-ablation
 * grid, a random rigid transform (any rotation, ±10 mm), and an ice ball on its own randomly oriented
 * post-ablation grid with other spacing/origin (random sub-voxel offsets), placed along a random
 * direction so that the exact MTM falls in the case's scenario: covered (3–9 mm), tight (0–3 mm),
 * partly uncovered (−8–0 mm) or missed (the tumor wholly outside). Deterministic for a seed.
 * For "two-ball union" the tumor is put beside the waist between the two balls (the concave crease
 * a smooth reconstruction rounds), alternating tight and partly uncovered.
 */
export function generatePhantomCases(options: PhantomSuiteOptions): PhantomCase[] {
  const random = createRandom(options.seed);
  const rnd = () => random.next();
  const scenarios: PhantomScenario[] = ["covered", "tight", "partly uncovered", "missed"];
  const cases: PhantomCase[] = [];
  for (let n = 0; n < options.count; n++) {
    const rt = 8 + 10 * rnd();
    const tumorShape: Ellipsoid =
      rnd() < 0.4 && options.shapes === "ellipsoids"
        ? { ...sphere([rnd() * 10 - 5, rnd() * 10 - 5, rnd() * 10 - 5], rt), rotation: randomRotation(rnd) }
        : {
            centre: [rnd() * 10 - 5, rnd() * 10 - 5, rnd() * 10 - 5],
            semiAxesMm: [rt, rt * (0.7 + 0.3 * rnd()), rt * (0.7 + 0.3 * rnd())],
            rotation: randomRotation(rnd),
          };
    const preToPost = rigidTransform(randomRotation(rnd), [rnd() * 20 - 10, rnd() * 20 - 10, rnd() * 20 - 10]);
    const mapped = applyAffine(preToPost, tumorShape.centre);
    const direction = randomUnitVector(rnd);
    let scenario: PhantomScenario;
    let target: number;
    let place: (d: number) => { sdf: (p: Vec3) => number; parts: Ellipsoid[] };
    let grow = 1;
    if (options.shapes === "ellipsoids") {
      scenario = scenarios[n % 4];
      const ri = Math.max(...tumorShape.semiAxesMm) + 5 + 12 * rnd();
      const axes: Vec3 = rnd() < 0.4 ? [ri, ri, ri] : [ri, ri * (0.75 + 0.25 * rnd()), ri * (0.75 + 0.25 * rnd())];
      const rotation = randomRotation(rnd);
      place = (d) => {
        const e: Ellipsoid = {
          centre: offsetPoint(mapped, direction, d),
          semiAxesMm: [axes[0] * grow, axes[1] * grow, axes[2] * grow],
          rotation,
        };
        return { sdf: (p) => ellipsoidSignedDistance(e, p), parts: [e] };
      };
      target =
        scenario === "covered"
          ? 3 + 6 * rnd()
          : scenario === "tight"
            ? 3 * rnd()
            : scenario === "partly uncovered"
              ? -0.2 - 8 * rnd()
              : Number.NaN;
      if (scenario === "missed") target = -(2 * Math.max(...tumorShape.semiAxesMm) + 2 + 8 * rnd());
    } else {
      scenario = n % 2 === 0 ? "tight" : "partly uncovered";
      target = scenario === "tight" ? 3 * rnd() : -4 * rnd();
      const r1 = 14 + 6 * rnd();
      const r2 = 14 + 6 * rnd();
      const separation = 10 + 8 * rnd();
      // The balls' axis is perpendicular to the direction from the waist to the tumor.
      const raw = randomUnitVector(rnd);
      const along = raw[0] * direction[0] + raw[1] * direction[1] + raw[2] * direction[2];
      const axis = normalize([
        raw[0] - along * direction[0],
        raw[1] - along * direction[1],
        raw[2] - along * direction[2],
      ]);
      place = (d) => {
        const waist = offsetPoint(mapped, direction, -d);
        const c1 = offsetPoint(waist, axis, -separation / 2);
        const c2 = offsetPoint(waist, axis, separation / 2);
        const [g1, g2] = [r1 * grow, r2 * grow];
        return { sdf: (p) => twoBallUnionSignedDistance(c1, g1, c2, g2, p), parts: [sphere(c1, g1), sphere(c2, g2)] };
      };
    }
    // An ice ball too small to reach the target even centred on the tumor grows by 10% steps.
    const coarse = (offset: number) => exactMinimalMargin(tumorShape, place(offset).sdf, preToPost, 0).mtmMm;
    while (coarse(0) < target + 0.5) grow *= 1.1;
    const ice = place(offsetForMargin(coarse, target));
    cases.push(
      assemblePhantomCase({
        name: `${options.shapes} #${n} (${scenario})`,
        scenario,
        tumorShape,
        iceParts: ice.parts,
        iceSignedDistance: ice.sdf,
        exactIceballVolumeMl:
          ice.parts.length === 1 ? ellipsoidVolumeMl(ice.parts[0]) : twoBallUnionVolumeMl(ice.parts),
        preToPost,
        tumorSpacingMm: options.tumorSpacingMm,
        iceSpacingMm: options.iceSpacingMm,
        // Odd cases are on axial grids (the slice axis along z, where the through-slice caps are), even
        // cases on randomly oriented ones; the tumor and ice-ball grids still differ in origin.
        axial: n % 2 === 1,
        rnd,
      }),
    );
  }
  return cases;
}

/**
 * The offset d along a placement ray at which the coarse exact MTM `coarse(d)` reaches `target` (mm).
 * The MTM falls by about 1 mm per mm of offset, so a few secant steps usually reach the target
 * (±0.05 mm) from `startMm` (default 0); bisection on `bracketMm` (default [0, 60]) when they do not
 * (along the ray the MTM decreases there: from its value at offset 0, the ice ball centred on the
 * tumor, for the ellipsoid suite). Example: for concentric spheres of radii 10 (tumor) and 20 (ice) moved apart,
 * `offsetForMargin(coarse, 4)` ≈ 6.
 */
export function offsetForMargin(
  coarse: (offsetMm: number) => number,
  target: number,
  { startMm = 0, bracketMm = [0, 60] }: { startMm?: number; bracketMm?: [number, number] } = {},
): number {
  let d = startMm;
  let m = coarse(d);
  let previous: { d: number; m: number } | null = null;
  for (let it = 0; it < 6 && Math.abs(m - target) > 0.05; it++) {
    const slope = previous && Math.abs(m - previous.m) > 1e-6 ? (m - previous.m) / (d - previous.d) : -1;
    previous = { d, m };
    d = Math.max(-30, Math.min(60, d + (target - m) / Math.max(-2, Math.min(-0.5, slope))));
    m = coarse(d);
  }
  if (Math.abs(m - target) > 0.5) {
    let [lo, hi] = bracketMm;
    for (let it = 0; it < 24; it++) {
      d = (lo + hi) / 2;
      if (coarse(d) > target) lo = d;
      else hi = d;
    }
  }
  return d;
}

/** What {@link assemblePhantomCase} needs: the analytic shapes, the transform and the two grids' spacings. */
export interface PhantomShapes {
  name: string;
  scenario: PhantomScenario;
  tumorShape: Ellipsoid;
  /** The ice ball as a union of ellipsoids (post-ablation world) and its exact signed distance. */
  iceParts: Ellipsoid[];
  iceSignedDistance: (p: Vec3) => number;
  exactIceballVolumeMl: number;
  preToPost: Mat4;
  tumorSpacingMm: Vec3;
  iceSpacingMm: Vec3;
  /** Axial grids (slices along z) or randomly oriented ones. */
  axial: boolean;
  rnd: () => number;
}

/**
 * A phantom case from its analytic shapes: the tumor rasterised on a grid around it, the ice ball's
 * parts on a grid around them (both with random sub-voxel origins), and the exact MTM by dense search
 * over the tumor surface ({@link exactMinimalMargin}).
 */
export function assemblePhantomCase(shapes: PhantomShapes): PhantomCase {
  const { tumorShape, iceParts, preToPost, rnd, axial } = shapes;
  const exact = exactMinimalMargin(tumorShape, shapes.iceSignedDistance, preToPost);
  const tumor = gridAround(tumorShape.centre, ellipsoidHalfExtent(tumorShape), shapes.tumorSpacingMm, rnd, axial);
  rasterizeEllipsoid(tumor, tumorShape);
  const mapped = applyAffine(preToPost, tumorShape.centre);
  const rt = Math.max(...tumorShape.semiAxesMm);
  const lo: Vec3 = [mapped[0] - rt, mapped[1] - rt, mapped[2] - rt];
  const hi: Vec3 = [mapped[0] + rt, mapped[1] + rt, mapped[2] + rt];
  for (const part of iceParts) {
    const h = ellipsoidHalfExtent(part);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], part.centre[a] - h[a]);
      hi[a] = Math.max(hi[a], part.centre[a] + h[a]);
    }
  }
  const iceball = gridAround(
    [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2],
    [(hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, (hi[2] - lo[2]) / 2],
    shapes.iceSpacingMm,
    rnd,
    axial,
  );
  for (const part of iceParts) rasterizeEllipsoid(iceball, part);
  return {
    name: shapes.name,
    scenario: shapes.scenario,
    tumor,
    iceball,
    preToPost,
    tumorShape,
    exactMtmMm: exact.mtmMm,
    exactMinPointRas: exact.point,
    exactTumorVolumeMl: ellipsoidVolumeMl(tumorShape),
    exactIceballVolumeMl: shapes.exactIceballVolumeMl,
    exactTumorDiameterMm: ellipsoidDiameterMm(tumorShape),
    iceSignedDistance: shapes.iceSignedDistance,
    iceParts,
  };
}

/** Volume of the union of two balls: the two volumes minus their lens, π(r₁+r₂−d)²(d²+2d(r₁+r₂)−3(r₁−r₂)²)/(12d). */
function twoBallUnionVolumeMl(parts: Ellipsoid[]): number {
  const [a, b] = parts;
  const r1 = a.semiAxesMm[0];
  const r2 = b.semiAxesMm[0];
  const d = Math.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1], a.centre[2] - b.centre[2]);
  const lens =
    d >= r1 + r2
      ? 0
      : d <= Math.abs(r1 - r2)
        ? (4 / 3) * Math.PI * Math.min(r1, r2) ** 3
        : (Math.PI * (r1 + r2 - d) ** 2 * (d * d + 2 * d * (r1 + r2) - 3 * (r1 - r2) ** 2)) / (12 * d);
  return ((4 / 3) * Math.PI * (r1 ** 3 + r2 ** 3) - lens) / 1000;
}

/**
 * A grid — axial (axes along RAS, slices along z, as MRI is usually acquired) or randomly oriented —
 * with a random sub-voxel origin offset, whose field of view holds the world box centre ± half with a
 * 4 mm border in any orientation.
 */
export function gridAround(centre: Vec3, half: Vec3, spacing: Vec3, rnd: () => number, axial: boolean): MaskVolume {
  const rotation = axial ? new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]) : randomRotation(rnd);
  const reach = Math.hypot(half[0], half[1], half[2]) + 4;
  const dims = spacing.map((s) => Math.ceil((2 * reach) / s) + 2) as [number, number, number];
  const offset = spacing.map((s) => (rnd() - 0.5) * s);
  const origin: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    let o = centre[a];
    for (let c = 0; c < 3; c++) o -= rotation[3 * a + c] * (((dims[c] - 1) / 2) * spacing[c] + offset[c]);
    origin[a] = o;
  }
  return emptyMask(dims, gridAffine(spacing, rotation, origin));
}

/** Uniformly random unit vector from a uniform [0, 1) source. */
export function randomUnitVector(rnd: () => number): Vec3 {
  const z = 2 * rnd() - 1;
  const phi = 2 * Math.PI * rnd();
  const r = Math.sqrt(1 - z * z);
  return [r * Math.cos(phi), r * Math.sin(phi), z];
}

function normalize(v: number[]): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
}

function offsetPoint(p: Readonly<Vec3>, direction: Readonly<Vec3>, d: number): Vec3 {
  return [p[0] + d * direction[0], p[1] + d * direction[1], p[2] + d * direction[2]];
}
