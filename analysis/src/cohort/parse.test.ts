import { describe, expect, it } from "vitest";
import { MAX_CLINICAL_ROWS, parseClinicalCsv } from "./parse.js";
import { cohortIsUsable } from "./problems.js";
import { ltpFreeTimeMonths, renalCategory } from "./record.js";
import { CLINICAL_COLUMNS } from "./schema.js";

type Row = Partial<Record<(typeof CLINICAL_COLUMNS)[number] | string, string>>;

/** A valid row; tests override the cells they break. */
function row(caseId: string, overrides: Row = {}): Row {
  return {
    case_id: caseId,
    patient_id: `p-${caseId}`,
    age_years: "70",
    sex: "male",
    asa: "II",
    side: "left",
    location: "interpolar",
    site: "anterior",
    histology: "clear_cell_rcc",
    renal_score: "6",
    prior_ablation: "0",
    cryoprobes: "3",
    major_complication: "0",
    followup_months: "24",
    ltp: "0",
    ltp_type: "",
    months_to_ltp: "",
    ltp_octant: "",
    ...overrides,
  };
}

function csv(rows: Row[], { separator = ",", columns = [...CLINICAL_COLUMNS] as string[] } = {}): string {
  const lines = [columns.join(separator), ...rows.map((r) => columns.map((c) => r[c] ?? "").join(separator))];
  return `${lines.join("\n")}\n`;
}

const ltpRow = (caseId: string, overrides: Row = {}) =>
  row(caseId, {
    ltp: "1",
    ltp_type: "recurrent",
    months_to_ltp: "6",
    followup_months: "6",
    ltp_octant: "left-anterior-inferior",
    ...overrides,
  });

describe("parseClinicalCsv: a clean table", () => {
  it("reads every column into typed fields", () => {
    const result = parseClinicalCsv(csv([row("c01"), ltpRow("c02", { asa: "III", renal_score: "10" })]));
    expect(result.problems).toEqual([]);
    expect(result.records).toHaveLength(2);
    const [a, b] = result.records;
    expect(a).toMatchObject({ caseId: "c01", patientId: "p-c01", ageYears: 70, sex: "male", asa: "II", ltp: false });
    expect(a.ltpType).toBeNull();
    expect(a.monthsToLtp).toBeNull();
    expect(a.priorAblation).toBe(false);
    expect(a.line).toBe(2);
    expect(b).toMatchObject({ ltp: true, ltpType: "recurrent", monthsToLtp: 6, ltpOctant: "left-anterior-inferior" });
    expect(b.line).toBe(3);
    expect(renalCategory(b.renalScore)).toBe("high");
    expect(ltpFreeTimeMonths(b)).toBe(6);
    expect(ltpFreeTimeMonths(a)).toBe(24);
  });

  it("reads a European CSV (semicolons, decimal commas, BOM) to the same values", () => {
    const text = `\uFEFF${csv([row("c01", { followup_months: "16,5", age_years: "69,5" })], { separator: ";" })}`;
    const result = parseClinicalCsv(text);
    expect(result.problems).toEqual([]);
    expect(result.separator).toBe(";");
    expect(result.records[0].followupMonths).toBe(16.5);
    expect(result.records[0].ageYears).toBe(69.5);
    expect(result.records[0].caseId).toBe("c01");
  });

  it("matches codes and header names case-insensitively and keeps extra columns", () => {
    const columns = [...CLINICAL_COLUMNS.map((c) => (c === "asa" ? "ASA" : c)), "bmi"];
    const r = row("c01", { sex: "Female", location: "LOWER_POLE", bmi: "27,1" });
    const text = csv([{ ...r, ASA: "iii" }], { columns, separator: ";" });
    const result = parseClinicalCsv(text);
    expect(result.problems).toEqual([]);
    expect(result.records[0]).toMatchObject({ sex: "female", asa: "III", location: "lower_pole" });
    expect(result.extraColumns).toEqual(["bmi"]);
    expect(result.records[0].extra).toEqual({ bmi: "27,1" });
  });
});

describe("parseClinicalCsv: every problem at once", () => {
  const rows = [
    row("c01"),
    row("c02", { age_years: "130", sex: "unknown" }),
    row("c03", { age_years: "-1", followup_months: "" }),
    row("c01", { followup_months: "-2" }),
    ltpRow("c05", { months_to_ltp: "30", followup_months: "24" }),
    ltpRow("c06", { months_to_ltp: "", ltp_type: "" }),
    row("c07", { ltp_type: "residual", months_to_ltp: "3" }),
    row("c08", { renal_score: "13", cryoprobes: "0", asa: "ii" }),
    ltpRow("c09", { ltp_octant: "north" }),
    row("c10", { renal_score: "6.5", age_years: "seventy", ltp: "2" }),
    ltpRow("C11", { ltp_octant: "" }),
    row("c11"),
    row("c13", { asa: "", histology: "" }),
  ];
  const result = parseClinicalCsv(csv(rows), { file: "cohort/clinical.csv" });
  const found = result.problems.map((p) => [p.severity, p.line, p.caseId, p.field, p.code]);

  it("lists each problem with its line, case and field", () => {
    expect(found).toEqual([
      ["error", 3, "c02", "age_years", "impossible-value"],
      ["error", 3, "c02", "sex", "unknown-code"],
      ["error", 4, "c03", "age_years", "impossible-value"],
      ["error", 4, "c03", "followup_months", "missing-value"],
      ["error", 5, "c01", "case_id", "duplicate-case-id"],
      ["error", 5, "c01", "followup_months", "impossible-value"],
      ["error", 6, "c05", "months_to_ltp", "impossible-value"],
      ["error", 7, "c06", "months_to_ltp", "inconsistent-ltp"],
      ["error", 7, "c06", "ltp_type", "inconsistent-ltp"],
      ["error", 8, "c07", "ltp_type", "inconsistent-ltp"],
      ["error", 8, "c07", "months_to_ltp", "inconsistent-ltp"],
      ["error", 9, "c08", "renal_score", "impossible-value"],
      ["error", 9, "c08", "cryoprobes", "impossible-value"],
      ["error", 10, "c09", "ltp_octant", "unknown-code"],
      ["error", 11, "c10", "age_years", "not-a-number"],
      ["error", 11, "c10", "renal_score", "impossible-value"],
      ["error", 11, "c10", "ltp", "impossible-value"],
      ["warning", 12, "C11", "ltp_octant", "missing-value"],
      ["error", 13, "c11", "case_id", "duplicate-case-id"],
      ["warning", 14, "c13", "asa", "missing-value"],
      ["warning", 14, "c13", "histology", "missing-value"],
    ]);
  });

  it("keeps only the rows without errors and says the cohort is not usable", () => {
    expect(result.rowCount).toBe(13);
    expect(result.records.map((r) => r.caseId)).toEqual(["c01", "C11", "c13"]);
    expect(result.records[2].asa).toBeNull();
    expect(cohortIsUsable(result.problems)).toBe(false);
  });

  it("writes messages that name file, line, case, field and the offending value", () => {
    const age = result.problems.find((p) => p.caseId === "c02" && p.field === "age_years");
    expect(age?.message).toBe(
      "cohort/clinical.csv line 3, case c02, field age_years: '130' — is impossible: age_years must be ≥ 0 and ≤ 120 years",
    );
    const dup = result.problems.find((p) => p.line === 13);
    expect(dup?.message).toMatch(/case c11, field case_id: duplicate case id: already used on line 12/);
    const code = result.problems.find((p) => p.field === "sex");
    expect(code?.message).toMatch(/'unknown' — is not a known code; allowed: male, female$/);
  });
});

describe("parseClinicalCsv: file-level problems", () => {
  it("reports each missing column and still checks the rows", () => {
    const columns = CLINICAL_COLUMNS.filter((c) => c !== "asa" && c !== "ltp_octant");
    const result = parseClinicalCsv(csv([row("c01", { age_years: "121" })], { columns }));
    expect(result.problems.map((p) => [p.code, p.field, p.line])).toEqual([
      ["missing-column", "asa", 1],
      ["missing-column", "ltp_octant", 1],
      ["impossible-value", "age_years", 2],
    ]);
    expect(cohortIsUsable(result.problems)).toBe(false);
  });

  it("reports a ragged row as unreadable with its line", () => {
    const text = `${csv([row("c01")])}c02,p02\n`;
    const result = parseClinicalCsv(text);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: "unreadable", line: 3, severity: "error" });
    expect(result.records).toEqual([]);
  });

  it("reports an empty file and a header without rows", () => {
    expect(parseClinicalCsv("").problems[0].code).toBe("empty");
    const headerOnly = parseClinicalCsv(csv([]));
    expect(headerOnly.problems.map((p) => p.code)).toEqual(["empty"]);
  });

  it("refuses a case id that cannot name a folder", () => {
    const result = parseClinicalCsv(csv([row("../c01")]));
    expect(result.problems.map((p) => p.code)).toEqual(["invalid-case-id"]);
  });

  it("warns when one patient has two sexes and when follow-up runs past LTP", () => {
    const result = parseClinicalCsv(
      csv([
        row("c01", { patient_id: "p1" }),
        row("c02", { patient_id: "p1", sex: "female" }),
        ltpRow("c03", { followup_months: "12" }),
      ]),
    );
    expect(result.problems.map((p) => [p.severity, p.code, p.line])).toEqual([
      ["warning", "inconsistent-patient", 3],
      ["warning", "inconsistent-ltp", 4],
    ]);
    expect(cohortIsUsable(result.problems)).toBe(true);
    expect(result.records).toHaveLength(3);
  });
});

describe("an absurd row count", () => {
  it("is one problem, found before the rows are read through", () => {
    const header = CLINICAL_COLUMNS.join(",");
    const line = CLINICAL_COLUMNS.map((c) => row("c1")[c] ?? "").join(",");
    const text = `${header}\n${`${line}\n`.repeat(MAX_CLINICAL_ROWS + 1)}`;
    const parsed = parseClinicalCsv(text);
    expect(parsed.records).toEqual([]);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      `clinical.csv: cannot be read as CSV: has more than ${MAX_CLINICAL_ROWS} data rows, the most it may have`,
    ]);
  });
});
