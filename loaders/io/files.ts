/**
 * Reading input files with errors that name them, and writing output files atomically: a file is
 * written under a temporary name in the same folder and renamed into place (rename is atomic on one
 * file system), so a crash, a full disk or Ctrl-C never leaves a half-written result behind.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import { InputFileError, OutputFileError } from "./inputErrors.js";

/** The bytes of a file; a missing or unreadable file is an InputFileError naming it. */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputFileError(path, "missing", "no such file");
    if (code === "EISDIR") throw new InputFileError(path, "unreadable", "is a folder, not a file");
    throw new InputFileError(path, "unreadable", `cannot be read (${code ?? (error as Error).message})`);
  }
}

let temporaryCounter = 0;

/**
 * Writes `data` to `path` atomically: to `.<name>.<pid>-<thread>-<n>.tmp` beside it, then renamed over
 * `path`. The temporary name differs per process and worker thread, so parallel writers never collide.
 * Example: `writeFileAtomic("out/case01.json", "{}")`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${threadId}-${temporaryCounter++}.tmp`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new OutputFileError(
      path,
      code === "ENOENT" ? "its folder does not exist" : (code ?? (error as Error).message),
    );
  }
}

/** Writes each file (its folder created when missing) atomically; a folder that cannot be made is an OutputFileError. */
export function writeFilesAtomic(files: readonly { path: string; content: string | Uint8Array }[]): void {
  for (const folder of new Set(files.map((f) => dirname(f.path))))
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new OutputFileError(folder, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
    }
  for (const f of files) writeFileAtomic(f.path, f.content);
}
