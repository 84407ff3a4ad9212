/**
 * `cryomargin segment` end to end on small phantoms written as NIfTI: the tumor from outlines on two
 * axial slices and one sagittal (the contour interpolation runs in the compiled command's worker
 * thread; stdout must stay one JSON document), the ice ball from a seed given with a negative
 * coordinate, and every bad input: exit 1, a message naming the file or seed, nothing written.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createRandom, diceCoefficient, type Mat4 } from "@cryomargin/analysis";
import { afterAll, describe, expect, it } from "vitest";
import { standardNormal } from "../analysis/src/synth/sampling.js";
import { readMask, writeNiftiFile } from "../loaders/io/nifti.js";
import { temporaryFolder } from "./helpers/nifti.js";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, "segment", ...args], { encoding: "utf8" });
const tmp = temporaryFolder("cryomargin-cli-segment-");
afterAll(tmp.remove);

const dims: [number, number, number] = [50, 50, 16];
/** 1.2 × 1.2 × 3 mm, voxel (0, 0, 0) at (−30, −30, −24) mm: the phantoms' centre (30, 30, 24) mm from the corner is world (0, 0, 0). */
const affine: Mat4 = Float64Array.from([1.2, 0, 0, -30, 0, 1.2, 0, -30, 0, 0, 3, -24, 0, 0, 0, 1]);
const world = (v: number): [number, number, number] => {
  const i = v % 50;
  const j = Math.floor(v / 50) % 50;
  const k = Math.floor(v / 2500);
  return [1.2 * i - 30, 1.2 * j - 30, 3 * k - 24];
};
const n = dims[0] * dims[1] * dims[2];
const rng = createRandom(3);
const truthTumor = Uint8Array.from({ length: n }, (_, v) => (Math.hypot(...world(v)) <= 12 ? 1 : 0));
const pre = Float32Array.from(
  { length: n },
  (_, v) => (truthTumor[v] ? 650 : world(v)[1] < 0 ? 450 : 800) + 18 * standardNormal(rng),
);
// Outlines on axial slices k = 6 and 10 (z = −6 and +6 mm) and the sagittal slice i = 25 (x = 0).
const scribbles = Uint8Array.from({ length: n }, (_, v) => {
  const k = Math.floor(v / 2500);
  return truthTumor[v] && (k === 6 || k === 10 || v % 50 === 25) ? 1 : 0;
});
const truthIce = Uint8Array.from({ length: n }, (_, v) => (Math.hypot(...world(v)) <= 15 ? 1 : 0));
const post = Float32Array.from({ length: n }, (_, v) => {
  const [x, y, z] = world(v);
  const shaft = x >= 0 && Math.hypot(y, z) <= 1.2;
  return Math.max(0, (truthIce[v] || shaft ? 15 : 500) + 18 * standardNormal(rng));
});
const f = {
  pre: join(tmp.dir, "pre.nii.gz"),
  post: join(tmp.dir, "post.nii.gz"),
  scribbles: join(tmp.dir, "drawn.nii.gz"),
  empty: join(tmp.dir, "empty.nii.gz"),
  other: join(tmp.dir, "other-grid.nii.gz"),
};
writeNiftiFile(f.pre, { dims, voxelToWorld: affine, data: pre });
writeNiftiFile(f.post, { dims, voxelToWorld: affine, data: post });
writeNiftiFile(f.scribbles, { dims, voxelToWorld: affine, data: scribbles });
writeNiftiFile(f.empty, { dims, voxelToWorld: affine, data: new Uint8Array(n) });
writeNiftiFile(f.other, { dims: [50, 50, 15], voxelToWorld: affine, data: scribbles.subarray(0, 50 * 50 * 15) });

describe("cryomargin segment tumor", () => {
  it("interpolates and refines; stdout is the JSON record alone", () => {
    const out = join(tmp.dir, "tumor.nii.gz");
    const r = run("tumor", "--image", f.pre, "--scribbles", f.scribbles, "--out", out);
    expect(r.stderr).toMatch(/^tumor \d+\.\d+ ml/m);
    expect(r.status).toBe(0);
    const record = JSON.parse(r.stdout);
    expect(record.parameters.interpolated_axes).toEqual(["axial"]);
    expect(record.drawn_slices).toEqual({ sagittal: [25], coronal: [], axial: [6, 10] });
    expect(record.method).toMatch(/morphological contour interpolation/);
    const mask = readMask(out).mask.data;
    expect(diceCoefficient(mask, truthTumor)).toBeGreaterThan(0.95);
    expect(record.volume_ml).toBeCloseTo((mask.reduce((s, x) => s + x, 0) * 1.2 * 1.2 * 3) / 1000, 2);
  });
  it("refuses scribbles on another grid or with nothing drawn, writing nothing", () => {
    for (const [scribbleFile, message] of [
      [
        f.other,
        /other-grid\.nii\.gz: the scribbles are on another grid than the image: 50 × 50 × 15 voxels against 50 × 50 × 16/,
      ],
      [f.empty, /empty\.nii\.gz: the scribbles hold no drawn voxel/],
    ] as const) {
      const out = join(tmp.dir, "never.nii.gz");
      const r = run("tumor", "--image", f.pre, "--scribbles", scribbleFile, "--out", out);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("cryomargin segment iceball", () => {
  it("segments from a seed with negative coordinates and cuts the shaft", () => {
    const out = join(tmp.dir, "ice.nii.gz");
    const r = run("iceball", "--image", f.post, "--seed", "-1.2,-0.5,0", "--out", out);
    expect(r.status).toBe(0);
    const record = JSON.parse(r.stdout);
    expect(record.parameters.threshold).toBeGreaterThan(15);
    expect(record.quality.voxels_cut_by_opening).toBeGreaterThan(0);
    expect(diceCoefficient(readMask(out).mask.data, truthIce)).toBeGreaterThan(0.97);
  });
  it("refuses a seed outside the image or in bright tissue, writing nothing", () => {
    const out = join(tmp.dir, "never-ice.nii.gz");
    const outside = run("iceball", "--image", f.post, "--seed", "200,0,0", "--out", out);
    expect(outside.status).toBe(1);
    expect(outside.stderr).toMatch(/post\.nii\.gz: seed 1 \(200\.0, 0\.0, 0\.0 mm RAS\) lies outside the image/);
    const bright = run("iceball", "--image", f.post, "--seed", "0,0,0", "--seed", "25,25,0", "--out", out);
    expect(bright.status).toBe(1);
    expect(bright.stderr).toMatch(/seed 2 .* not in a dark region: its intensity is \d+ .*above the threshold \d+/);
    expect(existsSync(out)).toBe(false);
    expect(run("iceball", "--image", f.post, "--out", out).status).toBe(2);
  });
});
