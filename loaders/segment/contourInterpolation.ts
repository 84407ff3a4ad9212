/**
 * Morphological contour interpolation (A. B. Albu, T. Beugeling, D. Laurendeau, "A morphology-based
 * approach for interslice interpolation of anatomical slices from volumetric images", IEEE Trans.
 * Biomed. Eng. 55, 2008; ITK's implementation, D. Zukić et al., Insight Journal 2016) through
 * `@itk-wasm/morphological-contour-interpolation`, run in a worker thread: the WebAssembly pipeline
 * blocks its thread and writes to stdout, so it never runs on the CLI's thread and its output never
 * reaches the CLI's JSON.
 *
 * The pipeline interpolates along the last axis here (`axis: 2`): an axis is first rolled to the last
 * position (analysis/src/segment/slices.ts) and the result rolled back.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { rollAxisLast, unrollAxisLast } from "@cryomargin/analysis";

/** One interpolation task: labels (0/1) already rolled so the interpolation axis is the last. */
export interface InterpolationTask {
  labels: Uint8Array;
  dims: [number, number, number];
  spacingMm: [number, number, number];
}

/** Runs the ITK pipeline on one task (in whatever thread calls it). Resolves to the 0/1 result. */
export async function interpolateAlongLastAxis(task: InterpolationTask): Promise<Uint8Array> {
  const { morphologicalContourInterpolationNode } = await import("@itk-wasm/morphological-contour-interpolation");
  const image = {
    imageType: { dimension: 3, componentType: "uint8", pixelType: "Scalar", components: 1 },
    name: "scribbles",
    origin: [0, 0, 0],
    spacing: task.spacingMm,
    direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    size: task.dims,
    data: task.labels,
    metadata: new Map(),
  };
  // biome-ignore lint/suspicious/noExplicitAny: itk-wasm's Image type is structural; this literal is one.
  const { outputImage } = await morphologicalContourInterpolationNode(image as any, { axis: 2 });
  const data = outputImage.data as ArrayLike<number>;
  const out = new Uint8Array(task.labels.length);
  for (let v = 0; v < out.length; v++) out[v] = data[v] ? 1 : 0;
  return out;
}

/** The compiled worker beside this module, or null when running from TypeScript sources (tests). */
function workerFile(): string | null {
  const path = fileURLToPath(new URL("./contourInterpolationWorker.js", import.meta.url));
  return existsSync(path) ? path : null;
}

/** Runs a task in a fresh worker thread (or in this thread when there is no compiled worker). */
function runTask(task: InterpolationTask): Promise<Uint8Array> {
  const file = workerFile();
  if (file === null) return interpolateAlongLastAxis(task);
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: task, stdout: true, stderr: true });
    // The pipeline's own output is drained and dropped: it is not the CLI's.
    worker.stdout.resume();
    worker.stderr.resume();
    worker.once("message", (reply: { labels: Uint8Array } | { error: string }) => {
      void worker.terminate();
      if ("error" in reply) reject(new Error(`contour interpolation failed: ${reply.error}`));
      else resolve(reply.labels);
    });
    worker.once("error", reject);
  });
}

/**
 * Interpolates the outlines of `labels` (0/1 on `dims`, spacing in mm) along grid axis `axis`: slices
 * between two outlined slices get the morphological in-between of their neighbours.
 */
export async function interpolateContours(
  labels: Uint8Array,
  dims: [number, number, number],
  spacingMm: readonly [number, number, number],
  axis: number,
): Promise<Uint8Array> {
  const rolled = rollAxisLast(labels, dims, axis);
  const order = rolled.spacingOrder;
  const result = await runTask({
    labels: rolled.data,
    dims: rolled.dims,
    spacingMm: [spacingMm[order[0]], spacingMm[order[1]], spacingMm[order[2]]],
  });
  return unrollAxisLast(result, dims, axis);
}
