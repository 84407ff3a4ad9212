/**
 * Bars: `cryomargin register` on synthetic pairs at 1.2 × 1.2 × 3 mm —
 * - TRE (RMS over the tumor surface and a 10 mm shell, against registration.tfm, the true transform)
 *   ≤ 1.0 mm mean and ≤ 1.5 mm every pair on plain `synth --images` pairs (T2/T2, the whole scene
 *   moving rigidly); ≤ 1.5 mm mean and ≤ 3 mm every pair on hard pairs (`--post-contrast t1
 *   --breathing`: T1-like post scan, body wall and spine moving 5–15 mm apart from the kidney);
 * - the MTM with the estimated transform within 0.5 mm of the MTM with the true one on every pair;
 * - ≤ 20 s per pair on 2 cores and ≤ 1 GB RSS.
 * Beside each pair's TRE it prints the TRE the registration's own error estimate implies ("est.":
 * √(3σ_t² + 2σ_ω² · mean |p − c|²) over the same points, c the tumor centroid) and the MTM with the
 * true and the estimated transform. Beside this strategy it prints elastix's default rigid registration on the whole image and on the
 * ROI box (tumor box + 30 mm), and no registration at all.
 *
 * Pairs: plain = the first REGISTER_BENCH_PLAIN (default 8) cases of data/cohort (its scans cover the
 * tumor's box ± 40 mm); hard = REGISTER_BENCH_HARD_DIR, or generated once (8 cases, seed 11, whole
 * field of view) into the system's temp folder and reused (REGISTER_BENCH_HARD: how many, default 8; REGISTER_BENCH_ONLY=S02,S05 runs those cases of each set);
 * cropped = the same 8 hard cases with their scans cropped to the tumor's box ± 50 mm (`--image-roi-mm 50`:
 * under 4 ROI boxes, so stage 4b instead of stage 4), REGISTER_BENCH_CROPPED_DIR or generated once the same
 * way (REGISTER_BENCH_CROPPED: how many, default 8). The "stage3" columns are stage 3's result (before 4 / 4b). REGISTER_BENCH_BASELINES=0 skips the
 * elastix-default rows (faster).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "@cryomargin/analysis";
import {
  identityMat4,
  type Mat4,
  maskBounds,
  maskCentroid,
  measureMargins,
  targetRegistrationErrorMm,
  tumorTargetPoints,
} from "../analysis/src/index.js";
import { readMask } from "../loaders/io/nifti.js";
import { readTransformFile } from "../loaders/io/transform.js";
import { registerScans } from "../loaders/register/registerScans.js";
import { readScan } from "../loaders/register/scans.js";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

/** The hard pairs' folder: full field of view, or (`imageRoiMm`) the same cases' scans cropped to the tumor's box ± that. */
function hardDir(imageRoiMm?: number): string {
  const given = imageRoiMm ? process.env.REGISTER_BENCH_CROPPED_DIR : process.env.REGISTER_BENCH_HARD_DIR;
  if (given) return given;
  const dir = join(tmpdir(), `cryomargin-bench-register-hard-seed11${imageRoiMm ? `-roi${imageRoiMm}` : ""}`);
  if (!existsSync(join(dir, "cohort.json"))) {
    console.log(`generating 8 hard pairs into ${dir} (once) ...`);
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "synth",
        "--cases",
        "8",
        "--seed",
        "11",
        "--images",
        "--post-contrast",
        "t1",
        "--breathing",
        ...(imageRoiMm ? ["--image-roi-mm", String(imageRoiMm)] : []),
        "--out",
        dir,
        "--quiet",
      ],
      { stdio: "inherit" },
    );
    if (r.status !== 0) throw new Error("synth failed");
  }
  return dir;
}

interface Row {
  pair: string;
  none: number;
  wholeDefault: number;
  roiDefault: number;
  ours: number;
  /** TRE and MTM of stage 3's result (before stages 4 and 4b). */
  stage3: number;
  mtmStage3: number;
  /** TRE the error estimate implies: √(3σ_t² + 2σ_ω² · mean |p − c|²) over the same target points. */
  predicted: number;
  mtmTrue: number;
  mtmOurs: number;
  seconds: number;
  cpuSeconds: number;
  /** Stage 4: the other motion's distance from stage 3 (mm), rounds, share of the ROI kept; then stage 4b's nearer answer, if it ran. */
  layer: string;
}

async function runPair(set: string, dir: string, caseId: string, baselines: boolean): Promise<Row> {
  const c = join(dir, "cases", caseId);
  const fixed = readScan(join(c, "pre.nii.gz"));
  const moving = readScan(join(c, "post.nii.gz"));
  const tumor = readMask(join(c, "tumor.nii.gz")).mask;
  const iceball = readMask(join(c, "iceball.nii.gz")).mask;
  const truth = readTransformFile(join(c, "registration.tfm"));
  const points = tumorTargetPoints(tumor);
  const tre = (m: Mat4) => targetRegistrationErrorMm(points, m, truth);
  const cpu0 = process.cpuUsage();
  const ours = await registerScans(fixed, moving, tumor, { refineStarts: 4 });
  const cpu = process.cpuUsage(cpu0);
  const centre = maskCentroid(tumor, maskBounds(tumor));
  let squaredRadius = 0;
  for (let p = 0; p < points.length; p += 3)
    squaredRadius += (points[p] - centre[0]) ** 2 + (points[p + 1] - centre[1]) ** 2 + (points[p + 2] - centre[2]) ** 2;
  squaredRadius /= points.length / 3;
  const e = ours.errorEstimate;
  const predicted = e
    ? Math.sqrt(3 * e.translationSdMm ** 2 + 2 * ((e.rotationSdDeg * Math.PI) / 180) ** 2 * squaredRadius)
    : Number.NaN;
  let wholeDefault = Number.NaN;
  let roiDefault = Number.NaN;
  if (baselines) {
    wholeDefault = tre((await registerScans(fixed, moving, null, { strategy: "elastix-default" })).fixedToMoving);
    roiDefault = tre((await registerScans(fixed, moving, tumor, { strategy: "elastix-default" })).fixedToMoving);
  }
  return {
    pair: `${set} ${caseId}`,
    none: tre(identityMat4()),
    wholeDefault,
    roiDefault,
    ours: tre(ours.fixedToMoving),
    stage3: tre(ours.firstStage),
    mtmStage3: measureMargins(tumor, iceball, ours.firstStage).mtmMm,
    predicted,
    mtmTrue: measureMargins(tumor, iceball, truth).mtmMm,
    mtmOurs: measureMargins(tumor, iceball, ours.fixedToMoving).mtmMm,
    seconds: ours.seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    layer: [
      ours.layer
        ? `${ours.layer.bodyToResultMm.toFixed(1)} mm ×${ours.layer.rounds} ${(100 * ours.layer.keptFraction).toFixed(0)}% shifts ${ours.layer.shiftsMm.map((v) => v.toFixed(1)).join("/")}${ours.layer.refused ? " refused" : ""}`
        : "–",
      ours.near && !Number.isNaN(ours.near.nearToResultMm)
        ? `4b: near ${ours.near.nearToResultMm.toFixed(1)} from stage 3, ${ours.near.nearToOuterMm.toFixed(1)} from outer${ours.near.used ? ", used" : ", refused"}`
        : "",
    ]
      .filter((part) => part !== "")
      .join("; "),
  };
}

function table(title: string, rows: Row[], bars: { mean: number; max: number }): void {
  const f = (v: number) => (Number.isNaN(v) ? "  –  " : v.toFixed(2).padStart(5));
  console.log(`\n${title}`);
  console.log(
    "pair        none  elastix-default(whole)  elastix-default(ROI)  stage3 |ΔMTM|  ours  est.  MTM true  MTM ours  |ΔMTM|  wall s  CPU s  stage 4 (other–result, rounds, kept); 4b",
  );
  for (const r of rows)
    console.log(
      `${r.pair.padEnd(10)} ${f(r.none)}  ${f(r.wholeDefault).padStart(21)}  ${f(r.roiDefault).padStart(19)}  ${f(r.stage3).padStart(6)} ${f(Math.abs(r.mtmStage3 - r.mtmTrue)).padStart(6)}  ${f(r.ours)} ${f(r.predicted)}  ${f(r.mtmTrue).padStart(8)}  ${f(r.mtmOurs).padStart(8)}  ${f(Math.abs(r.mtmOurs - r.mtmTrue)).padStart(6)}  ${r.seconds.toFixed(1).padStart(6)}  ${r.cpuSeconds.toFixed(1).padStart(5)}  ${r.layer}`,
    );
  const stat = (key: keyof Row) => {
    const v = rows.map((r) => r[key] as number).filter((x) => !Number.isNaN(x));
    return v.length ? `${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(2)} / ${Math.max(...v).toFixed(2)}` : "–";
  };
  console.log(
    `mean / max  none ${stat("none")} | whole ${stat("wholeDefault")} | ROI ${stat("roiDefault")} | stage 3 ${stat("stage3")} | ours ${stat("ours")} (bar ≤ ${bars.mean} / ≤ ${bars.max}) | estimated ${stat("predicted")} | max |ΔMTM| ${Math.max(...rows.map((r) => Math.abs(r.mtmOurs - r.mtmTrue))).toFixed(2)} mm (bar ≤ 0.5)`,
  );
}

const baselines = process.env.REGISTER_BENCH_BASELINES !== "0";
const plainCount = Number(process.env.REGISTER_BENCH_PLAIN ?? 8);
const hardCount = Number(process.env.REGISTER_BENCH_HARD ?? 8);
/** One line per pair as it ends (the tables follow each set). */
function progress(r: Row): Row {
  console.log(
    `${r.pair}: TRE ${r.ours.toFixed(2)} mm (stage 3 ${r.stage3.toFixed(2)}, |ΔMTM| ${Math.abs(r.mtmStage3 - r.mtmTrue).toFixed(2)}; est. ${r.predicted.toFixed(2)}), |ΔMTM| ${Math.abs(r.mtmOurs - r.mtmTrue).toFixed(2)} mm, ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU, layers ${r.layer}`,
  );
  return r;
}
const plainDir = join(root, "data", "cohort");
const plain: Row[] = [];
const only = process.env.REGISTER_BENCH_ONLY?.split(",");
const wanted = (k: number) => !only || only.includes(`S${String(k).padStart(2, "0")}`);
for (let k = 1; k <= plainCount; k++)
  if (wanted(k)) plain.push(progress(await runPair("plain", plainDir, `S${String(k).padStart(2, "0")}`, baselines)));
table(`plain pairs (data/cohort, T2/T2, rigid scene), TRE mm`, plain, { mean: 1.0, max: 1.5 });
const hard: Row[] = [];
const hd = hardDir();
for (let k = 1; k <= hardCount; k++)
  if (wanted(k)) hard.push(progress(await runPair("hard", hd, `S${String(k).padStart(2, "0")}`, baselines)));
table(`hard pairs (T1-like post, breathing), TRE mm`, hard, { mean: 1.5, max: 3.0 });
const cropped: Row[] = [];
const croppedCount = Number(process.env.REGISTER_BENCH_CROPPED ?? 8);
const cd = croppedCount > 0 ? hardDir(50) : "";
for (let k = 1; k <= croppedCount; k++)
  if (wanted(k)) cropped.push(progress(await runPair("cropped", cd, `S${String(k).padStart(2, "0")}`, baselines)));
table(`hard pairs cropped to the tumor's box ± 50 mm (the same cases), TRE mm`, cropped, { mean: 1.5, max: 3.0 });
const all = [...plain, ...hard, ...cropped];
console.log(
  `\nregister (ours): median wall ${median(all.map((r) => r.seconds)).toFixed(1)} s, median CPU ${median(all.map((r) => r.cpuSeconds)).toFixed(1)} s per pair (bar ≤ 20 s on 2 cores); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (bar ≤ 1 GB)`,
);
