/**
 * Connectivity on a voxel grid (6-connected: faces only, so two regions that touch at an edge or a
 * corner are separate): flood fill from seeds, connected-component labelling, hole filling. Voxel
 * (i, j, k) is at index i + nx·(j + ny·k). Every routine is a breadth-first search with an Int32Array
 * queue: O(voxels), no recursion.
 */

type Dims = readonly [number, number, number];

/** Visits the 6 face neighbours of voxel `v` inside the grid, calling `visit(u)` for each. */
function forEachNeighbour(v: number, dims: Dims, visit: (u: number) => void): void {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const i = v % nx;
  const j = Math.floor(v / nx) % ny;
  const k = Math.floor(v / slice);
  if (i > 0) visit(v - 1);
  if (i < nx - 1) visit(v + 1);
  if (j > 0) visit(v - nx);
  if (j < ny - 1) visit(v + nx);
  if (k > 0) visit(v - slice);
  if (k < nz - 1) visit(v + slice);
}

/**
 * The voxels reachable from `seeds` through voxels where `allowed[v] ≠ 0` (6-connected). Seeds that
 * are not allowed start nothing. Returns a 0/1 mask.
 * Example: on a 5 × 1 × 1 grid with allowed = [1, 1, 0, 1, 1] and seed 0, the result is [1, 1, 0, 0, 0].
 */
export function floodFill(allowed: Uint8Array, dims: Dims, seeds: readonly number[]): Uint8Array {
  const out = new Uint8Array(allowed.length);
  const queue = new Int32Array(allowed.length);
  let head = 0;
  let tail = 0;
  for (const s of seeds) {
    if (allowed[s] && !out[s]) {
      out[s] = 1;
      queue[tail++] = s;
    }
  }
  const visit = (u: number) => {
    if (allowed[u] && !out[u]) {
      out[u] = 1;
      queue[tail++] = u;
    }
  };
  while (head < tail) forEachNeighbour(queue[head++], dims, visit);
  return out;
}

/** Connected components of a mask: `labels[v]` = component number (1…count) or 0 outside; `sizes[c]` voxels. */
export interface Components {
  labels: Int32Array;
  count: number;
  /** Voxel count of component c at index c (index 0 unused). */
  sizes: number[];
}

/** Labels the 6-connected components of `mask` (numbered in index order of their first voxel). */
export function connectedComponents(mask: Uint8Array, dims: Dims): Components {
  const labels = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  const sizes = [0];
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    count++;
    let head = 0;
    let tail = 0;
    labels[start] = count;
    queue[tail++] = start;
    const visit = (u: number) => {
      if (mask[u] && !labels[u]) {
        labels[u] = count;
        queue[tail++] = u;
      }
    };
    while (head < tail) forEachNeighbour(queue[head++], dims, visit);
    sizes.push(tail);
  }
  return { labels, count, sizes };
}

/**
 * Fills the holes of a mask: every background region (6-connected) that does not reach the grid's
 * border is set. Returns a new mask and the number of voxels filled.
 * Example: a hollow 3 × 3 × 3 cube (centre 0) on a 5 × 5 × 5 grid gets its centre filled (1 voxel).
 */
export function fillHoles(mask: Uint8Array, dims: Dims): { mask: Uint8Array; filled: number } {
  const [nx, ny, nz] = dims;
  const background = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) background[v] = mask[v] ? 0 : 1;
  const border: number[] = [];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) {
          const v = i + nx * (j + ny * k);
          if (background[v]) border.push(v);
        }
  const outside = floodFill(background, dims, border);
  const out = new Uint8Array(mask.length);
  let filled = 0;
  for (let v = 0; v < mask.length; v++) {
    if (mask[v]) out[v] = 1;
    else if (!outside[v]) {
      out[v] = 1;
      filled++;
    }
  }
  return { mask: out, filled };
}

/**
 * The component of `mask` that holds the most of `seeds` (ties: the larger one), as a 0/1 mask, and
 * the seeds that lie outside it (indices into `seeds`).
 */
export function componentOfSeeds(
  mask: Uint8Array,
  dims: Dims,
  seeds: readonly number[],
): { mask: Uint8Array; seedsOutside: number[]; voxels: number } {
  const { labels, sizes } = connectedComponents(mask, dims);
  const votes = new Map<number, number>();
  for (const s of seeds) if (labels[s]) votes.set(labels[s], (votes.get(labels[s]) ?? 0) + 1);
  let best = 0;
  for (const [label, n] of votes) {
    const current = votes.get(best) ?? 0;
    if (n > current || (n === current && sizes[label] > sizes[best])) best = label;
  }
  const out = new Uint8Array(mask.length);
  if (best === 0) return { mask: out, seedsOutside: seeds.map((_, i) => i), voxels: 0 };
  for (let v = 0; v < mask.length; v++) out[v] = labels[v] === best ? 1 : 0;
  return { mask: out, seedsOutside: seeds.flatMap((s, i) => (labels[s] === best ? [] : [i])), voxels: sizes[best] };
}
