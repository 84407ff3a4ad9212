/**
 * Option parsing shared by every subcommand: node's `util.parseArgs` in strict mode, with its errors
 * turned into `CliUsageError` (exit 2, usage printed) so an unknown or malformed option never runs.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

export type ParsedCommandArgs = {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
};

import { parseDecimalNumber } from "@cryomargin/analysis";
import { CliUsageError } from "../errors.js";
import { readInputFile } from "../io/files.js";
import { InputFileError } from "../io/inputErrors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a command's arguments against its options. Every malformed command line is a CliUsageError in
 * the project's words (the CLI prints it above the command's usage): an unknown option names the
 * options the command takes, an option missing its value or given one it does not take says so, and a
 * stray argument is named.
 */
export function parseCommandArgs(args: string[], options: OptionSpec, allowPositionals = false): ParsedCommandArgs {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals }) as ParsedCommandArgs;
  } catch (error) {
    throw new CliUsageError(usageProblem(error as NodeJS.ErrnoException, args, options));
  }
}

/** The words of a `util.parseArgs` error, by its code (Node's own text suggests `--` quoting). */
function usageProblem(error: NodeJS.ErrnoException, args: readonly string[], options: OptionSpec): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? "";
  const names = Object.keys(options)
    .sort()
    .map((name) => `--${name}`);
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option '${quoted}'; the options are ${names.join(", ")}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /^--?([\w-]+)/.exec(quoted)?.[1] ?? quoted;
      return options[name]?.type === "boolean" ? `--${name} takes no value` : `--${name} needs a value`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${quoted || args.find((a) => !a.startsWith("-")) || ""}': this command takes only options`;
    default:
      return error.message;
  }
}

/** A numeric option: absent → fallback; present but not a finite number → usage error naming the option. */
export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = parseDecimalNumber(value);
  if (!Number.isFinite(n)) throw new CliUsageError(`--${name} must be a number, got '${value}'`);
  return n;
}

/** A string option: absent → undefined; present but empty → usage error naming the option. */
export function stringOption(values: ParsedCommandArgs["values"], name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new CliUsageError(`--${name} needs a value`);
  return v;
}

/**
 * A comma-separated list option ("a,b" → ["a", "b"]); absent → undefined. Empty items and repeats are usage
 * errors (a stray comma usually means a typo).
 */
export function listOption(values: ParsedCommandArgs["values"], name: string): string[] | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new CliUsageError(`--${name} has an empty item: '${v}'`);
  if (new Set(items).size !== items.length) throw new CliUsageError(`--${name} names an item twice: '${v}'`);
  return items;
}

/** One of a fixed set of words (`--ties efron|breslow`); absent → fallback; anything else is a usage error listing them. */
export function choiceOption<T extends string>(
  values: ParsedCommandArgs["values"],
  name: string,
  allowed: readonly T[],
  fallback: T,
): T;
export function choiceOption<T extends string>(
  values: ParsedCommandArgs["values"],
  name: string,
  allowed: readonly T[],
): T | undefined;
export function choiceOption<T extends string>(
  values: ParsedCommandArgs["values"],
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new CliUsageError(`--${name} must be one of ${allowed.join(", ")}, got '${v}'`);
  return v as T;
}

/** A whole-number option ≥ `min` (`--jobs`, `--cases`, `--seed`); absent → fallback; anything else is a usage error. */
export function wholeNumberOption(
  values: ParsedCommandArgs["values"],
  name: string,
  min: number,
  fallback: number,
): number;
export function wholeNumberOption(values: ParsedCommandArgs["values"], name: string, min: number): number | undefined;
export function wholeNumberOption(
  values: ParsedCommandArgs["values"],
  name: string,
  min: number,
  fallback?: number,
): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return fallback;
  const n = numberOption(v, name, Number.NaN);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`--${name} must be a whole number >= ${min}, got ${v}`);
  return n;
}

/**
 * `--tumor-outline auto|smooth|drawn`: how each tumor's surface is read (margin/drawnOutline.ts);
 * absent → undefined (a cohort's cohort.json `tumor_outline`, else "auto"). For margins, analyze and
 * validate alike.
 */
export function tumorOutlineOption(values: ParsedCommandArgs["values"]): "auto" | "smooth" | "drawn" | undefined {
  return choiceOption(values, "tumor-outline", ["auto", "smooth", "drawn"] as const);
}

/** `--max-image-mb MB`: a number > 0; absent → undefined (the readers' default, DEFAULT_MAX_IMAGE_MB of io/nifti.ts). */
export function maxImageMbOption(values: ParsedCommandArgs["values"]): number | undefined {
  const v = stringOption(values, "max-image-mb");
  if (v === undefined) return undefined;
  const mb = numberOption(v, "max-image-mb", Number.NaN);
  if (!(mb > 0)) throw new CliUsageError(`--max-image-mb must be a number of MB > 0, got ${v}`);
  return mb;
}

/**
 * The registration's own error estimate from a `cryomargin register --format json` report:
 * `error_estimate.rotation_sd_deg` and `.translation_sd_mm` (finite, ≥ 0). Errors name the file.
 */
export function registrationErrorFromReport(path: string): { rotationSdDeg: number; translationSdMm: number } {
  let report: unknown;
  try {
    report = JSON.parse(readInputFile(path).toString("utf8"));
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(path, "bad-registration-report", `is not JSON (${(error as Error).message})`);
  }
  const estimate = (report as { error_estimate?: Record<string, unknown> } | null)?.error_estimate;
  const rotation = estimate?.rotation_sd_deg;
  const translation = estimate?.translation_sd_mm;
  if (typeof rotation !== "number" || typeof translation !== "number" || !(rotation >= 0) || !(translation >= 0))
    throw new InputFileError(
      path,
      "bad-registration-report",
      "has no error_estimate with rotation_sd_deg and translation_sd_mm (numbers >= 0): give the JSON that `cryomargin register --format json` prints",
    );
  return { rotationSdDeg: rotation, translationSdMm: translation };
}

/**
 * `--uncertainty [--samples N] [--registration-error REPORT] [--rotation-sd-deg D] [--translation-sd-mm M]`,
 * or undefined without --uncertainty. The SDs: the flags if given, else the report's error estimate, else 1 and 1.
 */
export function uncertaintyOptions(
  values: ParsedCommandArgs["values"],
): { samples: number; rotationSdDeg: number; translationSdMm: number } | undefined {
  const tuning = ["samples", "rotation-sd-deg", "translation-sd-mm", "registration-error"];
  if (values.uncertainty !== true) {
    for (const name of tuning) if (values[name] !== undefined) throw new CliUsageError(`--${name} needs --uncertainty`);
    return undefined;
  }
  const samples = wholeNumberOption(values, "samples", 1, 200);
  const reportFile = stringOption(values, "registration-error");
  const estimate = reportFile === undefined ? undefined : registrationErrorFromReport(reportFile);
  const rotationSdDeg = numberOption(
    stringOption(values, "rotation-sd-deg"),
    "rotation-sd-deg",
    estimate?.rotationSdDeg ?? 1,
  );
  const translationSdMm = numberOption(
    stringOption(values, "translation-sd-mm"),
    "translation-sd-mm",
    estimate?.translationSdMm ?? 1,
  );
  if (!(rotationSdDeg >= 0) || !(translationSdMm >= 0))
    throw new CliUsageError("--rotation-sd-deg and --translation-sd-mm must be >= 0");
  return { samples, rotationSdDeg, translationSdMm };
}

/** The option specs of `uncertaintyOptions` (margins and analyze). */
export const UNCERTAINTY_OPTION_SPECS: OptionSpec = {
  uncertainty: { type: "boolean" },
  samples: { type: "string" },
  "rotation-sd-deg": { type: "string" },
  "translation-sd-mm": { type: "string" },
  "registration-error": { type: "string" },
};

/** The usage lines of the uncertainty options (margins and analyze). */
export const UNCERTAINTY_USAGE = [
  "  --uncertainty      also the MTM's interval under registration error: Monte-Carlo over rigid",
  "                     perturbations of the transform about the tumor centre (2.5/50/97.5 percentiles,",
  "                     P(MTM < 0), P(MTM >= threshold), per octant too)",
  "  --samples N        Monte-Carlo draws (default 200)",
  "  --rotation-sd-deg D    SD of the rotation about each axis (default 1)",
  "  --translation-sd-mm M  SD of the translation along each axis (default 1)",
  "  --registration-error FILE  take both SDs from `register --format json`'s error_estimate",
  "                     (the spread of its refinement runs); --rotation-sd-deg/--translation-sd-mm override",
];
