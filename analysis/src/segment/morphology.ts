/**
 * Binary morphology with Euclidean balls in mm on anisotropic grids, through the exact distance
 * transform (margin/edt.ts): erosion by r keeps the voxels whose nearest background voxel centre is
 * farther than r; dilation by r adds every voxel within r of the set; opening = dilation ∘ erosion
 * removes every part of the set a ball of radius r cannot enter (thin structures, e.g. a probe shaft's
 * void) and keeps the rest unchanged (Serra, Image Analysis and Mathematical Morphology, 1982).
 */
import { squaredDistanceTransform } from "../margin/edt.js";

type Dims = readonly [number, number, number];
type Spacing = readonly [number, number, number];

/** Voxels of `mask` farther than `radiusMm` from every background voxel centre (the grid's outside counts as inside). */
export function erodeMm(mask: Uint8Array, dims: Dims, spacingMm: Spacing, radiusMm: number): Uint8Array {
  const background = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) background[v] = mask[v] ? 0 : 1;
  const d2 = squaredDistanceTransform(background, dims, spacingMm);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) out[v] = mask[v] && d2[v] > r2 ? 1 : 0;
  return out;
}

/** Voxels within `radiusMm` of a voxel of `mask`. */
export function dilateMm(mask: Uint8Array, dims: Dims, spacingMm: Spacing, radiusMm: number): Uint8Array {
  const d2 = squaredDistanceTransform(mask, dims, spacingMm);
  const r2 = radiusMm * radiusMm;
  const out = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) out[v] = d2[v] <= r2 ? 1 : 0;
  return out;
}

/**
 * Opening by a ball of `radiusMm`: the union of the balls (centred on voxel centres) that fit in the
 * mask. A cylinder of radius < r disappears; a sphere of radius ≥ r is kept whole.
 */
export function openMm(mask: Uint8Array, dims: Dims, spacingMm: Spacing, radiusMm: number): Uint8Array {
  const opened = dilateMm(erodeMm(mask, dims, spacingMm, radiusMm), dims, spacingMm, radiusMm);
  for (let v = 0; v < mask.length; v++) opened[v] &= mask[v];
  return opened;
}
