/**
 * The progress bar shown while cases are measured: one line on stderr, redrawn in place, with the rate
 * (cases per second) and the time left at that rate. Only on a terminal and never with --quiet, so logs
 * and pipes stay clean.
 */

export type ProgressCallback = (done: number, total: number, caseId: string) => void;

/** "42 s", "3 min 05 s", "1 h 02 min": a duration for the ETA. */
export function formatDurationS(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * The bar's line after `done` of `total` cases. The rate counts the cases finished since `startDone`
 * (cases already done when the clock started, e.g. from a cache) over `elapsedS`; ETA = left / rate.
 * Example: `progressLine(12, 32, "P12", 2, 4)` is "[###########----…] 12/32 P12 … 2.5 cases/s  ETA 8 s".
 */
export function progressLine(done: number, total: number, caseId: string, startDone: number, elapsedS: number): string {
  const width = 30;
  const filled = Math.round((width * done) / total);
  const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
  const rate = elapsedS > 0 ? (done - startDone) / elapsedS : Number.NaN;
  const rateText = Number.isFinite(rate) && rate > 0 ? `${rate.toFixed(rate < 10 ? 1 : 0)} cases/s` : "";
  const eta = done === total ? "done" : rateText ? `ETA ${formatDurationS((total - done) / rate)}` : "";
  return `[${bar}] ${done}/${total} ${caseId.padEnd(16).slice(0, 16)} ${rateText.padStart(13)}  ${eta}`.trimEnd();
}

/** Where the bar is drawn: stderr, or a stand-in with the same two members. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress callback for `measureCohort` (or a phase of `synth`), or undefined when `quiet` or the stream
 * (stderr) is not a terminal. `label` is written before the bar (e.g. the phase it counts).
 */
export function terminalProgressBar(
  quiet = false,
  { label = "", stream = process.stderr }: { label?: string; stream?: ProgressStream } = {},
): ProgressCallback | undefined {
  if (quiet || !stream.isTTY) return undefined;
  const prefix = label ? `${label} ` : "";
  const start = performance.now();
  let startDone: number | undefined;
  let previousLength = 0;
  return (done, total, caseId) => {
    // Cases before the first report came from a cache: the rate counts from there.
    startDone ??= done - 1;
    const line = prefix + progressLine(done, total, caseId, startDone, (performance.now() - start) / 1000);
    stream.write(`\r${line.padEnd(previousLength)}`);
    previousLength = line.length;
    if (done === total) stream.write("\n");
  };
}
