/**
 * Option parsing shared by every subcommand: node's `util.parseArgs` in strict mode, with its errors
 * turned into `CliUsageError` (exit 2, usage printed) so an unknown or malformed option never runs.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

export type ParsedCommandArgs = {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
};

import { CliUsageError } from "../errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs(args: string[], options: OptionSpec, allowPositionals = false): ParsedCommandArgs {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals }) as ParsedCommandArgs;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/** A numeric option: absent → fallback; present but not a finite number → usage error naming the option. */
export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new CliUsageError(`--${name} must be a number, got '${value}'`);
  return n;
}

/** A string option: absent → undefined; present but empty → usage error naming the option. */
export function stringOption(values: ParsedCommandArgs["values"], name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new CliUsageError(`--${name} needs a value`);
  return v;
}

/** A comma-separated list option ("a,b" → ["a", "b"]); absent → []. */
export function listOption(values: ParsedCommandArgs["values"], name: string): string[] {
  const v = stringOption(values, name);
  return v === undefined
    ? []
    : v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}
