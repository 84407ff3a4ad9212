/**
 * A binary mask from any image format `readVolume` reads, with segment selection for segmentation
 * files (3D Slicer .seg.nrrd, label-map or layered; DICOM-SEG):
 *
 * - `segment` given: the segment of that name (exact, else ignoring case, spaces, '_' and '-'); none →
 *   an error listing the names the file has.
 * - no `segment`, a segmentation file: its only segment; with several, the one named for the role
 *   (tumor: "tumor"/"tumour"; ice ball: "ice ball"/"iceball"/"ice_ball"), so one .seg.nrrd can hold
 *   both; else an error listing the names.
 * - any other image: every voxel > 0, or `label` (as readMask in nifti.ts).
 *
 * In a layered .seg.nrrd a segment is the voxels of its layer equal to its label value; segments in
 * different layers may overlap (Slicer's format, "SegmentN_Layer" / "SegmentN_LabelValue").
 */
import type { MaskVolume } from "@cryomargin/analysis";
import { InputFileError } from "./inputErrors.js";
import { type MaskSource, maskFromImage } from "./nifti.js";
import { readVolume, type SegmentInfo, type Volume } from "./readVolume.js";

/** Which mask of a case a file is read for (picks the default segment of a segmentation file). */
export type MaskRole = "tumor" | "iceball";

export interface MaskFileOptions {
  /** A voxel is inside when its value equals this (images that are not segmentation files). */
  label?: number;
  /** The segment's name in a segmentation file. */
  segment?: string;
  /** The role: chooses the default segment when the file has several. */
  role?: MaskRole;
  /** Refuse a NIfTI image announcing more than this many MB (default DEFAULT_MAX_IMAGE_MB, nifti.ts). */
  maxImageMb?: number;
}

/** Names that identify a role's segment (compared after `segmentKey`). */
const ROLE_NAMES: Record<MaskRole, string[]> = {
  tumor: ["tumor", "tumour"],
  iceball: ["iceball"],
};

/** A name compared loosely: lower case without spaces, '_' and '-'. Example: "Ice_Ball" → "iceball". */
function segmentKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, "");
}

function segmentList(segments: SegmentInfo[]): string {
  return segments.map((s) => `'${s.name}' (label ${s.labelValue}${s.layer ? `, layer ${s.layer}` : ""})`).join(", ");
}

/** The segment to use (see the module comment); throws "missing-segment" naming the file and listing its segments. */
export function chooseSegment(volume: Pick<Volume, "file" | "segments">, options: MaskFileOptions): SegmentInfo {
  const { segments, file } = volume;
  if (options.segment !== undefined) {
    const exact = segments.find((s) => s.name === options.segment);
    const loose = segments.filter((s) => segmentKey(s.name) === segmentKey(options.segment as string));
    const found = exact ?? (loose.length === 1 ? loose[0] : undefined);
    if (found) return found;
    throw new InputFileError(
      file,
      "missing-segment",
      `has no segment named '${options.segment}'; its segments are ${segmentList(segments)}`,
    );
  }
  if (segments.length === 1) return segments[0];
  if (options.role) {
    const names = ROLE_NAMES[options.role];
    const matches = segments.filter((s) => names.includes(segmentKey(s.name)));
    if (matches.length === 1) return matches[0];
  }
  throw new InputFileError(
    file,
    "missing-segment",
    `holds ${segments.length} segments (${segmentList(segments)}); name the one to use ` +
      `(--${options.role === "iceball" ? "iceball" : "tumor"}-segment NAME)`,
  );
}

/** The single-component values of one layer of a layered volume (components interleaved per voxel). */
function layerOf(volume: Volume, layer: number): MaskSource {
  if (volume.components === 1) return volume;
  if (!(layer >= 0 && layer < volume.components))
    throw new InputFileError(
      volume.file,
      "bad-header",
      `a segment is in layer ${layer}, but the file has ${volume.components} layers`,
    );
  const n = volume.dims[0] * volume.dims[1] * volume.dims[2];
  const out = new Float64Array(n);
  const c = volume.components;
  for (let i = 0; i < n; i++) out[i] = volume.data[i * c + layer];
  return { ...volume, data: out };
}

/**
 * Reads a mask from any supported format (see the module comment). Errors name the file: a missing
 * segment lists the file's segments; an empty mask says so.
 * Example: `readMaskFile("Segmentation.seg.nrrd", { segment: "ice ball" }).mask`.
 */
export function readMaskFile(
  path: string,
  options: MaskFileOptions = {},
): { mask: MaskVolume; warnings: string[]; segment?: SegmentInfo } {
  const volume = readVolume(path, { maxImageMb: options.maxImageMb });
  return maskFromVolume(volume, options);
}

/** The mask of an already read volume (see `readMaskFile`). */
export function maskFromVolume(
  volume: Volume,
  options: MaskFileOptions = {},
): { mask: MaskVolume; warnings: string[]; segment?: SegmentInfo } {
  if (volume.segments.length > 0 && options.label === undefined) {
    const segment = chooseSegment(volume, options);
    const source = layerOf(volume, segment.layer);
    try {
      return { ...maskFromImage(source, { label: segment.labelValue }), segment };
    } catch (error) {
      if (error instanceof InputFileError && error.problem === "empty-mask")
        throw new InputFileError(volume.file, "empty-mask", `the segment '${segment.name}' is empty`);
      throw error;
    }
  }
  if (options.segment !== undefined)
    throw new InputFileError(
      volume.file,
      "missing-segment",
      `has no named segments (a ${volume.format} image), so the segment '${options.segment}' cannot be chosen from it`,
    );
  if (volume.components > 1)
    throw new InputFileError(
      volume.file,
      "not-3d",
      `has ${volume.components} values per voxel and no segment names; a mask must be a single 3-D volume`,
    );
  return maskFromImage(volume, { label: options.label });
}
