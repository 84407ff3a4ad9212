/**
 * The `cryomargin` command: dispatches to one module per subcommand.
 *
 * Exit codes: 0 success, 1 a problem with the user's data or files (typed error, message names the
 * file/case/field), 2 a usage error (unknown subcommand or option) — usage is printed.
 */
import { readFileSync } from "node:fs";
import { CliUsageError, CryomarginError } from "../errors.js";
import { projectPath } from "../projectRoot.js";
import { type Subcommand, subcommands } from "./registry.js";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(projectPath("package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export function usage(): string {
  const width = Math.max(...subcommands.map((s) => s.name.length));
  const lines = subcommands.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`);
  return [
    "Usage: cryomargin <command> [options]",
    "",
    "Volumetric ablation margins and the statistics that relate them to local tumor progression.",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show this help (or `cryomargin <command> --help` for a command)",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    process.stdout.write(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const entry = subcommands.find((s) => s.name === first);
  let command: Subcommand | undefined;
  try {
    if (!entry) throw new CliUsageError(`unknown command '${first}'`);
    command = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`cryomargin: ${error.message}\n\n${command ? command.usage : usage()}\n`);
      return 2;
    }
    if (error instanceof CryomarginError) {
      process.stderr.write(`cryomargin: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
