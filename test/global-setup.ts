/**
 * Vitest global setup: compiles the analysis package and the CLI (`tsc -b loaders`, incremental: ~0.5 s
 * when nothing changed) before any test runs, so the tests that spawn `bin/cryomargin.mjs` exercise the
 * current sources rather than whatever build/ was left by the last `npm ci`.
 *
 * Type errors do not stop the tests: since TypeScript 5.6, `tsc -b` still emits every project when some
 * have errors, so the build is current, and type errors are `npm run lint`'s to report. They are printed
 * here as a warning (one engineer's unfinished file must not block everyone's test run).
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const root = fileURLToPath(new URL("..", import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, "-b", "loaders"], { cwd: root, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    process.stderr.write(`warning: tsc -b loaders reported errors (output was still emitted):\n${stdout}${stderr}\n`);
  }
}
