/** The subcommands of `cryomargin`, in the order `--help` lists them. */
import { analyzeCommand } from "./analyze.js";
import { marginsCommand } from "./margins.js";
import { statsCommand } from "./stats.js";
import { synthCommand } from "./synth.js";
import { validateCommand } from "./validate.js";

export interface Subcommand {
  name: string;
  summary: string;
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

export const subcommands: Subcommand[] = [statsCommand, marginsCommand, synthCommand, analyzeCommand, validateCommand];
