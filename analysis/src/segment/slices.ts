/**
 * Where the user drew: the slices of a sparse label volume that hold an outline, along each grid axis,
 * and the reordering of a volume's axes so that any axis can be handed to a contour interpolator that
 * works along the last one.
 *
 * A slice along axis a holds an outline when it holds a filled 3 × 3 block of drawn voxels in its plane
 * (a filled 2-D shape, not the 1-voxel-thick traces that outlines drawn in other orientations leave on
 * it, even where those traces cross). Outlines drawn on adjacent slices leave traces several voxels
 * thick on the other orientations; those are told apart by taking the largest outlines first.
 */

type Dims = readonly [number, number, number];

/** The in-plane axes of slices along `axis`. */
function planeAxes(axis: number): [number, number] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
}

/** Index of voxel with coordinates c. */
function indexOf(c: readonly number[], dims: Dims): number {
  return c[0] + dims[0] * (c[1] + dims[1] * c[2]);
}

/** True when slice s along `axis` holds a filled 3 × 3 block of drawn voxels in its plane. */
function holdsOutline(labels: Uint8Array, dims: Dims, axis: number, s: number): boolean {
  const [u, w] = planeAxes(axis);
  const nu = dims[u];
  const nw = dims[w];
  const c = [0, 0, 0];
  c[axis] = s;
  const at = (a: number, b: number) => {
    c[u] = a;
    c[w] = b;
    return labels[indexOf(c, dims)];
  };
  // runs[a] = how many drawn voxels end at (a, b) along w; a block needs three adjacent a with runs ≥ 3.
  const runs = new Int32Array(nu);
  for (let b = 0; b < nw; b++) {
    let adjacent = 0;
    for (let a = 0; a < nu; a++) {
      runs[a] = at(a, b) ? runs[a] + 1 : 0;
      adjacent = runs[a] >= 3 ? adjacent + 1 : 0;
      if (adjacent >= 3) return true;
    }
  }
  return false;
}

/**
 * The slice indices holding an outline along each axis [i, j, k] (see the module comment). Candidate
 * slices (those holding a 3 × 3 block) are taken largest first; each is kept when a 3 × 3 block of its
 * drawn voxels remains after removing the voxels of the slices already kept — so the traces that kept
 * outlines leave on other slices, however thick, never count as outlines of their own.
 * Example: three axial outlines and one sagittal give `[[i₀], [], [k₁, k₂, k₃]]`.
 */
export function annotatedSlices(labels: Uint8Array, dims: Dims): [number[], number[], number[]] {
  const perSlice = [0, 1, 2].map((axis) => new Int32Array(dims[axis]));
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++)
        if (labels[v]) {
          perSlice[0][i]++;
          perSlice[1][j]++;
          perSlice[2][k]++;
        }
  const candidates: { axis: number; s: number; size: number }[] = [];
  for (const axis of [0, 1, 2])
    for (let s = 0; s < dims[axis]; s++)
      if (perSlice[axis][s] >= 9 && holdsOutline(labels, dims, axis, s))
        candidates.push({ axis, s, size: perSlice[axis][s] });
  candidates.sort((p, q) => q.size - p.size || p.axis - q.axis || p.s - q.s);
  const remaining = labels.slice();
  const result: [number[], number[], number[]] = [[], [], []];
  for (const { axis, s } of candidates) {
    if (!holdsOutline(remaining, dims, axis, s)) continue;
    result[axis].push(s);
    const [u, w] = planeAxes(axis);
    const c = [0, 0, 0];
    c[axis] = s;
    for (let b = 0; b < dims[w]; b++)
      for (let a = 0; a < dims[u]; a++) {
        c[u] = a;
        c[w] = b;
        remaining[indexOf(c, dims)] = 0;
      }
  }
  for (const list of result) list.sort((p, q) => p - q);
  return result;
}

/** A 0/1 mask of every voxel on the given slices along each axis. */
export function slicesMask(dims: Dims, slices: readonly (readonly number[])[]): Uint8Array {
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const on = slices.map((list, axis) => {
    const flags = new Uint8Array(dims[axis]);
    for (const s of list) flags[s] = 1;
    return flags;
  });
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, v++) out[v] = on[0][i] | on[1][j] | on[2][k];
  return out;
}

/**
 * Reorders a volume's axes so that `axis` becomes the last: (i, j, k) → (j, k, i) for axis 0,
 * (k, i, j) for axis 1, unchanged for 2 — a cyclic shift, so the other two keep their order.
 * `inverse` undoes it (given the dims of the reordered volume).
 */
export function rollAxisLast<T extends Uint8Array>(
  data: T,
  dims: Dims,
  axis: number,
): { data: Uint8Array; dims: [number, number, number]; spacingOrder: [number, number, number] } {
  const order: [number, number, number] = axis === 0 ? [1, 2, 0] : axis === 1 ? [2, 0, 1] : [0, 1, 2];
  const out = new Uint8Array(data.length);
  const nd: [number, number, number] = [dims[order[0]], dims[order[1]], dims[order[2]]];
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) {
        const c = [i, j, k];
        out[c[order[0]] + nd[0] * (c[order[1]] + nd[1] * c[order[2]])] = data[v];
      }
  return { data: out, dims: nd, spacingOrder: order };
}

/** Inverse of {@link rollAxisLast}: `data` on the reordered grid back onto `dims` (the original). */
export function unrollAxisLast(data: Uint8Array, dims: Dims, axis: number): Uint8Array {
  const order = axis === 0 ? [1, 2, 0] : axis === 1 ? [2, 0, 1] : [0, 1, 2];
  const nd = [dims[order[0]], dims[order[1]], dims[order[2]]];
  const out = new Uint8Array(data.length);
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++) {
        const c = [i, j, k];
        out[v] = data[c[order[0]] + nd[0] * (c[order[1]] + nd[1] * c[order[2]])];
      }
  return out;
}
