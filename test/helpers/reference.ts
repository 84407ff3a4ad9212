/**
 * Access to R's reference answers (test/fixtures/stats-r-reference.json, written by
 * test/fixtures/r/stats-r-reference.R with R 4.2.2 / survival 3.5-3 / pROC 1.18; its `conventions` block
 * names the R call behind each section) and the comparison rule the statistics engine is held to.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: the fixture is heterogeneous JSON read per section.
export type ReferenceCase = Record<string, any> & { id: string };

const fixture = JSON.parse(readFileSync(new URL("../fixtures/stats-r-reference.json", import.meta.url), "utf8"));

export function referenceCases(section: string): ReferenceCase[] {
  const cases = fixture[section] as ReferenceCase[] | undefined;
  if (!cases || cases.length === 0) throw new Error(`no reference cases in section ${section}`);
  return cases;
}

/**
 * Asserts |actual − expected| ≤ rel·|expected| (relative agreement). R's NA (JSON null) must be matched by
 * NaN/null/undefined; R's exact 0 must be matched within `absFloor` (default 1e-12); p-values below 1e-300
 * are only required to be below 1e-300 too.
 */
export function expectClose(
  actual: number | null | undefined,
  expected: number | null,
  rel: number,
  label: string,
  absFloor = 1e-12,
): void {
  if (expected === null) {
    expect(actual === null || actual === undefined || Number.isNaN(actual), `${label}: R gives NA, got ${actual}`).toBe(
      true,
    );
    return;
  }
  expect(typeof actual === "number" && !Number.isNaN(actual), `${label}: expected ${expected}, got ${actual}`).toBe(
    true,
  );
  const a = actual as number;
  if (!Number.isFinite(expected)) {
    expect(a, label).toBe(expected);
    return;
  }
  if (Math.abs(expected) < 1e-300) {
    expect(Math.abs(a) < 1e-300 || Math.abs(a - expected) <= absFloor, `${label}: expected ~0, got ${a}`).toBe(true);
    return;
  }
  const tol = Math.max(rel * Math.abs(expected), expected === 0 ? absFloor : 0);
  expect(
    Math.abs(a - expected) <= tol,
    `${label}: expected ${expected}, got ${a} (rel err ${Math.abs(a - expected) / Math.abs(expected)})`,
  ).toBe(true);
}

/** Element-wise expectClose over arrays of equal length. */
export function expectAllClose(
  actual: ArrayLike<number | null>,
  expected: ArrayLike<number | null>,
  rel: number,
  label: string,
): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i], rel, `${label}[${i}]`);
}
