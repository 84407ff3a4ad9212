/**
 * Realistic phantoms for the margin engine, beside the analytic ellipsoids of phantoms.ts: tumors of
 * irregular shape on clinical grids (0.7–1.0 mm in-plane, 1–6 mm slices, oblique), against analytic
 * convex ice balls (ellipsoids, exact signed distance).
 *
 * - Smooth irregular tumors: star-shaped surfaces r(û) = R₀ (1 + Σₖ aₖ exp(κₖ (û·dₖ − 1))) — three to
 *   five lobes (aₖ 0.10–0.30, κₖ 3–8), one or two dents (aₖ −0.08…−0.15) and eight small noise terms
 *   (|aₖ| ≤ 0.04, κₖ 15–30). Each term is a von Mises–Fisher bump on the sphere of angular width
 *   ≈ 1/√κ, whose curvature contribution is ≈ |a|κ/R₀, so the surface's curvature stays within a few
 *   1/R₀ (no |a|κ above 2.4). Rasterised by voxel centre (inside → 1); the truth is the continuous
 *   surface's exact MTM (dense search and zoom over û, as for the ellipsoids).
 * - Ragged masks: the same tumors, then edited as a hand-drawn mask is — per-slice erosion, dilation
 *   and one-voxel shifts (slice-to-slice jitter), boundary voxels flipped, one-voxel spurs, interior
 *   holes, a satellite component joined by a one-voxel bridge or left apart. No continuous surface
 *   stands behind such a mask; the truth is its 0.5 iso-surface ({@link isoSurfaceMinimalMargin}).
 */
import { createRandom } from "../stats/random.js";
import { applyAffine, invertAffine } from "./affine.js";
import { marchingCubes } from "./marchingCubes.js";
import { maskBounds } from "./maskBounds.js";
import {
  type Ellipsoid,
  ellipsoidHalfExtent,
  ellipsoidSignedDistance,
  exactMinimalMarginOverSurface,
  gridAround,
  offsetForMargin,
  randomRotation,
  randomUnitVector,
  rasterizeEllipsoid,
  rasterizeSolid,
  rigidTransform,
} from "./phantoms.js";
import type { MaskVolume, Mat4, Vec3 } from "./types.js";

/** One von Mises–Fisher bump of a star-shaped surface: a·exp(κ(û·d − 1)). */
export interface StarBump {
  direction: Vec3;
  amplitude: number;
  concentration: number;
}

/** A star-shaped solid about `centre`: r(û) = radiusMm · (1 + Σ bumps). */
export interface StarShape {
  centre: Vec3;
  radiusMm: number;
  bumps: StarBump[];
}

/** Radius of the star shape along the unit direction (ux, uy, uz), mm. */
export function starRadiusMm(shape: StarShape, ux: number, uy: number, uz: number): number {
  let f = 1;
  for (const b of shape.bumps) {
    const c = ux * b.direction[0] + uy * b.direction[1] + uz * b.direction[2];
    f += b.amplitude * Math.exp(b.concentration * (c - 1));
  }
  return shape.radiusMm * f;
}

/** Largest radius of the star shape (an upper bound: R₀ (1 + Σ positive aₖ)), mm. */
export function starMaxRadiusMm(shape: StarShape): number {
  return shape.radiusMm * (1 + shape.bumps.reduce((s, b) => s + Math.max(0, b.amplitude), 0));
}

/** Point of the star surface at polar angle u ∈ [0, π] and azimuth v, world mm. */
export function starSurfacePoint(shape: StarShape, u: number, v: number): Vec3 {
  const ux = Math.sin(u) * Math.cos(v);
  const uy = Math.sin(u) * Math.sin(v);
  const uz = Math.cos(u);
  const r = starRadiusMm(shape, ux, uy, uz);
  return [shape.centre[0] + r * ux, shape.centre[1] + r * uy, shape.centre[2] + r * uz];
}

/** A random lobulated star shape of base radius `radiusMm` (see the module comment). */
export function randomStarShape(centre: Vec3, radiusMm: number, rnd: () => number): StarShape {
  const bumps: StarBump[] = [];
  const add = (count: number, amplitude: () => number, concentration: () => number) => {
    for (let k = 0; k < count; k++) {
      bumps.push({ direction: randomUnitVector(rnd), amplitude: amplitude(), concentration: concentration() });
    }
  };
  add(
    3 + Math.floor(3 * rnd()),
    () => 0.1 + 0.2 * rnd(),
    () => 3 + 5 * rnd(),
  );
  add(
    1 + Math.floor(2 * rnd()),
    () => -(0.08 + 0.07 * rnd()),
    () => 4 + 4 * rnd(),
  );
  add(
    8,
    () => 0.08 * rnd() - 0.04,
    () => 15 + 15 * rnd(),
  );
  return { centre, radiusMm, bumps };
}

/**
 * Sets every voxel whose centre is inside the star shape (|p − c| ≤ r(û)), visiting only the shape's
 * bounding box. Returns the number of voxels set.
 */
export function rasterizeStar(mask: MaskVolume, shape: StarShape): number {
  const reach = starMaxRadiusMm(shape);
  const [cx, cy, cz] = shape.centre;
  return rasterizeSolid(mask, shape.centre, [reach, reach, reach], (x, y, z) => {
    const d = Math.hypot(x - cx, y - cy, z - cz);
    return d <= reach && (d === 0 || d <= starRadiusMm(shape, (x - cx) / d, (y - cy) / d, (z - cz) / d));
  });
}

/**
 * MTM of the mask's 0.5 iso-surface against an ice ball given by its exact signed distance
 * (post-ablation world): marching cubes on the binary mask (marchingCubes.ts) puts one vertex at the
 * midpoint of every inside/outside voxel edge, and the ice ball's signed distance (positive inside) is
 * concave for a convex ice ball, so its minimum over each triangle is at a vertex: the MTM over the
 * triangulated iso-surface is the minimum over the mesh's vertices. Exact for a convex ice ball; for
 * another, an upper bound.
 */
export function isoSurfaceMinimalMargin(
  tumor: MaskVolume,
  iceSignedDistance: (p: Vec3) => number,
  preToPost: Mat4,
): { mtmMm: number; point: Vec3 } {
  const mesh = marchingCubes(tumor, maskBounds(tumor));
  const v = mesh.positionsMm;
  let best = Number.POSITIVE_INFINITY;
  let point: Vec3 = [Number.NaN, Number.NaN, Number.NaN];
  for (let s = 0; s < mesh.vertexCount; s++) {
    const p: Vec3 = [v[3 * s], v[3 * s + 1], v[3 * s + 2]];
    const m = iceSignedDistance(applyAffine(preToPost, p));
    if (m < best) {
      best = m;
      point = p;
    }
  }
  return { mtmMm: best, point };
}

/** What the ragged edit did to a mask (counts, for the suite's report). */
export interface RaggedEdits {
  jitteredSlices: number;
  flippedVoxels: number;
  spurs: number;
  holes: number;
  satellite: "bridged" | "apart";
}

/**
 * Edits a rasterised tumor mask the way hand drawing does (slices along the grid's third axis):
 * - per slice, with probability ¼ each, an in-plane erosion or dilation by one voxel (4-neighbourhood),
 *   and with probability ⅕ a one-voxel in-plane shift: slice-to-slice jitter;
 * - boundary voxels flipped with probability 0.12 (inside voxels with an outside in-plane neighbour set
 *   outside, outside voxels with an inside one set inside): ragged edges;
 * - two to four one-voxel spurs, 2–5 voxels long, straight out of the boundary in-plane;
 * - one to three interior holes (one voxel each, at least two voxels inside);
 * - a satellite blob (a ball of 1.5–3 mm radius) 2–5 mm outside the surface, joined to it by a
 *   one-voxel bridge in even cases (`bridged`), a separate component otherwise.
 */
export function raggedifyMask(mask: MaskVolume, rnd: () => number, bridged: boolean): RaggedEdits {
  const [nx, ny, nz] = mask.dims;
  const data = mask.data;
  const at = (i: number, j: number, k: number) =>
    i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz ? data[i + nx * (j + ny * k)] : 0;
  const inPlane = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ];
  let jitteredSlices = 0;
  const slice = new Uint8Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const base = nx * ny * k;
    let any = false;
    for (let v = 0; v < nx * ny; v++) if (data[base + v]) any = true;
    if (!any) continue;
    const r = rnd();
    const shift = rnd() < 0.2 ? inPlane[Math.floor(4 * rnd())] : null;
    if (r >= 0.5 && !shift) continue;
    jitteredSlices++;
    slice.set(data.subarray(base, base + nx * ny));
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const si = shift ? i - shift[0] : i;
        const sj = shift ? j - shift[1] : j;
        const here = si >= 0 && sj >= 0 && si < nx && sj < ny ? slice[si + nx * sj] : 0;
        let value = here;
        if (r < 0.5) {
          let inside = 0;
          for (const [di, dj] of inPlane) {
            const a = si + di;
            const b = sj + dj;
            if (a >= 0 && b >= 0 && a < nx && b < ny && slice[a + nx * b]) inside++;
          }
          if (r < 0.25 && here && inside < 4) value = 0; // erosion
          if (r >= 0.25 && !here && inside > 0) value = 1; // dilation
        }
        data[base + i + nx * j] = value;
      }
    }
  }
  // Boundaries are in-plane, so a slice without tumor has none (and draws nothing).
  const sliceHasTumor = (k: number) => {
    for (let v = nx * ny * k; v < nx * ny * (k + 1); v++) if (data[v]) return true;
    return false;
  };
  // Ragged edges: flip in-plane boundary voxels.
  const flips: number[] = [];
  for (let k = 0; k < nz; k++) {
    if (!sliceHasTumor(k)) continue;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const here = at(i, j, k);
        const boundary =
          at(i + 1, j, k) !== here || at(i - 1, j, k) !== here || at(i, j + 1, k) !== here || at(i, j - 1, k) !== here;
        if (boundary && rnd() < 0.12) flips.push(i + nx * (j + ny * k));
      }
    }
  }
  for (const idx of flips) data[idx] = data[idx] ? 0 : 1;
  // One-voxel spurs, straight out of the boundary in-plane.
  const boundaryVoxels: [number, number, number, number][] = [];
  for (let k = 0; k < nz; k++) {
    if (!sliceHasTumor(k)) continue;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        if (!at(i, j, k)) continue;
        inPlane.forEach(([di, dj], d) => {
          if (!at(i + di, j + dj, k)) boundaryVoxels.push([i, j, k, d]);
        });
      }
    }
  }
  const spurs = 2 + Math.floor(3 * rnd());
  for (let s = 0; s < spurs && boundaryVoxels.length > 0; s++) {
    const [i, j, k, d] = boundaryVoxels[Math.floor(rnd() * boundaryVoxels.length)];
    const length = 2 + Math.floor(4 * rnd());
    for (let step = 1; step <= length; step++) {
      const a = i + step * inPlane[d][0];
      const b = j + step * inPlane[d][1];
      if (a < 1 || b < 1 || a >= nx - 1 || b >= ny - 1) break;
      data[a + nx * (b + ny * k)] = 1;
    }
  }
  // Interior holes: voxels at least two voxels deep on every axis.
  let holes = 0;
  const wanted = 1 + Math.floor(3 * rnd());
  for (let attempt = 0; attempt < 200 && holes < wanted; attempt++) {
    const i = 2 + Math.floor(rnd() * (nx - 4));
    const j = 2 + Math.floor(rnd() * (ny - 4));
    const k = 2 + Math.floor(rnd() * (nz - 4));
    let deep = true;
    for (let d = -2; d <= 2 && deep; d++) {
      if (!at(i + d, j, k) || !at(i, j + d, k) || !at(i, j, k + d)) deep = false;
    }
    if (!deep) continue;
    data[i + nx * (j + ny * k)] = 0;
    holes++;
  }
  addSatellite(mask, rnd, bridged);
  return { jitteredSlices, flippedVoxels: flips.length, spurs, holes, satellite: bridged ? "bridged" : "apart" };
}

/**
 * A small ball (radius 1.5–3 mm) 2–5 mm beyond the mask's surface along a random direction from its
 * centroid, and, when `bridged`, a one-voxel-wide path of voxels (steps along one grid axis at a time)
 * from it back into the mask.
 */
function addSatellite(mask: MaskVolume, rnd: () => number, bridged: boolean): void {
  const [nx, ny, nz] = mask.dims;
  const m = mask.voxelToWorld;
  const inv = invertAffine(m, "options");
  const bounds = maskBounds(mask);
  let ci = 0;
  let cj = 0;
  let ck = 0;
  for (let k = bounds.min[2]; k <= bounds.max[2]; k++)
    for (let j = bounds.min[1]; j <= bounds.max[1]; j++)
      for (let i = bounds.min[0]; i <= bounds.max[0]; i++)
        if (mask.data[i + nx * (j + ny * k)]) {
          ci += i;
          cj += j;
          ck += k;
        }
  const centre = applyAffine(m, [ci / bounds.count, cj / bounds.count, ck / bounds.count]);
  const direction = randomUnitVector(rnd);
  // Walk out of the mask along the direction, then 2–5 mm further.
  let t = 0;
  const inside = (p: Vec3) => {
    const v = applyAffine(inv, p).map(Math.round);
    return v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[0] < nx && v[1] < ny && v[2] < nz
      ? mask.data[v[0] + nx * (v[1] + ny * v[2])] !== 0
      : false;
  };
  const along = (s: number): Vec3 => [
    centre[0] + s * direction[0],
    centre[1] + s * direction[1],
    centre[2] + s * direction[2],
  ];
  while (t < 100 && inside(along(t))) t += 0.25;
  const surfaceT = t;
  const radius = 1.5 + 1.5 * rnd();
  const satelliteCentre = along(surfaceT + 2 + 3 * rnd() + radius);
  rasterizeEllipsoid(mask, {
    centre: satelliteCentre,
    semiAxesMm: [radius, radius, radius],
    rotation: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
  });
  if (!bridged) return;
  const from = applyAffine(inv, satelliteCentre).map(Math.round);
  const to = applyAffine(inv, along(Math.max(0, surfaceT - 1))).map(Math.round);
  const v = [...from];
  for (let guard = 0; guard < 1000; guard++) {
    if (v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[0] < nx && v[1] < ny && v[2] < nz) {
      mask.data[v[0] + nx * (v[1] + ny * v[2])] = 1;
    }
    const gap = [to[0] - v[0], to[1] - v[1], to[2] - v[2]];
    if (gap.every((g) => g === 0)) break;
    let axis = 0;
    for (let a = 1; a < 3; a++) if (Math.abs(gap[a]) > Math.abs(gap[axis])) axis = a;
    v[axis] += Math.sign(gap[axis]);
  }
}

/** The situations of the realistic suites, by the exact MTM the ice ball is placed at. */
export type IrregularScenario = "covered" | "tight" | "partly uncovered";

/** One realistic case: masks, transform, the ice ball's exact signed distance and the truths. */
export interface IrregularCase {
  name: string;
  scenario: IrregularScenario;
  sliceMm: number;
  tumor: MaskVolume;
  iceball: MaskVolume;
  preToPost: Mat4;
  tumorShape: StarShape;
  iceShape: Ellipsoid;
  iceSignedDistance: (p: Vec3) => number;
  /** Exact MTM of the continuous star surface (the smooth suite's truth), mm. */
  continuousMtmMm: number;
  /** MTM of the tumor mask's 0.5 iso-surface against the exact ice ball (the ragged suite's truth), mm. */
  isoSurfaceMtmMm: number;
  /** For ragged cases, what the edit did. */
  edits?: RaggedEdits;
}

export interface IrregularSuiteOptions {
  seed: number;
  count: number;
  /** Slice thickness of the tumor grid, mm (its in-plane spacing is drawn in 0.7–1.0 mm). */
  sliceMm: number;
  /** Spacing of the ice ball's grid (default 1.2 × 1.2 × 3.0 mm). */
  iceSpacingMm?: Vec3;
  ragged: boolean;
}

/** What {@link placeIceBall} needs: the tumor's extent, the transform and a margin to aim with. */
export interface IceBallPlacementOptions {
  /** A centre of the tumor, pre-ablation world mm. */
  tumorCentre: Vec3;
  /** Largest distance from `tumorCentre` to the tumor surface, mm. */
  reachMm: number;
  /** Half-width of the region about the mapped centre the ice ball's grid must also hold, mm. */
  gridReachMm: number;
  preToPost: Mat4;
  scenario: IrregularScenario;
  /** The tumor's MTM against a candidate ice ball (post-ablation world) through `preToPost`, mm. */
  marginMm: (iceShape: Ellipsoid) => number;
  /** Spacing of the ice ball's oblique grid. */
  iceSpacingMm: Vec3;
  rnd: () => number;
}

/**
 * An ellipsoidal ice ball about a tumor, rasterised on its own oblique grid: semi-axes 5–17 mm beyond
 * the tumor's reach (aspect 0.75–1, random orientation), its centre moved from the mapped tumor centre
 * along a random direction until `marginMm` reads the scenario's target — covered 2–8 mm, tight
 * 0–2 mm, partly uncovered −5…−0.2 mm ({@link offsetForMargin}). The grid holds the ellipsoid and the
 * mapped tumor region (`gridReachMm`). Deterministic for the random source.
 */
export function placeIceBall(options: IceBallPlacementOptions): { iceShape: Ellipsoid; iceball: MaskVolume } {
  const { tumorCentre, reachMm, gridReachMm, preToPost, scenario, marginMm, iceSpacingMm, rnd } = options;
  const mapped = applyAffine(preToPost, tumorCentre);
  const direction = randomUnitVector(rnd);
  const ri = reachMm + 5 + 12 * rnd();
  const axes: Vec3 = [ri, ri * (0.75 + 0.25 * rnd()), ri * (0.75 + 0.25 * rnd())];
  const rotation = randomRotation(rnd);
  const place = (d: number): Ellipsoid => ({
    centre: [mapped[0] + d * direction[0], mapped[1] + d * direction[1], mapped[2] + d * direction[2]],
    semiAxesMm: axes,
    rotation,
  });
  const target = scenario === "covered" ? 2 + 6 * rnd() : scenario === "tight" ? 2 * rnd() : -0.2 - 4.8 * rnd();
  const iceShape = place(offsetForMargin((d) => marginMm(place(d)), target));
  const h = ellipsoidHalfExtent(iceShape);
  const lo = [0, 1, 2].map((a) => Math.min(iceShape.centre[a] - h[a], mapped[a] - gridReachMm));
  const hi = [0, 1, 2].map((a) => Math.max(iceShape.centre[a] + h[a], mapped[a] + gridReachMm));
  const iceball = gridAround(
    [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2],
    [(hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, (hi[2] - lo[2]) / 2],
    iceSpacingMm,
    rnd,
    false,
  );
  rasterizeEllipsoid(iceball, iceShape);
  return { iceShape, iceball };
}

/**
 * Random realistic cases: a star-shaped tumor (base radius 8–16 mm) on an obliquely oriented grid of
 * 0.7–1.0 mm in-plane spacing and `sliceMm` slices, a random rigid transform, and an ellipsoidal ice ball
 * (semi-axes 5–17 mm beyond the tumor's reach, aspect 0.75–1) on its own oblique grid, placed along a
 * random direction so that the continuous MTM is covered (2–8 mm), tight (0–2 mm) or partly uncovered
 * (−5–0 mm), in turn. With `ragged`, the tumor mask is then edited ({@link raggedifyMask}).
 * Deterministic for a seed.
 */
export function generateIrregularCases(options: IrregularSuiteOptions): IrregularCase[] {
  const { seed, count, sliceMm, ragged } = options;
  const iceSpacing = options.iceSpacingMm ?? [1.2, 1.2, 3.0];
  const random = createRandom(seed);
  const rnd = () => random.next();
  const scenarios: IrregularScenario[] = ["covered", "tight", "partly uncovered"];
  const cases: IrregularCase[] = [];
  for (let n = 0; n < count; n++) {
    const scenario = scenarios[n % 3];
    const shape = randomStarShape([rnd() * 10 - 5, rnd() * 10 - 5, rnd() * 10 - 5], 8 + 8 * rnd(), rnd);
    // A ragged mask's satellite reaches up to 11 mm beyond the surface: its grid leaves room for it.
    const reach = starMaxRadiusMm(shape);
    const gridReach = reach + (ragged ? 12 : 0);
    const inPlane = 0.7 + 0.3 * rnd();
    const tumor = gridAround(shape.centre, [gridReach, gridReach, gridReach], [inPlane, inPlane, sliceMm], rnd, false);
    rasterizeStar(tumor, shape);
    const preToPost = rigidTransform(randomRotation(rnd), [rnd() * 20 - 10, rnd() * 20 - 10, rnd() * 20 - 10]);
    const surface = (u: number, v: number) => starSurfacePoint(shape, u, v);
    const { iceShape, iceball } = placeIceBall({
      tumorCentre: shape.centre,
      reachMm: reach,
      gridReachMm: gridReach,
      preToPost,
      scenario,
      marginMm: (e) =>
        exactMinimalMarginOverSurface(surface, (q) => ellipsoidSignedDistance(e, q), preToPost, { rounds: 0 }).mtmMm,
      iceSpacingMm: iceSpacing,
      rnd,
    });
    const iceSignedDistance = (p: Vec3) => ellipsoidSignedDistance(iceShape, p);
    const exact = exactMinimalMarginOverSurface(surface, iceSignedDistance, preToPost, {
      polarSteps: 48,
      azimuthSteps: 96,
      starts: 6,
    });
    const edits = ragged ? raggedifyMask(tumor, rnd, n % 2 === 0) : undefined;
    cases.push({
      name: `${ragged ? "ragged" : "smooth"} ${sliceMm} mm #${n} (${scenario})`,
      scenario,
      sliceMm,
      tumor,
      iceball,
      preToPost,
      tumorShape: shape,
      iceShape,
      iceSignedDistance,
      continuousMtmMm: exact.mtmMm,
      isoSurfaceMtmMm: isoSurfaceMinimalMargin(tumor, iceSignedDistance, preToPost).mtmMm,
      edits,
    });
  }
  return cases;
}
