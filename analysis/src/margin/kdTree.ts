/**
 * A static 3-D k-d tree over points in world mm (Bentley 1975), for the two queries the margin engine
 * makes millions of times: the nearest surface sample to a point (signed distance) and all samples
 * within a radius (local surface fits). Implicit layout: the range [lo, hi) of the reordered point list
 * is split at mid = (lo + hi) >> 1 along `axis[mid]`; no node objects, no per-query allocation.
 * Build O(n log n) by quickselect; a nearest query is O(log n) for the well-spread samples of a surface.
 */

const LEAF_SIZE = 8;

export interface PointTree {
  /** Number of points. */
  count: number;
  /** Points reordered into tree order, x y z interleaved. */
  xyz: Float64Array;
  /** Original index of the point at each tree position. */
  index: Int32Array;
  /** Split axis (0, 1, 2) of the node whose median sits at this position; −1 for leaf ranges. */
  axis: Int8Array;
  /** Tree position of each original index (the inverse of `index`). */
  position: Int32Array;
}

/**
 * Builds the tree over `count` points stored x y z interleaved in `points` (not modified).
 * Example: `nearestPoint(buildPointTree(new Float64Array([0,0,0, 5,0,0]), 2), 4, 0, 0)` is 1.
 */
export function buildPointTree(points: Float64Array, count: number): PointTree {
  const index = new Int32Array(count);
  for (let i = 0; i < count; i++) index[i] = i;
  const axis = new Int8Array(count).fill(-1);
  const stack: number[] = [0, count];
  while (stack.length > 0) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= LEAF_SIZE) continue;
    const a = widestAxis(points, index, lo, hi);
    const mid = (lo + hi) >> 1;
    select(points, index, lo, hi - 1, mid, a);
    axis[mid] = a;
    stack.push(lo, mid, mid + 1, hi);
  }
  const xyz = new Float64Array(3 * count);
  for (let t = 0; t < count; t++) {
    const i = index[t];
    xyz[3 * t] = points[3 * i];
    xyz[3 * t + 1] = points[3 * i + 1];
    xyz[3 * t + 2] = points[3 * i + 2];
  }
  const position = new Int32Array(count);
  for (let t = 0; t < count; t++) position[index[t]] = t;
  return { count, xyz, index, axis, position };
}

function widestAxis(points: Float64Array, index: Int32Array, lo: number, hi: number): number {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let t = lo; t < hi; t++) {
    const i = 3 * index[t];
    for (let a = 0; a < 3; a++) {
      const v = points[i + a];
      if (v < min[a]) min[a] = v;
      if (v > max[a]) max[a] = v;
    }
  }
  const ext = [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
  return ext[0] >= ext[1] && ext[0] >= ext[2] ? 0 : ext[1] >= ext[2] ? 1 : 2;
}

/** Hoare quickselect: puts the k-th smallest (by coordinate `a`) of index[lo..hi] at k. */
function select(points: Float64Array, index: Int32Array, lo: number, hi: number, k: number, a: number): void {
  while (hi > lo) {
    const pivot = points[3 * index[(lo + hi) >> 1] + a];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (points[3 * index[i] + a] < pivot) i++;
      while (points[3 * index[j] + a] > pivot) j--;
      if (i <= j) {
        const t = index[i];
        index[i] = index[j];
        index[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Result holder of {@link nearestPoint} so a query allocates nothing. */
const best = { d2: 0, t: -1 };

/**
 * Index (in the original order) of the point nearest to (x, y, z); −1 for an empty tree. `hint`, an
 * original index, is a first guess (any point; the answer is exact either way). Among points at
 * exactly the same distance the first one found wins, which depends on the hint; with
 * `lowestIndexAtTie` the lowest original index wins, so the answer depends on the query alone.
 * `nearestDistanceSquared()` returns its squared distance right after.
 */
export function nearestPoint(
  tree: PointTree,
  x: number,
  y: number,
  z: number,
  hint = -1,
  lowestIndexAtTie = false,
): number {
  best.d2 = Number.POSITIVE_INFINITY;
  best.t = -1;
  tiesByIndex = lowestIndexAtTie;
  if (hint >= 0) {
    // A good first guess (the answer for a neighbouring query) shrinks the search ball from the start,
    // which matters for queries far from the points (deep inside an ice ball), where many points are
    // nearly equidistant.
    const t = tree.position[hint];
    const dx = tree.xyz[3 * t] - x;
    const dy = tree.xyz[3 * t + 1] - y;
    const dz = tree.xyz[3 * t + 2] - z;
    best.d2 = dx * dx + dy * dy + dz * dz;
    best.t = t;
  }
  cellOffset.fill(0);
  if (tree.count > 0) searchNearest(tree, null, 0, tree.count, x, y, z);
  return best.t < 0 ? -1 : tree.index[best.t];
}

/**
 * Relative tolerance within which two distances count as a tie: far above the rounding of coordinates
 * (a float32 voxel spacing, 1.2000000476837158 for 1.2, differs by 4e-8), far below any real difference.
 */
const TIE_TOLERANCE = 1e-6;

/**
 * Like {@link nearestPoint}, but among points whose distance ties with the nearest (within a relative
 * 1e-6), the one with the lowest original index: on a voxel lattice equidistant points are common,
 * and the answer must not depend on how the grid's spacing was rounded. Example: for points [0,0,0]
 * and [2,0,0], the query [1,0,0] gives 0.
 */
export function nearestPointStable(tree: PointTree, x: number, y: number, z: number, hint = -1): number {
  const first = nearestPoint(tree, x, y, z, hint);
  const d2 = best.d2;
  if (first < 0) return first;
  let lowest = first;
  forEachWithinRadius(tree, x, y, z, Math.sqrt(d2 * (1 + TIE_TOLERANCE)), (index) => {
    if (index < lowest) lowest = index;
  });
  best.d2 = d2;
  return lowest;
}

/** Squared distance (mm²) of the last {@link nearestPoint} answer. */
export function nearestDistanceSquared(): number {
  return best.d2;
}

/**
 * Offsets (mm, per axis) from the query to the cell being searched: the cell's squared distance is their
 * squared sum, a lower bound of any of its points' (Arya & Mount 1993, incremental distance). Set to 0
 * at each query's start and restored on the way back up.
 */
const cellOffset = new Float64Array(3);

/** Whether the current query breaks exact ties by original index (nearestPoint's `lowestIndexAtTie`). */
let tiesByIndex = false;

/** At an exact tie with the best so far: whether tree position t wins it (the lower original index, when ties are broken so). */
function lowerIndexAtTie(tree: PointTree, t: number): boolean {
  return tiesByIndex && best.t >= 0 && tree.index[t] < tree.index[best.t];
}

/**
 * The recursion of the nearest queries; `excluded` (by tree position, 1 = left out) or null for none.
 * A far child is searched only when its cell, bounded by every split on the way down (not just this
 * one), comes nearer than the best point so far. The squared sums are taken in x, y, z order like a
 * point's, so a pruned cell cannot hold a point nearer in floating point either: the answer is the
 * one the plain single-plane test gives, with fewer cells visited for queries far from the points.
 * A cell exactly as near as the best point is still searched, so a tie broken by index finds the
 * lowest index wherever it is.
 */
function searchNearest(
  tree: PointTree,
  excluded: Uint8Array | null,
  lo: number,
  hi: number,
  x: number,
  y: number,
  z: number,
): void {
  const { xyz, axis } = tree;
  if (hi - lo <= LEAF_SIZE) {
    for (let t = lo; t < hi; t++) {
      if (excluded !== null && excluded[t] !== 0) continue;
      const dx = xyz[3 * t] - x;
      const dy = xyz[3 * t + 1] - y;
      const dz = xyz[3 * t + 2] - z;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= best.d2 && (d2 < best.d2 || lowerIndexAtTie(tree, t))) {
        best.d2 = d2;
        best.t = t;
      }
    }
    return;
  }
  const mid = (lo + hi) >> 1;
  const a = axis[mid];
  if (excluded === null || excluded[mid] === 0) {
    const dx = xyz[3 * mid] - x;
    const dy = xyz[3 * mid + 1] - y;
    const dz = xyz[3 * mid + 2] - z;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 <= best.d2 && (d2 < best.d2 || lowerIndexAtTie(tree, mid))) {
      best.d2 = d2;
      best.t = mid;
    }
  }
  // An excluded median still splits space: the pruning needs only its coordinate.
  const diff = (a === 0 ? x : a === 1 ? y : z) - xyz[3 * mid + a];
  if (diff < 0) searchNearest(tree, excluded, lo, mid, x, y, z);
  else searchNearest(tree, excluded, mid + 1, hi, x, y, z);
  const previous = cellOffset[a];
  cellOffset[a] = diff;
  const far2 = cellOffset[0] * cellOffset[0] + cellOffset[1] * cellOffset[1] + cellOffset[2] * cellOffset[2];
  if (far2 <= best.d2) {
    if (diff < 0) searchNearest(tree, excluded, mid + 1, hi, x, y, z);
    else searchNearest(tree, excluded, lo, mid, x, y, z);
  }
  cellOffset[a] = previous;
}

/**
 * Like {@link nearestPoint}, over the points whose tree position t has `excluded[t] === 0` (a point set
 * that shrinks without rebuilding the tree: mark `excluded[tree.position[i]] = 1` for original index i);
 * `hint` as there (ignored when excluded). Only points closer than √boundD2 count (a bound known from
 * elsewhere prunes the search): −1 when there is none; `nearestDistanceSquared()` returns the answer's squared distance.
 * Example: with points [0,0,0] and [5,0,0] and the first excluded, the query [1,0,0] gives 1.
 */
export function nearestPointExcluding(
  tree: PointTree,
  excluded: Uint8Array,
  x: number,
  y: number,
  z: number,
  hint = -1,
  boundD2 = Number.POSITIVE_INFINITY,
): number {
  best.d2 = boundD2;
  best.t = -1;
  tiesByIndex = false;
  if (hint >= 0 && excluded[tree.position[hint]] === 0) {
    const t = tree.position[hint];
    const dx = tree.xyz[3 * t] - x;
    const dy = tree.xyz[3 * t + 1] - y;
    const dz = tree.xyz[3 * t + 2] - z;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < best.d2) {
      best.d2 = d2;
      best.t = t;
    }
  }
  cellOffset.fill(0);
  if (tree.count > 0) searchNearest(tree, excluded, 0, tree.count, x, y, z);
  return best.t < 0 ? -1 : tree.index[best.t];
}

/**
 * The points of a tree that can be nearest to a query moved at most `shiftMm` from a fixed point c (a
 * tumor point under small rigid perturbations of a transform): with d₀ the distance from c to its nearest
 * point, the query's nearest lies within d₀ + shiftMm of the query, hence within d₀ + 2·shiftMm of c; those
 * points are listed in shells of increasing distance from c, and {@link nearestPointNear} answers nearest
 * queries from the list instead of the tree.
 */
export interface PointsNear {
  /** The point c, world mm. */
  centre: [number, number, number];
  /** Distance from c to its nearest point, mm. */
  nearestMm: number;
  /** Every tree point within this distance of c is listed, mm. */
  reachMm: number;
  /** Tree positions of the listed points, shell by shell. */
  positions: Int32Array;
  /** The inner radius of each listed point's shell, mm (non-decreasing; the point is at least this far from c). */
  shellMm: Float64Array;
}

/** Width of the shells of {@link pointsNear}, mm (a counting sort by distance, fine enough to stop a scan early). */
const SHELL_WIDTH_MM = 0.25;

/**
 * Rounding allowance (mm) of the distance bounds of {@link pointsNear} and {@link nearestPointNear}: far
 * above the rounding of distances of a few hundred mm (1e-13 mm), far below any distance between samples.
 */
const NEAR_BOUND_ALLOWANCE_MM = 1e-6;

/** Scratch of {@link pointsNear}: the points found (tree positions) and their shells, grown as needed. */
let nearScratch = { found: new Int32Array(256), shell: new Int32Array(256) };

/**
 * The points of `tree` that can be nearest to a query within `shiftMm` of (x, y, z) (see {@link PointsNear});
 * `hint` as in {@link nearestPoint}. Example: `nearestPointNear(tree, pointsNear(tree, 0, 0, 0, 2), 1, 0, 0)`
 * is `nearestPoint(tree, 1, 0, 0, -1, true)`.
 */
export function pointsNear(tree: PointTree, x: number, y: number, z: number, shiftMm: number, hint = -1): PointsNear {
  nearestPoint(tree, x, y, z, hint, true);
  const nearestMm = Math.sqrt(best.d2);
  // Beyond d₀ + 2·shiftMm, room for both of nearestPointNear's allowances and the rounding of d₀ and of the shift.
  const reachMm = nearestMm + 2 * shiftMm + 4 * NEAR_BOUND_ALLOWANCE_MM;
  const shells = Math.floor(reachMm / SHELL_WIDTH_MM) + 1;
  const start = new Int32Array(shells + 1);
  let count = 0;
  if (Number.isFinite(reachMm)) {
    forEachWithinRadius(tree, x, y, z, reachMm, (index, d2) => {
      if (count === nearScratch.found.length) {
        const grown = { found: new Int32Array(2 * count), shell: new Int32Array(2 * count) };
        grown.found.set(nearScratch.found);
        grown.shell.set(nearScratch.shell);
        nearScratch = grown;
      }
      const shell = Math.min(shells - 1, Math.floor(Math.sqrt(d2) / SHELL_WIDTH_MM));
      nearScratch.found[count] = tree.position[index];
      nearScratch.shell[count] = shell;
      count++;
      start[shell + 1]++;
    });
  }
  for (let k = 0; k < shells; k++) start[k + 1] += start[k];
  const positions = new Int32Array(count);
  const shellMm = new Float64Array(count);
  const { found, shell } = nearScratch;
  for (let k = 0; k < count; k++) {
    const at = start[shell[k]]++;
    positions[at] = found[k];
    shellMm[at] = shell[k] * SHELL_WIDTH_MM;
  }
  return { centre: [x, y, z], nearestMm, reachMm, positions, shellMm };
}

/**
 * `nearestPoint(tree, x, y, z, hint, true)` answered from `near`, the points near a centre c: the same
 * original index (the nearest, the lowest index at an exact tie), or −1 when the list cannot decide
 * (then ask the tree). With δ = |q − c| (q = (x, y, z)), a point listed in a shell of inner radius r is
 * at least r − δ from q, so the scan (shell by shell outward) stops once r − δ exceeds the best distance
 * found; a point not listed is at least reachMm − δ from q, so the answer is the list's when that too
 * exceeds the best distance. Both comparisons leave {@link NEAR_BOUND_ALLOWANCE_MM} for rounding, and
 * the squared distances are computed as the tree computes them, so the answer is the tree's bit for bit.
 * `nearestDistanceSquared()` returns its squared distance right after.
 */
export function nearestPointNear(tree: PointTree, near: PointsNear, x: number, y: number, z: number): number {
  const { xyz, index } = tree;
  const { positions, shellMm, centre } = near;
  const dcx = x - centre[0];
  const dcy = y - centre[1];
  const dcz = z - centre[2];
  const shiftMm = Math.sqrt(dcx * dcx + dcy * dcy + dcz * dcz);
  let bestD2 = Number.POSITIVE_INFINITY;
  let bestT = -1;
  let bestMm = Number.POSITIVE_INFINITY;
  for (let k = 0; k < positions.length; k++) {
    if (shellMm[k] - shiftMm > bestMm + NEAR_BOUND_ALLOWANCE_MM) break;
    const t = positions[k];
    const dx = xyz[3 * t] - x;
    const dy = xyz[3 * t + 1] - y;
    const dz = xyz[3 * t + 2] - z;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < bestD2 || (d2 === bestD2 && bestT >= 0 && index[t] < index[bestT])) {
      bestD2 = d2;
      bestT = t;
      bestMm = Math.sqrt(d2);
    }
  }
  if (!(near.reachMm - shiftMm > bestMm + NEAR_BOUND_ALLOWANCE_MM)) return -1;
  best.d2 = bestD2;
  best.t = bestT;
  return index[bestT];
}

/**
 * Calls visit(originalIndex, squaredDistance) for every point within `radius` mm of (x, y, z).
 * Example: collecting the neighbours of a surface sample for a local fit.
 */
export function forEachWithinRadius(
  tree: PointTree,
  x: number,
  y: number,
  z: number,
  radius: number,
  visit: (index: number, d2: number) => void,
): void {
  if (tree.count > 0) searchRadius(tree, 0, tree.count, x, y, z, radius * radius, visit);
}

function searchRadius(
  tree: PointTree,
  lo: number,
  hi: number,
  x: number,
  y: number,
  z: number,
  r2: number,
  visit: (index: number, d2: number) => void,
): void {
  const { xyz, axis, index } = tree;
  if (hi - lo <= LEAF_SIZE) {
    for (let t = lo; t < hi; t++) {
      const dx = xyz[3 * t] - x;
      const dy = xyz[3 * t + 1] - y;
      const dz = xyz[3 * t + 2] - z;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= r2) visit(index[t], d2);
    }
    return;
  }
  const mid = (lo + hi) >> 1;
  const a = axis[mid];
  const dx = xyz[3 * mid] - x;
  const dy = xyz[3 * mid + 1] - y;
  const dz = xyz[3 * mid + 2] - z;
  const d2 = dx * dx + dy * dy + dz * dz;
  if (d2 <= r2) visit(index[mid], d2);
  const diff = (a === 0 ? x : a === 1 ? y : z) - xyz[3 * mid + a];
  if (diff <= 0 || diff * diff <= r2) searchRadius(tree, lo, mid, x, y, z, r2, visit);
  if (diff >= 0 || diff * diff <= r2) searchRadius(tree, mid + 1, hi, x, y, z, r2, visit);
}
