import { describe, expect, it } from "vitest";
import { formatDurationS, progressLine } from "./progress.js";

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
});
