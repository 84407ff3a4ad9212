/**
 * The margin workstation: a whole case done in the browser, from the scans to the margins JSON, with
 * nothing uploaded (files are read with the File API; every computation is the analysis package's,
 * run here — the heavy ones in a Web Worker, workstationWorker.ts, so the page stays responsive).
 * 1. Open the pre- and post-ablation scans (NIfTI or NRRD): each shown in its own NiiVue view, with a slice
 *    control and the choice of axial, coronal or sagittal. The geometry every computation uses is the
 *    command line's for the same file (scanVolume: nibabel's sform > qform policy for NIfTI; ITK's reader
 *    and itkImageVolume for NRRD), not NiiVue's.
 * 2. Outline the tumor on a few slices of the pre scan with NiiVue's drawing tools (the pen fills the
 *    outline it closes; erase; undo), then "Interpolate": the outlined slices are found
 *    (planTumorInterpolation), the slices between them filled by morphological contour interpolation
 *    (ITK's, in WebAssembly, as `cryomargin segment tumor` runs it) and the border refined to the scan's edges (finishTumorSegmentation),
 *    never moving a drawn voxel. The result is shown in the drawing layer (drawn voxels red, the rest
 *    green) and can be corrected with the same tools and interpolated again.
 * 3. Click in the ice ball on the post scan: segmentIceball grows the signal void from that seed.
 * 4. Register: "Register" runs `cryomargin register`'s strategy (stagedRegistration, the tumor as the
 *    region of interest, the CLI's defaults) with elastix in Web Workers (registrationWorker.ts), from
 *    the site's own files; the result is shown as rotation and displacement and downloads as the CLI's
 *    .tfm. Or load the registration as a .tfm (ITK text) or JSON matrix, parsed by parseTransformText — the
 *    command line's parser; without either the scans share one frame.
 * 5. The margins (measureMargins, as `cryomargin margins`) at the threshold: MTM, its mask range, the
 *    minimum-margin point and octant, coverage, octants, volumes; the case pages' 3D view (caseView3d,
 *    with the meshes caseMeshes builds from the masks), recoloured when only the threshold changes.
 * 6. Downloads: the masks (NIfTI on each scan's grid, written by NiiVue from the scan's own header),
 *    the transform (.tfm) and the margins JSON, by marginsJson — the writer `cryomargin margins` uses, so
 *    `cryomargin analyze` takes the file.
 * Every number a test reads carries `data-field` / `data-value`; the results element says what it shows
 * (`data-state` measuring/ready, `data-threshold`, `data-registration`, `data-uncertainty`); the element's `workstation`
 * property gives tests the canvas position of a voxel and the last timings (round trips to the worker,
 * as the user waits for them).
 */
import {
  DEFAULT_ERROR_RUNS,
  DEFAULT_ROI_MARGIN_MM,
  DEFAULT_THRESHOLD_MM,
  encodeNifti1,
  type FloatVolume,
  formatFixed,
  formatItkTransform,
  type ItkImageFields,
  identityMat4,
  itkImageVolume,
  type Mat4,
  parseTransformText,
  type ScalarVolume,
  type Vec3,
} from "@cryomargin/analysis";
import { type CaseView3d, caseView3d } from "./caseView3d.js";
import { coverageDefinition, definition, field, octantsTable } from "./caseViewer.js";
import { nrrdReadImage, readImageDicomFileSeries } from "./itkBrowser.js";
import { COVERAGE_PALETTES } from "./palettes.js";
import type { BrowserRegistration, RegistrationMessage, RegistrationRequest } from "./registrationWorker.js";
import { el, num } from "./report.js";
import { Niivue } from "./vendor/niivue.js";
import {
  drawingToFileOrder,
  fileOrderToDrawing,
  fileVoxelOf,
  type LoadedScan,
  namingFile,
  niftiHeadBytes,
  rasIndexOfFileIndex,
  rasVoxelOf,
  scanVolume,
} from "./workstationVolumes.js";
import type {
  WorkstationAnswers,
  WorkstationMargins,
  WorkstationReply,
  WorkstationRequest,
} from "./workstationWorker.js";

/** The worker, and requests to it as promises: the answer and the round trip in ms. */
function workstationWorker() {
  const worker = new Worker(import.meta.resolve("./workstationWorker.js"), { type: "module" });
  const pending = new Map<number, { resolve(reply: WorkstationReply): void }>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<WorkstationReply>) => {
    pending.get(event.data.id)?.resolve(event.data);
    pending.delete(event.data.id);
  };
  return {
    async call<K extends WorkstationRequest["kind"]>(
      request: Extract<WorkstationRequest, { kind: K }>,
    ): Promise<{ value: WorkstationAnswers[K]; ms: number }> {
      const id = nextId++;
      const start = performance.now();
      const reply = await new Promise<WorkstationReply>((resolve) => {
        pending.set(id, { resolve });
        worker.postMessage({ id, request });
      });
      if (!reply.ok) throw new Error(reply.message);
      return { value: reply.value as WorkstationAnswers[K], ms: performance.now() - start };
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * Runs one registration in a new registration worker (registrationWorker.ts), ended when it answers or
 * the page goes away (`invalidation`); `onProgress` hears each elastix run's end. Rejects with the worker's message ("registration failed: …",
 * or the non-overlap detail, which the caller prefixes with the post scan's name) and its kind.
 */
function registerInWorker(
  request: RegistrationRequest,
  onProgress: (finished: number, total: number) => void,
  invalidation?: Promise<unknown>,
): Promise<BrowserRegistration> {
  const worker = new Worker(import.meta.resolve("./registrationWorker.js"), { type: "module" });
  return new Promise((resolve, reject) => {
    invalidation?.then(() => {
      worker.terminate();
      reject(new Error("registration stopped: the page was closed"));
    });
    worker.onmessage = (event: MessageEvent<RegistrationMessage>) => {
      const message = event.data;
      if (message.kind === "progress") return onProgress(message.finished, message.total);
      worker.terminate();
      if (message.kind === "done") resolve(message.result);
      else
        reject(
          Object.assign(
            new Error(
              message.problem === "failed" || message.problem === "outside-field-of-view"
                ? message.message
                : `registration failed: ${message.problem === "elastix" ? "elastix: " : ""}${message.message}`,
            ),
            { problem: message.problem },
          ),
        );
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`registration failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}

/** A scan's volume with float32 voxels, as elastix takes it (scanVolume's are; others are converted). */
function floatVolume(volume: ScalarVolume): FloatVolume {
  return volume.data instanceof Float32Array
    ? (volume as FloatVolume)
    : { dims: volume.dims, voxelToWorld: volume.voxelToWorld, data: Float32Array.from(volume.data) };
}

/** Canvas size of each scan view, CSS pixels. */
const VIEW_PX = 420;
/** Drawing-layer values: what the user drew, what the segmentation added, the ice ball. */
const DRAWN = 1;
const SEGMENTED = 2;
const ICE = 3;

type ViewName = "pre" | "post";
type Orientation = "axial" | "coronal" | "sagittal";

/** One scan's view: NiiVue on a canvas, the loaded scan and its volumes. */
interface ScanView {
  nv: Niivue;
  canvas: HTMLCanvasElement;
  scan: LoadedScan | null;
  volume: ScalarVolume | null;
  /** File-order voxel index → drawing-layer index. */
  rasIndex: Int32Array | null;
  orientation: Orientation;
  sliceInput: HTMLInputElement;
  sliceRange: HTMLInputElement;
}

/** What tests read from the element. */
export interface WorkstationHandle {
  /** CSS pixel (relative to the view's canvas) of the centre of a file-order voxel on the current slice. */
  canvasPoint(view: ViewName, voxel: [number, number, number]): [number, number] | null;
  /** Voxels of the pre scan's drawing layer the user drew (pen value 1). */
  drawnVoxels(): number;
  /** The voxel-to-world matrix (RAS mm, row-major) every computation of the page uses for a view's scan. */
  voxelToWorld(view: ViewName): number[] | null;
  /** The last timings, ms: interpolation + refinement, ice-ball segmentation, margin recomputation, registration. */
  timings: {
    interpolateMs: number | null;
    iceballMs: number | null;
    marginsMs: number | null;
    registerMs: number | null;
  };
}

const RAS_AXIS: Record<Orientation, number> = { sagittal: 0, coronal: 1, axial: 2 };

/** Saves bytes as a file of the user's (a download made here: nothing is sent anywhere). */
function download(name: string, bytes: Uint8Array | string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The message of an error a user can meet (the analysis package's typed errors say what is wrong). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The file names the page opens as NRRD (read by ITK, as the command line reads them); others are NIfTI. */
const NRRD_NAME = /\.nrrd$/i;

/** An itk-wasm image's fields as itkImageVolume takes them. */
function itkFields(image: Awaited<ReturnType<typeof nrrdReadImage>>["image"]): ItkImageFields {
  return {
    size: image.size,
    spacing: image.spacing,
    origin: image.origin,
    direction: image.direction as Float64Array,
    components: image.imageType.components,
    data: image.data as ArrayLike<number> & { length: number },
    metadata:
      image.metadata instanceof Map
        ? [...image.metadata.entries()]
        : Object.entries((image.metadata ?? {}) as Record<string, unknown>),
  };
}

/** Why an itk-wasm pipeline refused a file: a C++ exception reaches JavaScript as a bare number. */
function itkReason(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === "number" ? "ITK stopped" : String(error);
}

/** The scan of an ITK image converted by itkImageVolume (`name` in errors), refused unless it has one value per voxel. */
function itkScanVolume(image: ItkImageFields, name: string, format: string): ScalarVolume & { warnings: string[] } {
  const volume = namingFile(name, () => itkImageVolume(image, name, format));
  if (volume.components !== 1)
    throw new Error(`${name}: has ${volume.components} values per voxel (a segmentation?); a scan has one`);
  return {
    dims: volume.dims,
    voxelToWorld: volume.voxelToWorld,
    data: Float32Array.from(volume.data),
    warnings: volume.warnings,
  };
}

/**
 * Refuses a scan NiiVue shows on another grid or geometry than `volume`'s (more than 1 µm apart): the
 * masks the page downloads carry NiiVue's header for it.
 */
function checkShownGeometry(name: string, scan: LoadedScan, volume: ScalarVolume, advice: string): void {
  const shown = [scan.hdr.dims[1], scan.hdr.dims[2], scan.hdr.dims[3]];
  const niivue = scan.hdr.affine.flat();
  const worst = Math.max(...Array.from(volume.voxelToWorld, (v, i) => Math.abs(v - niivue[i])));
  if (shown.some((n, a) => n !== volume.dims[a]) || !(worst <= 1e-3))
    throw new Error(
      `${name}: the viewer places these voxels differently from the command line's reader (grid ${shown.join("×")} vs ${volume.dims.join("×")}, matrices up to ${formatFixed(worst, 3)} mm apart); ${advice}`,
    );
}

/**
 * A NRRD scan as the command line reads it: ITK's NRRD reader (itk-wasm, from the site's own files) and
 * itkImageVolume's conversion to RAS. NiiVue shows the same file (see checkShownGeometry).
 */
async function nrrdScanVolume(file: File, scan: LoadedScan): Promise<ScalarVolume & { warnings: string[] }> {
  const data = new Uint8Array(await file.arrayBuffer());
  const { image } = await nrrdReadImage({ path: file.name, data }).catch((error: unknown) => {
    throw new Error(`${file.name}: cannot be read as NRRD (${itkReason(error)})`);
  });
  const volume = itkScanVolume(itkFields(image), file.name, "nrrd");
  checkShownGeometry(file.name, scan, volume, "convert it to NIfTI (cryomargin reads both)");
  return volume;
}

/** The files the page opens as one DICOM series: several files, or one named `*.dcm`. */
function isDicomSeries(files: readonly File[]): boolean {
  return files.length > 1 || /\.dcm$/i.test(files[0]?.name ?? "");
}

/** How a DICOM series is named in messages: its first file and the count. */
function seriesName(files: readonly File[]): string {
  return files.length === 1 ? files[0].name : `${files[0].name} (+${files.length - 1} DICOM files)`;
}

/**
 * A DICOM series as the command line reads its pixels: @itk-wasm/dicom's series reader (GDCM sorts the
 * slices along their normal; from the site's own files), with RescaleSlope/Intercept applied, and
 * itkImageVolume's conversion of ITK's LPS geometry to RAS. Also the uncompressed NIfTI-1 of it
 * (encodeNifti1) that NiiVue shows.
 */
async function dicomScanVolume(
  files: readonly File[],
): Promise<{ volume: ScalarVolume & { warnings: string[] }; nifti: File }> {
  const name = seriesName(files);
  const { outputImage, webWorkerPool } = await readImageDicomFileSeries({ inputImages: [...files] }).catch(
    (error: unknown) => {
      throw new Error(`${name}: cannot be read as one DICOM series (${itkReason(error)})`);
    },
  );
  webWorkerPool?.terminateWorkers();
  const volume = itkScanVolume(itkFields(outputImage), name, "dicom-series");
  const bytes = encodeNifti1({
    dims: volume.dims,
    voxelToWorld: volume.voxelToWorld,
    data: volume.data as Float32Array,
  });
  const base = files[0].name.replace(/\.dcm$/i, "");
  return { volume, nifti: new File([bytes as Uint8Array<ArrayBuffer>], `${base}.nii`) };
}

/**
 * Builds the workstation. `invalidation` (Framework's) releases the views when the page goes away.
 * Example, in a page: `display(await workstation({ invalidation }))`.
 */
export async function workstation({ invalidation }: { invalidation?: Promise<unknown> } = {}): Promise<HTMLElement> {
  const status = el("p", { class: "cm-ws-status", role: "status" }, "Open the pre- and post-ablation scans.");
  const problem = el("p", { class: "cm-ws-problem", role: "alert" });
  const say = (text: string) => {
    status.textContent = text;
    problem.textContent = "";
  };
  const fail = (error: unknown) => {
    problem.textContent = messageOf(error);
  };
  const timings: WorkstationHandle["timings"] = {
    interpolateMs: null,
    iceballMs: null,
    marginsMs: null,
    registerMs: null,
  };
  const worker = workstationWorker();

  // ---- the two scan views ----
  const makeView = (name: ViewName): ScanView => {
    const canvas = el("canvas", { id: `ws-${name}-canvas`, class: "cm-ws-canvas", width: VIEW_PX, height: VIEW_PX });
    const nv = new Niivue({
      backColor: [0, 0, 0, 1],
      isRadiologicalConvention: true,
      show3Dcrosshair: false,
      isColorbar: false,
      logLevel: "error",
      drawOpacity: 0.55,
    } as ConstructorParameters<typeof Niivue>[0]);
    const sliceInput = el("input", { id: `ws-${name}-slice`, type: "number", min: 0, step: 1, value: 0 });
    const sliceRange = el("input", { type: "range", min: 0, step: 1, value: 0, "aria-label": `${name} slice` });
    return { nv, canvas, scan: null, volume: null, rasIndex: null, orientation: "axial", sliceInput, sliceRange };
  };
  const pre = makeView("pre");
  const post = makeView("post");
  const views: Record<ViewName, ScanView> = { pre, post };

  /** The file axis shown through the current orientation's slices. */
  const sliceAxis = (v: ScanView): number => Math.abs((v.scan as LoadedScan).permRAS[RAS_AXIS[v.orientation]]) - 1;
  /** The crosshair's file-order voxel. */
  const crosshairVoxel = (v: ScanView): [number, number, number] => {
    const ras = v.nv.frac2vox(v.nv.scene.crosshairPos as never) as unknown as number[];
    return fileVoxelOf(v.scan as LoadedScan, ras.map(Math.round));
  };
  /** Moves the crosshair to a file-order voxel (the view shows its slice). */
  const moveTo = (v: ScanView, voxel: readonly number[]) => {
    const ras = rasVoxelOf(v.scan as LoadedScan, voxel);
    v.nv.scene.crosshairPos = v.nv.vox2frac(ras as never) as never;
    v.nv.drawScene();
    syncSliceControls(v);
  };
  const syncSliceControls = (v: ScanView) => {
    if (!v.scan) return;
    const axis = sliceAxis(v);
    const value = String(crosshairVoxel(v)[axis]);
    const max = String(v.scan.hdr.dims[axis + 1] - 1);
    for (const input of [v.sliceInput, v.sliceRange]) {
      input.max = max;
      input.value = value;
    }
  };
  for (const v of [pre, post]) {
    const go = (value: string) => {
      if (!v.scan) return;
      const voxel = crosshairVoxel(v);
      const axis = sliceAxis(v);
      voxel[axis] = Math.max(0, Math.min(v.scan.hdr.dims[axis + 1] - 1, Math.round(Number(value))));
      moveTo(v, voxel);
    };
    v.sliceInput.addEventListener("change", () => go(v.sliceInput.value));
    v.sliceRange.addEventListener("input", () => go(v.sliceRange.value));
    v.nv.onLocationChange = () => syncSliceControls(v);
  }

  const orientationSelect = (v: ScanView, name: ViewName) => {
    const select = el(
      "select",
      { id: `ws-${name}-orientation` },
      ...(["axial", "coronal", "sagittal"] as const).map((o) => el("option", { value: o }, o)),
    );
    select.addEventListener("change", () => {
      v.orientation = select.value as Orientation;
      v.nv.setSliceType(
        v.orientation === "axial"
          ? v.nv.sliceTypeAxial
          : v.orientation === "coronal"
            ? v.nv.sliceTypeCoronal
            : v.nv.sliceTypeSagittal,
      );
      syncSliceControls(v);
    });
    return select;
  };

  /** Loads a scan (one file, or the files of a DICOM series) into a view; it replaces the old one and its drawing. */
  const openScan = async (v: ScanView, files: readonly File[]) => {
    const dicom = isDicomSeries(files) ? await dicomScanVolume(files) : null;
    const file = dicom ? dicom.nifti : files[0];
    while (v.nv.volumes.length > 0) v.nv.removeVolume(v.nv.volumes[0]);
    await v.nv.loadFromFile(file);
    const scan = v.nv.volumes[0] as unknown as LoadedScan;
    v.scan = scan;
    if (dicom) checkShownGeometry(seriesName(files), scan, dicom.volume, "convert it to NIfTI (cryomargin reads both)");
    v.volume = dicom
      ? dicom.volume
      : NRRD_NAME.test(file.name)
        ? await nrrdScanVolume(file, scan)
        : scanVolume(scan, await niftiHeadBytes(file));
    v.rasIndex = rasIndexOfFileIndex(scan);
    v.nv.setSliceType(v.nv.sliceTypeAxial);
    v.nv.createEmptyDrawing();
    v.nv.setDrawingEnabled(false);
    const middle = [0, 1, 2].map((a) => Math.floor(scan.hdr.dims[a + 1] / 2));
    moveTo(v, middle);
  };

  // ---- state of the case ----
  let tumor: WorkstationAnswers["tumor"] | null = null;
  let ice: Uint8Array | null = null;
  let preToPost: Mat4 = identityMat4();
  let transformName = "identity (the scans share one frame)";
  /**
   * The error estimate of the registration made here, rounded as `register --format json` reports it:
   * the uncertainty's SDs then, as `margins --uncertainty --registration-error REPORT` takes them.
   */
  let registrationSd: { rotationSdDeg: number; translationSdMm: number } | null = null;
  let measured: WorkstationMargins | null = null;
  /** Bumped whenever a mask or the transform changes: the 3D view is rebuilt, not only recoloured. */
  let geometryVersion = 0;

  // ---- step 1: files ----
  const fileInput = (id: string, label: string, accept: string, onFile: (f: File) => Promise<void>) => {
    const input = el("input", { id, type: "file", accept });
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      if (!file) return;
      try {
        await onFile(file);
      } catch (error) {
        fail(error);
      }
    });
    return el("label", { class: "cm-control" }, `${label} `, input);
  };
  /** A scan's file input: one NIfTI or NRRD file, or the files of one DICOM series (`multiple`). */
  const scanInput = (id: string, label: string, onFiles: (files: File[], name: string) => Promise<void>) => {
    const input = el("input", { id, type: "file", accept: ".nii,.nii.gz,.gz,.nrrd,.dcm", multiple: true });
    input.addEventListener("change", async () => {
      const files = Array.from(input.files ?? []);
      if (files.length === 0) return;
      try {
        await onFiles(files, isDicomSeries(files) ? seriesName(files) : files[0].name);
      } catch (error) {
        fail(error);
      }
    });
    return el("label", { class: "cm-control" }, `${label} `, input);
  };
  const preFile = scanInput(
    "ws-pre-file",
    "Pre-ablation scan (NIfTI, NRRD or the files of a DICOM series):",
    async (files, name) => {
      await openScan(pre, files);
      tumor = null;
      geometryVersion++;
      say(`Pre scan ${name}: ${pre.volume?.dims.join(" × ")} voxels. Outline the tumor on a few slices.`);
      refresh();
    },
  );
  const postFile = scanInput(
    "ws-post-file",
    "Post-ablation scan (NIfTI, NRRD or the files of a DICOM series):",
    async (files, name) => {
      await openScan(post, files);
      postFileName = name;
      ice = null;
      geometryVersion++;
      say(`Post scan ${name}: ${post.volume?.dims.join(" × ")} voxels. Click in the ice ball.`);
      refresh();
    },
  );

  // ---- step 2: drawing tools and interpolation ----
  const toolButtons = new Map<string, HTMLButtonElement>();
  const setTool = (tool: "navigate" | "pen" | "erase") => {
    pre.nv.setDrawingEnabled(tool !== "navigate");
    if (tool === "pen") pre.nv.setPenValue(DRAWN, true);
    if (tool === "erase") pre.nv.setPenValue(0, true);
    for (const [name, button] of toolButtons) button.setAttribute("aria-pressed", String(name === tool));
  };
  const toolButton = (tool: "navigate" | "pen" | "erase", label: string) => {
    const button = el("button", { type: "button", id: `ws-tool-${tool}`, "aria-pressed": "false" }, label);
    button.addEventListener("click", () => setTool(tool));
    toolButtons.set(tool, button);
    return button;
  };
  const undoButton = el("button", { type: "button", id: "ws-undo" }, "Undo");
  undoButton.addEventListener("click", () => pre.nv.drawUndo());
  const interpolateButton = el("button", { type: "button", id: "ws-interpolate" }, "Interpolate");
  interpolateButton.addEventListener("click", () => {
    interpolate().catch(fail);
  });

  const interpolate = async () => {
    if (!pre.scan || !pre.volume || !pre.rasIndex) throw new Error("open the pre-ablation scan first");
    const drawing = pre.nv.drawBitmap;
    if (!drawing) throw new Error("draw the tumor on a few slices of the pre scan first");
    say("Interpolating…");
    const layer = drawingToFileOrder(drawing, pre.rasIndex);
    const scribbles = Uint8Array.from(layer, (x) => (x === DRAWN ? 1 : 0));
    const { value: result, ms } = await worker.call<"tumor">({ kind: "tumor", image: pre.volume, scribbles });
    timings.interpolateMs = ms;
    tumor = result;
    geometryVersion++;
    const shown = new Uint8Array(result.mask.length);
    for (let v = 0; v < shown.length; v++) shown[v] = scribbles[v] ? DRAWN : result.mask[v] ? SEGMENTED : 0;
    pre.nv.drawBitmap = fileOrderToDrawing(shown, pre.rasIndex);
    pre.nv.drawAddUndoBitmap();
    pre.nv.refreshDrawing(true);
    const s = result.report.slices;
    say(
      `Tumor: ${formatFixed(result.report.volumeMl, 2)} ml from outlines on ${s.axial.length} axial, ${s.coronal.length} coronal and ${s.sagittal.length} sagittal slices ` +
        `(interpolated and refined in ${Math.round(ms)} ms). Drawn voxels are red, the rest green; correct and interpolate again if needed.`,
    );
    refresh();
  };

  // ---- step 3: ice ball from a click ----
  let pressed = false;
  post.canvas.addEventListener("pointerdown", () => {
    pressed = true;
  });
  post.canvas.addEventListener("pointerup", () => {
    if (!pressed) return;
    pressed = false;
    // NiiVue moves the crosshair on the press; the seed is where it stands when the button is released.
    requestAnimationFrame(() => {
      segmentIceAtCrosshair().catch(fail);
    });
  });
  const segmentIceAtCrosshair = async () => {
    if (!post.scan || !post.volume || !post.rasIndex) return;
    const voxel = crosshairVoxel(post);
    const m = post.volume.voxelToWorld;
    const seed = [0, 1, 2].map(
      (r) => m[4 * r] * voxel[0] + m[4 * r + 1] * voxel[1] + m[4 * r + 2] * voxel[2] + m[4 * r + 3],
    ) as Vec3;
    say("Segmenting the ice ball…");
    const { value, ms } = await worker.call<"iceball">({ kind: "iceball", image: post.volume, seedRas: seed });
    const { mask, report } = value;
    timings.iceballMs = ms;
    ice = mask;
    geometryVersion++;
    const shown = new Uint8Array(mask.length);
    for (let v = 0; v < shown.length; v++) shown[v] = mask[v] ? ICE : 0;
    post.nv.drawBitmap = fileOrderToDrawing(shown, post.rasIndex);
    post.nv.refreshDrawing(true);
    say(
      `Ice ball: ${formatFixed(report.volumeMl, 1)} ml from the seed at voxel ${voxel.join(", ")} (threshold ${formatFixed(report.threshold, 0)}; ${Math.round(ms)} ms).` +
        (report.warnings.length > 0 ? ` Check: ${report.warnings.join("; ")}` : ""),
    );
    refresh();
  };

  // ---- step 4: registration ----
  const invertBox = el("input", { id: "ws-invert", type: "checkbox" });
  let transformText: { text: string; name: string } | null = null;
  const applyTransform = () => {
    if (!transformText) return;
    preToPost = parseTransformText(transformText.text, transformText.name, { invert: invertBox.checked });
    registrationSd = null;
    uncertaintyNote.textContent = uncertaintyText();
    transformName = `${transformText.name}${invertBox.checked ? " (inverted)" : ""}`;
    geometryVersion++;
    refresh();
  };
  const transformFile = fileInput(
    "ws-transform-file",
    "Registration (.tfm ITK text or JSON matrix; maps pre to post):",
    ".tfm,.txt,.json",
    async (file) => {
      transformText = { text: await file.text(), name: file.name };
      applyTransform();
      say(`Registration ${transformName} loaded.`);
    },
  );
  invertBox.addEventListener("change", () => {
    try {
      applyTransform();
    } catch (error) {
      fail(error);
    }
  });
  let postFileName = "the post-ablation scan";
  const errorRunsInput = el("input", {
    id: "ws-error-runs",
    type: "number",
    min: 0,
    step: 1,
    value: DEFAULT_ERROR_RUNS,
    style: "width:4em",
  });
  const registerProgress = el("progress", { id: "ws-register-progress", max: 1, value: 0, hidden: true });
  const registerButton = el("button", { type: "button", id: "ws-register" }, "Register");
  registerButton.addEventListener("click", () => {
    register().catch(fail);
  });
  const register = async () => {
    if (!pre.volume || !post.volume) throw new Error("open the pre- and post-ablation scans first");
    if (!tumor) throw new Error("interpolate the tumor first: it is the registration's region of interest");
    const refineStarts = Number(errorRunsInput.value);
    if (!Number.isInteger(refineStarts) || refineStarts < 0 || refineStarts === 1)
      throw new Error("error-estimate runs must be 0 or a whole number of at least 2 (a spread needs two runs)");
    const started = performance.now();
    const inputs = { pre: pre.volume, post: post.volume, tumor: tumor.mask };
    registerButton.disabled = true;
    registerProgress.hidden = false;
    registerProgress.value = 0;
    say("Registering (elastix, in this browser)…");
    try {
      const result = await registerInWorker(
        {
          fixed: floatVolume(pre.volume),
          moving: floatVolume(post.volume),
          mask: { dims: pre.volume.dims, voxelToWorld: pre.volume.voxelToWorld, data: tumor.mask },
          roiMarginMm: DEFAULT_ROI_MARGIN_MM,
          refineStarts,
        },
        (finished, total) => {
          registerProgress.value = finished / total;
          say(`Registering (elastix, in this browser): run ${finished} of ${total} done…`);
        },
        invalidation,
      ).catch((error: Error & { problem?: string }) => {
        throw error.problem === "outside-field-of-view" ? new Error(`${postFileName}: ${error.message}`) : error;
      });
      timings.registerMs = performance.now() - started;
      const estimate = result.errorEstimate
        ? `; error estimate ${formatFixed(result.errorEstimate.rotationSdDeg, 2)}° and ${formatFixed(result.errorEstimate.translationSdMm, 2)} mm SD per axis`
        : "";
      if (pre.volume !== inputs.pre || post.volume !== inputs.post || tumor?.mask !== inputs.tumor) {
        say("The registration was not used: a scan or the tumor changed while it ran. Register again.");
        return;
      }
      transformText = null;
      preToPost = result.fixedToMoving;
      registrationSd = result.errorEstimate
        ? {
            rotationSdDeg: Number(result.errorEstimate.rotationSdDeg.toFixed(3)),
            translationSdMm: Number(result.errorEstimate.translationSdMm.toFixed(3)),
          }
        : null;
      uncertaintyNote.textContent = uncertaintyText();
      transformName = `registered in this browser (elastix): rotation ${formatFixed(result.rotationDeg, 2)}°, ROI centre moved ${formatFixed(result.translationMm, 2)} mm`;
      geometryVersion++;
      say(
        `Registered: rotation ${formatFixed(result.rotationDeg, 2)}°, ROI centre moved ${formatFixed(result.translationMm, 2)} mm, ` +
          `NMI ${formatFixed(result.initialNmi, 4)} → ${formatFixed(result.nmi, 4)}${estimate} (${result.runs} elastix runs, ${formatFixed(timings.registerMs / 1000, 1)} s). ` +
          "Download registration.tfm to keep it.",
      );
      refresh();
    } finally {
      registerButton.disabled = false;
      registerProgress.hidden = true;
    }
  };

  // ---- step 5: margins ----
  const thresholdInput = el("input", {
    id: "ws-threshold",
    type: "number",
    min: 0,
    step: 0.5,
    value: DEFAULT_THRESHOLD_MM,
  });
  thresholdInput.addEventListener("change", () => refresh());
  const uncertaintyBox = el("input", { id: "ws-uncertainty", type: "checkbox" });
  const uncertaintyText = () =>
    registrationSd
      ? ` the MTM's interval under registration error (${registrationSd.rotationSdDeg}° and ${registrationSd.translationSdMm} mm SD per axis, this registration's error estimate; 200 draws: as cryomargin margins --uncertainty --registration-error)`
      : " the MTM's interval under registration error (1 mm and 1° SD per axis, 200 draws: as cryomargin margins --uncertainty)";
  const uncertaintyNote = el("span", { id: "ws-uncertainty-note" }, uncertaintyText());
  uncertaintyBox.addEventListener("change", () => refresh());
  const results = el("div", { class: "cm-ws-results", "aria-live": "polite" });
  const numbers = el("div", { class: "cm-ws-numbers" });
  const box3d = el("div", { class: "cm-view3d-box", style: `width:${VIEW_PX}px;height:${VIEW_PX}px` });
  results.append(numbers, box3d);
  let view3d: { view: CaseView3d; canvas: HTMLCanvasElement; version: number } | null = null;
  const colors = () => {
    const p = COVERAGE_PALETTES.standard;
    return [p.green, p.yellow, p.red] as const;
  };
  /** The 3D view of a measurement: rebuilt when the masks or the transform changed, else recoloured. */
  const show3d = async (m: WorkstationMargins, version: number, thresholdMm: number) => {
    if (view3d && view3d.version === version) {
      view3d.view.recolor(thresholdMm, colors());
      return;
    }
    view3d?.canvas.getContext("webgl2")?.getExtension("WEBGL_lose_context")?.loseContext();
    const canvas = el("canvas", { id: "ws-view3d", class: "cm-view3d", width: VIEW_PX, height: VIEW_PX });
    box3d.replaceChildren(canvas);
    // NiiVue's label font has ASCII glyphs only.
    const view = await caseView3d(canvas, m.meshes, {
      thresholdMm,
      colors: colors(),
      centroidRas: m.centroidRas,
      minimumVertex: m.minimumVertex,
      label: `MTM ${formatFixed(m.json.mtm_mm, 1)} mm, ${m.json.min_margin_octant}`,
    });
    view3d = { view, canvas, version };
  };
  /** Measures the margins in the worker when both masks exist (the last request wins). */
  let measuring = 0;
  const measure = async () => {
    if (!tumor || !ice || !pre.volume || !post.volume) return;
    const request = ++measuring;
    const version = geometryVersion;
    const thresholdMm = Number(thresholdInput.value);
    results.dataset.state = "measuring";
    const { value, ms } = await worker.call<"margins">({
      kind: "margins",
      tumor: { dims: pre.volume.dims, voxelToWorld: pre.volume.voxelToWorld, data: tumor.mask },
      iceball: { dims: post.volume.dims, voxelToWorld: post.volume.voxelToWorld, data: ice },
      preToPost,
      thresholdMm,
      uncertainty: uncertaintyBox.checked,
      registrationSd: registrationSd ?? undefined,
    });
    if (request !== measuring) return;
    timings.marginsMs = ms;
    measured = value;
    numbers.replaceChildren(resultsElement(value));
    marginsDownload.disabled = false;
    await show3d(value, version, thresholdMm);
    Object.assign(results.dataset, {
      state: "ready",
      threshold: String(thresholdMm),
      registration: transformName,
      uncertainty: String(uncertaintyBox.checked),
    });
  };

  const resultsElement = (m: WorkstationMargins): HTMLElement => {
    const j = m.json;
    const range = j.mtm_mask_range_mm;
    return el(
      "div",
      {},
      el(
        "dl",
        { class: "cm-case-numbers" },
        ...definition(
          "MTM",
          field("mtm", j.mtm_mm, `${formatFixed(j.mtm_mm, 2)} mm`),
          ` (rounded ${j.mtm_mm_rounded} mm)`,
        ),
        ...definition(
          "Mask range of the MTM",
          range
            ? `${formatFixed(range[0], 2)} to ${formatFixed(range[1], 2)} mm (every surface both masks allow)`
            : "—",
        ),
        ...definition(
          "Minimum-margin point (RAS mm)",
          `${j.min_margin_point_ras.map((v) => formatFixed(v, 1)).join(", ")} — ${j.min_margin_octant} octant`,
        ),
        ...definition(
          "Tumor volume",
          field("tumor-volume", j.tumor_volume_ml, `${formatFixed(j.tumor_volume_ml, 2)} ml`),
        ),
        ...definition(
          "Ice-ball volume",
          field("iceball-volume", j.iceball_volume_ml, `${formatFixed(j.iceball_volume_ml, 1)} ml`),
        ),
        ...definition("Maximum tumor diameter", `${formatFixed(j.tumor_max_diameter_mm, 1)} mm`),
        ...coverageDefinition(
          j.threshold_mm,
          { green: j.coverage.fraction_green, yellow: j.coverage.fraction_yellow, red: j.coverage.fraction_red },
          "by volume",
        ),
        ...definition("Registration", transformName),
        ...(j.uncertainty
          ? definition(
              "MTM under registration error",
              field("mtm-p2_5", j.uncertainty.p2_5_mm, `${num(j.uncertainty.p2_5_mm, 2)}`),
              " to ",
              field("mtm-p97_5", j.uncertainty.p97_5_mm, `${num(j.uncertainty.p97_5_mm, 2)} mm`),
              ` (95 % of ${j.uncertainty.samples} draws of ${j.uncertainty.translation_sd_mm} mm and ${j.uncertainty.rotation_sd_deg}° SD per axis; with the mask range ${num(j.uncertainty.with_mask_range_mm[0], 2)} to ${num(j.uncertainty.with_mask_range_mm[1], 2)} mm); P(MTM < 0) = ${num(j.uncertainty.p_below_0, 3)}`,
            )
          : []),
        ...definition(
          "Recomputed in",
          field("margins-ms", timings.marginsMs, `${Math.round(timings.marginsMs ?? 0)} ms`),
          " (in this browser)",
        ),
      ),
      octantsTable(
        j.threshold_mm,
        j.min_margin_octant,
        j.octants.map((o) => ({
          name: o.name,
          tumorVolumeMl: o.tumor_volume_ml,
          minMarginMm: o.min_margin_mm,
          fractionGreen: o.fraction_green,
          fractionYellow: o.fraction_yellow,
          fractionRed: o.fraction_red,
        })),
      ),
      j.warnings.length > 0 ? el("p", { class: "cm-notes" }, `Warnings: ${j.warnings.join("; ")}`) : "",
    );
  };

  // ---- step 6: downloads ----
  const downloadButton = (id: string, label: string, save: () => Promise<void> | void) => {
    const button = el("button", { type: "button", id, disabled: true }, label);
    button.addEventListener("click", async () => {
      try {
        await save();
      } catch (error) {
        fail(error);
      }
    });
    return button;
  };
  /** A 0/1 mask as NIfTI on its scan's grid: NiiVue writes the scan's header with the mask as uint8. */
  const maskBytes = (v: ScanView, mask: Uint8Array) =>
    (v.scan as LoadedScan).saveToUint8Array("mask.nii.gz", fileOrderToDrawing(mask, v.rasIndex as Int32Array));
  const tumorDownload = downloadButton("ws-download-tumor", "tumor.nii.gz", async () => {
    if (tumor) download("tumor.nii.gz", await maskBytes(pre, tumor.mask), "application/gzip");
  });
  const iceDownload = downloadButton("ws-download-iceball", "iceball.nii.gz", async () => {
    if (ice) download("iceball.nii.gz", await maskBytes(post, ice), "application/gzip");
  });
  const transformDownload = downloadButton("ws-download-transform", "registration.tfm", () =>
    download("registration.tfm", formatItkTransform(preToPost), "text/plain"),
  );
  const marginsDownload = downloadButton("ws-download-margins", "margins.json", () => {
    if (measured) download("margins.json", `${JSON.stringify(measured.json, null, 2)}\n`, "application/json");
  });

  /** Recomputes what the inputs allow and redraws the results. */
  function refresh(): void {
    tumorDownload.disabled = !tumor;
    iceDownload.disabled = !ice;
    transformDownload.disabled = false;
    if (!tumor || !ice) {
      measured = null;
      marginsDownload.disabled = true;
      numbers.replaceChildren(
        el(
          "p",
          { class: "cm-notes" },
          "The margins appear here once the tumor is interpolated and the ice ball segmented.",
        ),
      );
      return;
    }
    measure().catch(fail);
  }

  // ---- layout ----
  const viewPanel = (v: ScanView, name: ViewName, title: string, ...tools: Node[]) =>
    el(
      "figure",
      { class: "cm-ws-view" },
      el("figcaption", {}, title),
      el(
        "div",
        { class: "cm-control" },
        el("label", {}, "View ", orientationSelect(v, name)),
        el("label", {}, " slice ", v.sliceInput),
        v.sliceRange,
      ),
      ...tools,
      el("div", { class: "cm-ws-canvas-box", style: `width:${VIEW_PX}px;height:${VIEW_PX}px` }, v.canvas),
    );
  const root = el(
    "div",
    { class: "cm-workstation" },
    el(
      "div",
      { class: "cm-controls" },
      preFile,
      postFile,
      el(
        "div",
        { class: "cm-control", role: "group", "aria-label": "registration" },
        registerButton,
        ` the post scan to the pre scan around the tumor (as cryomargin register; `,
        el("label", {}, "error-estimate runs ", errorRunsInput),
        ") ",
        registerProgress,
        " or ",
      ),
      transformFile,
      el("label", {}, invertBox, " the file maps post to pre (invert it)"),
    ),
    status,
    problem,
    el(
      "div",
      { class: "cm-ws-views" },
      viewPanel(
        pre,
        "pre",
        "Pre-ablation scan: outline the tumor (pen: draw a closed outline, it is filled; erase; undo)",
        el(
          "div",
          { class: "cm-control", role: "toolbar", "aria-label": "drawing tools" },
          toolButton("navigate", "Navigate"),
          toolButton("pen", "Pen"),
          toolButton("erase", "Erase"),
          undoButton,
          interpolateButton,
        ),
      ),
      viewPanel(post, "post", "Post-ablation scan: click in the ice ball"),
    ),
    el("label", { class: "cm-control" }, "Coverage threshold (mm) ", thresholdInput),
    el("label", { class: "cm-control" }, uncertaintyBox, uncertaintyNote),
    results,
    el(
      "div",
      { class: "cm-control", role: "group", "aria-label": "downloads" },
      "Download: ",
      tumorDownload,
      iceDownload,
      transformDownload,
      marginsDownload,
    ),
  ) as HTMLElement & { workstation?: WorkstationHandle };

  // NiiVue sizes its drawing buffer from the canvas, so it attaches once the canvas is in the document.
  const attach = async () => {
    for (const v of [pre, post]) await v.nv.attachToCanvas(v.canvas);
    setTool("navigate");
  };
  requestAnimationFrame(() => {
    attach().catch(fail);
  });
  refresh();

  root.workstation = {
    canvasPoint(name, voxel) {
      const v = views[name];
      if (!v.scan) return null;
      const frac = v.nv.vox2frac(rasVoxelOf(v.scan, voxel) as never);
      const point = v.nv.frac2canvasPos(frac);
      if (!point) return null;
      const scale = v.canvas.clientWidth / v.canvas.width;
      return [point[0] * scale, point[1] * scale];
    },
    voxelToWorld(name) {
      const volume = views[name].volume;
      return volume ? Array.from(volume.voxelToWorld) : null;
    },
    drawnVoxels() {
      const drawing = pre.nv.drawBitmap;
      let n = 0;
      if (drawing) for (let v = 0; v < drawing.length; v++) n += drawing[v] === DRAWN ? 1 : 0;
      return n;
    },
    timings,
  };
  invalidation?.then(() => {
    worker.terminate();
    for (const v of [pre, post, ...(view3d ? [{ nv: view3d.view.nv }] : [])])
      v.nv.gl?.getExtension("WEBGL_lose_context")?.loseContext();
  });
  return root;
}
