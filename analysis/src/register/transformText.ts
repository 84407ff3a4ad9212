/**
 * Registration transforms as text: ITK text transform files and JSON 4×4 matrices, parsed into one
 * convention, and written back as ITK text. Pure (no file access), so the command line (through
 * loaders/io/transform.ts, which reads the file) and the browser's workstation page parse with one
 * implementation.
 *
 * Convention: the returned Mat4 maps PRE-ablation RAS world points (mm) to POST-ablation RAS world
 * points. That is what an ITK transform file holds when the registration's fixed image is the
 * pre-ablation scan and its moving image the post-ablation scan: ITK transforms map points of the fixed
 * space into the moving space (the direction resampling needs). `invert` takes the other direction, for
 * a registration run with fixed = post, moving = pre.
 *
 * ITK works in LPS (x to the patient's Left, y Posterior); NIfTI in RAS. A transform T in LPS becomes
 * F·T·F in RAS with F = diag(−1, −1, 1, 1) (`switchLpsRas`).
 *
 * ITK parameter conventions (checked against ITK's sources: MatrixOffsetTransformBase, Euler3DTransform,
 * VersorRigid3DTransform, Versor, CompositeTransform):
 * - every matrix-offset transform maps y = M·(x − c) + t + c, with c the centre in FixedParameters;
 * - AffineTransform (and MatrixOffsetTransformBase, Rigid3DTransform): Parameters = the 3×3 matrix
 *   row by row, then t;
 * - Euler3DTransform: Parameters = (θx, θy, θz, t), radians; M = Rz·Rx·Ry, or Rz·Ry·Rx when the 4th
 *   fixed parameter (ComputeZYX) is 1;
 * - VersorRigid3DTransform: Parameters = (vx, vy, vz, t), the vector part of a unit quaternion,
 *   w = √(1 − |v|²); Similarity3DTransform adds a 7th parameter, the isotropic scale;
 * - TranslationTransform: Parameters = t;
 * - CompositeTransform: the transforms that follow, applied last-listed first (T1∘T2∘…∘Tn).
 */
import {
  inverseOrNull,
  linearDeterminant,
  mat4FromRows,
  multiplyMat4,
  switchLpsRas,
  voxelSpacingMm,
} from "../margin/affine.js";
import type { Mat4 } from "../margin/types.js";
import { parseDecimalNumber } from "../table/delimited.js";

/** What is wrong with a transform's text (the codes of loaders' InputFileError for a transform file). */
export type TransformProblem = "bad-transform" | "singular-affine" | "non-rigid";

/**
 * A transform's text cannot give a registration transform. `source` names it (a file name, or the
 * program that wrote it); the message says what is wrong; `problem` is a stable code.
 */
export class TransformTextError extends Error {
  override name = "TransformTextError";
  constructor(
    readonly source: string,
    readonly problem: TransformProblem,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

/** Options of {@link parseTransformText}. */
export interface TransformReadOptions {
  /** The file maps post → pre (registration with fixed = post-ablation): invert it. */
  invert?: boolean;
  /** Accept scaling and shear (otherwise refused: patient motion is rigid). */
  allowAffine?: boolean;
}

/** Tolerance on column lengths (scaling) and column cosines (shear) for a transform to count as rigid. */
export const RIGID_TOLERANCE = 1e-3;

/**
 * Parses a transform file's text and returns the pre → post RAS matrix: ITK text (`#Insight Transform
 * File V1.0`) or JSON (`{"space": "RAS" | "LPS", "matrix": [[…], […], […], [0, 0, 0, 1]]}`), told apart
 * by content; `source` names the file in errors (TransformTextError).
 * Example: a file with `Transform: TranslationTransform_double_3_3` and `Parameters: 1 2 3` (LPS) gives
 * a RAS translation (−1, −2, 3).
 */
export function parseTransformText(text: string, source: string, options: TransformReadOptions = {}): Mat4 {
  const path = source;
  let matrix: Mat4;
  if (text.startsWith("MATLAB"))
    throw new TransformTextError(
      path,
      "bad-transform",
      "is a binary MATLAB (.mat) transform; convert it to ITK text (.tfm or .txt), e.g. with SimpleITK ReadTransform/WriteTransform",
    );
  const body = text.replace(/^\uFEFF/, "");
  const start = body.trimStart();
  if (start.startsWith("{")) matrix = parseJsonTransform(body, path);
  else if (start.startsWith("#Insight Transform File")) matrix = parseItkTransform(body, path);
  else
    throw new TransformTextError(
      path,
      "bad-transform",
      'is neither an ITK text transform (first line \'#Insight Transform File V1.0\') nor a JSON matrix ({"space": ..., "matrix": ...})',
    );
  checkAffine(matrix, path);
  if (options.invert) {
    const inverse = inverseOrNull(matrix);
    if (!inverse)
      throw new TransformTextError(path, "singular-affine", "the transform is singular and cannot be inverted");
    matrix = inverse;
  }
  if (!options.allowAffine) checkRigid(matrix, path);
  return matrix;
}

/** A transform must be a finite, invertible affine map. */
function checkAffine(m: Mat4, path: string): void {
  if (!m.every(Number.isFinite))
    throw new TransformTextError(path, "bad-transform", "the transform has a value that is not a finite number");
  if (inverseOrNull(m) === null)
    throw new TransformTextError(path, "singular-affine", "the transform's matrix is singular (it collapses space)");
}

/**
 * Refuses a transform that is not rigid: a column length off 1 by more than RIGID_TOLERANCE (scaling),
 * a column cosine beyond it (shear), or a negative determinant (reflection).
 */
export function checkRigid(m: Mat4, path: string): void {
  const lengths = voxelSpacingMm(m);
  const scaling = Math.max(...lengths.map((l) => Math.abs(l - 1)));
  const column = (c: number) => [m[c], m[4 + c], m[8 + c]];
  const cosine = (a: number, b: number) => {
    const [u, v] = [column(a), column(b)];
    return Math.abs(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (lengths[a] * lengths[b]);
  };
  const shear = Math.max(cosine(0, 1), cosine(0, 2), cosine(1, 2));
  const reflection = linearDeterminant(m) < 0;
  if (scaling > RIGID_TOLERANCE || shear > RIGID_TOLERANCE || reflection) {
    const what = reflection
      ? "it mirrors space (negative determinant)"
      : `scaling up to ${scaling.toExponential(2)} and shear up to ${shear.toExponential(2)} (tolerance ${RIGID_TOLERANCE})`;
    throw new TransformTextError(
      path,
      "non-rigid",
      `the transform is not rigid: ${what}. Patient motion between two scans is rigid; pass --allow-affine to use it anyway`,
    );
  }
}

/** `{"space": "RAS"|"LPS", "matrix": 4×4 or 3×4 rows}` → RAS Mat4. */
function parseJsonTransform(text: string, path: string): Mat4 {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TransformTextError(path, "bad-transform", `is not valid JSON (${(error as Error).message})`);
  }
  const { space, matrix } = (value ?? {}) as { space?: unknown; matrix?: unknown };
  if (space !== "RAS" && space !== "LPS")
    throw new TransformTextError(path, "bad-transform", `"space" must be "RAS" or "LPS", got ${JSON.stringify(space)}`);
  const rows = Array.isArray(matrix) ? matrix : [];
  const shapeOk =
    (rows.length === 3 || rows.length === 4) &&
    rows.every((row) => Array.isArray(row) && row.length === 4 && row.every((v) => typeof v === "number"));
  if (!shapeOk)
    throw new TransformTextError(path, "bad-transform", `"matrix" must be 4 rows of 4 numbers (the last row 0 0 0 1)`);
  if (rows.length === 4) {
    const last = rows[3] as number[];
    if (last[0] !== 0 || last[1] !== 0 || last[2] !== 0 || last[3] !== 1)
      throw new TransformTextError(
        path,
        "bad-transform",
        `the last row of "matrix" must be [0, 0, 0, 1], got [${last.join(", ")}]`,
      );
  }
  const m = mat4FromRows(rows as number[][]);
  return space === "LPS" ? switchLpsRas(m) : m;
}

/** One `Transform:` block of an ITK file. */
interface ItkBlock {
  type: string;
  parameters: number[];
  fixed: number[];
  line: number;
  /** Lines of its Parameters and FixedParameters (null until read: each may appear once). */
  parametersLine: number | null;
  fixedLine: number | null;
}

/** Splits an ITK text transform file into its `Transform:` blocks. */
function itkBlocks(text: string, path: string): ItkBlock[] {
  const blocks: ItkBlock[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    const key = colon < 0 ? line : line.slice(0, colon).trim();
    const rest = colon < 0 ? "" : line.slice(colon + 1).trim();
    if (key === "Transform") {
      blocks.push({ type: rest, parameters: [], fixed: [], line: index + 1, parametersLine: null, fixedLine: null });
      return;
    }
    const block = blocks.at(-1);
    if (!block || (key !== "Parameters" && key !== "FixedParameters"))
      throw new TransformTextError(path, "bad-transform", `line ${index + 1}: unexpected '${line.slice(0, 60)}'`);
    const words = rest === "" ? [] : rest.split(/\s+/);
    const bad = words.find((w) => !Number.isFinite(parseDecimalNumber(w)));
    if (bad !== undefined)
      throw new TransformTextError(
        path,
        "bad-transform",
        `line ${index + 1}: ${key} has a value that is not a decimal number ('${bad.slice(0, 30)}')`,
      );
    const values = words.map(parseDecimalNumber);
    const first = key === "Parameters" ? block.parametersLine : block.fixedLine;
    if (first !== null)
      throw new TransformTextError(
        path,
        "bad-transform",
        `line ${index + 1}: a second '${key}:' line in the transform of line ${block.line} (the first is line ${first}); which one holds is not clear`,
      );
    if (key === "Parameters") {
      block.parameters = values;
      block.parametersLine = index + 1;
    } else {
      block.fixed = values;
      block.fixedLine = index + 1;
    }
  });
  if (blocks.length === 0) throw new TransformTextError(path, "bad-transform", "holds no 'Transform:' line");
  return blocks;
}

/**
 * Parses the text of an ITK transform file → RAS Mat4 (see the module comment for the conventions);
 * `source` names it in errors (a path, or the program that produced it).
 */
export function parseItkTransform(text: string, path: string): Mat4 {
  const blocks = itkBlocks(text, path);
  const [first, ...rest] = blocks;
  if (baseType(first.type) === "CompositeTransform") {
    if (rest.length === 0)
      throw new TransformTextError(path, "bad-transform", "the CompositeTransform holds no transform");
    // ITK applies a composite's queue in reverse: the last listed transform acts first.
    return switchLpsRas(rest.map((b) => itkBlockMatrix(b, path)).reduce((acc, m) => multiplyMat4(acc, m)));
  }
  if (rest.length > 0)
    throw new TransformTextError(
      path,
      "bad-transform",
      `holds ${blocks.length} transforms without a CompositeTransform; expected one registration transform`,
    );
  return switchLpsRas(itkBlockMatrix(first, path));
}

/** "AffineTransform_double_3_3" → "AffineTransform"; refuses 2-D and other dimensions. */
function baseType(type: string): string {
  const match = /^(\w+?)_(double|float)_(\d+)_(\d+)$/.exec(type);
  return match && match[3] === "3" && match[4] === "3" ? match[1] : type;
}

/** The LPS matrix of one ITK block: y = M·(x − c) + t + c. */
function itkBlockMatrix(block: ItkBlock, path: string): Mat4 {
  const type = baseType(block.type);
  const p = block.parameters;
  const expect = (n: number) => {
    if (p.length !== n)
      throw new TransformTextError(
        path,
        "bad-transform",
        `line ${block.line}: ${block.type} needs ${n} Parameters, the file has ${p.length}`,
      );
  };
  let linear: number[][];
  let translation: number[];
  switch (type) {
    case "AffineTransform":
    case "MatrixOffsetTransformBase":
    case "Rigid3DTransform":
      expect(12);
      linear = [p.slice(0, 3), p.slice(3, 6), p.slice(6, 9)];
      translation = p.slice(9, 12);
      break;
    case "Euler3DTransform":
      expect(6);
      linear = eulerMatrix(p[0], p[1], p[2], (block.fixed[3] ?? 0) !== 0);
      translation = p.slice(3, 6);
      break;
    case "VersorRigid3DTransform":
      expect(6);
      linear = versorMatrix(p[0], p[1], p[2]);
      translation = p.slice(3, 6);
      break;
    case "Similarity3DTransform":
      expect(7);
      linear = versorMatrix(p[0], p[1], p[2]).map((row) => row.map((v) => v * p[6]));
      translation = p.slice(3, 6);
      break;
    case "TranslationTransform":
      expect(3);
      linear = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
      translation = p.slice(0, 3);
      break;
    default:
      throw new TransformTextError(
        path,
        "bad-transform",
        `line ${block.line}: transform type '${block.type}' is not supported (use AffineTransform, Euler3DTransform or VersorRigid3DTransform, _double_3_3); deformable transforms cannot give a rigid margin`,
      );
  }
  const centre = type === "TranslationTransform" ? [0, 0, 0] : block.fixed.slice(0, 3);
  if (centre.length !== 3)
    throw new TransformTextError(
      path,
      "bad-transform",
      `line ${block.line}: ${block.type} needs the rotation centre as 3 FixedParameters, the file has ${block.fixed.length}`,
    );
  // offset = t + c − M·c
  const offset = [0, 1, 2].map(
    (r) =>
      translation[r] + centre[r] - (linear[r][0] * centre[0] + linear[r][1] * centre[1] + linear[r][2] * centre[2]),
  );
  return mat4FromRows(linear.map((row, r) => [...row, offset[r]]));
}

/**
 * ITK Euler3DTransform::ComputeMatrix: Rx, Ry, Rz the right-handed rotations about x, y, z;
 * M = Rz·Rx·Ry by default ("like VTK"), Rz·Ry·Rx with ComputeZYX. Example: θz = π/2 maps x̂ to ŷ.
 */
export function eulerMatrix(ax: number, ay: number, az: number, computeZyx = false): number[][] {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  const rx = [
    [1, 0, 0],
    [0, cx, -sx],
    [0, sx, cx],
  ];
  const ry = [
    [cy, 0, sy],
    [0, 1, 0],
    [-sy, 0, cy],
  ];
  const rz = [
    [cz, -sz, 0],
    [sz, cz, 0],
    [0, 0, 1],
  ];
  return computeZyx ? multiply3(rz, multiply3(ry, rx)) : multiply3(rz, multiply3(rx, ry));
}

/**
 * ITK Versor::GetMatrix for the versor whose vector part is (x, y, z): w = √(1 − x² − y² − z²) (ITK
 * rescales a vector of norm ≥ 1 − 1e-10 to just below 1, so w ≈ 0, a 180° turn). Example: (0, 0, sin 45°)
 * is a 90° rotation about z.
 */
export function versorMatrix(x: number, y: number, z: number): number[][] {
  let norm = Math.hypot(x, y, z);
  if (norm >= 1 - 1e-10) {
    const s = 1 / (norm + 1e-10 * norm);
    [x, y, z] = [x * s, y * s, z * s];
    norm = Math.hypot(x, y, z);
  }
  const w = Math.sqrt(1 - norm * norm);
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ];
}

function multiply3(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((c) => row[0] * b[0][c] + row[1] * b[1][c] + row[2] * b[2][c]));
}

/**
 * The versor (unit quaternion, w ≥ 0) of a rotation matrix, by ITK's Versor::Set(matrix) largest-pivot
 * method; returns its vector part (x, y, z).
 */
function versorOf(r: number[][]): [number, number, number] {
  const trace = r[0][0] + r[1][1] + r[2][2] + 1;
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  if (trace > 1e-6) {
    const s = 0.5 / Math.sqrt(trace);
    w = 0.25 / s;
    x = (r[2][1] - r[1][2]) * s;
    y = (r[0][2] - r[2][0]) * s;
    z = (r[1][0] - r[0][1]) * s;
  } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
    const s = 2 * Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]);
    x = 0.25 * s;
    y = (r[0][1] + r[1][0]) / s;
    z = (r[0][2] + r[2][0]) / s;
    w = (r[2][1] - r[1][2]) / s;
  } else if (r[1][1] > r[2][2]) {
    const s = 2 * Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]);
    x = (r[0][1] + r[1][0]) / s;
    y = 0.25 * s;
    z = (r[1][2] + r[2][1]) / s;
    w = (r[0][2] - r[2][0]) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]);
    x = (r[0][2] + r[2][0]) / s;
    y = (r[1][2] + r[2][1]) / s;
    z = 0.25 * s;
    w = (r[1][0] - r[0][1]) / s;
  }
  const sign = w < 0 ? -1 : 1;
  const n = Math.hypot(w, x, y, z);
  return [(sign * x) / n + 0, (sign * y) / n + 0, (sign * z) / n + 0];
}

/** A number as ITK text: the shortest decimal that reads back to the same double (no −0). */
function itkNumber(v: number): string {
  return String(v + 0);
}

/** Options of `formatItkTransform`. */
export interface ItkFormatOptions {
  /**
   * "affine" (default): AffineTransform_double_3_3 — reads back bit-exactly. "versor":
   * VersorRigid3DTransform_double_3_3 — the rigid form registration tools write (rigid input only;
   * reads back within ~1e-15).
   */
  kind?: "affine" | "versor";
}

/**
 * Writes a pre → post RAS transform as an ITK text transform file (LPS, centre 0), the form a
 * registration with fixed = pre-ablation writes, so `readTransformFile` and ITK/SimpleITK/Slicer read
 * it as the same map. Example: a RAS translation (1, 2, 3) is written as "Parameters: 1 0 0 0 1 0 0 0 1
 * -1 -2 3".
 */
export function formatItkTransform(preToPostRas: Mat4, { kind = "affine" }: ItkFormatOptions = {}): string {
  const m = switchLpsRas(preToPostRas);
  const linear = [0, 1, 2].map((r) => [m[4 * r], m[4 * r + 1], m[4 * r + 2]]);
  const translation = [m[3], m[7], m[11]];
  let type: string;
  let parameters: number[];
  if (kind === "versor") {
    checkRigid(preToPostRas, "formatItkTransform");
    type = "VersorRigid3DTransform_double_3_3";
    parameters = [...versorOf(linear), ...translation];
  } else {
    type = "AffineTransform_double_3_3";
    parameters = [...linear.flat(), ...translation];
  }
  return [
    "#Insight Transform File V1.0",
    "#Transform 0",
    `Transform: ${type}`,
    `Parameters: ${parameters.map(itkNumber).join(" ")}`,
    "FixedParameters: 0 0 0",
    "",
  ].join("\n");
}
