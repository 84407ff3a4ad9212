/**
 * A NIfTI header's voxel-to-world matrix, by nibabel's policy: the sform when sform_code > 0, else the
 * qform when qform_code > 0, else the pixdim spacing with nibabel's default orientation — in RAS mm,
 * with the checks a margin needs (finite, positive spacing, invertible). One implementation for the
 * command line (loaders/io/nifti.ts decodeNifti) and the workstation page (src/components/workstationVolumes.ts),
 * which both read the header through nifti-reader-js's field names and the sform rows from the raw bytes.
 *
 * nifti-reader-js's own `affine` (what NiiVue draws with) takes the qform whenever qform_code >
 * sform_code > 0, so on such a file it is not this matrix: cryomargin never uses it.
 */
import { inverseOrNull, mat4FromRows, voxelSpacingMm } from "../margin/affine.js";
import type { Mat4 } from "../margin/types.js";

/** Where the voxel-to-world matrix came from. */
export type NiftiGeometrySource = "sform" | "qform" | "pixdim";

/** The header fields the geometry reads (nifti-reader-js's names), and the sform rows. */
export interface NiftiGeometryHeader {
  sform_code: number;
  qform_code: number;
  quatern_b: number;
  quatern_c: number;
  quatern_d: number;
  qoffset_x: number;
  qoffset_y: number;
  qoffset_z: number;
  /** pixdim[0..3]: pixdim[0] < 0 is qfac = −1; pixdim[1..3] the voxel spacing in the header's unit. */
  pixDims: ArrayLike<number>;
  xyzt_units: number;
  /** srow_x, srow_y, srow_z (12 values, row-major) as stored, in the header's unit ({@link niftiSrow}). */
  srow: ArrayLike<number>;
}

/** A header whose geometry cannot place voxels: `problem` is the command line's problem code. */
export class NiftiGeometryError extends Error {
  override name = "NiftiGeometryError";
  constructor(
    readonly problem: "singular-affine" | "bad-spacing",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The sform rows of a NIfTI header's raw bytes (uncompressed, from byte 0): float32 at byte 280 in
 * NIfTI-1, float64 at byte 400 in NIfTI-2; the version and byte order from sizeof_hdr (348 or 540).
 * Returns null when the bytes do not start with a NIfTI-1 or NIfTI-2 header.
 */
export function niftiSrow(head: Uint8Array): Float64Array | null {
  if (head.length < 348) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let version: 1 | 2 | 0 = 0;
  let littleEndian = true;
  for (const le of [true, false]) {
    const size = view.getInt32(0, le);
    if (size === 348 || size === 540) {
      version = size === 348 ? 1 : 2;
      littleEndian = le;
      break;
    }
  }
  if (version === 0 || (version === 2 && head.length < 496)) return null;
  const srow = new Float64Array(12);
  for (let i = 0; i < 12; i++)
    srow[i] = version === 2 ? view.getFloat64(400 + 8 * i, littleEndian) : view.getFloat32(280 + 4 * i, littleEndian);
  return srow;
}

/** mm per unit of the header's spatial unit (xyzt_units & 7): metre 1000, micron 0.001, else mm. */
function spatialUnitMm(xyztUnits: number): number {
  const code = xyztUnits & 7;
  return code === 1 ? 1000 : code === 3 ? 0.001 : 1;
}

/**
 * The voxel-to-world matrix of `header` on a grid of `dims` (see the module comment), with the
 * assumptions made as warnings naming `file`. Throws {@link NiftiGeometryError} for a singular or
 * non-finite matrix and for a non-positive spacing where the qform or pixdim is used.
 */
export function niftiVoxelToWorld(
  header: NiftiGeometryHeader,
  dims: readonly [number, number, number],
  file: string,
): { matrix: Mat4; source: NiftiGeometrySource; warnings: string[] } {
  const warnings: string[] = [];
  const unitMm = spatialUnitMm(header.xyzt_units);
  if (unitMm !== 1)
    warnings.push(`${file}: spatial units are ${unitMm === 1000 ? "metres" : "microns"}; converted to mm`);
  const pixdim = [1, 2, 3].map((a) => header.pixDims[a] * unitMm);
  let matrix: Mat4;
  let source: NiftiGeometrySource;
  if (header.sform_code > 0) {
    matrix = mat4FromRows([0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => header.srow[4 * r + c] * unitMm)));
    source = "sform";
  } else if (header.qform_code > 0) {
    checkSpacing(pixdim);
    matrix = qformMatrix(header, pixdim, unitMm);
    source = "qform";
  } else {
    checkSpacing(pixdim);
    matrix = pixdimMatrix(dims, pixdim);
    source = "pixdim";
    warnings.push(
      `${file}: neither sform nor qform is set (both codes 0), so the orientation is unknown; ` +
        "using the pixdim spacing with nibabel's default (x flipped, origin at the grid centre)",
    );
  }
  if (!matrix.every(Number.isFinite))
    throw new NiftiGeometryError("singular-affine", `the ${source} matrix has a value that is not a finite number`);
  const spacing = voxelSpacingMm(matrix);
  if (spacing.some((s) => s === 0) || inverseOrNull(matrix) === null)
    throw new NiftiGeometryError(
      "singular-affine",
      `the ${source} voxel-to-world matrix is singular (column lengths ${spacing.map((s) => s.toPrecision(4)).join(", ")} mm): voxels would have no volume`,
    );
  if (source === "sform" && pixdim.every((p) => Number.isFinite(p) && p > 0))
    for (let axis = 0; axis < 3; axis++)
      if (Math.abs(pixdim[axis] - spacing[axis]) > 1e-3 * spacing[axis]) {
        warnings.push(
          `${file}: pixdim (${pixdim.map((p) => p.toPrecision(4)).join(", ")}) disagrees with the sform spacing ` +
            `(${spacing.map((s) => s.toPrecision(4)).join(", ")}); the sform was used`,
        );
        break;
      }
  return { matrix, source, warnings };
}

/** Refuses zero, negative or NaN voxel spacing (a qform or pixdim geometry is meaningless then). */
function checkSpacing(pixdim: number[]): void {
  for (let axis = 0; axis < 3; axis++) {
    const p = pixdim[axis];
    if (!(Number.isFinite(p) && p > 0))
      throw new NiftiGeometryError(
        "bad-spacing",
        `voxel spacing pixdim[${axis + 1}] is ${Number(p.toPrecision(6))}; it must be a positive number of mm`,
      );
  }
}

/**
 * NIfTI "method 2": world = R · diag(dx, dy, qfac·dz) · [i j k]ᵀ + qoffset, with R the rotation of the
 * unit quaternion (a, b, c, d), a = √(1 − b² − c² − d²), and qfac = −1 when pixdim[0] < 0, else 1
 * (nifti1_io.c nifti_quatern_to_mat44; when b² + c² + d² ≥ 1 within rounding, a = 0 and (b, c, d) is
 * renormalised, a 180° rotation). Example: b = c = d = 0 gives R = I.
 */
function qformMatrix(header: NiftiGeometryHeader, pixdim: number[], unitMm: number): Mat4 {
  let b = header.quatern_b;
  let c = header.quatern_c;
  let d = header.quatern_d;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const s = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= s;
    c *= s;
    d *= s;
    a = 0;
  } else a = Math.sqrt(a);
  const qfac = header.pixDims[0] < 0 ? -1 : 1;
  const [dx, dy, dz] = [pixdim[0], pixdim[1], qfac * pixdim[2]];
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
  ];
  const offset = [header.qoffset_x, header.qoffset_y, header.qoffset_z].map((o) => o * unitMm);
  return mat4FromRows(r.map((row, i) => [row[0] * dx, row[1] * dy, row[2] * dz, offset[i]]));
}

/**
 * nibabel's fallback when no orientation is stored (`shape_zoom_affine`, x_flip = True): spacing on
 * the diagonal, x negated (radiological storage), origin at the grid centre. Example: shape (3, 5, 7),
 * spacing (3, 2, 1) → rows [−3 0 0 3], [0 2 0 −4], [0 0 1 −3].
 */
function pixdimMatrix(dims: readonly [number, number, number], pixdim: number[]): Mat4 {
  const [dx, dy, dz] = pixdim;
  const centre = dims.map((n) => (n - 1) / 2);
  return mat4FromRows([
    [-dx, 0, 0, centre[0] * dx],
    [0, dy, 0, -centre[1] * dy],
    [0, 0, dz, -centre[2] * dz],
  ]);
}
