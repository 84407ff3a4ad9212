/**
 * Small cohorts for the analysis-plan tests, built in code so every expected number can be checked by
 * hand (or against the paper's own counts).
 */
import type { CaseRecord, OctantName } from "@cryomargin/analysis";

export interface CaseSpec {
  caseId: string;
  patientId?: string;
  ltp?: boolean;
  ltpType?: "residual" | "recurrent" | null;
  /** LTP-free time: months to LTP when ltp, else follow-up. */
  months?: number;
  /** Raw MTM, mm; the rounded one is Math.round of it unless `mtmRounded` is given. */
  mtm?: number;
  mtmRounded?: number;
  diameterMm?: number;
  tumorVolumeMl?: number;
  iceballVolumeMl?: number;
  minMarginOctant?: OctantName;
  ltpOctant?: OctantName | null;
  ageYears?: number | null;
  sex?: "male" | "female";
  asa?: "I" | "II" | "III" | "IV";
  renalScore?: number;
  cryoprobes?: number;
  majorComplication?: boolean;
  priorAblation?: boolean;
  extra?: Record<string, string>;
}

/** A case with plain defaults (local control, 24 months, MTM 3 mm, 30 mm tumor). */
export function makeCase(s: CaseSpec): CaseRecord {
  const ltp = s.ltp ?? false;
  const months = s.months ?? 24;
  const mtm = s.mtm ?? 3;
  return {
    caseId: s.caseId,
    patientId: s.patientId ?? `p-${s.caseId}`,
    ageYears: s.ageYears === undefined ? 70 : s.ageYears,
    sex: s.sex ?? "male",
    asa: s.asa ?? "II",
    side: "left",
    location: "interpolar",
    site: "anterior",
    histology: "clear_cell_rcc",
    renalScore: s.renalScore ?? 6,
    priorAblation: s.priorAblation ?? false,
    cryoprobes: s.cryoprobes ?? 3,
    majorComplication: s.majorComplication ?? false,
    followupMonths: months,
    ltp,
    ltpType: ltp ? (s.ltpType === undefined ? "recurrent" : s.ltpType) : null,
    monthsToLtp: ltp ? months : null,
    ltpOctant: ltp ? (s.ltpOctant === undefined ? "left-anterior-inferior" : s.ltpOctant) : null,
    extra: s.extra ?? {},
    line: 0,
    margin: {
      mtmMm: mtm,
      mtmMmRounded: s.mtmRounded ?? Math.round(mtm),
      tumorMaxDiameterMm: s.diameterMm ?? 30,
      tumorVolumeMl: s.tumorVolumeMl ?? 10,
      iceballVolumeMl: s.iceballVolumeMl ?? 50,
      minMarginOctant: s.minMarginOctant ?? "left-anterior-inferior",
    },
  };
}

/**
 * 32 tumors of 30 patients with the paper's categorical counts: Table 2's sex (17/9 vs 3/3), ASA (17/9 vs
 * 2/4) and RENAL (18/8/0 vs 2/3/1) by outcome; two patients with two tumors each, both female, ASA II and
 * local control, so that Table 1 counts 20 male / 10 female and ASA II 17 / III 13 patients.
 * Margins, sizes and times are plausible, not the paper's.
 */
export function paperCountsCohort(): CaseRecord[] {
  const cases: CaseRecord[] = [];
  const lcMtm = [6, 5, 5, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 0, -2];
  const lcMonths = [58, 48, 40, 36, 30, 28, 26, 24, 22, 20, 19, 18, 17, 16, 16, 15, 14, 13, 12, 12, 11, 10, 9, 8, 7, 6];
  for (let i = 0; i < 26; i++) {
    // Patients p01/p02 have two tumors each (rows i = 0,1 and 2,3): female, ASA II.
    const patientId = i < 4 ? `p0${Math.floor(i / 2) + 1}` : `p${String(i - 1).padStart(2, "0")}`;
    cases.push(
      makeCase({
        caseId: `lc${String(i + 1).padStart(2, "0")}`,
        patientId,
        sex: i < 9 ? "female" : "male",
        asa: i < 17 ? "II" : "III",
        renalScore: i < 18 ? 5 : 8,
        mtm: lcMtm[i] + 0.3,
        months: lcMonths[i],
        diameterMm: 16 + i * 1.1,
        tumorVolumeMl: 1 + i * 0.6,
        iceballVolumeMl: 20 + i * 3,
        ageYears: 38 + ((i * 7) % 46),
        minMarginOctant: "right-anterior-superior",
      }),
    );
  }
  const ltpMtm = [-10, -10, -9, -5, -5, -5];
  const ltpMonths = [1, 1, 6, 14, 20, 23];
  const renal = [5, 5, 8, 8, 8, 11];
  const octants: OctantName[] = [
    "left-posterior-inferior",
    "left-posterior-superior",
    "right-anterior-inferior",
    "right-posterior-inferior",
    "left-anterior-superior",
    "right-anterior-superior",
  ];
  for (let i = 0; i < 6; i++)
    cases.push(
      makeCase({
        caseId: `ltp${i + 1}`,
        patientId: `q${i + 1}`,
        ltp: true,
        ltpType: i < 2 ? "residual" : "recurrent",
        sex: i < 3 ? "male" : "female",
        asa: i < 2 ? "II" : "III",
        renalScore: renal[i],
        mtm: ltpMtm[i] - 0.2,
        months: ltpMonths[i],
        diameterMm: 36 + i * 2,
        tumorVolumeMl: 10 + i * 2,
        iceballVolumeMl: 40 + i * 5,
        ageYears: 58 + i * 4,
        minMarginOctant: octants[i],
        ltpOctant: octants[i],
      }),
    );
  return cases;
}
