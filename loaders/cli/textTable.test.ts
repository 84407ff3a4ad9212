import { describe, expect, it } from "vitest";
import { renderResultTable } from "./textTable.js";

describe("renderResultTable", () => {
  it("renders a table of 300 000 rows (appending them by a spread call overflows the stack)", () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => ({ time: i, n_risk: 300_000 - i }));
    const lines = renderResultTable({ test: "km", table: rows, matrix: rows.map((r) => [r.time, r.n_risk]) }).split(
      "\n",
    );
    expect(lines.slice(0, 3)).toEqual(["test  km", "table:", `    time  n_risk`]);
    expect(lines.length).toBe(1 + 1 + 1 + 300_000 + 1 + 300_000 + 1);
    expect(lines.at(-2)).toBe("  299999       1");
  });
});
