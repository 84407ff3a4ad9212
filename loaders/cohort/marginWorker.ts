/**
 * Worker thread of `cryomargin margins --cohort`: measures the cases it is sent, one at a time, and
 * posts each result (or the user-facing error) back. Runs the same `measureCase` as the main thread.
 */
import { parentPort } from "node:worker_threads";
import { CryomarginError } from "../errors.js";
import { InputFileError } from "../io/inputErrors.js";
import { type CaseTask, type CaseTaskResult, runCaseTask } from "./cohortMargins.js";

parentPort?.on("message", (task: CaseTask) => {
  let reply: CaseTaskResult;
  try {
    reply = runCaseTask(task);
  } catch (error) {
    if (!(error instanceof CryomarginError)) throw error; // a bug: let the worker die with its stack
    reply = {
      index: task.index,
      caseId: task.caseId,
      error: error.message,
      problem: error instanceof InputFileError ? error.problem : undefined,
    };
  }
  parentPort?.postMessage(reply);
});
