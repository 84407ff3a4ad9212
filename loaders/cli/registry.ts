/** The subcommands of `cryomargin`, in the order `--help` lists them. */
import { CryomarginError } from "../errors.js";
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

/** A command whose implementation has not landed yet: it says so and exits 1 rather than pretend. */
function notYetImplemented(name: string, summary: string, usage: string, issue: number): Subcommand {
  return {
    name,
    summary,
    usage,
    run: async () => {
      throw new CryomarginError(`'${name}' is not implemented yet (tracked in issue ${issue})`);
    },
  };
}

export const subcommands: Subcommand[] = [statsCommand, marginsCommand, synthCommand, analyzeCommand, validateCommand];
