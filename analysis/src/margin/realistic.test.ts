/**
 * The margin engine on realistic tumor masks (irregularPhantoms.ts): smooth irregular (lobulated,
 * noise-perturbed star-shaped) tumors against their continuous truth, and ragged hand-drawn-like masks
 * against their 0.5 iso-surface — at 0.7–1.0 mm in-plane, 1–6 mm slices, oblique grids, analytic convex
 * ice balls on their own oblique 1.2 × 1.2 × 3.0 mm grid. Each suite prints a table per slice thickness:
 * the engine beside the QAM-style baseline (mean |error| / max / mean signed, mm), and the gap between
 * the two truths on the same shapes (the iso-surface's MTM minus the continuous surface's).
 *
 * What is held:
 * - smooth tumors: slices ≤ 3 mm mean |error| ≤ 0.3 mm, max ≤ 0.9, |mean signed| ≤ 0.1; 4–6 mm
 *   ≤ 0.5 / 1.5 / ±0.15; the continuous truth and the engine's reading inside the range the masks allow
 *   (mtm_mask_range_mm, maskRange.ts);
 * - ragged masks: |mean signed error| ≤ 0.15 mm against the 0.5 iso-surface at every slice thickness
 *   (the engine reads a ragged rim on the iso-surface: keepsMidpoint, refineSurface.ts); the
 *   iso-surface's MTM and the engine's reading inside the range the masks allow in every case;
 * - every smooth case read more than 0.3 mm high and every ragged case read outside its range carries a
 *   warning that the minimum rests on a fallback (fallbacks.ts) or a crease (crease.ts).
 * The two truths differ on the same masks: on the smooth suite's own masks the iso-surface reads lower
 * than the continuous surface it was rasterised from (column "iso − continuous truth": ≈ 0.3 mm at
 * 1 mm slices and 1–1.7 mm at 4–6 mm — the staircase's through-slice vertices sit half a slice beyond
 * each slice's rim, outside the surface, and the minimum picks the outermost). So no single reading of
 * a mask is unbiased against both: the engine follows the continuous surface where the mask is a smooth
 * rasterisation and the iso-surface where its rim is ragged, where no smooth surface explains it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CONCAVE_CREASE_WARNING } from "./crease.js";
import { FALLBACK_AT_MINIMUM_WARNING } from "./fallbacks.js";
import { generateIrregularCases, type IrregularCase } from "./irregularPhantoms.js";
import { measureMargins } from "./measure.js";
import { type ErrorSummary, summarizeErrors } from "./phantoms.js";
import { minimalTreatmentMarginQamBaseline } from "./qamBaseline.js";

const SLICES_MM = [1, 2, 3, 4, 5, 6];
/** Cases per slice thickness and suite (covered, tight, partly uncovered in turn). */
const CASES_PER_SLICE = 6;

interface Row {
  c: IrregularCase;
  truthMm: number;
  engineMm: number;
  qamMm: number;
  rangeMm: [number, number];
  flagged: boolean;
}

/** Inside [lo, hi] up to 0.005 mm (the JSON's rounding). */
const inside = (v: number, [lo, hi]: [number, number]) => v >= lo - 0.005 && v <= hi + 0.005;

function runSuite(ragged: boolean): Row[] {
  const rows: Row[] = [];
  for (const sliceMm of SLICES_MM) {
    const cases = generateIrregularCases({ seed: 1800 + sliceMm, count: CASES_PER_SLICE, sliceMm, ragged });
    for (const c of cases) {
      const r = measureMargins(c.tumor, c.iceball, c.preToPost);
      rows.push({
        c,
        truthMm: ragged ? c.isoSurfaceMtmMm : c.continuousMtmMm,
        engineMm: r.mtmMm,
        qamMm: minimalTreatmentMarginQamBaseline(c.tumor, c.iceball, c.preToPost).mtmMm,
        rangeMm: r.mtmMaskRangeMm,
        flagged: r.warnings.some(
          (w) => w.startsWith(FALLBACK_AT_MINIMUM_WARNING) || w.startsWith(CONCAVE_CREASE_WARNING),
        ),
      });
    }
  }
  const f = (s: ErrorSummary) =>
    `${s.meanAbs.toFixed(2).padStart(5)} / ${s.max.toFixed(2).padStart(5)} / ${s.meanSigned >= 0 ? "+" : ""}${s.meanSigned.toFixed(2)}`;
  const lines = [
    `${ragged ? "ragged masks vs their 0.5 iso-surface" : "smooth irregular tumors vs the continuous surface"}: ${CASES_PER_SLICE} cases per slice, mm`,
    "  slice | engine mean|err| / max / signed | QAM-style             | iso − continuous truth | range width | flagged",
  ];
  for (const sliceMm of SLICES_MM) {
    const part = rows.filter((r) => r.c.sliceMm === sliceMm);
    const width = part.reduce((s, r) => s + r.rangeMm[1] - r.rangeMm[0], 0) / part.length;
    lines.push(
      `  ${String(sliceMm).padStart(3)} mm | ${f(summarizeErrors(part.map((r) => r.engineMm - r.truthMm))).padEnd(31)} | ${f(summarizeErrors(part.map((r) => r.qamMm - r.truthMm))).padEnd(21)} | ` +
        `${f(summarizeErrors(part.map((r) => r.c.isoSurfaceMtmMm - r.c.continuousMtmMm))).padEnd(22)} | ${width.toFixed(2).padStart(11)} | ${part.filter((r) => r.flagged).length}/${part.length}`,
    );
  }
  lines.push(
    `  all    | ${f(summarizeErrors(rows.map((r) => r.engineMm - r.truthMm))).padEnd(31)} | ${f(summarizeErrors(rows.map((r) => r.qamMm - r.truthMm))).padEnd(21)} | ` +
      `engine outside its range: ${rows.filter((r) => !inside(r.engineMm, r.rangeMm)).length}, truth outside: ${rows.filter((r) => !inside(r.truthMm, r.rangeMm)).length}`,
  );
  console.log(lines.join("\n"));
  return rows;
}

const errors = (rows: Row[], slices: number[]) =>
  summarizeErrors(rows.filter((r) => slices.includes(r.c.sliceMm)).map((r) => r.engineMm - r.truthMm));

describe("smooth irregular tumors (lobulated star shapes) against the continuous truth", () => {
  let rows: Row[] = [];
  beforeAll(() => {
    rows = runSuite(false);
  });

  it("slices ≤ 3 mm: mean |error| ≤ 0.3 mm, max ≤ 0.9, |mean signed| ≤ 0.1; QAM-style measurably worse", () => {
    const e = errors(rows, [1, 2, 3]);
    expect(e.meanAbs).toBeLessThanOrEqual(0.3);
    expect(e.max).toBeLessThanOrEqual(0.9);
    expect(Math.abs(e.meanSigned)).toBeLessThanOrEqual(0.1);
    const qam = summarizeErrors(rows.filter((r) => r.c.sliceMm <= 3).map((r) => r.qamMm - r.truthMm));
    expect(qam.meanAbs).toBeGreaterThan(2 * e.meanAbs);
  });

  it("slices 4–6 mm: mean |error| ≤ 0.5 mm, max ≤ 1.5, |mean signed| ≤ 0.15", () => {
    const e = errors(rows, [4, 5, 6]);
    expect(e.meanAbs).toBeLessThanOrEqual(0.5);
    expect(e.max).toBeLessThanOrEqual(1.5);
    expect(Math.abs(e.meanSigned)).toBeLessThanOrEqual(0.15);
  });

  it("the continuous truth and the engine's reading lie inside the range the masks allow", () => {
    expect(rows.filter((r) => !inside(r.truthMm, r.rangeMm)).map((r) => r.c.name)).toEqual([]);
    expect(rows.filter((r) => !inside(r.engineMm, r.rangeMm)).map((r) => r.c.name)).toEqual([]);
  });

  it("every case read more than 0.3 mm high is flagged", () => {
    // Over-reading is the unsafe direction the warnings are for; a reading low by more than 0.3 mm is
    // printed (it is a fit error on a small tumor at thick slices, with no fallback at the minimum).
    const unflagged = (test: (e: number) => boolean) =>
      rows
        .filter((r) => test(r.engineMm - r.truthMm) && !r.flagged)
        .map((r) => `${r.c.name} ${(r.engineMm - r.truthMm).toFixed(2)}`);
    console.log(
      `smooth suite: cases read > 0.3 mm low without a flag: ${unflagged((e) => e < -0.3).join(", ") || "none"}`,
    );
    expect(unflagged((e) => e > 0.3)).toEqual([]);
  });
});

describe("ragged hand-drawn-like masks against their 0.5 iso-surface", () => {
  let rows: Row[] = [];
  beforeAll(() => {
    rows = runSuite(true);
  });

  it("every mask carries the edits (jitter, flips, spurs, holes, a satellite bridged or apart)", () => {
    for (const r of rows) {
      const e = r.c.edits!;
      expect(e.jitteredSlices + e.flippedVoxels).toBeGreaterThan(0);
      expect(e.spurs).toBeGreaterThanOrEqual(2);
    }
    expect(rows.filter((r) => r.c.edits?.satellite === "bridged").length).toBe(rows.length / 2);
  });

  it("|mean signed error| ≤ 0.15 mm against the 0.5 iso-surface at every slice thickness", () => {
    const signed = SLICES_MM.map((sliceMm) => errors(rows, [sliceMm]).meanSigned);
    expect(signed.filter((e) => Math.abs(e) > 0.15)).toEqual([]);
  });

  it("the iso-surface's MTM and the engine's reading lie inside the range the masks allow, at every slice thickness", () => {
    expect(rows.filter((r) => !inside(r.truthMm, r.rangeMm)).map((r) => r.c.name)).toEqual([]);
    expect(rows.filter((r) => !inside(r.engineMm, r.rangeMm)).map((r) => r.c.name)).toEqual([]);
  });

  it("every case read outside its range is flagged", () => {
    expect(rows.filter((r) => !inside(r.engineMm, r.rangeMm) && !r.flagged).map((r) => r.c.name)).toEqual([]);
  });
});
