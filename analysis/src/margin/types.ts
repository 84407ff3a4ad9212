/**
 * The data the margin engine works on. Pure data: loaders/ fills these from NIfTI files and transform
 * files; analysis/ never touches a file.
 *
 * Conventions (also in the README):
 * - World space is NIfTI RAS+ in mm: x → patient's Right, y → Anterior, z → Superior.
 * - A 4×4 matrix is a Float64Array(16) in row-major order: m[4*r + c]. Points are column vectors,
 *   world = M · [i, j, k, 1]ᵀ.
 * - The registration transform maps pre-ablation world points to post-ablation world points.
 * - Signed distance to the ice-ball surface is positive inside the ice ball.
 */

/** A row-major 4×4 homogeneous matrix. */
export type Mat4 = Float64Array;

/** A binary mask on a voxel grid. Voxel (i, j, k) is at index i + nx·(j + ny·k) (NIfTI's order). */
export interface MaskVolume {
  /** Grid size [nx, ny, nz]. */
  dims: [number, number, number];
  /** Voxel index → RAS world mm (the NIfTI sform/qform, converted to RAS). */
  voxelToWorld: Mat4;
  /** 1 inside the object, 0 outside; length nx·ny·nz. */
  data: Uint8Array;
}
