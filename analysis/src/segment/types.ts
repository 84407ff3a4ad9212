/**
 * Types of the semi-automatic segmentation: a scalar scan on a voxel grid, and the error raised on
 * input a user can meet (loaders/ maps it to exit code 1 naming the file).
 */
import type { Mat4 } from "../margin/types.js";

/** A scalar scan (intensities after scl_slope/scl_inter). Voxel (i, j, k) at index i + nx·(j + ny·k). */
export interface ScalarVolume {
  dims: [number, number, number];
  /** Voxel index → RAS world mm. */
  voxelToWorld: Mat4;
  data: ArrayLike<number>;
}

/** Which input a {@link SegmentationInputError} is about. */
export type SegmentationInput = "image" | "scribbles" | "seed" | "options";

/**
 * The inputs cannot give a segmentation: scribbles on another grid, no drawn voxel, a seed outside the
 * image or not in a dark region. `input` says which one, so the CLI can name the file or the seed.
 */
export class SegmentationInputError extends Error {
  override name = "SegmentationInputError";
  constructor(
    message: string,
    readonly input: SegmentationInput,
  ) {
    super(message);
  }
}
