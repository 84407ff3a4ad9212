/**
 * Where the project's own files are (data/paper/published-values.json, package.json, the compiled engine),
 * whether this module runs compiled (build/loaders/…) or from its TypeScript source (loaders/…, under tsx
 * or vitest): the nearest folder above this file whose package.json is cryomargin's.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "cryomargin")
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cryomargin's package.json not found above loaders/ (broken install)");
    dir = parent;
  }
}

/** The repository (package) root, absolute. */
export const PROJECT_ROOT = findProjectRoot();

/** A path inside the project. Example: `projectPath("data", "paper", "published-values.json")`. */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
