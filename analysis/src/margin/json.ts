/**
 * The margins of one case as JSON, the exchange format of `cryomargin margins` (printed, one file per
 * case with --cohort, the analysis cache, and the files a user drops on the site's "your own data" page):
 * snake_case keys, mm to 0.01, ml to 0.001, fractions to 1e-4, unmeasurable values as null. Pure, so the
 * CLI and the browser read and write it with one implementation.
 */
import type { MarginResult, OctantName, Vec3 } from "./types.js";

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
  min_margin_point_ras: Vec3;
  min_margin_octant: OctantName;
  threshold_mm: number;
  tumor_volume_ml: number;
  iceball_volume_ml: number;
  tumor_max_diameter_mm: number;
  coverage: { fraction_green: number; fraction_yellow: number; fraction_red: number };
  octants: OctantJson[];
  warnings: string[];
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
>;

/**
 * Reads the margins JSON back into the engine's (camelCase) shape, nulls as NaN.
 * Example: `marginResultFromJson(marginsJson(result, [])).mtmMm` is `result.mtmMm` to 0.01 mm.
 */
export function marginResultFromJson(json: MarginsJson): MarginResultFromJson {
  return {
    mtmMm: json.mtm_mm,
    mtmMmRounded: json.mtm_mm_rounded,
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
  };
}
