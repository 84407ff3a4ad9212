/**
 * Errors the margin engine raises on input a user can meet. loaders/ maps them to exit code 1 and
 * prints the message (which names the mask that is wrong); anything else escaping is a bug.
 */

/** Which input a {@link MarginInputError} is about. */
export type MarginInput = "tumor" | "iceball" | "transform" | "options";

/**
 * The masks or the transform cannot give a margin: an empty mask, a singular voxel-to-world matrix,
 * a non-finite transform, a negative threshold. `input` says which one (so the CLI can name the file).
 *
 * Example: `measureMargins(emptyTumor, ice, identity)` throws
 * `MarginInputError("the tumor mask is empty (no voxel > 0)")` with `input === "tumor"`.
 */
export class MarginInputError extends Error {
  override name = "MarginInputError";
  constructor(
    message: string,
    readonly input: MarginInput,
  ) {
    super(message);
  }
}
