/**
 * An itk-wasm Image (LPS world, ITK's axis order) as a volume in RAS world: one conversion for the
 * command line (loaders/io/readVolume.ts, NRRD, 3D Slicer .seg.nrrd, MetaImage and DICOM read by
 * itk-wasm in Node) and the workstation page (the same pipelines run by itk-wasm in the browser).
 *
 * voxelToWorld = F · [D · diag(s) | o], F = diag(−1, −1, 1, 1): ITK's direction D (column c the world
 * direction of index axis c), spacing s and origin o are in LPS; negating the first two rows gives RAS.
 */
import { inverseOrNull, mat4FromRows, voxelSpacingMm } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";

/** An itk-wasm Image as plain fields: LPS world, ITK's axis order (x fastest). */
export interface ItkImageFields {
  size: number[];
  spacing: number[];
  origin: number[];
  /** Row-major D × D direction cosines: column c is the world direction of index axis c. */
  direction: ArrayLike<number>;
  components: number;
  data: ArrayLike<number> & { length: number };
  /** The file's key/value metadata (NRRD keys, `Segment0_Name`, …). */
  metadata: [string, unknown][];
}

/** Voxel arrays the margin code reads directly. */
export type VolumeVoxelArray = Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** One segment of a segmentation file (3D Slicer .seg.nrrd or DICOM-SEG). */
export interface SegmentInfo {
  /** The segment's name as the file spells it ("tumor", "ice ball"). */
  name: string;
  /** The voxel value that marks it in its layer. */
  labelValue: number;
  /** Which component (layer) of a multi-layer file holds it; 0 in a single-layer file. */
  layer: number;
  /** Display colour, RGB in 0…1, when the file gives one. */
  color?: Vec3;
}

/** An itk image's volume: grid, RAS geometry, voxels, segments and the assumptions made. */
export interface ItkImageVolume {
  dims: [number, number, number];
  voxelToWorld: Mat4;
  spacingMm: Vec3;
  data: VolumeVoxelArray;
  /** Values per voxel: 1, or the number of layers of a layered .seg.nrrd. */
  components: number;
  segments: SegmentInfo[];
  /** Things assumed, each naming the file. */
  warnings: string[];
}

/** An image that cannot be a volume: `problem` is the command line's problem code. */
export class VolumeGeometryError extends Error {
  override name = "VolumeGeometryError";
  constructor(
    readonly problem: "not-3d" | "singular-affine",
    message: string,
  ) {
    super(message);
  }
}

/** Metadata values as strings (itk-wasm gives strings, numbers or arrays). */
function metadataText(metadata: [string, unknown][]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of metadata) out.set(key, Array.isArray(value) ? value.join(" ") : String(value));
  return out;
}

/**
 * The segments a 3D Slicer .seg.nrrd declares in its key/value pairs (Slicer's documented format:
 * `SegmentN_Name`, `SegmentN_LabelValue`, `SegmentN_Layer`, `SegmentN_Color` "r g b" in 0…1; files
 * written before Slicer 4.11 have one segment per layer and no LabelValue/Layer: label 1, layer N).
 */
export function slicerSegments(metadata: Map<string, string>, components: number): SegmentInfo[] {
  const segments: SegmentInfo[] = [];
  for (let n = 0; metadata.has(`Segment${n}_Name`) || metadata.has(`Segment${n}_ID`); n++) {
    const name = metadata.get(`Segment${n}_Name`) ?? metadata.get(`Segment${n}_ID`) ?? `Segment_${n}`;
    const labelText = metadata.get(`Segment${n}_LabelValue`);
    const layerText = metadata.get(`Segment${n}_Layer`);
    const color = metadata.get(`Segment${n}_Color`)?.trim().split(/\s+/).map(Number);
    segments.push({
      name,
      labelValue: labelText === undefined ? 1 : Number(labelText),
      layer: layerText === undefined ? (components > 1 ? n : 0) : Number(layerText),
      color: color?.length === 3 && color.every(Number.isFinite) ? [color[0], color[1], color[2]] : undefined,
    });
  }
  return segments;
}

/** Typed arrays the margin code reads directly; others (int8, uint32, 64-bit) become float64. */
function voxelArray(data: ItkImageFields["data"]): VolumeVoxelArray {
  if (
    data instanceof Uint8Array ||
    data instanceof Int16Array ||
    data instanceof Uint16Array ||
    data instanceof Int32Array ||
    data instanceof Float32Array ||
    data instanceof Float64Array
  )
    return data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/**
 * The volume of an itk image read from `file` (named in warnings), of format `format` ("nrrd" and
 * "seg.nrrd" warn when the header has no `space` field). Throws {@link VolumeGeometryError} for an image
 * that is not 3-D and for singular or non-finite geometry.
 */
export function itkImageVolume(image: ItkImageFields, file: string, format: string): ItkImageVolume {
  const dimension = image.size.length;
  if (dimension !== 3)
    throw new VolumeGeometryError(
      "not-3d",
      `is a ${dimension === 2 ? "2-D" : `${dimension}-D`} image (${image.size.join("×")}); a volume must be 3-D`,
    );
  const dims: [number, number, number] = [image.size[0], image.size[1], image.size[2]];
  const lps = [0, 1, 2].map((r) => [
    image.direction[3 * r] * image.spacing[0],
    image.direction[3 * r + 1] * image.spacing[1],
    image.direction[3 * r + 2] * image.spacing[2],
    image.origin[r],
  ]);
  const ras = lps.map((row, r) => (r < 2 ? row.map((v) => -v) : row));
  const voxelToWorld = mat4FromRows(ras);
  if (!voxelToWorld.every(Number.isFinite) || inverseOrNull(voxelToWorld) === null)
    throw new VolumeGeometryError(
      "singular-affine",
      `the voxel-to-world geometry is singular or not finite (spacing ${image.spacing.join(", ")} mm)`,
    );
  const metadata = metadataText(image.metadata);
  const components = Math.max(1, image.components);
  const warnings: string[] = [];
  if ((format === "nrrd" || format === "seg.nrrd") && metadata.get("NRRD_space") === undefined)
    warnings.push(`${file}: the NRRD header has no 'space' field; its axes were taken as LPS world axes`);
  return {
    dims,
    voxelToWorld,
    spacingMm: voxelSpacingMm(voxelToWorld),
    data: voxelArray(image.data),
    components,
    segments: slicerSegments(metadata, components),
    warnings,
  };
}
