/**
 * The progress bar shown while cases are measured: one line on stderr, redrawn in place. Only on a
 * terminal and never with --quiet, so logs and pipes stay clean.
 */

export type ProgressCallback = (done: number, total: number, caseId: string) => void;

/** A progress callback for `measureCohort`, or undefined when stderr is not a terminal or `quiet`. */
export function terminalProgressBar(quiet = false): ProgressCallback | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  return (done, total, caseId) => {
    const width = 30;
    const filled = Math.round((width * done) / total);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    process.stderr.write(`\r[${bar}] ${done}/${total} ${caseId.padEnd(16).slice(0, 16)}`);
    if (done === total) process.stderr.write("\n");
  };
}
