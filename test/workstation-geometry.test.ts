/**
 * The workstation page takes a scan's voxel-to-world matrix from the command line's code, not from
 * NiiVue's header reader: on a NIfTI whose qform and sform disagree with qform_code > sform_code > 0,
 * nifti-reader-js (whose header NiiVue keeps, `hdr.affine`) takes the qform while the command line
 * (nibabel's policy) takes the sform. The page's scanVolume, given the header as NiiVue parses it and
 * the file's first bytes as the page reads them (gzipped and not), must give the command line's matrix.
 */
import { gzipSync } from "node:zlib";
import type { Mat4 } from "@cryomargin/analysis";
import { NIFTI1 } from "nifti-reader-js";
import { describe, expect, it } from "vitest";
import { decodeNifti, encodeNifti } from "../loaders/io/nifti.js";
import { type LoadedScan, niftiHeadBytes, scanVolume } from "../src/components/workstationVolumes.js";

/** A 4 × 5 × 6 int16 scan whose qform (code 2) is the sform (code 1) moved 10 mm along x and rotated 90° about z. */
function qformSformDisagree(): Uint8Array {
  const voxelToWorld = new Float64Array([1.5, 0, 0, -20, 0, 1.5, 0, 30, 0, 0, 3, 12, 0, 0, 0, 1]) as Mat4;
  const data = new Int16Array(4 * 5 * 6).map((_, v) => v);
  const bytes = new Uint8Array(encodeNifti({ dims: [4, 5, 6], voxelToWorld, data }, { gzip: false }));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setInt16(252, 2, true); // qform_code: aligned
  view.setInt16(254, 1, true); // sform_code: scanner
  view.setFloat32(264, Math.SQRT1_2, true); // quatern_d: 90° about z
  view.setFloat32(268, view.getFloat32(268, true) + 10, true); // qoffset_x + 10 mm
  return bytes;
}

describe("the workstation's scan geometry", () => {
  it("is the command line's matrix (the sform), not NiiVue's (the qform), on a NIfTI whose codes prefer the qform", async () => {
    const raw = qformSformDisagree();
    const cli = decodeNifti(raw, "scan.nii");
    expect(cli.geometrySource).toBe("sform");
    const hdr = new NIFTI1();
    hdr.readHeader(raw.slice(0, 348).buffer);
    const niivueAffine = hdr.affine.flat();
    // The file is a real disagreement: NiiVue's matrix is not the command line's.
    expect(niivueAffine).not.toEqual(Array.from(cli.voxelToWorld));
    for (const file of [raw, gzipSync(raw)]) {
      const scan = { name: "scan.nii", hdr, img: cli.data } as unknown as LoadedScan;
      const head = await niftiHeadBytes(new Blob([Uint8Array.from(file)]));
      const volume = scanVolume(scan, head);
      expect(Array.from(volume.voxelToWorld)).toEqual(Array.from(cli.voxelToWorld));
      expect(volume.dims).toEqual(cli.dims);
    }
  });

  it("refuses a singular sform with the command line's reason, naming the file", async () => {
    const raw = qformSformDisagree();
    new DataView(raw.buffer, raw.byteOffset).setFloat32(280 + 4 * 10, 0, true); // srow_z[2] = 0: no z extent
    new DataView(raw.buffer, raw.byteOffset).setFloat32(280 + 4 * 2, 0, true); // srow_x[2]
    new DataView(raw.buffer, raw.byteOffset).setFloat32(280 + 4 * 6, 0, true); // srow_y[2]
    const cliMessage = (() => {
      try {
        decodeNifti(raw, "flat.nii");
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(cliMessage).toMatch(/^flat\.nii: the sform voxel-to-world matrix is singular/);
    const hdr = new NIFTI1();
    hdr.readHeader(raw.slice(0, 348).buffer);
    const scan = { name: "flat.nii", hdr, img: new Int16Array(4 * 5 * 6) } as unknown as LoadedScan;
    expect(() => scanVolume(scan, raw.subarray(0, 540))).toThrow(cliMessage);
  });
});
