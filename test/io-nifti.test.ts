/**
 * loaders/io/nifti.ts: NIfTI-1/2 decoding against headers written byte by byte from the standard
 * (test/helpers/nifti.ts), geometry by nibabel's policy with hand-computed matrices, the writer's round
 * trip and determinism, and one test per kind of bad file (each must name the file and the problem).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { NIFTI1 } from "nifti-reader-js";
import { afterAll, describe, expect, it } from "vitest";
import { mat4FromRows } from "../loaders/io/affine.js";
import { InputFileError } from "../loaders/io/inputErrors.js";
import {
  DEFAULT_MAX_IMAGE_MB,
  decodeNifti,
  encodeNifti,
  maskFromImage,
  type NiftiVoxelArray,
  readMask,
  readNiftiImage,
  scaledVoxelValues,
  writeNiftiFile,
} from "../loaders/io/nifti.js";
import { int16Bytes, rawNifti, temporaryFolder } from "./helpers/nifti.js";

const tmp = temporaryFolder("cryomargin-nifti-");
afterAll(tmp.remove);

/** Writes bytes to a file in the temp folder and returns its path. */
function file(name: string, bytes: Uint8Array): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The InputFileError a call throws (fails the test if it throws something else or nothing). */
function inputError(call: () => unknown): InputFileError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError);
    return error as InputFileError;
  }
  throw new Error("expected an InputFileError, nothing was thrown");
}

const rows = (m: Float64Array) => [0, 1, 2, 3].map((r) => [...m.subarray(4 * r, 4 * r + 4)]);

describe("geometry (nibabel's policy: sform > qform > pixdim)", () => {
  it("uses the sform when sform_code > 0, even when qform_code is higher (nifti-reader-js would pick the qform)", () => {
    const bytes = rawNifti({
      dims: [2, 2, 2],
      dataBytes: new Uint8Array(8).fill(1),
      pixdim: [1, 1.5, 1.5, 3],
      qformCode: 2,
      sformCode: 1,
      quatern: [0, 0, 0],
      qoffset: [100, 100, 100],
      srow: [
        [-1.5, 0, 0, 90],
        [0, 1.5, 0, -126],
        [0, 0, 3, -72],
      ],
    });
    const image = decodeNifti(bytes, "s.nii");
    expect(image.geometrySource).toBe("sform");
    expect(rows(image.voxelToWorld)).toEqual([
      [-1.5, 0, 0, 90],
      [0, 1.5, 0, -126],
      [0, 0, 3, -72],
      [0, 0, 0, 1],
    ]);
    expect(image.spacingMm).toEqual([1.5, 1.5, 3]);
    expect(image.warnings).toEqual([]);
  });

  it("qform: quaternion (b, c, d) = (1, 0, 0) is 180° about x; qfac = −1 negates the k column (nifti1.h example)", () => {
    const spec = {
      dims: [2, 2, 2] as [number, number, number],
      dataBytes: new Uint8Array(8).fill(1),
      qformCode: 1,
      quatern: [1, 0, 0] as [number, number, number],
      qoffset: [10, 20, 30] as [number, number, number],
    };
    // R = diag(1, −1, −1); M = R · diag(2, 3, qfac·4) + offset
    const plus = decodeNifti(rawNifti({ ...spec, pixdim: [1, 2, 3, 4, 1, 1, 1, 1] }), "q.nii");
    expect(plus.geometrySource).toBe("qform");
    expect(rows(plus.voxelToWorld).slice(0, 3)).toEqual([
      [2, 0, 0, 10],
      [0, -3, 0, 20],
      [0, 0, -4, 30],
    ]);
    const minus = decodeNifti(rawNifti({ ...spec, pixdim: [-1, 2, 3, 4, 1, 1, 1, 1] }), "q.nii");
    expect(rows(minus.voxelToWorld).slice(0, 3)).toEqual([
      [2, 0, 0, 10],
      [0, -3, 0, 20],
      [0, 0, 4, 30],
    ]);
  });

  it("qform of a general quaternion agrees with nifti-reader-js's independent implementation to 1e-6", () => {
    // b, c, d of a unit quaternion with a = 0.6: 0.36 + 0.64 = 1
    const quatern: [number, number, number] = [0.48, 0.6, 0.2];
    const bytes = rawNifti({
      dims: [3, 4, 5],
      dataBytes: new Uint8Array(60).fill(1),
      pixdim: [-1, 1.2, 0.9, 3],
      qformCode: 1,
      quatern,
      qoffset: [-12.5, 40, 7.25],
    });
    const reference = new NIFTI1();
    reference.readHeader(bytes.buffer as ArrayBuffer);
    const ours = rows(decodeNifti(bytes, "q.nii").voxelToWorld);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(ours[r][c]).toBeCloseTo(reference.affine[r][c], 6);
  });

  it("no sform or qform: pixdim with x flipped and the origin at the grid centre, plus a warning (nibabel's shape_zoom_affine)", () => {
    // nibabel's documented example: shape (3, 5, 7), zooms (3, 2, 1)
    const image = decodeNifti(
      rawNifti({ dims: [3, 5, 7], dataBytes: new Uint8Array(105).fill(1), pixdim: [1, 3, 2, 1, 1, 1, 1, 1] }),
      "p.nii",
    );
    expect(image.geometrySource).toBe("pixdim");
    expect(rows(image.voxelToWorld).slice(0, 3)).toEqual([
      [-3, 0, 0, 3],
      [0, 2, 0, -4],
      [0, 0, 1, -3],
    ]);
    expect(image.warnings).toHaveLength(1);
    expect(image.warnings[0]).toMatch(/^p\.nii: neither sform nor qform/);
  });

  it("spatial units in metres are converted to mm, with a warning", () => {
    const image = decodeNifti(
      rawNifti({
        dims: [1, 1, 1],
        dataBytes: new Uint8Array([1]),
        xyztUnits: 1,
        sformCode: 1,
        pixdim: [1, 0.001, 0.001, 0.002, 1, 1, 1, 1],
        srow: [
          [0.001, 0, 0, 0.1],
          [0, 0.001, 0, 0],
          [0, 0, 0.002, 0],
        ],
      }),
      "m.nii",
    );
    expect(image.spacingMm[0]).toBeCloseTo(1, 6);
    expect(image.spacingMm[2]).toBeCloseTo(2, 6);
    expect(image.voxelToWorld[3]).toBeCloseTo(100, 4);
    expect(image.warnings.join()).toContain("metres");
  });

  it("warns when pixdim disagrees with the sform it does not use", () => {
    const image = decodeNifti(
      rawNifti({
        dims: [1, 1, 1],
        dataBytes: new Uint8Array([1]),
        sformCode: 1,
        pixdim: [1, 1, 1, 1, 1, 1, 1, 1],
        srow: [
          [2, 0, 0, 0],
          [0, 2, 0, 0],
          [0, 0, 2, 0],
        ],
      }),
      "d.nii",
    );
    expect(image.warnings.join()).toContain("disagrees with the sform");
  });
});

describe("voxel data", () => {
  it("NIfTI-2, float64 sform, int16 with scl_slope/scl_inter", () => {
    const values = [-3, 0, 1, 2, 7, 100];
    const image = decodeNifti(
      rawNifti({
        version: 2,
        dims: [3, 2, 1],
        datatype: 4,
        bitpix: 16,
        dataBytes: int16Bytes(values),
        sclSlope: 0.5,
        sclInter: -1,
        sformCode: 1,
        srow: [
          [0.7, 0, 0, -0.1],
          [0, 0.7, 0, 0.2],
          [0, 0, 2.5, 0.3],
        ],
        description: "nifti two",
      }),
      "two.nii",
    );
    expect(image.version).toBe(2);
    expect(image.datatype).toBe("int16");
    expect(image.dims).toEqual([3, 2, 1]);
    expect([...image.data]).toEqual(values);
    expect(image.voxelToWorld[0]).toBe(0.7); // float64 in NIfTI-2: no float32 rounding
    expect([...scaledVoxelValues(image)]).toEqual(values.map((x) => x * 0.5 - 1));
    expect(image.description).toBe("nifti two");
  });

  it("big-endian int16 is byte-swapped", () => {
    const values = [1, -2, 300, -32768, 32767, 0, 5, 6];
    const image = decodeNifti(
      rawNifti({
        littleEndian: false,
        dims: [2, 2, 2],
        datatype: 4,
        bitpix: 16,
        dataBytes: int16Bytes(values, false),
        pixdim: [1, 1, 1, 1, 1, 1, 1, 1],
        qformCode: 1,
      }),
      "be.nii",
    );
    expect([...image.data]).toEqual(values);
    // the same bytes read from a file (a Node Buffer, possibly a view into a shared pool)
    const bytes = rawNifti({
      littleEndian: false,
      dims: [2, 2, 2],
      datatype: 4,
      bitpix: 16,
      dataBytes: int16Bytes(values, false),
      qformCode: 1,
    });
    expect([...readNiftiImage(file("be.nii", bytes)).data]).toEqual(values);
    // an odd vox_offset forces an aligned copy of little-endian data too
    const odd = rawNifti({
      dims: [2, 2, 2],
      datatype: 4,
      bitpix: 16,
      dataBytes: int16Bytes(values),
      qformCode: 1,
      voxOffset: 353,
    });
    expect([...readNiftiImage(file("odd.nii", odd)).data]).toEqual(values);
  });

  it("a malformed header extension is ignored (extensions are not needed for a mask)", () => {
    const bytes = rawNifti({ dims: [2, 1, 1], dataBytes: new Uint8Array([0, 1]), qformCode: 1, voxOffset: 368 });
    bytes.set([1, 0, 0, 0], 348); // extension flag: an extension follows
    new DataView(bytes.buffer).setInt32(352, 7, true); // esize 7: not a multiple of 16, invalid
    expect([...decodeNifti(bytes, "ext.nii").data]).toEqual([0, 1]);
  });

  it("scl_slope = 0 means no scaling (the standard)", () => {
    const image = decodeNifti(
      rawNifti({ dims: [2, 1, 1], dataBytes: new Uint8Array([3, 4]), sclSlope: 0, sclInter: 9, qformCode: 1 }),
      "z.nii",
    );
    expect([image.sclSlope, image.sclInter]).toEqual([1, 0]);
  });

  it("a .nii.gz is detected by its bytes, whatever its name", () => {
    const bytes = rawNifti({ dims: [2, 1, 1], dataBytes: new Uint8Array([0, 1]), qformCode: 1 });
    expect([...readNiftiImage(file("named-plain.nii", gzipSync(bytes))).data]).toEqual([0, 1]);
    expect([...readNiftiImage(file("named-gz.nii.gz", bytes)).data]).toEqual([0, 1]);
  });
});

describe("writer", () => {
  const grid = mat4FromRows([
    [0, 0, 2.5, -10.5],
    [-1.25, 0, 0, 20],
    [0, 1.25, 0, 3],
  ]);
  const arrays: NiftiVoxelArray[] = [
    Uint8Array.from({ length: 24 }, (_, i) => i * 10),
    Int16Array.from({ length: 24 }, (_, i) => (i - 12) * 1000),
    Uint16Array.from({ length: 24 }, (_, i) => i * 2000),
    Int32Array.from({ length: 24 }, (_, i) => (i - 12) * 100_000_000),
    Float32Array.from({ length: 24 }, (_, i) => (i - 12) / 8),
    Float64Array.from({ length: 24 }, (_, i) => Math.PI * (i - 12)),
  ];

  for (const data of arrays) {
    it(`round-trips ${data.constructor.name} through .nii and .nii.gz, geometry and all`, () => {
      for (const name of ["r.nii", "r.nii.gz"]) {
        const path = join(tmp.dir, `${data.constructor.name}-${name}`);
        writeNiftiFile(path, { dims: [2, 3, 4], voxelToWorld: grid, data, description: "round trip" });
        const image = readNiftiImage(path);
        expect(image.data.constructor).toBe(data.constructor);
        expect([...image.data]).toEqual([...data]);
        expect(rows(image.voxelToWorld)).toEqual(rows(grid));
        expect(image.dims).toEqual([2, 3, 4]);
        expect(image.description).toBe("round trip");
        expect(image.warnings).toEqual([]);
      }
    });
  }

  it("writes the same geometry into the qform, so qform-only readers agree", () => {
    const bytes = encodeNifti({ dims: [2, 3, 4], voxelToWorld: grid, data: arrays[0] }, { gzip: false });
    bytes.writeInt16LE(0, 254); // sform_code = 0: the reader falls back to the qform
    const image = decodeNifti(bytes, "q.nii");
    expect(image.geometrySource).toBe("qform");
    const expected = rows(grid);
    rows(image.voxelToWorld).forEach((row, r) => {
      for (const [c, v] of row.entries()) expect(v).toBeCloseTo(expected[r][c], 5);
    });
  });

  it("is deterministic (same image → same bytes) and leaves no temporary file", () => {
    const dir = join(tmp.dir, "det");
    mkdirSync(dir);
    const image = { dims: [2, 3, 4] as [number, number, number], voxelToWorld: grid, data: arrays[1] };
    writeNiftiFile(join(dir, "a.nii.gz"), image);
    writeNiftiFile(join(dir, "b.nii.gz"), image);
    expect(readFileSync(join(dir, "a.nii.gz")).equals(readFileSync(join(dir, "b.nii.gz")))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["a.nii.gz", "b.nii.gz"]);
  });

  it("a failed write names the file and leaves nothing behind", () => {
    const path = join(tmp.dir, "no-such-folder", "x.nii.gz");
    expect(() => writeNiftiFile(path, { dims: [2, 3, 4], voxelToWorld: grid, data: arrays[0] })).toThrow(
      /no-such-folder\/x\.nii\.gz: cannot write/,
    );
    expect(existsSync(join(tmp.dir, "no-such-folder"))).toBe(false);
  });
});

describe("readMask", () => {
  const grid = mat4FromRows([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ]);
  const labels = Uint8Array.from([0, 1, 2, 2, 0, 3, 1, 0]);

  it("a voxel > 0 is inside; values other than 0/1 give a warning", () => {
    const path = join(tmp.dir, "labels.nii.gz");
    writeNiftiFile(path, { dims: [2, 2, 2], voxelToWorld: grid, data: labels });
    const { mask, warnings } = readMask(path);
    expect([...mask.data]).toEqual([0, 1, 1, 1, 0, 1, 1, 0]);
    expect(mask.dims).toEqual([2, 2, 2]);
    expect(warnings).toEqual([
      `${path}: the mask is not binary: it holds the non-zero values 1, 2, 3; every voxel > 0 was taken as inside (labels merged)`,
    ]);
    // a float mask names its values the same way
    const floats = join(tmp.dir, "labels-float.nii.gz");
    writeNiftiFile(floats, { dims: [2, 2, 2], voxelToWorld: grid, data: Float32Array.from(labels, (v) => v / 2) });
    expect(readMask(floats).warnings).toEqual([
      `${floats}: the mask is not binary: it holds the non-zero values 0.5, 1, 1.5; every voxel > 0 was taken as inside (labels merged)`,
    ]);
  });

  it("the word-at-a-time pass equals a byte-by-byte reference at any alignment and length", () => {
    for (const [offset, length] of [
      [0, 8],
      [1, 37],
      [2, 1001],
      [3, 4099],
    ]) {
      const buffer = new Uint8Array(offset + length);
      // mostly zeros, some 0/1 runs, a few larger labels, and every other 128 voxels all zero (skipped 16 at a time)
      for (let i = 0; i < length; i++)
        buffer[offset + i] =
          ((i >> 7) & 1) === 1 ? 0 : (i * 7919) % 13 === 0 ? (i % 3) + 1 : (i >> 5) % 3 === 0 ? 1 : 0;
      const data = buffer.subarray(offset);
      const expected = [...data].map((v) => (v > 0 ? 1 : 0));
      const labelsAboveOne = data.some((v) => v > 1);
      const image = decodeNifti(
        encodeNifti({ dims: [length, 1, 1], voxelToWorld: grid, data: Uint8Array.from(data) }, { gzip: false }),
      );
      image.data = data; // the same values at this byte offset
      const { mask, warnings } = maskFromImage(image);
      expect([...mask.data]).toEqual(expected);
      expect(warnings).toHaveLength(labelsAboveOne ? 1 : 0); // a warning when labels > 1 are present
    }
  });

  it("--label selects one value, of any datatype and scaling", () => {
    const path = join(tmp.dir, "labels-u8.nii.gz");
    writeNiftiFile(path, { dims: [2, 2, 2], voxelToWorld: grid, data: labels });
    expect([...readMask(path, { label: 2 }).mask.data]).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    // float32 stored 0.5·label − 1 with slope 2, inter 2 → the label back
    const scaledPath = join(tmp.dir, "labels-f32.nii.gz");
    const stored = Float32Array.from(labels, (v) => (v - 2) / 2);
    writeNiftiFile(scaledPath, { dims: [2, 2, 2], voxelToWorld: grid, data: stored, sclSlope: 2, sclInter: 2 });
    expect([...readMask(scaledPath, { label: 3 }).mask.data]).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it("an empty mask is an error naming the file; with --label it lists the labels present", () => {
    const empty = join(tmp.dir, "empty.nii.gz");
    writeNiftiFile(empty, { dims: [2, 2, 2], voxelToWorld: grid, data: new Uint8Array(8) });
    const e1 = inputError(() => readMask(empty));
    expect(e1.problem).toBe("empty-mask");
    expect(e1.message).toBe(`${empty}: the mask is empty: no voxel is > 0`);
    const labelled = join(tmp.dir, "labels-empty.nii.gz");
    writeNiftiFile(labelled, { dims: [2, 2, 2], voxelToWorld: grid, data: labels });
    const e2 = inputError(() => readMask(labelled, { label: 7 }));
    expect(e2.message).toBe(`${labelled}: the mask is empty: no voxel has label 7 (non-zero values present: 1, 2, 3)`);
  });
});

describe("bad files: a typed error naming the file and the problem", () => {
  const good = () =>
    rawNifti({ dims: [2, 2, 2], dataBytes: new Uint8Array(8).fill(1), qformCode: 1, pixdim: [1, 1, 1, 1, 1, 1, 1, 1] });

  it("missing file", () => {
    const path = join(tmp.dir, "nope.nii.gz");
    const e = inputError(() => readNiftiImage(path));
    expect([e.problem, e.file, e.message]).toEqual(["missing", path, `${path}: no such file`]);
  });

  it("a folder instead of a file", () => {
    const e = inputError(() => readNiftiImage(tmp.dir));
    expect(e.problem).toBe("unreadable");
    expect(e.message).toContain(tmp.dir);
  });

  it("unreadable (no permission)", () => {
    if (process.getuid?.() === 0) return; // root reads everything: nothing to test
    const path = file("secret.nii", good());
    chmodSync(path, 0o000);
    expect(inputError(() => readNiftiImage(path)).problem).toBe("unreadable");
  });

  it("truncated .nii.gz", () => {
    const whole = gzipSync(rawNifti({ dims: [40, 40, 40], dataBytes: new Uint8Array(64000).fill(1), qformCode: 1 }));
    const path = file("cut.nii.gz", whole.subarray(0, Math.floor(whole.length / 2)));
    const e = inputError(() => readNiftiImage(path));
    expect(e.problem).toBe("truncated");
    expect(e.message).toMatch(/cut\.nii\.gz: the gzip stream is truncated or corrupt/);
  });

  it("truncated voxel data in a .nii", () => {
    const bytes = good();
    const path = file("short.nii", bytes.subarray(0, bytes.length - 3));
    const e = inputError(() => readNiftiImage(path));
    expect(e.problem).toBe("truncated");
    expect(e.message).toContain("need 360 bytes, the file has 357");
  });

  it("wrong magic", () => {
    const bytes = good();
    bytes.set([0x78, 0x78, 0x78], 344);
    expect(inputError(() => decodeNifti(bytes, "m.nii")).message).toBe(
      "m.nii: is not a NIfTI-1 file: magic 'xxx', expected 'n+1'",
    );
    const png = file("image.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    expect(inputError(() => readNiftiImage(png)).problem).toBe("bad-magic");
    const pair = good();
    pair.set([0x6e, 0x69, 0x31], 344); // "ni1": an Analyze-style .hdr/.img pair
    expect(inputError(() => decodeNifti(pair, "h.hdr")).message).toContain(".hdr/.img pair");
  });

  it("unsupported datatype", () => {
    const e = inputError(() =>
      decodeNifti(rawNifti({ dims: [1, 1, 1], datatype: 128, bitpix: 24, dataBytes: new Uint8Array(3) }), "rgb.nii"),
    );
    expect(e.problem).toBe("unsupported-datatype");
    expect(e.message).toBe(
      "rgb.nii: has datatype rgb24; supported are uint8, int16, uint16, int32, float32 and float64",
    );
  });

  it("4-D image", () => {
    const e = inputError(() =>
      decodeNifti(
        rawNifti({ dim: [4, 2, 2, 2, 3, 1, 1, 1], dataBytes: new Uint8Array(24).fill(1), qformCode: 1 }),
        "4d.nii",
      ),
    );
    expect(e.problem).toBe("not-3d");
    expect(e.message).toBe("4d.nii: is a 4-D image (dim[4] = 3); a mask must be a single 3-D volume");
    // dim[0] = 4 with a single time point is a 3-D volume
    const single = decodeNifti(
      rawNifti({ dim: [4, 2, 2, 2, 1, 1, 1, 1], dataBytes: new Uint8Array(8).fill(1), qformCode: 1 }),
      "4d1.nii",
    );
    expect(single.dims).toEqual([2, 2, 2]);
  });

  for (const [label, spacing] of [
    ["zero", 0],
    ["negative", -1.2],
    ["NaN", Number.NaN],
  ] as const) {
    it(`${label} spacing`, () => {
      const e = inputError(() =>
        decodeNifti(
          rawNifti({
            dims: [1, 1, 1],
            dataBytes: new Uint8Array([1]),
            qformCode: 1,
            pixdim: [1, 1, spacing, 3, 1, 1, 1, 1],
          }),
          "sp.nii",
        ),
      );
      expect(e.problem).toBe("bad-spacing");
      expect(e.message).toBe(`sp.nii: voxel spacing pixdim[2] is ${spacing}; it must be a positive number of mm`);
    });
  }

  it("singular affine (sform with two parallel columns)", () => {
    const e = inputError(() =>
      decodeNifti(
        rawNifti({
          dims: [1, 1, 1],
          dataBytes: new Uint8Array([1]),
          sformCode: 1,
          srow: [
            [1, 2, 0, 0],
            [1, 2, 0, 0],
            [0, 0, 3, 0],
          ],
        }),
        "sing.nii",
      ),
    );
    expect(e.problem).toBe("singular-affine");
    expect(e.message).toMatch(/^sing\.nii: the sform voxel-to-world matrix is singular/);
  });

  it("a zero column in the sform is singular too", () => {
    const e = inputError(() =>
      decodeNifti(
        rawNifti({
          dims: [1, 1, 1],
          dataBytes: new Uint8Array([1]),
          sformCode: 1,
          srow: [
            [1, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 0, 3, 0],
          ],
        }),
        "zero.nii",
      ),
    );
    expect(e.problem).toBe("singular-affine");
  });

  it("negative dimension", () => {
    const e = inputError(() =>
      decodeNifti(rawNifti({ dim: [3, 2, -2, 2, 1, 1, 1, 1], dataBytes: new Uint8Array(8), qformCode: 1 }), "n.nii"),
    );
    expect(e.problem).toBe("bad-header");
  });
});

describe("images larger than allowed (gzip bombs)", () => {
  /** A gzipped NIfTI whose header announces `dims` uint8 voxels, followed by `dataBytes` of zeros. */
  function gzipped(dims: [number, number, number], dataBytes: number): Uint8Array {
    return gzipSync(rawNifti({ dims, dataBytes: new Uint8Array(dataBytes), qformCode: 1 }));
  }

  it("an image whose header announces more than --max-image-mb is refused before its voxels are inflated", () => {
    // 8 MB announced; the compressed voxels after the header are garbage, which a full inflate would report
    const whole = gzipped([200, 200, 200], 200 * 200 * 200);
    const corrupt = Uint8Array.from(whole);
    corrupt.fill(0xff, 200, corrupt.length - 8);
    const e = inputError(() => decodeNifti(corrupt, "big.nii.gz", { maxImageMb: 4 }));
    expect(e.problem).toBe("too-large");
    expect(e.message).toBe(
      "big.nii.gz: its header announces a 200 × 200 × 200 uint8 image of 7.63 MB, more than the 4 MB allowed (--max-image-mb of margins, validate and analyze raises the limit)",
    );
    // the limit raised, the same image decodes
    expect(decodeNifti(whole, "big.nii.gz", { maxImageMb: 8 }).dims).toEqual([200, 200, 200]);
    // the default limit is far above a mask
    expect(DEFAULT_MAX_IMAGE_MB).toBeGreaterThanOrEqual(1024);
  });

  it("a gzip stream inflating to more than its header announces stops within 1 MB of the promise", () => {
    const bomb = gzipped([8, 8, 8], 64 * 2 ** 20); // header: 512 voxels; stream: 64 MB
    const e = inputError(() => decodeNifti(bomb, "bomb.nii.gz"));
    expect(e.problem).toBe("too-large");
    expect(e.message).toBe(
      "bomb.nii.gz: inflates to more than the 864 bytes its NIfTI header announces; the file is corrupt",
    );
    // a file larger than the limit is refused before it is read
    const big = file("big.nii", rawNifti({ dims: [128, 128, 128], dataBytes: new Uint8Array(128 ** 3), qformCode: 1 }));
    const refused = inputError(() => readNiftiImage(big, { maxImageMb: 0.5 }));
    expect([refused.problem, refused.message]).toEqual([
      "too-large",
      `${big}: the file is 2 MB, more than the 0.5 MB an image may have (--max-image-mb of margins, validate and analyze raises the limit)`,
    ]);
    // a little padding after the voxels is accepted
    expect(decodeNifti(gzipped([8, 8, 8], 512 + 1000), "padded.nii.gz").dims).toEqual([8, 8, 8]);
  });
});
