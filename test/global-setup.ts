/**
 * Vitest global setup: compiles the analysis package and the CLI (`tsc -b loaders`, incremental: ~0.5 s
 * when nothing changed) before any test runs, so the tests that spawn `bin/cryomargin.mjs` exercise the
 * current sources rather than whatever build/ was left by the last `npm ci`.
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
    throw new Error(`tsc -b loaders failed, so the CLI tests would run a stale build:\n${stdout}${stderr}`);
  }
}
