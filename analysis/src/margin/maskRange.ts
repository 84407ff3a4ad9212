/**
 * The interval of MTMs the masks allow: `mtm_mask_range_mm`.
 *
 * A binary mask fixes, for each voxel centre, inside or outside — nothing between. Every boundary edge
 * (inside centre a, outside centre b, 6-neighbours) is crossed by the object's surface somewhere on
 * [a, b], and any surface doing so is consistent with the mask. The MTM, min over the tumor surface of
 * the ice ball's signed distance (positive inside), falls as the tumor grows and rises as the ice ball
 * grows, so over all surfaces consistent with both masks it ranges over [lo, hi]:
 * - lo: the largest tumor (each crossing at the outside end b of its edge) against the smallest ice
 *   ball (each crossing at the inside end of its edge): lo = min over tumor edges of
 *   min(s₋(T a), s₋(T b)), with s₋ the signed distance to that smallest ice surface;
 * - hi: each tumor crossing placed where it reads highest on its edge, against the largest ice ball
 *   (crossings at the outside ends): hi = min over tumor edges of max over {a, midpoint, b} of s₊.
 * Both extreme ice surfaces are the engine's own reconstruction with every sample moved along its edge
 * to that end (same surfel distance and mask-decided sign: signedDistance.ts), so the interval is
 * bounded by the inside and outside voxel centres of each mask and holds every reading of the masks
 * that keeps each surface on its edges — the engine's own (its samples never leave their edges), and
 * the 0.5 iso-surface's (every vertex at an edge midpoint). For a convex ice ball, whose signed
 * distance is concave, the minimum over a triangle of any such surface is at a vertex, so the vertices
 * (edge points) bound it; elsewhere lo is the minimum over those edge points.
 *
 * Several samples' edges end on one voxel centre (a voxel with two or three boundary faces); there
 * the extreme surface has one point, at the centre, with all their surfels, and a query near it reads
 * the lowest of them on the smallest ice ball and the highest on the largest — the extreme over the
 * tangent planes the samples allow there, not whichever coincident sample a nearest-sample search
 * meets first.
 *
 * Each tumor voxel centre is read once per extreme ice surface, at its grid position, however many
 * edges end on it, and the nearest-sample search breaks exact ties by index (kdTree.ts, nearestPoint):
 * the range is the same whatever the order of the samples or of the queries. hi, a minimum of maxima,
 * is found by reading the edge with the smallest margin first: an edge whose first reading already
 * reaches the current hi cannot lower it, and is left there; likewise an end of an edge whose reading
 * is bounded from below, without the nearest-sample search, by the current lo (on the smallest ice
 * ball) or hi (on the largest; deep inside the ice ball: the distance to the samples changes no faster
 * than the query moves). Both only leave out readings that cannot change the minima.
 *
 * Width: about half a tumor edge plus half an ice edge on each side of the engine's reading where the
 * minimum is on through-slice edges (±1.5 mm per 3 mm slice), a few tenths of a mm on in-plane edges.
 */
import { buildPointTree, nearestDistanceSquared, type PointsNear, pointsNear } from "./kdTree.js";
import {
  lastNearestSample,
  readingLowerBound,
  type SignedDistanceField,
  signedDistance,
  signedDistanceField,
  signedDistanceNear,
} from "./signedDistance.js";
import { type SurfaceSamples, voxelKey } from "./surface.js";
import type { MaskVolume, Mat4 } from "./types.js";

/**
 * The extreme ice surface with every sample at its edge's inside (side −1) or outside (+1) end: one
 * point per voxel centre reached, at the centre's grid position (in order of first reach), carrying the
 * surfels (normals) of every sample that ends there — the first as the point's own normal, the others
 * as its further surfels, read for the lowest (side −1) or the highest (+1) reading (see the module comment).
 */
function fieldAtEdgeEnds(mask: MaskVolume, samples: SurfaceSamples, side: -1 | 1): SignedDistanceField {
  const { count, normals, edgeVoxels, voxelToWorld: m } = samples;
  const end = side < 0 ? 0 : 3;
  const slotOf = new Map<number, number>();
  /** The point of each sample's end. */
  const slot = new Int32Array(count);
  const firsts: number[] = [];
  for (let j = 0; j < count; j++) {
    const v = 6 * j + end;
    const key = voxelKey(edgeVoxels[v], edgeVoxels[v + 1], edgeVoxels[v + 2]);
    let t = slotOf.get(key);
    if (t === undefined) {
      t = firsts.length;
      slotOf.set(key, t);
      firsts.push(j);
    }
    slot[j] = t;
  }
  const n = firsts.length;
  const points = new Float64Array(3 * n);
  const own = new Float64Array(3 * n);
  const start = new Int32Array(n + 1);
  for (let t = 0; t < n; t++) {
    const v = 6 * firsts[t] + end;
    const [i, j, k] = [edgeVoxels[v], edgeVoxels[v + 1], edgeVoxels[v + 2]];
    for (let c = 0; c < 3; c++) {
      points[3 * t + c] = m[4 * c] * i + m[4 * c + 1] * j + m[4 * c + 2] * k + m[4 * c + 3];
      own[3 * t + c] = normals[3 * firsts[t] + c];
    }
  }
  // Further surfels, grouped by point (counting sort over the samples that are not their point's first).
  for (let j = 0; j < count; j++) if (firsts[slot[j]] !== j) start[slot[j] + 1]++;
  for (let t = 0; t < n; t++) start[t + 1] += start[t];
  const more = new Float64Array(3 * start[n]);
  const fill = start.slice(0, n);
  for (let j = 0; j < count; j++) {
    const t = slot[j];
    if (firsts[t] === j) continue;
    for (let c = 0; c < 3; c++) more[3 * fill[t] + c] = normals[3 * j + c];
    fill[t]++;
  }
  return signedDistanceField(mask, { count: n, points, normals: own }, buildPointTree(points, n), {
    lowestIndexAtTie: true,
    moreNormals: { start, normals: more, pick: side < 0 ? "lowest" : "highest" },
  });
}

/** The two extreme ice surfaces of the range, built once per ice ball (only the tumor points move between transforms). */
export interface MaskRangeIce {
  /** Signed distance to the smallest ice ball the mask allows (every crossing at the inside end of its edge). */
  smallestIce: SignedDistanceField;
  /** Signed distance to the largest (every crossing at the outside end). */
  largestIce: SignedDistanceField;
  /** The ice grid's coarsest spacing, mm. */
  iceSpacingMm: number;
}

/** The extreme ice surfaces of `iceball` (see the module comment), from the engine's surface samples of it. */
export function maskRangeIce(iceball: MaskVolume, iceSamples: SurfaceSamples): MaskRangeIce {
  return {
    smallestIce: fieldAtEdgeEnds(iceball, iceSamples, -1),
    largestIce: fieldAtEdgeEnds(iceball, iceSamples, 1),
    iceSpacingMm: Math.max(...iceSamples.spacingMm),
  };
}

/**
 * Tumor samples farther than this above the MTM cannot set either bound: an end of an edge is at most
 * one tumor spacing from the sample, an extreme ice surface at most one ice spacing from the
 * reconstructed one (2 × (coarsest tumor + ice spacing) + 1 mm).
 */
export function maskRangeSlackMm(tumorSamples: SurfaceSamples, ice: MaskRangeIce): number {
  return 2 * (Math.max(...tumorSamples.spacingMm) + ice.iceSpacingMm) + 1;
}

/**
 * [lo, hi] of the MTM over all tumor and ice surfaces consistent with both masks (see the module
 * comment). `tumorMargins[s]` is the engine's margin at tumor sample s (NaN where unmeasured) and `mtmMm`
 * their minimum; only samples within `maskRangeSlackMm` of it can reach either bound (NaN may stand for
 * the others). [NaN, NaN] when nothing was measured.
 * Example: a tumor ball 5 mm inside an ice ball, both on 1 mm grids: about [4, 6].
 */
export function mtmMaskRangeMm(
  tumorSamples: SurfaceSamples,
  tumorMargins: Float64Array,
  mtmMm: number,
  iceball: MaskVolume,
  iceSamples: SurfaceSamples,
  preToPost: Mat4,
): [number, number] {
  if (!Number.isFinite(mtmMm)) return [Number.NaN, Number.NaN];
  return mtmMaskRangeWithIce(tumorSamples, tumorMargins, mtmMm, maskRangeIce(iceball, iceSamples), preToPost);
}

/** Each tumor sample's share of the mask range through one transform (see {@link edgeRangeReader}). */
export interface EdgeRangeReader {
  /**
   * The lowest reading of sample s's edge against the smallest ice ball (over its two ends); with
   * `ceiling`, a lower bound ≥ ceiling may stand for an end's reading that surely reaches it (the edge
   * cannot bring a minimum below ceiling then).
   */
  low(s: number, ceiling?: number): number;
  /**
   * The highest reading of sample s's edge against the largest ice ball (over its ends and midpoint);
   * with `ceiling`, the first reading ≥ ceiling, or a lower bound ≥ ceiling of an end's reading, is
   * returned as soon as it is found (the edge cannot bring a minimum below ceiling then).
   */
  high(s: number, ceiling?: number): number;
}

/**
 * Exact reads of a tumor grid point before its list of nearby ice samples is built ({@link EdgeRangeNear}):
 * a list costs about as much as a few dozen reads, and many points are read in a few draws only.
 */
const LIST_AFTER_READS = 3;

/** What readers sharing an {@link EdgeRangeNear} keep of one tumor grid point on one extreme ice surface. */
interface NearPoint {
  /** Its list of nearby ice samples, once built. */
  list: PointsNear | null;
  /** Its exact reads so far. */
  reads: number;
  /** The reading kept by reader number `keptBy` (for that reader only: each reader has its own transform). */
  keptBy: number;
  keptMm: number;
}

/**
 * What the readers of several transforms near one transform T₀ share (the uncertainty's draws): per
 * extreme ice surface and tumor grid point, the ice samples that can be nearest to the point through
 * any transform that moves it at most `shiftMm` from where T₀ puts it (kdTree.ts, pointsNear), built
 * once the point has been read exactly {@link LIST_AFTER_READS} times, and each reader's kept readings.
 * The readings are the same with or without: only the nearest-sample searches are shorter.
 */
export interface EdgeRangeNear {
  transform: Mat4;
  shiftMm: number;
  /** Per extreme surface, by point: voxelKey of an edge end, −1 − s for sample s's edge midpoint. */
  smallest: Map<number, NearPoint>;
  largest: Map<number, NearPoint>;
  /** Readers made so far (each one's number). */
  readers: number;
}

/** An empty {@link EdgeRangeNear} for transforms that move the tumor's points at most `shiftMm` from where `transform` puts them. */
export function edgeRangeNear(transform: Mat4, shiftMm: number): EdgeRangeNear {
  return { transform, shiftMm, smallest: new Map(), largest: new Map(), readers: 0 };
}

/**
 * The readings of the tumor samples' edges against the extreme ice surfaces `ice` through `T`, each
 * edge end (a tumor voxel centre, at its grid position) read once per surface and kept: the lows and
 * highs are minima and maxima of these, so lo and hi (their minima over the samples) do not depend on
 * the order the samples are read in. `near`: lists shared with readers of nearby transforms (T must move
 * the points at most its `shiftMm` from where its transform puts them).
 */
export function edgeRangeReader(
  tumorSamples: SurfaceSamples,
  ice: MaskRangeIce,
  T: Mat4,
  near?: EdgeRangeNear,
): EdgeRangeReader {
  const { edgeVoxels, axis, voxelToWorld: m } = tumorSamples;
  const readerNumber = near === undefined ? 0 : ++near.readers;
  /**
   * Readings of one extreme ice surface at tumor grid points (fractional at an edge's midpoint) mapped by T;
   * each voxel centre's is kept (in `points`, that surface's share of `near`, when given).
   */
  const surfaceReader = (field: SignedDistanceField, points: Map<number, NearPoint> | undefined) => {
    const kept = new Map<number, number>();
    let hint = -1;
    /** The grid point being read (world mm) and its image through T. */
    const p = new Float64Array(3);
    const q = new Float64Array(3);
    /** The last query read exactly and the distance from it to the nearest sample point. */
    const last = new Float64Array(3);
    let lastDistanceMm = Number.NaN;
    const mapped = (i: number, j: number, k: number) => {
      p[0] = m[0] * i + m[1] * j + m[2] * k + m[3];
      p[1] = m[4] * i + m[5] * j + m[6] * k + m[7];
      p[2] = m[8] * i + m[9] * j + m[10] * k + m[11];
      q[0] = T[0] * p[0] + T[1] * p[1] + T[2] * p[2] + T[3];
      q[1] = T[4] * p[0] + T[5] * p[1] + T[6] * p[2] + T[7];
      q[2] = T[8] * p[0] + T[9] * p[1] + T[10] * p[2] + T[11];
    };
    /** The shared record of point `key`, made on first use; undefined without `near`. */
    const pointOf = (key: number): NearPoint | undefined => {
      if (points === undefined) return undefined;
      let point = points.get(key);
      if (point === undefined) {
        point = { list: null, reads: 0, keptBy: 0, keptMm: 0 };
        points.set(key, point);
      }
      return point;
    };
    /** The exact reading at the point mapped last (its shared record `point`, whose list is built when due). */
    const read = (point: NearPoint | undefined) => {
      if (near !== undefined && point !== undefined && point.list === null && ++point.reads >= LIST_AFTER_READS) {
        const c = near.transform;
        point.list = pointsNear(
          field.tree,
          c[0] * p[0] + c[1] * p[1] + c[2] * p[2] + c[3],
          c[4] * p[0] + c[5] * p[1] + c[6] * p[2] + c[7],
          c[8] * p[0] + c[9] * p[1] + c[10] * p[2] + c[11],
          near.shiftMm,
          hint,
        );
      }
      const list = point?.list;
      const d = list
        ? signedDistanceNear(field, list, q[0], q[1], q[2], hint)
        : signedDistance(field, q[0], q[1], q[2], hint);
      hint = lastNearestSample();
      last.set(q);
      lastDistanceMm = Math.sqrt(nearestDistanceSquared());
      return d;
    };
    /** At sample s's edge midpoint, grid position (i, j, k). */
    const atMiddle = (s: number, i: number, j: number, k: number) => {
      mapped(i, j, k);
      return read(pointOf(-1 - s));
    };
    /**
     * At the voxel centre whose indices start at edgeVoxels[v] — or, when the reading there is surely
     * ≥ `ceiling`, a lower bound ≥ ceiling of it without the search: where the query's grid cell is all
     * inside the ice ball and farther than the clip from every sample's disc, the reading is the distance
     * to the nearest disc, at least (distance to the nearest sample point) − ρ, and that distance is at
     * least the last query's minus the distance between the two queries (or, once the point has a list,
     * its nearest distance through the list's transform minus how far T moved it from there).
     */
    const atEnd = (v: number, ceiling = Number.POSITIVE_INFINITY) => {
      const key = voxelKey(edgeVoxels[v], edgeVoxels[v + 1], edgeVoxels[v + 2]);
      const point = pointOf(key);
      if (point === undefined) {
        const d = kept.get(key);
        if (d !== undefined) return d;
      } else if (point.keptBy === readerNumber) return point.keptMm;
      mapped(edgeVoxels[v], edgeVoxels[v + 1], edgeVoxels[v + 2]);
      if (ceiling < Number.POSITIVE_INFINITY) {
        let nearestBoundMm = Number.NEGATIVE_INFINITY;
        if (Number.isFinite(lastDistanceMm))
          nearestBoundMm = lastDistanceMm - Math.hypot(q[0] - last[0], q[1] - last[1], q[2] - last[2]);
        const list = point?.list;
        if (list) {
          const c = list.centre;
          nearestBoundMm = Math.max(nearestBoundMm, list.nearestMm - Math.hypot(q[0] - c[0], q[1] - c[1], q[2] - c[2]));
        }
        const bound = readingLowerBound(field, nearestBoundMm, ceiling, q[0], q[1], q[2]);
        if (!Number.isNaN(bound)) return bound;
      }
      const exact = read(point);
      if (point === undefined) kept.set(key, exact);
      else {
        point.keptBy = readerNumber;
        point.keptMm = exact;
      }
      return exact;
    };
    return { atMiddle, atEnd };
  };
  const smallest = surfaceReader(ice.smallestIce, near?.smallest);
  const largest = surfaceReader(ice.largestIce, near?.largest);
  return {
    low(s, ceiling) {
      return Math.min(smallest.atEnd(6 * s, ceiling), smallest.atEnd(6 * s + 3, ceiling));
    },
    high(s, ceiling = Number.POSITIVE_INFINITY) {
      const inside = largest.atEnd(6 * s, ceiling);
      if (inside >= ceiling) return inside;
      const outside = largest.atEnd(6 * s + 3, ceiling);
      if (outside >= ceiling) return outside;
      // The edge's midpoint: half a step from the inside voxel along the edge's axis.
      const v = 6 * s;
      const a = axis[s];
      const half = (edgeVoxels[v + 3 + a] - edgeVoxels[v + a]) / 2;
      const middle = largest.atMiddle(
        s,
        edgeVoxels[v] + (a === 0 ? half : 0),
        edgeVoxels[v + 1] + (a === 1 ? half : 0),
        edgeVoxels[v + 2] + (a === 2 ? half : 0),
      );
      return Math.max(inside, outside, middle);
    },
  };
}

/** `mtmMaskRangeMm` with the extreme ice surfaces built beforehand (`maskRangeIce`). */
export function mtmMaskRangeWithIce(
  tumorSamples: SurfaceSamples,
  tumorMargins: Float64Array,
  mtmMm: number,
  ice: MaskRangeIce,
  preToPost: Mat4,
): [number, number] {
  if (!Number.isFinite(mtmMm)) return [Number.NaN, Number.NaN];
  const slackMm = maskRangeSlackMm(tumorSamples, ice);
  const reader = edgeRangeReader(tumorSamples, ice, preToPost);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  // The sample with the smallest margin first: hi then starts near its final value.
  let first = -1;
  for (let s = 0; s < tumorSamples.count; s++) {
    if (tumorMargins[s] === mtmMm) {
      first = s;
      break;
    }
  }
  for (let t = first < 0 ? 0 : -1; t < tumorSamples.count; t++) {
    const s = t < 0 ? first : t;
    if (!(tumorMargins[s] <= mtmMm + slackMm)) continue;
    const low = reader.low(s, lo);
    if (low < lo) lo = low;
    const high = reader.high(s, hi);
    if (high < hi) hi = high;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [Number.NaN, Number.NaN];
}
