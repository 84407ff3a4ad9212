/**
 * Bar: for one case of two 512 × 512 × 120 uint8 .nii.gz masks at 1.2 × 1.2 × 3.0 mm (tumor
 * ~30 mm, ice ball ~50 mm across): decoding both files ≤ 0.5 s, and the whole `cryomargin margins`
 * pipeline (decode, transform file, measureMargins, JSON) ≤ 0.5 s median and ≤ 400 MB peak RSS.
 *
 * The masks are written once to a temporary folder; the timed part runs in a child process so its peak
 * RSS is the pipeline's alone (not the generator's). Reports medians over 7 runs after one warm-up,
 * plus the median of 5 whole-command runs (Node start-up included) as a user sees it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "@cryomargin/analysis";
import { measureCase } from "../loaders/cohort/measureCase.js";
import { mat4FromRows } from "../loaders/io/affine.js";
import { readMask, writeNiftiFile } from "../loaders/io/nifti.js";
import { formatItkTransform } from "../loaders/io/transform.js";

const DIMS: [number, number, number] = [512, 512, 120];
const SPACING: [number, number, number] = [1.2, 1.2, 3.0];

/** A ball on the 512 × 512 × 120 grid, filling only its bounding box (the grid is mostly zeros). */
function ballOnGrid(voxelToWorld: Float64Array, centre: number[], radiusMm: number): Uint8Array {
  const [nx, ny, nz] = DIMS;
  const data = new Uint8Array(nx * ny * nz);
  const index = (world: number, axis: number) => (world - voxelToWorld[4 * axis + 3]) / SPACING[axis];
  const range = (axis: number) => [
    Math.max(0, Math.floor(index(centre[axis] - radiusMm, axis))),
    Math.min(DIMS[axis] - 1, Math.ceil(index(centre[axis] + radiusMm, axis))),
  ];
  const [[i0, i1], [j0, j1], [k0, k1]] = [range(0), range(1), range(2)];
  for (let k = k0; k <= k1; k++)
    for (let j = j0; j <= j1; j++)
      for (let i = i0; i <= i1; i++) {
        const x = voxelToWorld[3] + i * SPACING[0] - centre[0];
        const y = voxelToWorld[7] + j * SPACING[1] - centre[1];
        const z = voxelToWorld[11] + k * SPACING[2] - centre[2];
        if (x * x + y * y + z * z <= radiusMm * radiusMm) data[i + nx * (j + ny * k)] = 1;
      }
  return data;
}

function writeCase(dir: string): { tumor: string; iceball: string; transform: string } {
  const files = {
    tumor: join(dir, "tumor.nii.gz"),
    iceball: join(dir, "iceball.nii.gz"),
    transform: join(dir, "registration.tfm"),
  };
  const pre = mat4FromRows([
    [SPACING[0], 0, 0, -307.2],
    [0, SPACING[1], 0, -307.2],
    [0, 0, SPACING[2], -180],
  ]);
  // The post scan is shifted by a few mm (patient motion); the transform undoes it.
  const post = mat4FromRows([
    [SPACING[0], 0, 0, -303.1],
    [0, SPACING[1], 0, -309.5],
    [0, 0, SPACING[2], -178.4],
  ]);
  const motion = [3.2, -1.7, 2.4];
  writeNiftiFile(files.tumor, { dims: DIMS, voxelToWorld: pre, data: ballOnGrid(pre, [20, -15, 10], 15) });
  writeNiftiFile(files.iceball, {
    dims: DIMS,
    voxelToWorld: post,
    data: ballOnGrid(post, [20 + motion[0] + 2, -15 + motion[1], 10 + motion[2]], 25),
  });
  writeFileSync(
    files.transform,
    formatItkTransform(
      mat4FromRows([
        [1, 0, 0, motion[0]],
        [0, 1, 0, motion[1]],
        [0, 0, 1, motion[2]],
      ]),
      { kind: "versor" },
    ),
  );
  return files;
}

/** The timed part, in a child process: prints one JSON line. */
function child(files: { tumor: string; iceball: string; transform: string }): void {
  const decode: number[] = [];
  const pipeline: number[] = [];
  let mtm = Number.NaN;
  for (let run = 0; run < 8; run++) {
    let t = performance.now();
    readMask(files.tumor);
    readMask(files.iceball);
    if (run > 0) decode.push(performance.now() - t);
    t = performance.now();
    mtm = measureCase(files).json.mtm_mm;
    if (run > 0) pipeline.push(performance.now() - t);
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ decode, pipeline, mtm, maxRssMb })}\n`);
}

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === "--child") {
  child(JSON.parse(process.argv[3]));
} else {
  const dir = mkdtempSync(join(tmpdir(), "cryomargin-bench-io-"));
  try {
    const files = writeCase(dir);
    const sizeKb = (p: string) => (statSync(p).size / 1024).toFixed(0);
    console.log(
      `case: 2 × ${DIMS.join("×")} uint8 at ${SPACING.join("×")} mm (tumor ⌀30 mm, ice ⌀50 mm); .nii.gz ${sizeKb(files.tumor)} KB + ${sizeKb(files.iceball)} KB`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", self, "--child", JSON.stringify(files)], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
    const { decode, pipeline, mtm, maxRssMb } = JSON.parse(r.stdout) as {
      decode: number[];
      pipeline: number[];
      mtm: number;
      maxRssMb: number;
    };
    const range = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;
    console.log(`decode both masks: median ${median(decode).toFixed(0)} ms (${range(decode)}) — bar ≤ 500 ms`);
    console.log(
      `pipeline (decode + transform + measureMargins + JSON): median ${median(pipeline).toFixed(0)} ms (${range(pipeline)}) — bar ≤ 500 ms; MTM ${mtm} mm (exact 8.00)`,
    );
    console.log(`peak RSS of the pipeline process: ${maxRssMb.toFixed(0)} MB — bar ≤ 400 MB`);
    const bin = fileURLToPath(new URL("../bin/cryomargin.mjs", import.meta.url));
    const command: number[] = [];
    const commandRssMb: number[] = [];
    // GNU time(1) reports the child's peak RSS (KB) on its last stderr line, when installed.
    const gnuTime = existsSync("/usr/bin/time");
    for (let run = 0; run < 5; run++) {
      const args = [bin, "margins", "--tumor", files.tumor, "--iceball", files.iceball, "--transform", files.transform];
      const t = performance.now();
      const c = gnuTime
        ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], { encoding: "utf8" })
        : spawnSync(process.execPath, args, { encoding: "utf8" });
      command.push(performance.now() - t);
      if (c.status !== 0) throw new Error(`cryomargin margins failed: ${c.stderr}`);
      if (gnuTime) commandRssMb.push(Number(c.stderr.trim().split("\n").at(-1)) / 1024);
    }
    console.log(
      `whole command incl. Node start-up (bin/cryomargin.mjs margins): median ${median(command).toFixed(0)} ms` +
        (gnuTime ? `, peak RSS median ${median(commandRssMb).toFixed(0)} MB` : ""),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
