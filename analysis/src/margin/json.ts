/**
 * The margins of one case as JSON, the exchange format of `cryomargin margins` (printed, one file per
 * case with --cohort, the analysis cache, and the files a user drops on the site's "your own data" page):
 * snake_case keys, mm to 0.01, ml to 0.001, fractions to 1e-4, unmeasurable values as null. Pure, so the
 * CLI and the browser read and write it with one implementation.
 */

import type { TumorOutlineMode } from "./drawnOutline.js";
import { OCTANT_NAMES } from "./octants.js";
import type { MarginResult, OctantName, Vec3 } from "./types.js";
import type { MarginUncertaintyJson } from "./uncertainty.js";

/** One octant as `cryomargin margins` prints it. */
export interface OctantJson {
  name: OctantName;
  tumor_volume_ml: number;
  /** null when no part of the octant could be measured. */
  min_margin_mm: number | null;
  fraction_green: number | null;
  fraction_yellow: number | null;
  fraction_red: number | null;
}

/** The output of `cryomargin margins` for one case: exactly these keys (issue 4). */
export interface MarginsJson {
  mtm_mm: number;
  mtm_mm_rounded: number;
  /**
   * [lo, hi], mm: the range of the MTM over all surfaces consistent with both masks (each surface
   * crossing its mask's boundary voxel edges between the inside and outside voxel centres; maskRange.ts);
   * null when no margin was measured. Always written; absent from margins files of earlier versions.
   */
  mtm_mask_range_mm?: [number, number] | null;
  /**
   * The MTM of the tumor mask as drawn, mm: the minimum over its 0.5 iso-surface's vertices (boundary-edge
   * midpoints, before any fit) of the same ice signed distance (measure.ts); null when no margin was
   * measured. Always written; absent from margins files of earlier versions.
   */
  mtm_as_drawn_mm?: number | null;
  /**
   * The outline test (drawnOutline.ts): how it was told to decide (`mode`), the tumor's outline misfit
   * (null when no patch was fitted), the limit smooth shapes stay below at its slice spacing, and which
   * reading `mtm_mm`, octants and coverage are ("fitted" or "as drawn"). Absent from earlier versions.
   */
  tumor_outline?: { mode: TumorOutlineMode; misfit: number | null; limit: number; reading: "fitted" | "as drawn" };
  min_margin_point_ras: Vec3;
  min_margin_octant: OctantName;
  threshold_mm: number;
  tumor_volume_ml: number;
  iceball_volume_ml: number;
  tumor_max_diameter_mm: number;
  coverage: { fraction_green: number; fraction_yellow: number; fraction_red: number };
  octants: OctantJson[];
  warnings: string[];
  /** With `margins --uncertainty`: the MTM's interval under registration error (uncertainty.ts). */
  uncertainty?: MarginUncertaintyJson;
}

/** Rounds to `digits` decimals for the JSON (0.01 mm is the reporting precision of the MTM); NaN → null. */
function rounded(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f + 0;
}

function roundedOrNull(v: number, digits: number): number | null {
  return Number.isFinite(v) ? rounded(v, digits) : null;
}

/**
 * The engine's result as `cryomargin margins` prints it: snake_case keys, mm to 0.01, ml to 0.001,
 * fractions to 1e-4, unmeasurable values as null. `warnings` are the readers' and the engine's.
 */
export function marginsJson(result: MarginResult, warnings: readonly string[]): MarginsJson {
  return {
    mtm_mm: rounded(result.mtmMm, 2),
    mtm_mm_rounded: result.mtmMmRounded,
    mtm_mask_range_mm: result.mtmMaskRangeMm.every(Number.isFinite)
      ? [rounded(result.mtmMaskRangeMm[0], 2), rounded(result.mtmMaskRangeMm[1], 2)]
      : null,
    mtm_as_drawn_mm: roundedOrNull(result.mtmAsDrawnMm, 2),
    ...(result.tumorOutline
      ? {
          tumor_outline: {
            mode: result.tumorOutline.mode,
            misfit: roundedOrNull(result.tumorOutline.misfit, 2),
            limit: rounded(result.tumorOutline.limit, 2),
            reading: result.tumorOutline.asDrawn ? ("as drawn" as const) : ("fitted" as const),
          },
        }
      : {}),
    min_margin_point_ras: result.minMarginPointRas.map((v) => rounded(v, 2)) as Vec3,
    min_margin_octant: result.minMarginOctant,
    threshold_mm: result.thresholdMm,
    tumor_volume_ml: rounded(result.tumorVolumeMl, 3),
    iceball_volume_ml: rounded(result.iceballVolumeMl, 3),
    tumor_max_diameter_mm: rounded(result.tumorMaxDiameterMm, 2),
    coverage: {
      fraction_green: rounded(result.coverage.fractionGreen, 4),
      fraction_yellow: rounded(result.coverage.fractionYellow, 4),
      fraction_red: rounded(result.coverage.fractionRed, 4),
    },
    octants: result.octants.map((o) => ({
      name: o.name,
      tumor_volume_ml: rounded(o.tumorVolumeMl, 3),
      min_margin_mm: roundedOrNull(o.minMarginMm, 2),
      fraction_green: roundedOrNull(o.fractionGreen, 4),
      fraction_yellow: roundedOrNull(o.fractionYellow, 4),
      fraction_red: roundedOrNull(o.fractionRed, 4),
    })),
    warnings: [...warnings],
  };
}

/** What a parsed JSON value is, for messages: "an array", "null", "a string" … */
function kindOf(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * Checks that a parsed JSON value has the shape `marginsJson` writes: every key present with its type,
 * numbers finite (null only where `MarginsJson` allows it), fractions in [0, 1], volumes and the diameter
 * ≥ 0, the eight octants by name, warnings as text. Returns the value typed, or the first thing wrong as
 * "octants[3].fraction_green: a string, expected a number or null". A reader of a stored or user-given
 * margins file (analyze's cache) treats anything else as unusable input.
 */
export function checkMarginsJson(value: unknown): { json: MarginsJson } | { problem: string } {
  const wrong = (path: string, v: unknown, expected: string) => ({
    problem: `${path}: ${kindOf(v)}, expected ${expected}`,
  });
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  const isFraction = (v: unknown) => isNumber(v) && v >= 0 && v <= 1;
  if (!isObject(value)) return wrong("margins", value, "an object");
  const numbers: [string, (v: unknown) => boolean, string][] = [
    ["mtm_mm", isNumber, "a number (mm)"],
    ["mtm_mm_rounded", (v) => isNumber(v) && Number.isInteger(v), "a whole number (mm)"],
    ["threshold_mm", isNumber, "a number (mm)"],
    ["tumor_volume_ml", (v) => isNumber(v) && v >= 0, "a number ≥ 0 (ml)"],
    ["iceball_volume_ml", (v) => isNumber(v) && v >= 0, "a number ≥ 0 (ml)"],
    ["tumor_max_diameter_mm", (v) => isNumber(v) && v >= 0, "a number ≥ 0 (mm)"],
  ];
  for (const [key, ok, expected] of numbers) if (!ok(value[key])) return wrong(key, value[key], expected);
  const point = value.min_margin_point_ras;
  if (!Array.isArray(point) || point.length !== 3 || !point.every(isNumber))
    return wrong("min_margin_point_ras", point, "3 numbers (RAS mm)");
  if (!(OCTANT_NAMES as readonly unknown[]).includes(value.min_margin_octant))
    return wrong("min_margin_octant", value.min_margin_octant, "an octant name");
  const coverage = value.coverage;
  if (!isObject(coverage)) return wrong("coverage", coverage, "an object");
  for (const key of ["fraction_green", "fraction_yellow", "fraction_red"])
    if (!isFraction(coverage[key])) return wrong(`coverage.${key}`, coverage[key], "a fraction in [0, 1]");
  const octants = value.octants;
  if (!Array.isArray(octants) || octants.length !== OCTANT_NAMES.length)
    return wrong("octants", octants, `${OCTANT_NAMES.length} octants`);
  for (const [i, o] of octants.entries()) {
    if (!isObject(o)) return wrong(`octants[${i}]`, o, "an object");
    if (o.name !== OCTANT_NAMES[i]) return wrong(`octants[${i}].name`, o.name, `"${OCTANT_NAMES[i]}"`);
    if (!(isNumber(o.tumor_volume_ml) && o.tumor_volume_ml >= 0))
      return wrong(`octants[${i}].tumor_volume_ml`, o.tumor_volume_ml, "a number ≥ 0 (ml)");
    if (o.min_margin_mm !== null && !isNumber(o.min_margin_mm))
      return wrong(`octants[${i}].min_margin_mm`, o.min_margin_mm, "a number or null");
    for (const key of ["fraction_green", "fraction_yellow", "fraction_red"])
      if (o[key] !== null && !isFraction(o[key]))
        return wrong(`octants[${i}].${key}`, o[key], "a fraction in [0, 1] or null");
  }
  const range = value.mtm_mask_range_mm;
  if (
    range !== undefined &&
    range !== null &&
    !(Array.isArray(range) && range.length === 2 && range.every(isNumber) && range[0] <= range[1])
  )
    return wrong("mtm_mask_range_mm", range, "[lo, hi] (mm, lo ≤ hi) or null");
  const asDrawn = value.mtm_as_drawn_mm;
  if (asDrawn !== undefined && asDrawn !== null && !isNumber(asDrawn))
    return wrong("mtm_as_drawn_mm", asDrawn, "a number (mm) or null");
  const outline = value.tumor_outline;
  if (outline !== undefined) {
    if (!isObject(outline)) return wrong("tumor_outline", outline, "an object");
    if (!["auto", "smooth", "drawn"].includes(outline.mode as string))
      return wrong("tumor_outline.mode", outline.mode, '"auto", "smooth" or "drawn"');
    if (outline.misfit !== null && !isNumber(outline.misfit))
      return wrong("tumor_outline.misfit", outline.misfit, "a number or null");
    if (!isNumber(outline.limit)) return wrong("tumor_outline.limit", outline.limit, "a number");
    if (outline.reading !== "fitted" && outline.reading !== "as drawn")
      return wrong("tumor_outline.reading", outline.reading, '"fitted" or "as drawn"');
  }
  const warnings = value.warnings;
  if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === "string"))
    return wrong("warnings", warnings, "an array of text");
  return { json: value as unknown as MarginsJson };
}

/** NaN for a value the JSON wrote as null (an octant with no measurable part). */
const numberOrNaN = (v: number | null): number => (v === null ? Number.NaN : v);

/** The part of a MarginResult that its JSON carries (everything the analysis plan uses). */
export type MarginResultFromJson = Pick<
  MarginResult,
  | "mtmMm"
  | "mtmMmRounded"
  | "tumorMaxDiameterMm"
  | "tumorVolumeMl"
  | "iceballVolumeMl"
  | "minMarginOctant"
  | "thresholdMm"
  | "coverage"
  | "octants"
  | "warnings"
  | "mtmMaskRangeMm"
  | "mtmAsDrawnMm"
  | "tumorOutline"
>;

/**
 * Reads the margins JSON back into the engine's (camelCase) shape, nulls as NaN.
 * Example: `marginResultFromJson(marginsJson(result, [])).mtmMm` is `result.mtmMm` to 0.01 mm.
 */
export function marginResultFromJson(json: MarginsJson): MarginResultFromJson {
  return {
    mtmMm: json.mtm_mm,
    mtmMmRounded: json.mtm_mm_rounded,
    // JSON written before the range was reported has no such key: unknown, [NaN, NaN].
    mtmMaskRangeMm: json.mtm_mask_range_mm
      ? [json.mtm_mask_range_mm[0], json.mtm_mask_range_mm[1]]
      : [Number.NaN, Number.NaN],
    mtmAsDrawnMm: numberOrNaN(json.mtm_as_drawn_mm ?? null),
    // JSON written without the outline test has no such key: no test, undefined.
    tumorOutline: json.tumor_outline
      ? {
          mode: json.tumor_outline.mode,
          misfit: numberOrNaN(json.tumor_outline.misfit),
          limit: json.tumor_outline.limit,
          asDrawn: json.tumor_outline.reading === "as drawn",
        }
      : undefined,
    tumorMaxDiameterMm: json.tumor_max_diameter_mm,
    tumorVolumeMl: json.tumor_volume_ml,
    iceballVolumeMl: json.iceball_volume_ml,
    minMarginOctant: json.min_margin_octant,
    thresholdMm: json.threshold_mm,
    coverage: {
      fractionGreen: json.coverage.fraction_green,
      fractionYellow: json.coverage.fraction_yellow,
      fractionRed: json.coverage.fraction_red,
    },
    octants: json.octants.map((o) => ({
      name: o.name,
      tumorVolumeMl: o.tumor_volume_ml,
      minMarginMm: numberOrNaN(o.min_margin_mm),
      fractionGreen: numberOrNaN(o.fraction_green),
      fractionYellow: numberOrNaN(o.fraction_yellow),
      fractionRed: numberOrNaN(o.fraction_red),
    })),
    warnings: [...json.warnings],
  };
}
