/**
 * Writing NRRD (teem's format, version 4) and 3D Slicer segmentations (.seg.nrrd). Reading goes through
 * @itk-wasm/image-io (readVolume.ts), so what is written here is checked by an independent reader.
 *
 * Geometry: `space` is right-anterior-superior (the world of the rest of cryomargin) or, on request,
 * left-posterior-superior (x, y negated); `space directions` are the columns of voxelToWorld (one vector
 * per index axis, `none` for a layer axis) and `space origin` its last column. Numbers are written in
 * JavaScript's shortest round-trip form, so the file holds the float64 matrix exactly.
 *
 * A .seg.nrrd follows Slicer's documented format (Slicer ≥ 4.11, "Segmentation labelmap file format"):
 * the voxels of each layer hold label values; every segment has `SegmentN_ID`, `_Name`, `_Color`
 * (r g b in 0…1), `_LabelValue`, `_Layer`, `_Extent` (i0 i1 j0 j1 k0 k1) and `_Tags`, and the file
 * `Segmentation_MasterRepresentation:=Binary labelmap` and its contained representations. More than one
 * layer is a 4-D image whose first axis has kind `list` (segments may overlap across layers).
 */
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { identityMat4, type Mat4, maskBounds, type Vec3 } from "@cryomargin/analysis";
import { writeFileAtomic } from "./files.js";
import type { NiftiVoxelArray } from "./nifti.js";

/** The world space written in the header. */
export type NrrdSpace = "RAS" | "LPS";

/** What `encodeNrrd` writes: a grid, its RAS geometry, values (components adjacent per voxel). */
export interface NrrdImageInput {
  dims: [number, number, number];
  voxelToWorld: Mat4;
  data: NiftiVoxelArray;
  /** Values per voxel (layers); default 1. */
  components?: number;
}

export interface NrrdOptions {
  space?: NrrdSpace;
  encoding?: "raw" | "gzip";
  /** `key:=value` pairs (Slicer's segment fields), in order. */
  keyValues?: [string, string][];
  /** Write a detached header (.nhdr) naming this data file instead of one attached file. */
  dataFile?: string;
}

const NRRD_TYPES: [new (...args: never[]) => NiftiVoxelArray, string][] = [
  [Uint8Array, "unsigned char"],
  [Int16Array, "short"],
  [Uint16Array, "unsigned short"],
  [Int32Array, "int"],
  [Float32Array, "float"],
  [Float64Array, "double"],
];

function nrrdType(data: NiftiVoxelArray): string {
  for (const [type, name] of NRRD_TYPES) if (data instanceof type) return name;
  throw new RangeError("encodeNrrd: unsupported voxel array");
}

/** A vector in NRRD's "(x,y,z)" form, −0 written as 0. */
function vector(v: readonly number[]): string {
  return `(${v.map((x) => String(x + 0)).join(",")})`;
}

/** Key/value text may not hold a newline (one field per line). */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}

/**
 * The header text (ending in the blank line) and the encoded data of an image.
 * Example: `encodeNrrd({ dims, voxelToWorld, data }, { space: "LPS" }).header` starts "NRRD0004".
 */
export function encodeNrrd(image: NrrdImageInput, options: NrrdOptions = {}): { header: string; data: Buffer } {
  const { dims, voxelToWorld: m, data } = image;
  const components = image.components ?? 1;
  const count = dims[0] * dims[1] * dims[2] * components;
  if (data.length !== count)
    throw new RangeError(`encodeNrrd: ${data.length} values do not fill a ${dims.join("×")}×${components} grid`);
  const space = options.space ?? "RAS";
  const encoding = options.encoding ?? "gzip";
  const flip = space === "LPS" ? [-1, -1, 1] : [1, 1, 1];
  const column = (c: number): Vec3 => [flip[0] * m[c], flip[1] * m[4 + c], flip[2] * m[8 + c]];
  const layered = components > 1;
  const lines = [
    "NRRD0004",
    "# Complete NRRD file format specification at:",
    "# http://teem.sourceforge.net/nrrd/format.html",
    `type: ${nrrdType(data)}`,
    `dimension: ${layered ? 4 : 3}`,
    `space: ${space === "RAS" ? "right-anterior-superior" : "left-posterior-superior"}`,
    `sizes: ${layered ? `${components} ` : ""}${dims.join(" ")}`,
    `space directions: ${layered ? "none " : ""}${[0, 1, 2].map((c) => vector(column(c))).join(" ")}`,
    `kinds: ${layered ? "list " : ""}domain domain domain`,
    "endian: little",
    `encoding: ${encoding}`,
    `space origin: ${vector(column(3))}`,
  ];
  if (options.dataFile !== undefined) lines.push(`data file: ${options.dataFile}`);
  for (const [key, value] of options.keyValues ?? []) lines.push(`${oneLine(key)}:=${oneLine(value)}`);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (!little) throw new RangeError("encodeNrrd: big-endian hosts are not supported");
  return { header: `${lines.join("\n")}\n\n`, data: encoding === "gzip" ? gzipSync(bytes, { level: 6 }) : bytes };
}

/**
 * Writes a NRRD file atomically: attached (.nrrd) or, with `dataFile`, a detached header at `path`
 * and the data beside it. Example: `writeNrrdFile("scan.nrrd", image, { space: "LPS" })`.
 */
export function writeNrrdFile(path: string, image: NrrdImageInput, options: NrrdOptions = {}): void {
  const { header, data } = encodeNrrd(image, options);
  if (options.dataFile === undefined) {
    writeFileAtomic(path, Buffer.concat([Buffer.from(header, "latin1"), data]));
    return;
  }
  writeFileAtomic(join(dirname(path), options.dataFile), data);
  writeFileAtomic(path, header);
}

/** One segment to write into a .seg.nrrd. */
export interface SegmentSpec {
  /** Stable identifier (SegmentN_ID), e.g. "tumor". */
  id: string;
  /** Display name (SegmentN_Name), e.g. "ice ball". */
  name: string;
  /** RGB in 0…1. */
  color: Vec3;
  /** Which layer (component) holds it. */
  layer: number;
  /** Its voxel value in that layer (1…255). */
  labelValue: number;
}

/** The grid extent (i0 i1 j0 j1 k0 k1) of the voxels holding `label` in `layer`; "0 -1 0 -1 0 -1" when empty (Slicer's empty extent). */
function segmentExtent(
  dims: [number, number, number],
  data: Uint8Array,
  layers: number,
  layer: number,
  label: number,
): string {
  const selected = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let v = 0; v < selected.length; v++) selected[v] = data[v * layers + layer] === label ? 1 : 0;
  const { count, min, max } = maskBounds({ dims, voxelToWorld: identityMat4(), data: selected });
  return count === 0 ? "0 -1 0 -1 0 -1" : `${min[0]} ${max[0]} ${min[1]} ${max[1]} ${min[2]} ${max[2]}`;
}

/**
 * The key/value pairs of Slicer's segmentation format for `segments` over `data` (uint8, `layers`
 * components per voxel).
 */
export function slicerSegmentFields(
  dims: [number, number, number],
  data: Uint8Array,
  layers: number,
  segments: readonly SegmentSpec[],
): [string, string][] {
  const fields: [string, string][] = [];
  segments.forEach((s, n) => {
    fields.push(
      [`Segment${n}_Color`, s.color.map((c) => String(c)).join(" ")],
      [`Segment${n}_ColorAutoGenerated`, "0"],
      [`Segment${n}_Extent`, segmentExtent(dims, data, layers, s.layer, s.labelValue)],
      [`Segment${n}_ID`, s.id],
      [`Segment${n}_LabelValue`, String(s.labelValue)],
      [`Segment${n}_Layer`, String(s.layer)],
      [`Segment${n}_Name`, s.name],
      [`Segment${n}_NameAutoGenerated`, "0"],
      [`Segment${n}_Tags`, "|"],
    );
  });
  fields.push(
    ["Segmentation_ContainedRepresentationNames", "Binary labelmap|"],
    ["Segmentation_MasterRepresentation", "Binary labelmap"],
    ["Segmentation_ReferenceImageExtentOffset", "0 0 0"],
  );
  return fields;
}

/**
 * Writes a 3D Slicer segmentation (.seg.nrrd, gzip, RAS) of `layers` uint8 layers on a grid, atomically.
 * Example: one layer with tumor = 1 and ice ball = 2 (no overlap), or three layers for overlapping segments.
 */
export function writeSegNrrdFile(
  path: string,
  grid: { dims: [number, number, number]; voxelToWorld: Mat4 },
  data: Uint8Array,
  layers: number,
  segments: readonly SegmentSpec[],
): void {
  writeNrrdFile(
    path,
    { dims: grid.dims, voxelToWorld: grid.voxelToWorld, data, components: layers },
    { space: "RAS", encoding: "gzip", keyValues: slicerSegmentFields(grid.dims, data, layers, segments) },
  );
}
