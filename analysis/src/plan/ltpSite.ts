/**
 * Does the tumor regrow where the margin was smallest? The paper: "in all six (100%) patients with LTP,
 * the site of tumor regrowth matched with the side of the smallest treatment margin", with sides given as
 * octants (left-right × anterior-posterior × cranio-caudal through the tumor centroid).
 *
 * "Match" is made precise at three strengths, counting the three axes on which the regrowth octant
 * (clinical `ltp_octant`) and the smallest-margin octant (`minMarginOctant`) agree:
 * - same octant: all three agree (the primary reading, compared with the paper's 6);
 * - adjacent: at least two agree (the same octant or one sharing a face with it);
 * - shares a side: at least one agrees (any octant but the diametrically opposite one) — the loosest
 *   reading of "side", given for completeness since 7 of 8 octants qualify by chance.
 * With per-octant margins, also: the regrowth octant was itself uncovered (its minimum margin < 0), the
 * paper's "sides where suspected incomplete coverage occurred".
 */
import type { OctantName } from "../margin/types.js";
import type { CaseRecord } from "./types.js";

/**
 * Number of axes (0–3) on which two octants agree. Example: right-anterior-superior vs
 * right-posterior-superior → 2 (left-right and cranio-caudal agree).
 */
export function octantAxesInCommon(a: OctantName, b: OctantName): number {
  const pa = a.split("-");
  const pb = b.split("-");
  return pa.reduce((n, part, i) => n + (part === pb[i] ? 1 : 0), 0);
}

export interface LtpSiteCase {
  caseId: string;
  ltpOctant: OctantName;
  minMarginOctant: OctantName;
  axesInCommon: number;
  /** The regrowth octant's own minimum margin, mm (null without per-octant margins). */
  ltpOctantMinMarginMm: number | null;
}

export interface LtpSiteAgreement {
  ltpCases: number;
  /** LTP cases with a recorded regrowth octant (the denominator of the counts). */
  withOctant: number;
  sameOctant: number;
  adjacent: number;
  sharesSide: number;
  /** Regrowth octants with a negative minimum margin; null when per-octant margins are not available. */
  inUncoveredOctant: number | null;
  cases: LtpSiteCase[];
  definitions: string[];
}

/** Agreement of the LTP site with the smallest-margin octant over the LTP cases. */
export function ltpSiteAgreement(cases: readonly CaseRecord[]): LtpSiteAgreement {
  const ltp = cases.filter((c) => c.ltp);
  const rows: LtpSiteCase[] = [];
  for (const c of ltp) {
    if (c.ltpOctant === null) continue;
    const octant = c.margin.octants?.find((o) => o.name === c.ltpOctant);
    rows.push({
      caseId: c.caseId,
      ltpOctant: c.ltpOctant,
      minMarginOctant: c.margin.minMarginOctant,
      axesInCommon: octantAxesInCommon(c.ltpOctant, c.margin.minMarginOctant),
      ltpOctantMinMarginMm: octant ? octant.minMarginMm : null,
    });
  }
  const haveOctants = rows.length > 0 && rows.every((r) => r.ltpOctantMinMarginMm !== null);
  return {
    ltpCases: ltp.length,
    withOctant: rows.length,
    sameOctant: rows.filter((r) => r.axesInCommon === 3).length,
    adjacent: rows.filter((r) => r.axesInCommon >= 2).length,
    sharesSide: rows.filter((r) => r.axesInCommon >= 1).length,
    inUncoveredOctant: haveOctants ? rows.filter((r) => (r.ltpOctantMinMarginMm as number) < 0).length : null,
    cases: rows,
    definitions: [
      "same octant: the regrowth octant (ltp_octant) is the octant of the smallest margin",
      "adjacent: the two octants agree on at least 2 of the 3 axes (same octant or sharing a face)",
      "shares a side: they agree on at least 1 axis (any octant but the opposite one)",
      "in an uncovered octant: the regrowth octant's own minimum margin is < 0 mm",
    ],
  };
}
