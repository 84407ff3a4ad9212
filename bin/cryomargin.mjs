#!/usr/bin/env node
// Entry point of the `cryomargin` command. The TypeScript sources in loaders/ are compiled into build/
// by `npm ci` (the `prepare` script), so the command works right after install.
import { main } from "../build/loaders/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 70;
  },
);
