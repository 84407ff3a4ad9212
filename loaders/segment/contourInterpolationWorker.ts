/** Worker thread of the contour interpolation: runs one task from workerData and posts the result. */
import { parentPort, workerData } from "node:worker_threads";
import { type InterpolationTask, interpolateAlongLastAxis } from "./contourInterpolation.js";

interpolateAlongLastAxis(workerData as InterpolationTask).then(
  (labels) => parentPort?.postMessage({ labels }, [labels.buffer as ArrayBuffer]),
  (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
