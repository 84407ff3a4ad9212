/**
 * Two ways for a test to run `cryomargin ARGS` and collect its exit status, stdout and stderr:
 *
 * - `runCliInProcess` calls the command's `main()` (loaders/cli/main.ts, from source) in the test's own
 *   process, with process.stdout/stderr.write captured for the duration of the call, and maps a thrown
 *   error to status 70 as bin/cryomargin.mjs does. A few milliseconds per run instead of a Node start-up,
 *   for tests of what a command computes, prints and exits with. Runs must not overlap (await each).
 * - `spawnCli` starts the compiled command (bin/cryomargin.mjs, built by test/global-setup.ts) as a user
 *   does, for the tests of the process itself (exit code, streams, nothing else printed).
 */
import { spawn } from "node:child_process";
import { main } from "../../loaders/cli/main.js";

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export const CLI_BIN = new URL("../../bin/cryomargin.mjs", import.meta.url).pathname;

let running = false;

/** `cryomargin …args` through main() in this process. */
export async function runCliInProcess(args: string[]): Promise<CliRun> {
  if (running) throw new Error("runCliInProcess: runs must not overlap (stdout is captured process-wide)");
  running = true;
  let stdout = "";
  let stderr = "";
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = capture((t) => {
    stdout += t;
  }) as typeof process.stdout.write;
  process.stderr.write = capture((t) => {
    stderr += t;
  }) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout, stderr };
  } catch (error) {
    return { status: 70, stdout, stderr: `${stderr}${(error as Error).stack ?? String(error)}\n` };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    running = false;
  }
}

/** `cryomargin …args` as a child process of the compiled command. */
export function spawnCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
