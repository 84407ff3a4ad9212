/**
 * One entry point for every image file cryomargin reads — masks and scans — whatever the format:
 * `readVolume(path)` → grid size, RAS voxel-to-world matrix, spacing and voxel values.
 *
 * | format                         | recognised by                                   | read with                    |
 * | ------------------------------ | ----------------------------------------------- | ---------------------------- |
 * | NIfTI-1/2                      | `.nii`, `.nii.gz` (or the header's magic)       | nifti-reader-js (nifti.ts)   |
 * | NRRD                           | `.nrrd`, `.nhdr` (+ its raw/gz data file)       | @itk-wasm/image-io           |
 * | 3D Slicer segmentation         | `.seg.nrrd`                                     | @itk-wasm/image-io           |
 * | MetaImage                      | `.mha`, `.mhd` (+ its data file)                | @itk-wasm/image-io           |
 * | DICOM series (a scan)          | a folder of DICOM files (one series)            | dcmjs headers + @itk-wasm/dicom |
 * | DICOM-SEG (a mask)             | a DICOM file whose Modality is SEG              | @itk-wasm/dicom              |
 *
 * One geometry convention for all: world is RAS+ in mm (NIfTI's), and the voxel-to-world matrix of a
 * scan is the same 4 × 4 whichever format holds it. ITK works in LPS (x_lps = −x_ras, y_lps = −y_ras),
 * so an ITK image with origin o, spacing s and direction cosines D (column c = index axis c) has
 * voxelToWorld_RAS = F · [D · diag(s) | o] with F = diag(−1, −1, 1, 1) (`switchLpsRas` for transforms).
 * NRRD files in `space: right-anterior-superior` are turned into LPS by ITK's reader first, so both
 * spaces land on the same matrix.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { itkImageVolume, type Mat4, type SegmentInfo, type Vec3, VolumeGeometryError } from "@cryomargin/analysis";
import { readDicomSeg, readDicomSeries } from "./dicom.js";
import { readInputFile } from "./files.js";
import { InputFileError } from "./inputErrors.js";
import { type ItkImage, itkCall } from "./itk.js";
import { decodeNifti, type NiftiReadOptions, type NiftiVoxelArray, readNiftiBytes } from "./nifti.js";

/** The formats `readVolume` understands. */
export type VolumeFormat = "nifti" | "nrrd" | "seg.nrrd" | "metaimage" | "dicom-series" | "dicom-seg";

export type { SegmentInfo };

/** A decoded volume in RAS world, from any supported format. */
export interface Volume {
  /** The path as the caller gave it (errors and warnings name it). */
  file: string;
  format: VolumeFormat;
  /** Grid size [nx, ny, nz]; voxel (i, j, k) is at index i + nx·(j + ny·k) (times `components`). */
  dims: [number, number, number];
  /** Voxel index → RAS world mm, row-major. */
  voxelToWorld: Mat4;
  /** Voxel spacing, mm (column lengths of voxelToWorld). */
  spacingMm: Vec3;
  /** Stored values; with `components` > 1 the components of a voxel are adjacent. */
  data: NiftiVoxelArray;
  /** Values per voxel: 1, or the number of layers of a layered .seg.nrrd. */
  components: number;
  /** Value = stored · sclSlope + sclInter (DICOM rescale is already applied by the series reader). */
  sclSlope: number;
  sclInter: number;
  /** The segments of a segmentation file (.seg.nrrd, DICOM-SEG); empty for other images. */
  segments: SegmentInfo[];
  /** Things the reader assumed, each naming the file. */
  warnings: string[];
}

/**
 * The format of `path`, from its name (and for a folder, that it is a folder). A file with another
 * name is sniffed: NIfTI header size, "NRRD" magic, DICOM "DICM" preamble.
 * Example: `volumeFormatOf("seg/Segmentation.seg.nrrd")` is "seg.nrrd".
 */
export function volumeFormatOf(path: string): VolumeFormat {
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new InputFileError(path, "missing", "no such file or folder");
  }
  if (isFolder) return "dicom-series";
  const name = path.toLowerCase();
  if (name.endsWith(".nii") || name.endsWith(".nii.gz")) return "nifti";
  if (name.endsWith(".seg.nrrd")) return "seg.nrrd";
  if (name.endsWith(".nrrd") || name.endsWith(".nhdr")) return "nrrd";
  if (name.endsWith(".mha") || name.endsWith(".mhd")) return "metaimage";
  if (name.endsWith(".dcm")) return "dicom-seg";
  const head = readInputFile(path).subarray(0, 512);
  if (head.length >= 132 && head.toString("latin1", 128, 132) === "DICM") return "dicom-seg";
  if (head.toString("latin1", 0, 4) === "NRRD") return "nrrd";
  if (head.toString("latin1", 0, 512).includes("ElementDataFile")) return "metaimage";
  return "nifti"; // the NIfTI reader names the file when its magic is wrong
}

/**
 * Reads an image of any supported format (see the module comment) into RAS world.
 * Example: `readVolume("pre/").dims` is [columns, rows, slices] of a DICOM series folder.
 */
export function readVolume(path: string, options: NiftiReadOptions = {}): Volume {
  const format = volumeFormatOf(path);
  switch (format) {
    case "nifti": {
      const image = decodeNifti(readNiftiBytes(path, options), path, options);
      return { ...image, format, components: 1, segments: [] };
    }
    case "nrrd":
    case "seg.nrrd":
    case "metaimage": {
      const image = itkCall("readImage", [resolve(path)], path, "bad-header");
      return volumeFromItk(image, path, format);
    }
    case "dicom-series":
      return readDicomSeries(path);
    case "dicom-seg":
      return readDicomSeg(path);
  }
}

/**
 * Every file whose bytes make up the volume at `path`: the file itself; for a detached header (.nhdr,
 * .mhd) also its data file; for a DICOM folder every file in it (sorted). For content hashes (caches).
 */
export function volumeInputFiles(path: string): string[] {
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return [path]; // reading it names it as missing
  }
  if (isFolder)
    return readdirSync(path)
      .sort()
      .map((name) => join(path, name))
      .filter((file) => statSync(file).isFile());
  const name = path.toLowerCase();
  if (!(name.endsWith(".nhdr") || name.endsWith(".mhd"))) return [path];
  const header = readInputFile(path).toString("latin1");
  const match = name.endsWith(".nhdr")
    ? /^data ?file: *(.+?) *$/im.exec(header)
    : /^ElementDataFile *= *(.+?) *$/im.exec(header);
  const data = match ? join(dirname(path), match[1]) : undefined;
  return data !== undefined && existsSync(data) && statSync(data).isFile() ? [path, data] : [path];
}

/**
 * An ITK image (LPS) as a Volume (RAS), by itkImageVolume (analysis, shared with the workstation page);
 * its refusals (not 3-D, singular geometry) as InputFileErrors naming the file.
 */
export function volumeFromItk(image: ItkImage, file: string, format: VolumeFormat): Volume {
  try {
    return { file, format, ...itkImageVolume(image, file, format), sclSlope: 1, sclInter: 0 };
  } catch (error) {
    if (error instanceof VolumeGeometryError) throw new InputFileError(file, error.problem, error.message);
    throw error;
  }
}
