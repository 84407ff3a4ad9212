/**
 * The margin workstation page in chromium, driven as a user drives it, on a case of the committed
 * synthetic cohort (data/cohort: `synth --images --image-roi-mm 40`, whose true masks and transform are
 * known): open the pre scan (rewritten as NRRD) and the post scan (NIfTI) through the file inputs, whose
 * voxel-to-world matrices must be the command line's for the same files; outline the tumor with the page's pen by
 * mouse events on three axial slices (the centres of the top, middle and bottom thirds) and one sagittal
 * (the outlines traced along the true mask's border, as a radiologist would); Interpolate; click in the
 * ice ball at its deepest point; load registration.tfm; download the masks, the transform and the
 * margins JSON. Checks:
 * - the margins JSON the page shows and downloads (with the MTM's interval under registration error)
 *   equals, key for key, what `cryomargin margins --uncertainty` (measureCase, the CLI's function) gives
 *   on the downloaded masks and transform;
 * - interpolation + refinement ≤ 3 s and the margin recomputation (a threshold change) ≤ 1 s, as the page
 *   timed them in chromium;
 * - nothing leaves the browser: no request to another host, and once the page has loaded, every request
 *   to the site itself is a GET of one of the site's own assets (the worker's module, the itk-wasm
 *   interpolation pipeline and its worker), none carries a body or names an opened file; no console error.
 * Printed: Dice and HD95 of both masks against the truth, the MTM from the true masks, and the timings.
 * Then, on the same page, Register (elastix in chromium, from the site's files; no error estimate): the
 * transform within 0.5 mm TRE (tumor surface) of `cryomargin register`'s on the same pair and mask, the
 * MTM shown within 0.1 mm of the MTM with the CLI's transform, the downloaded .tfm in the CLI's format,
 * only the site's own files requested; a post scan that does not overlap is refused, the page naming it;
 * printed: the wall time in chromium and both TREs to the truth.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  deepestPointRas,
  diceCoefficient,
  hausdorff95Mm,
  identityMat4,
  invertAffine,
  type MaskVolume,
  type Mat4,
  resampleNearest,
  simulatedScribbles,
  targetRegistrationErrorMm,
  tumorTargetPoints,
  voxelSpacingMm,
} from "@cryomargin/analysis";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureCase } from "../../loaders/cohort/measureCase.js";
import { encodeNifti, readNiftiImage, scaledVoxelValues } from "../../loaders/io/nifti.js";
import { writeNrrdFile } from "../../loaders/io/nrrd.js";
import { readMaskFile } from "../../loaders/io/readMaskFile.js";
import { readVolume } from "../../loaders/io/readVolume.js";
import { readTransformFile } from "../../loaders/io/transform.js";
import { readScan } from "../../loaders/register/scans.js";
import { segmentIceballFiles } from "../../loaders/segment/segmentFiles.js";
import { runCliInProcess } from "../helpers/cli.js";
import { writeDicomSeries } from "../helpers/formats.js";
import {
  type Chromium,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  type RecordedPage,
  ROOT,
  type StaticServer,
  serveDist,
} from "./harness.js";

const CASE_DIR = join(ROOT, "data", "cohort", "cases", "S01");
const OUT = join(ROOT, "test-output", "workstation");

/**
 * A case's true mask on its scan's grid: the cohort's masks lie on the whole field of view, its scans
 * are crops of it (the same voxel centres), so nearest-neighbour resampling is exact.
 */
function truthOnScan(mask: string, scan: string): MaskVolume {
  const truth = readMaskFile(join(CASE_DIR, mask)).mask;
  const { dims, voxelToWorld } = readVolume(join(CASE_DIR, scan));
  return { dims, voxelToWorld, data: resampleNearest(truth, dims, voxelToWorld, identityMat4()) as Uint8Array };
}

/** Outline vertices per slice (rays from the section's centroid). */
const OUTLINE_RAYS = 16;

/**
 * The outline of the true mask's section on slice `s` along file axis `axis`, as file-order voxel
 * coordinates: along each of OUTLINE_RAYS rays from the section's centroid, the farthest voxel centre
 * inside (the synthetic tumors' sections are star-shaped about their centroids).
 */
function outline(truth: MaskVolume, axis: number, s: number): [number, number, number][] {
  const [u, w] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const dims = truth.dims;
  const inside = (a: number, b: number) => {
    const c = [0, 0, 0];
    c[axis] = s;
    c[u] = Math.round(a);
    c[w] = Math.round(b);
    if (c[u] < 0 || c[w] < 0 || c[u] >= dims[u] || c[w] >= dims[w]) return false;
    return truth.data[c[0] + dims[0] * (c[1] + dims[1] * c[2])] === 1;
  };
  let [sa, sb, n] = [0, 0, 0];
  for (let b = 0; b < dims[w]; b++)
    for (let a = 0; a < dims[u]; a++)
      if (inside(a, b)) {
        sa += a;
        sb += b;
        n++;
      }
  const [ca, cb] = [sa / n, sb / n];
  const points: [number, number, number][] = [];
  for (let r = 0; r < OUTLINE_RAYS; r++) {
    const theta = (2 * Math.PI * r) / OUTLINE_RAYS;
    let reach = 0;
    for (let t = 0; t < Math.max(dims[u], dims[w]); t += 0.25)
      if (inside(ca + t * Math.cos(theta), cb + t * Math.sin(theta))) reach = t;
    const p: [number, number, number] = [0, 0, 0];
    p[axis] = s;
    p[u] = Math.round(ca + reach * Math.cos(theta));
    p[w] = Math.round(cb + reach * Math.sin(theta));
    points.push(p);
  }
  return points;
}

/** Shows slice `s` of file axis `axis` in a view (the page's orientation and slice controls). */
async function showSlice(page: Page, view: "pre" | "post", orientation: string, s: number): Promise<void> {
  await page.selectOption(`#ws-${view}-orientation`, orientation);
  await page.fill(`#ws-${view}-slice`, String(s));
  await page.dispatchEvent(`#ws-${view}-slice`, "change");
}

/** Canvas CSS pixels of voxels, by the page's own mapping (NiiVue's current view). */
async function canvasPoints(page: Page, view: "pre" | "post", voxels: number[][]): Promise<[number, number][]> {
  const points = await page.evaluate(
    ({ view, voxels }) => {
      const root = document.querySelector(".cm-workstation") as HTMLElement & {
        workstation: { canvasPoint(v: string, p: number[]): [number, number] | null };
      };
      return voxels.map((p) => root.workstation.canvasPoint(view, p));
    },
    { view, voxels },
  );
  const canvas = page.locator(`#ws-${view}-canvas`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error(`e2e: the ${view} canvas is not laid out`);
  return points.map((p, i) => {
    if (!p) throw new Error(`e2e: voxel ${voxels[i].join(",")} is not on the ${view} view's slice`);
    return [box.x + p[0], box.y + p[1]];
  });
}

/** Draws a closed outline with the mouse (the pen fills it on release). */
async function drawOutline(page: Page, points: [number, number][]): Promise<void> {
  await page.mouse.move(points[0][0], points[0][1]);
  await page.mouse.down();
  for (const [x, y] of [...points.slice(1), points[0]]) await page.mouse.move(x, y);
  await page.mouse.up();
}

/** Saves the file a download button gives. */
async function downloadFrom(page: Page, button: string, name: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  const path = join(OUT, name);
  await download.saveAs(path);
  return path;
}

/** Waits until the page's status starts with `prefix`; throws the page's problem message if one appears first. */
async function waitForStatus(page: Page, prefix: string): Promise<void> {
  await page.waitForFunction(
    (prefix) =>
      document.querySelector(".cm-ws-status")?.textContent?.startsWith(prefix) ||
      (document.querySelector(".cm-ws-problem")?.textContent ?? "") !== "",
    prefix,
  );
  const problem = await page.textContent(".cm-ws-problem");
  if (problem) throw new Error(`e2e: the workstation says: ${problem}`);
}

/** A page request, as recorded: method, URL, whether it carried a body. */
interface SeenRequest {
  method: string;
  url: string;
  body: boolean;
}

/**
 * Every request (but in-page blob:/data: URLs) is a GET without a body of one of the site's own assets
 * (Framework's _import, _node, _npm, _observablehq and _file folders), and none names an opened file.
 */
function expectSiteAssetsOnly(requests: readonly SeenRequest[], openedFiles: RegExp): void {
  for (const request of requests) {
    const url = new URL(request.url);
    if (url.protocol === "blob:" || url.protocol === "data:") continue;
    expect(request.method).toBe("GET");
    expect(request.body).toBe(false);
    expect(url.pathname).toMatch(/^\/_(import|node|npm|observablehq|file)\//);
    expect(request.url).not.toMatch(openedFiles);
  }
}

const timing = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector(".cm-workstation") as HTMLElement & {
      workstation: { timings: Record<string, number | null> };
    };
    return { ...root.workstation.timings };
  });

describe("the margin workstation page", () => {
  let server: StaticServer;
  let browser: Chromium;
  let recorded: RecordedPage;

  beforeAll(async () => {
    await ensureChromium();
    await ensureSiteBuilt();
    server = await serveDist();
    browser = await launchChromium({ width: 1400, height: 1200 });
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("segments, registers and measures a synthetic case; its margins JSON equals the CLI's on the downloaded masks", async () => {
    recorded = await openPage(browser, server, "/workstation");
    const { page } = recorded;
    await page.waitForSelector("#ws-pre-file");
    const afterLoad: SeenRequest[] = [];
    page.on("request", (request) =>
      afterLoad.push({ method: request.method(), url: request.url(), body: request.postDataBuffer() !== null }),
    );
    // The pre scan as NRRD (the case's NIfTI rewritten, intensities scaled), the post scan as NIfTI.
    const preNrrd = join(OUT, "pre.nrrd");
    const preNifti = readNiftiImage(join(CASE_DIR, "pre.nii.gz"));
    writeNrrdFile(preNrrd, { ...preNifti, data: scaledVoxelValues(preNifti) }, { space: "LPS" });
    await page.setInputFiles("#ws-pre-file", preNrrd);
    await waitForStatus(page, "Pre scan");
    await page.setInputFiles("#ws-post-file", join(CASE_DIR, "post.nii.gz"));
    await waitForStatus(page, "Post scan");
    // Every computation of the page uses the command line's geometry for each file (ITK's NRRD reader, the NIfTI reader).
    const pageGeometry = await page.evaluate(() => {
      const root = document.querySelector(".cm-workstation") as HTMLElement & {
        workstation: { voxelToWorld(v: string): number[] | null };
      };
      return { pre: root.workstation.voxelToWorld("pre"), post: root.workstation.voxelToWorld("post") };
    });
    expect(pageGeometry.pre).toEqual(Array.from(readVolume(preNrrd).voxelToWorld));
    expect(pageGeometry.post).toEqual(Array.from(readVolume(join(CASE_DIR, "post.nii.gz")).voxelToWorld));

    // Outlines: three axial slices and one sagittal, traced along the true tumor's border.
    const tumorTruth = truthOnScan("tumor.nii.gz", "pre.nii.gz");
    const { axial, sagittal } = simulatedScribbles(tumorTruth);
    await page.click("#ws-tool-pen");
    for (const [orientation, axis, s] of [
      ...axial.map((k) => ["axial", 2, k] as const),
      ["sagittal", 0, sagittal] as const,
    ]) {
      await showSlice(page, "pre", orientation, s);
      await drawOutline(page, await canvasPoints(page, "pre", outline(tumorTruth, axis, s)));
    }
    // Every outline drew voxels through the page's pen.
    const drawn = await page.evaluate(() =>
      (
        document.querySelector(".cm-workstation") as HTMLElement & { workstation: { drawnVoxels(): number } }
      ).workstation.drawnVoxels(),
    );
    expect(drawn).toBeGreaterThan(0);
    await page.click("#ws-interpolate");
    await waitForStatus(page, "Tumor:");

    // The ice ball: one click at its deepest point.
    const iceTruth = truthOnScan("iceball.nii.gz", "post.nii.gz");
    const seed = deepestPointRas(iceTruth);
    const toVoxel = invertAffine(iceTruth.voxelToWorld, "iceball");
    const seedVoxel = [0, 1, 2].map((r) =>
      Math.round(
        toVoxel[4 * r] * seed[0] + toVoxel[4 * r + 1] * seed[1] + toVoxel[4 * r + 2] * seed[2] + toVoxel[4 * r + 3],
      ),
    );
    await showSlice(page, "post", "axial", seedVoxel[2]);
    const [click] = await canvasPoints(page, "post", [seedVoxel]);
    await page.mouse.click(click[0], click[1]);
    await waitForStatus(page, "Ice ball:");
    const iceStatus = await page.textContent(".cm-ws-status");

    await page.setInputFiles("#ws-transform-file", join(CASE_DIR, "registration.tfm"));
    const ready = (threshold: number, uncertainty = false) =>
      page.waitForSelector(
        `.cm-ws-results[data-state=ready][data-registration="registration.tfm"][data-threshold="${threshold}"][data-uncertainty="${uncertainty}"]`,
      );
    await ready(5);
    const afterTransform = await timing(page);
    // A recomputation: the threshold changed and back.
    for (const threshold of [4, 5]) {
      await page.fill("#ws-threshold", String(threshold));
      await page.dispatchEvent("#ws-threshold", "change");
      await ready(threshold);
    }
    const timings = await timing(page);
    // With the MTM's interval under registration error (as `margins --uncertainty`).
    await page.check("#ws-uncertainty");
    await ready(5, true);
    const withUncertainty = await timing(page);
    expect(await page.locator("#ws-view3d").count()).toBe(1);
    const shownMtm = Number(await page.getAttribute("[data-field=mtm]", "data-value"));

    const files = {
      tumor: await downloadFrom(page, "#ws-download-tumor", "tumor.nii.gz"),
      iceball: await downloadFrom(page, "#ws-download-iceball", "iceball.nii.gz"),
      transform: await downloadFrom(page, "#ws-download-transform", "registration.tfm"),
      margins: await downloadFrom(page, "#ws-download-margins", "margins.json"),
    };
    const pageJson = JSON.parse(readFileSync(files.margins, "utf8"));
    const cli = measureCase(
      { tumor: files.tumor, iceball: files.iceball, transform: files.transform },
      { uncertainty: { samples: 200, rotationSdDeg: 1, translationSdMm: 1 } },
    ).json;
    const truthCli = measureCase({
      tumor: join(CASE_DIR, "tumor.nii.gz"),
      iceball: join(CASE_DIR, "iceball.nii.gz"),
      transform: join(CASE_DIR, "registration.tfm"),
    }).json;

    const tumor = readMaskFile(files.tumor).mask;
    const ice = readMaskFile(files.iceball).mask;
    // `cryomargin segment iceball` from the voxel the page seeded (the centre of the clicked voxel).
    const m = ice.voxelToWorld;
    const seedCentre = [0, 1, 2].map(
      (r) => m[4 * r] * seedVoxel[0] + m[4 * r + 1] * seedVoxel[1] + m[4 * r + 2] * seedVoxel[2] + m[4 * r + 3],
    ) as [number, number, number];
    const cliIce = segmentIceballFiles({ image: join(CASE_DIR, "post.nii.gz"), out: join(OUT, "cli-iceball.nii.gz") }, [
      seedCentre,
    ]);
    const cliIceMask = readMaskFile(cliIce.out).mask;
    const quality = (m: MaskVolume, truth: MaskVolume) => ({
      dice: diceCoefficient(m.data, truth.data),
      hd95Mm: hausdorff95Mm(m.data, truth.data, m.dims, voxelSpacingMm(m.voxelToWorld)),
    });
    const t = quality(tumor, tumorTruth);
    const i = quality(ice, iceTruth);
    console.log(
      [
        "workstation, case S01 (data/cohort), in chromium:",
        `  tumor: Dice ${t.dice.toFixed(3)}, HD95 ${t.hd95Mm.toFixed(2)} mm (voxel diagonal ${Math.hypot(...voxelSpacingMm(tumor.voxelToWorld)).toFixed(2)} mm); axial slices ${axial.join(", ")}, sagittal ${sagittal}`,
        `  ice ball: Dice ${i.dice.toFixed(3)}, HD95 ${i.hd95Mm.toFixed(2)} mm (${iceStatus}; CLI warnings: ${cliIce.warnings.join("; ") || "none"})`,
        `  MTM shown ${shownMtm} mm; CLI on the downloaded masks ${cli.mtm_mm} mm; from the true masks ${truthCli.mtm_mm} mm`,
        `  interpolate + refine ${timings.interpolateMs?.toFixed(0)} ms; ice ball ${timings.iceballMs?.toFixed(0)} ms; margins ${afterTransform.marginsMs?.toFixed(0)} ms (transform loaded), ${timings.marginsMs?.toFixed(0)} ms (threshold changed), ${withUncertainty.marginsMs?.toFixed(0)} ms (with 200 registration draws)`,
      ].join("\n"),
    );

    expect(pageJson).toEqual(cli);
    expect(shownMtm).toBe(cli.mtm_mm);
    expect(timings.interpolateMs).toBeLessThanOrEqual(3000);
    expect(timings.marginsMs).toBeLessThanOrEqual(1000);
    // The drawn outlines are the truth's border: the masks must be the case's, not merely consistent.
    expect(t.dice).toBeGreaterThan(0.8);
    // The ice ball is `cryomargin segment iceball`'s, voxel for voxel.
    expect(ice.data.every((x, v) => x === cliIceMask.data[v])).toBe(true);
    expect(recorded.foreignRequests).toEqual([]);
    // The interpolation ran ITK's pipeline, fetched (with itk-wasm's worker) from the site's own files.
    const itkFiles = afterLoad.map((r) => r.url).filter((u) => u.includes("/_file/components/vendor/itk/"));
    expect(itkFiles.some((u) => u.endsWith("/morphological-contour-interpolation.wasm.zst"))).toBe(true);
    expect(itkFiles.some((u) => u.endsWith("/itk-wasm-pipeline.min.worker.js"))).toBe(true);
    expectSiteAssetsOnly(afterLoad, /pre\.nii|pre\.nrrd|post\.nii|registration\.tfm/);
    expect(recorded.consoleErrors).toEqual([]);
    await recorded.screenshot("workstation");
  }, 60_000);

  /** What the registration in chromium gave, for the comparison with `cryomargin register`. */
  let registered: { browserTfm: string; shownMtm: number; registerMs: number | null; wallMs: number } | null = null;

  it("registers in chromium (elastix from the site's files): only the site's files requested; a post scan that does not overlap is refused, named", async () => {
    // The page of the first test: both scans open, the tumor interpolated (the ROI), the ice ball segmented.
    const { page } = recorded;
    const during: SeenRequest[] = [];
    page.on("request", (request) =>
      during.push({ method: request.method(), url: request.url(), body: request.postDataBuffer() !== null }),
    );
    // No error estimate (as `register --error-runs 0`): three elastix runs, the two starts and the field
    // of view outside the ROI box (stage 4's other motion on this cropped scan).
    await page.fill("#ws-error-runs", "0");
    const started = performance.now();
    await page.click("#ws-register");
    await waitForStatus(page, "Registered:");
    const wallMs = performance.now() - started;
    await page.waitForSelector('.cm-ws-results[data-state=ready][data-registration^="registered in this browser"]');
    registered = {
      shownMtm: Number(await page.getAttribute("[data-field=mtm]", "data-value")),
      registerMs: (await timing(page)).registerMs,
      browserTfm: await downloadFrom(page, "#ws-download-transform", "browser-registration.tfm"),
      wallMs,
    };
    expect(registered.registerMs).not.toBeNull();
    // Nothing left the browser while it registered: only GETs of the site's own files (the worker, elastix's pipeline).
    expect(recorded.foreignRequests).toEqual([]);
    expectSiteAssetsOnly(during, /pre\.nii|post\.nii|tumor\.nii/);
    expect(during.some((r) => r.url.endsWith("/elastix.wasm.zst"))).toBe(true);
    expect(recorded.consoleErrors).toEqual([]);

    // An error a user can meet, shown and naming the file: a post scan 400 mm away from the pre scan
    // (refused before any elastix run, as `register` refuses it).
    const post = readScan(join(CASE_DIR, "post.nii.gz"));
    const far = join(OUT, "far.nii");
    const moved = Float64Array.from(post.voxelToWorld);
    moved[11] += 400;
    writeFileSync(far, encodeNifti({ dims: post.dims, voxelToWorld: moved, data: post.data }, { gzip: false }));
    await page.setInputFiles("#ws-post-file", far);
    await waitForStatus(page, "Post scan");
    await page.click("#ws-register");
    await page.waitForFunction(() => (document.querySelector(".cm-ws-problem")?.textContent ?? "") !== "");
    expect(await page.textContent(".cm-ws-problem")).toMatch(/^far\.nii: does not overlap the fixed image: 0 %/);
  }, 60_000);

  it("the browser's transform is within 0.5 mm TRE of `cryomargin register`'s on the same pair and mask, the MTM within 0.1 mm, the .tfm in the CLI's format", async () => {
    if (!registered) throw new Error("e2e: the registration in chromium did not finish (see the test before)");
    const { browserTfm, shownMtm, registerMs, wallMs } = registered;
    // `cryomargin register` on the same pair with the page's tumor mask (downloaded by the first test).
    const tumorFile = join(OUT, "tumor.nii.gz");
    const cliTfm = join(OUT, "cli-registration.tfm");
    const cliStarted = performance.now();
    const cli = await runCliInProcess([
      "register",
      ...["--fixed", join(CASE_DIR, "pre.nii.gz"), "--moving", join(CASE_DIR, "post.nii.gz")],
      ...["--mask", tumorFile, "--out", cliTfm, "--error-runs", "0"],
    ]);
    const cliMs = performance.now() - cliStarted;
    expect(cli.status, cli.stderr).toBe(0);

    const inBrowser = readTransformFile(browserTfm);
    const byCli = readTransformFile(cliTfm);
    const truth = readTransformFile(join(CASE_DIR, "registration.tfm"));
    const tumor = readMaskFile(tumorFile).mask;
    const points = tumorTargetPoints(tumor, 0);
    const tre = (a: Mat4, b: Mat4) => targetRegistrationErrorMm(points, a, b);
    const cliMtm = measureCase({ tumor: tumorFile, iceball: join(OUT, "iceball.nii.gz"), transform: cliTfm }).json
      .mtm_mm;
    const sameBytes = readFileSync(browserTfm, "utf8") === readFileSync(cliTfm, "utf8");
    console.log(
      [
        "workstation registration, case S01, in chromium (3 elastix runs, no error estimate):",
        `  wall ${(wallMs / 1000).toFixed(1)} s from the click to the result (page's own timing ${((registerMs ?? 0) / 1000).toFixed(1)} s); cryomargin register in Node ${(cliMs / 1000).toFixed(1)} s`,
        `  TRE (tumor surface) browser vs CLI ${tre(inBrowser, byCli).toFixed(3)} mm; vs the true transform: browser ${tre(inBrowser, truth).toFixed(3)} mm, CLI ${tre(byCli, truth).toFixed(3)} mm, unregistered ${tre(identityMat4(), truth).toFixed(3)} mm`,
        `  MTM shown ${shownMtm} mm, with the CLI's transform ${cliMtm} mm; .tfm files ${sameBytes ? "byte-identical" : "differ"}`,
      ].join("\n"),
    );
    expect(tre(inBrowser, byCli)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(shownMtm - cliMtm)).toBeLessThanOrEqual(0.1);
    // The downloaded .tfm is the CLI's format: the same header and transform type, read by the same reader.
    const header = (file: string) => readFileSync(file, "utf8").split("\n").slice(0, 3);
    expect(header(browserTfm)).toEqual(header(cliTfm));
  }, 60_000);

  it("opens a DICOM series (its files chosen together) as the post scan: @itk-wasm/dicom's reader from the site's files, the CLI's voxel-to-world matrix", async () => {
    const { page } = recorded;
    const during: SeenRequest[] = [];
    page.on("request", (request) =>
      during.push({ method: request.method(), url: request.url(), body: request.postDataBuffer() !== null }),
    );
    const post = readScan(join(CASE_DIR, "post.nii.gz"));
    const folder = join(OUT, "post-dicom");
    rmSync(folder, { recursive: true, force: true });
    const { files } = writeDicomSeries(folder, post);
    await page.setInputFiles("#ws-post-file", files);
    const seriesName = `${basename(files[0])} (+${files.length - 1} DICOM files)`;
    // The problem line may still hold the previous test's refusal: wait for this series' status or its own error.
    await page.waitForFunction(
      (name) =>
        document.querySelector(".cm-ws-status")?.textContent?.startsWith(`Post scan ${name}`) ||
        (document.querySelector(".cm-ws-problem")?.textContent ?? "").startsWith(name),
      seriesName,
    );
    expect(await page.textContent(".cm-ws-problem")).toBe("");
    expect(await page.textContent(".cm-ws-status")).toMatch(`Post scan ${seriesName}: ${post.dims.join(" × ")} voxels`);
    const shown = await page.evaluate(() => {
      const root = document.querySelector(".cm-workstation") as HTMLElement & {
        workstation: { voxelToWorld(v: string): number[] | null };
      };
      return root.workstation.voxelToWorld("post");
    });
    // ITK's geometry (the page) and the headers' (the CLI) agree to rounding of the same decimal strings.
    const cli = Array.from(readVolume(folder).voxelToWorld);
    expect(shown).toHaveLength(16);
    for (const [i, v] of cli.entries()) expect(Math.abs((shown as number[])[i] - v)).toBeLessThan(1e-6);
    expect(recorded.foreignRequests).toEqual([]);
    expectSiteAssetsOnly(during, /IM|post-dicom/);
    expect(during.some((r) => r.url.endsWith("/read-image-dicom-file-series.wasm.zst"))).toBe(true);
    expect(recorded.consoleErrors).toEqual([]);
  }, 60_000);
});
