/**
 * The workstation's registration in a Web Worker: the command line's staged strategy
 * (analysis/src/register/stagedRegistration.ts: tumor box + margin as ROI, capture-range starts, best
 * masked NMI, the 20° / 50 mm guard, the optional error estimate) with elastix — the same WebAssembly
 * build `cryomargin register` runs in Node — run by itk-wasm's runPipeline from the site's own files
 * (itkBrowser.ts: pipelines and pipeline worker under dist/, never a CDN). Each elastix run goes to one
 * of ELASTIX_WORKERS itk-wasm pipeline workers (started by itk-wasm from this worker, reused), so the
 * two starts run at once as they do in Node's worker threads.
 *
 * The page starts it as a module worker (`new Worker(import.meta.resolve("./registrationWorker.js"),
 * { type: "module" })`) and sends one request; the worker answers with progress messages (an elastix run
 * ended) and one final message: the result, or the error's message and kind.
 */
import {
  ElastixRunError,
  elastixPipelineCall,
  eulerParameters,
  eulerTransformToMat4,
  type FloatVolume,
  type ItkWasmTransform,
  type MaskVolume,
  type Mat4,
  RegistrationError,
  type RegistrationProblem,
  type RigidSpread,
  type RunElastix,
  stagedRegistration,
} from "@cryomargin/analysis";
import { itkPipelineOptions, runPipeline } from "./itkBrowser.js";

/** elastix runs at once: `cryomargin register`'s default worker threads. */
const ELASTIX_WORKERS = 2;

/** What the page asks: the scans (pre = fixed, post = moving), the tumor on the pre scan's grid, the CLI's options. */
export interface RegistrationRequest {
  fixed: FloatVolume;
  moving: FloatVolume;
  mask: MaskVolume;
  /** ROI = the tumor's box grown by this (`register --roi-margin-mm`). */
  roiMarginMm: number;
  /** elastix runs for the error estimate (`register --error-runs`; 0 = none). */
  refineStarts: number;
}

/** The parts of the result the page shows and uses. */
export interface BrowserRegistration {
  /** Pre-ablation world → post-ablation world, RAS mm. */
  fixedToMoving: Mat4;
  rotationDeg: number;
  translationMm: number;
  nmi: number;
  initialNmi: number;
  errorEstimate: RigidSpread | null;
  /** elastix runs made (starts and error-estimate runs). */
  runs: number;
  /** Wall time of the whole registration in this worker, s. */
  seconds: number;
}

/** A message to the page. */
export type RegistrationMessage =
  | { kind: "progress"; finished: number; total: number }
  | { kind: "done"; result: BrowserRegistration }
  | { kind: "error"; problem: RegistrationProblem | "elastix" | "other"; message: string };

/**
 * elastix through itk-wasm's runPipeline, on up to `workers` pipeline workers at once. A worker is
 * created by the first run that needs it and reused; `close` ends them.
 */
function browserElastix(workers: number): { run: RunElastix; close(): void } {
  const idle: (Worker | null)[] = Array.from({ length: workers }, () => null);
  const all: Worker[] = [];
  const waiting: ((slot: Worker | null) => void)[] = [];
  const acquire = (): Promise<Worker | null> =>
    idle.length > 0 ? Promise.resolve(idle.pop() ?? null) : new Promise((resolve) => waiting.push(resolve));
  const release = (slot: Worker | null) => {
    const next = waiting.shift();
    if (next) next(slot);
    else idle.push(slot);
  };
  const run: RunElastix = async (parameterMaps, fixed, moving) => {
    let worker = await acquire();
    try {
      const { args, inputs, outputs } = elastixPipelineCall(parameterMaps, fixed, moving);
      const started = performance.now();
      const result = await runPipeline("elastix", args, outputs as never, inputs as never, {
        ...itkPipelineOptions("@itk-wasm/elastix"),
        webWorker: worker,
      });
      const seconds = (performance.now() - started) / 1000;
      if (worker === null && result.webWorker) all.push(result.webWorker);
      worker = result.webWorker ?? worker;
      if (result.returnValue !== 0)
        throw new ElastixRunError(result.stderr.trim() || `elastix exited with ${result.returnValue}`, result.stdout);
      const euler = eulerParameters((result.outputs[1]?.data ?? []) as ItkWasmTransform[]);
      if (!euler) throw new ElastixRunError("elastix returned no Euler3D transform", result.stdout);
      return { fixedToMoving: eulerTransformToMat4(euler.parameters, euler.fixedParameters), seconds };
    } finally {
      release(worker);
    }
  };
  return {
    run,
    close() {
      for (const w of all) w.terminate();
    },
  };
}

/** Registers as `cryomargin register` does (stagedRegistration with the CLI's options), reporting each run's end. */
async function registerInBrowser(
  request: RegistrationRequest,
  onProgress: (finished: number, total: number) => void,
): Promise<BrowserRegistration> {
  const elastix = browserElastix(ELASTIX_WORKERS);
  try {
    const result = await stagedRegistration(request.fixed, request.moving, request.mask, elastix.run, {
      roiMarginMm: request.roiMarginMm,
      refineStarts: request.refineStarts,
      onProgress,
    });
    return {
      fixedToMoving: result.fixedToMoving,
      rotationDeg: result.rotationDeg,
      translationMm: result.translationMm,
      nmi: result.nmi,
      initialNmi: result.initialNmi,
      errorEstimate: result.errorEstimate,
      runs: result.runs.length + result.refined.length,
      seconds: result.seconds,
    };
  } finally {
    elastix.close();
  }
}

/** The worker's global scope, as far as this module uses it. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<RegistrationRequest>) => void) | null;
  postMessage(message: RegistrationMessage): void;
}

// In a worker (no document), answer the page's request.
if (typeof document === "undefined" && typeof self !== "undefined") {
  const scope = self as unknown as WorkerScope;
  scope.onmessage = (event) => {
    registerInBrowser(event.data, (finished, total) => scope.postMessage({ kind: "progress", finished, total })).then(
      (result) => scope.postMessage({ kind: "done", result }),
      (error: unknown) =>
        scope.postMessage({
          kind: "error",
          problem:
            error instanceof RegistrationError ? error.problem : error instanceof ElastixRunError ? "elastix" : "other",
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  };
}
