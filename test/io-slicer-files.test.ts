/**
 * Segmentations written by 3D Slicer itself (test/fixtures/slicerio: label-map and layered .seg.nrrd
 * from the slicerio package, MIT): read with the figures slicerio's own tests state about them.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readMaskFile } from "../loaders/io/readMaskFile.js";
import { readVolume } from "../loaders/io/readVolume.js";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", "slicerio", name);
const count = (data: Uint8Array) => data.reduce((s, v) => s + v, 0);

describe("3D Slicer's own .seg.nrrd files", () => {
  test("label-map form: segment names, fields and voxel counts as slicerio's tests state", () => {
    const path = fixture("Segmentation.seg.nrrd");
    const volume = readVolume(path);
    expect(volume.format).toBe("seg.nrrd");
    expect(volume.dims).toEqual([128, 128, 34]);
    expect(volume.components).toBe(1);
    expect(volume.segments.map((s) => s.name)).toEqual([
      "ribs",
      "cervical vertebral column",
      "thoracic vertebral column",
      "lumbar vertebral column",
      "right lung",
      "left lung",
      "tissue",
    ]);
    const lung = volume.segments[4];
    expect([lung.labelValue, lung.layer]).toEqual([5, 0]);
    expect(lung.color).toEqual([0.0862745, 0.772549, 0.278431]);
    expect(count(readMaskFile(path, { segment: "ribs" }).mask.data)).toBe(8487);
    expect(count(readMaskFile(path, { segment: "right lung" }).mask.data)).toBe(34450);
  });

  test("layered form (overlapping segments): the same ribs and right lung; LPS directions turned to RAS", () => {
    const path = fixture("SegmentationOverlapping.seg.nrrd");
    const volume = readVolume(path);
    expect(volume.components).toBe(2);
    expect(new Set(volume.segments.map((s) => s.layer))).toEqual(new Set([0, 1]));
    expect(count(readMaskFile(path, { segment: "ribs" }).mask.data)).toBe(8487);
    expect(count(readMaskFile(path, { segment: "right lung" }).mask.data)).toBe(34450);
    // space directions (−3.046875…, 0, 0) (0, −3.046875…, 0) (0, 0, 10) in LPS, origin (193.096, 216.396, −340.25)
    const m = [...volume.voxelToWorld];
    expect(m[0]).toBeCloseTo(3.04687595367432, 12);
    expect(m[5]).toBeCloseTo(3.04687595367432, 12);
    expect(m[10]).toBeCloseTo(10, 12);
    expect([m[3], m[7], m[11]].map((v) => Number(v.toFixed(6)))).toEqual([-193.095993, -216.395996, -340.25]);
  });
});
