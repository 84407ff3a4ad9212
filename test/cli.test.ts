import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("cryomargin command", () => {
  it("--help lists every subcommand and exits 0", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    for (const name of ["stats", "margins", "synth", "analyze", "validate"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s`, "m"));
    }
  });

  it("--version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim()).toBe(pkg.version);
  });

  it("an unknown subcommand prints usage and exits 2", () => {
    const r = run("frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("Usage: cryomargin");
  });

  it("no arguments prints usage and exits 2", () => {
    const r = run();
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("Usage: cryomargin");
  });
});
