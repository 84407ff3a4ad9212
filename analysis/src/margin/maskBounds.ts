/**
 * Bounding box and voxel count of a binary mask, the first step of every crop. It is the only pass
 * over the full grid (31 M voxels for 512 × 512 × 120), so it reads the mask four voxels at a time
 * through a Uint32Array view and looks at single bytes only in words that are not all zero.
 */
import type { MaskVolume } from "./types.js";

export interface MaskBounds {
  /** Number of voxels > 0. */
  count: number;
  /** Inclusive index bounds [iMin, jMin, kMin]; meaningless when count is 0. */
  min: [number, number, number];
  /** Inclusive index bounds [iMax, jMax, kMax]. */
  max: [number, number, number];
}

/**
 * Counts the voxels > 0 and their index bounding box.
 * Example: a 4 × 4 × 4 mask with only voxel (1, 2, 3) set gives count 1, min = max = [1, 2, 3].
 */
export function maskBounds(mask: MaskVolume): MaskBounds {
  const [nx, ny, nz] = mask.dims;
  const data = mask.data;
  const min: [number, number, number] = [nx, ny, nz];
  const max: [number, number, number] = [-1, -1, -1];
  let count = 0;
  const aligned = data.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
  const total = nx * ny * nz;
  // Scan word by word; expand a non-zero word into its bytes.
  const visit = (idx: number) => {
    count++;
    const i = idx % nx;
    const rest = (idx - i) / nx;
    const j = rest % ny;
    const k = (rest - j) / ny;
    if (i < min[0]) min[0] = i;
    if (i > max[0]) max[0] = i;
    if (j < min[1]) min[1] = j;
    if (j > max[1]) max[1] = j;
    if (k < min[2]) min[2] = k;
    if (k > max[2]) max[2] = k;
  };
  let start = 0;
  if (words) {
    const nWords = words.length;
    for (let w = nextNonZeroWord(words, 0); w < nWords; w = nextNonZeroWord(words, w + 1)) {
      const base = w << 2;
      for (let b = 0; b < 4; b++) if (data[base + b] !== 0) visit(base + b);
    }
    start = nWords << 2;
  }
  for (let idx = start; idx < total; idx++) if (data[idx] !== 0) visit(idx);
  return { count, min, max };
}

/**
 * Index of the first non-zero word of `words` at or after `from` (`words.length` when there is none).
 * Four all-zero words (16 voxels of a uint8 mask) are passed over at a time: almost all of a mask is
 * background. Example: for words [0, 0, 0, 0, 0, 7] and from 0 it is 5.
 */
export function nextNonZeroWord(words: Uint32Array, from: number): number {
  const n = words.length;
  let w = from;
  while (w < n && (w & 3) !== 0 && words[w] === 0) w++;
  while (w + 4 <= n && (words[w] | words[w + 1] | words[w + 2] | words[w + 3]) === 0) w += 4;
  while (w < n && words[w] === 0) w++;
  return w;
}
