/**
 * Synchronous calls into @itk-wasm/image-io, @itk-wasm/dicom and @itk-wasm/morphological-contour-interpolation.
 * Those libraries are asynchronous,
 * load WebAssembly, print to stdout and block while they decode; the margin pipeline is synchronous.
 * So each thread that needs them starts one shared worker thread (loaders/io/itkWorker.mjs, unref'd:
 * it never keeps the process alive), posts a request and waits on a shared flag (Atomics.wait) until
 * the reply is on the message port (receiveMessageOnPort) — the pattern of the `synckit` package.
 * The worker silences its stdout, stderr and console, so the command's JSON output stays clean.
 *
 * Errors come back as text (a C++ failure is a bare number in itk-wasm); callers turn them into
 * InputFileErrors naming the file (`itkCall`'s `file` argument does that here).
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { projectPath } from "../projectRoot.js";
import { InputFileError, type InputProblem } from "./inputErrors.js";

/** An itk-wasm Image, as the worker sends it: LPS world, ITK's axis order (x fastest). */
export interface ItkImage {
  size: number[];
  spacing: number[];
  origin: number[];
  /** Row-major D × D direction cosines: column c is the world direction of index axis c. */
  direction: number[];
  componentType: string;
  components: number;
  data: ArrayLike<number> & { length: number; buffer: ArrayBufferLike };
  /** The file's key/value metadata (NRRD keys, `Segment0_Name`, …). */
  metadata: [string, unknown][];
}

interface ItkOps {
  readImage: { args: [path: string]; value: ItkImage };
  /** Morphological contour interpolation of a 0/1 uint8 label image, with the pipeline's options. */
  interpolateContours: {
    args: [image: Omit<ItkImage, "metadata"> & { metadata?: [string, unknown][] }, options: { axis: number }];
    value: ItkImage;
  };
  readDicomSeries: { args: [paths: string[]]; value: { image: ItkImage; sortedFilenames: unknown } };
  readSegmentation: { args: [path: string]; value: { image: ItkImage; metaInfo: unknown } };
  writeImage: {
    args: [image: Omit<ItkImage, "metadata"> & { metadata?: [string, unknown][] }, path: string];
    value: true;
  };
  writeSegmentation: {
    args: [image: Omit<ItkImage, "metadata" | "components">, metaInfo: unknown, path: string, refDicomSeries: string[]];
    value: true;
  };
}

/** Longest a single call may take before it is given up (a 512 × 512 × 120 series reads in ~1 s). */
const CALL_TIMEOUT_MS = 10 * 60 * 1000;

let bridge: { worker: Worker; port: MessagePort; signal: Int32Array } | undefined;

function startBridge(): NonNullable<typeof bridge> {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(projectPath("loaders", "io", "itkWorker.mjs"), {
    workerData: { port: port2, signal },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  return { worker, port: port1, signal };
}

/**
 * Runs `op` in the itk worker and waits for its answer. A failure is an InputFileError on `file`
 * with `problem` and the library's message. Example: `itkCall("readImage", ["/abs/a.nrrd"], "a.nrrd", "bad-header")`.
 */
export function itkCall<K extends keyof ItkOps>(
  op: K,
  args: ItkOps[K]["args"],
  file: string,
  problem: InputProblem,
): ItkOps[K]["value"] {
  bridge ??= startBridge();
  const { port, signal } = bridge;
  Atomics.store(signal, 0, 0);
  port.postMessage({ op, args });
  if (Atomics.wait(signal, 0, 0, CALL_TIMEOUT_MS) === "timed-out") {
    void bridge.worker.terminate();
    bridge = undefined;
    throw new InputFileError(file, problem, `reading took longer than ${CALL_TIMEOUT_MS / 60000} minutes; gave up`);
  }
  const received = receiveMessageOnPort(port);
  if (received === undefined) {
    // flag 2 without a reply: the worker thread ended (an abort inside the library)
    void bridge.worker.terminate();
    bridge = undefined;
    throw new InputFileError(file, problem, "cannot be read: the ITK reader stopped (the file is probably malformed)");
  }
  const reply = received.message as { ok: true; value: ItkOps[K]["value"] } | { ok: false; error: string };
  if (!reply.ok)
    throw new InputFileError(file, problem, `cannot be read by ITK (${reply.error.trim() || "no message"})`);
  return reply.value;
}
