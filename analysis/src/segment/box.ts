/**
 * Working on the part of a grid that matters: an index box around a mask, and copying voxels between
 * a grid and the box.
 */
type Dims = readonly [number, number, number];

/** An inclusive index box [lo, hi] on a grid, and its dims. */
export interface IndexBox {
  lo: [number, number, number];
  hi: [number, number, number];
  dims: [number, number, number];
}

/** The bounding box of the non-zero voxels of `mask`, grown by `margin` voxels per axis (clamped), or null when empty. */
export function boxAround(mask: Uint8Array, dims: Dims, margin: readonly [number, number, number]): IndexBox | null {
  const lo: [number, number, number] = [dims[0], dims[1], dims[2]];
  const hi: [number, number, number] = [-1, -1, -1];
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, v++)
        if (mask[v]) {
          if (i < lo[0]) lo[0] = i;
          if (i > hi[0]) hi[0] = i;
          if (j < lo[1]) lo[1] = j;
          if (j > hi[1]) hi[1] = j;
          if (k < lo[2]) lo[2] = k;
          if (k > hi[2]) hi[2] = k;
        }
  if (hi[0] < 0) return null;
  return clampedBox(
    [lo[0] - margin[0], lo[1] - margin[1], lo[2] - margin[2]],
    [hi[0] + margin[0], hi[1] + margin[1], hi[2] + margin[2]],
    dims,
  );
}

/** The box [lo, hi] clamped to the grid. */
export function clampedBox(lo: readonly number[], hi: readonly number[], dims: Dims): IndexBox {
  const l = [0, 1, 2].map((a) => Math.max(0, Math.min(dims[a] - 1, Math.floor(lo[a])))) as [number, number, number];
  const h = [0, 1, 2].map((a) => Math.max(l[a], Math.min(dims[a] - 1, Math.ceil(hi[a])))) as [number, number, number];
  return { lo: l, hi: h, dims: [h[0] - l[0] + 1, h[1] - l[1] + 1, h[2] - l[2] + 1] };
}

/** The voxels of `data` (on `dims`) inside the box, as a new array of the same kind. */
export function cropToBox<T extends Uint8Array | Float32Array>(
  data: ArrayLike<number>,
  dims: Dims,
  box: IndexBox,
  make: (n: number) => T,
): T {
  const [bx, by, bz] = box.dims;
  const out = make(bx * by * bz);
  for (let k = 0, w = 0; k < bz; k++)
    for (let j = 0; j < by; j++) {
      const row = box.lo[0] + dims[0] * (box.lo[1] + j + dims[1] * (box.lo[2] + k));
      for (let i = 0; i < bx; i++, w++) out[w] = data[row + i];
    }
  return out;
}

/** Writes `boxed` (on the box's dims) into `target` (on `dims`). */
export function pasteFromBox(boxed: ArrayLike<number>, target: Uint8Array, dims: Dims, box: IndexBox): void {
  const [bx, by, bz] = box.dims;
  for (let k = 0, w = 0; k < bz; k++)
    for (let j = 0; j < by; j++) {
      const row = box.lo[0] + dims[0] * (box.lo[1] + j + dims[1] * (box.lo[2] + k));
      for (let i = 0; i < bx; i++, w++) target[row + i] = boxed[w];
    }
}
