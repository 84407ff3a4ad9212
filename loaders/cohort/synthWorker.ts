/**
 * Worker thread of `cryomargin synth`: prepares and finishes the synthetic cases it is sent (see
 * synth.ts), posting progress lines and results back. A thrown error is a bug: the worker dies with it
 * and the main thread rejects.
 */
import { parentPort } from "node:worker_threads";
import { SynthCaseRunner, type SynthTask } from "./synth.js";

const runner = new SynthCaseRunner();
parentPort?.on("message", (task: SynthTask) => {
  runner.run(task, (reply) => parentPort?.postMessage(reply));
});
