import { describe, expect, it } from "vitest";
import { formatDurationS, progressLine, terminalProgressBar } from "./progress.js";

describe("progress bar", () => {
  it("shows done/total, the rate since the clock started and the time left at that rate", () => {
    // 10 cases in 4 s (2 were done before, from a cache): 2.5 cases/s, 20 left → 8 s.
    const line = progressLine(12, 32, "P12", 2, 4);
    expect(line).toMatch(/^\[#{11}-{19}\] 12\/32 P12 /);
    expect(line).toMatch(/ 2\.5 cases\/s {2}ETA 8 s$/);
    expect(progressLine(32, 32, "P32", 0, 10)).toMatch(/3\.2 cases\/s {2}done$/);
    expect(progressLine(500, 1000, "S0500", 0, 20)).toMatch(/ 25 cases\/s {2}ETA 20 s$/);
  });

  it("has no rate or ETA before any case was measured in this run", () => {
    expect(progressLine(5, 32, "P05", 5, 0)).toMatch(/5\/32 P05$/);
  });

  it("formats durations in s, min and h", () => {
    expect(formatDurationS(42.4)).toBe("42 s");
    expect(formatDurationS(185)).toBe("3 min 05 s");
    expect(formatDurationS(3725)).toBe("1 h 02 min");
    expect(formatDurationS(Number.NaN)).toBe("?");
  });

  it("draws on a terminal only: nothing with --quiet or when the stream is not a TTY (a log, a pipe)", () => {
    const written: string[] = [];
    const pipe = { isTTY: false, write: (t: string) => written.push(t) };
    expect(terminalProgressBar(false, { stream: pipe })).toBeUndefined();
    expect(terminalProgressBar(true, { stream: { ...pipe, isTTY: true } })).toBeUndefined();
    const bar = terminalProgressBar(false, { label: "ice balls", stream: { ...pipe, isTTY: true } });
    if (!bar) throw new Error("a terminal gets a bar");
    bar(1, 3, "S01");
    bar(2, 3, "S02");
    bar(3, 3, "S03");
    expect(written).toHaveLength(4);
    // Each redraw returns to the line's start (padded over the longer line before it); the rate and the time
    // left follow the count once a case is timed.
    expect(written[1]).toMatch(/^\rice balls \[#{20}-{10}\] 2\/3 S02 +[0-9.]+ cases\/s {2}ETA \d+ s$/);
    expect(written[2]).toMatch(/^\rice balls \[#{30}\] 3\/3 S03 .* done *$/);
    expect(written[3]).toBe("\n");
  });
});
