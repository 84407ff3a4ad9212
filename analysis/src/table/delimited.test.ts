import { describe, expect, it } from "vitest";
import { DelimitedTextError, numericColumn, parseDecimalNumber, parseDelimited, textColumn } from "./delimited.js";

describe("parseDelimited", () => {
  it("reads comma CSV with quotes, CRLF and blank lines", () => {
    const t = parseDelimited('id,name,value\r\n1,"Smith, J",2.5\r\n\r\n2,"say ""hi""",3\r\n');
    expect(t.columns).toEqual(["id", "name", "value"]);
    expect(textColumn(t, "name")).toEqual(["Smith, J", 'say "hi"']);
    expect(numericColumn(t, "value")).toEqual([2.5, 3]);
    expect(t.lines).toEqual([2, 4]);
  });

  it("reads European CSV: BOM, semicolons and decimal commas", () => {
    const t = parseDelimited("\uFEFFtime;event;mtm\n12,5;1;-3,2\n30;0;4\n");
    expect(t.separator).toBe(";");
    expect(t.columns[0]).toBe("time");
    expect(numericColumn(t, "time")).toEqual([12.5, 30]);
    expect(numericColumn(t, "mtm")).toEqual([-3.2, 4]);
  });

  it("reads missing values as NaN", () => {
    const t = parseDelimited("a,b\n1,\nNA,2\n.,3\n");
    expect(numericColumn(t, "a").map(Number.isNaN)).toEqual([false, true, true]);
    expect(numericColumn(t, "b")[0]).toBeNaN();
  });

  it("names the column and line of a non-numeric value", () => {
    const t = parseDelimited("a,b\n1,2\n3,x7\n");
    expect(() => numericColumn(t, "b")).toThrow(DelimitedTextError);
    expect(() => numericColumn(t, "b")).toThrow("column 'b', line 3: 'x7' is not a number");
  });

  it("names a missing column and lists the available ones", () => {
    const t = parseDelimited("a,b\n1,2\n");
    expect(() => numericColumn(t, "c")).toThrow("column 'c' not found; the columns are: a, b");
  });

  it("rejects ragged rows, duplicate headers and unterminated quotes", () => {
    expect(() => parseDelimited("a,b\n1,2,3\n")).toThrow("line 2 has 3 fields but the header has 2");
    expect(() => parseDelimited("a,a\n1,2\n")).toThrow(/twice/);
    expect(() => parseDelimited('a,b\n"1,2\n')).toThrow(/unterminated/);
  });
});

describe("parseDecimalNumber", () => {
  it("reads decimal numbers only: not hex, binary, octal, Infinity, separators or blanks", () => {
    expect(["16", " -1.5 ", ".5", "2e-3", "+7", "5."].map(parseDecimalNumber)).toEqual([16, -1.5, 0.5, 0.002, 7, 5]);
    for (const text of ["0x10", "0b11", "0o7", "Infinity", "-Infinity", "1_000", "", " ", "1e", "NaN", "1,5"])
      expect(parseDecimalNumber(text), text).toBeNaN();
  });
});
