/**
 * The segmentation's bars on synthetic cases whose truth is known (loaders/segment/synthEvaluation.ts):
 * three cases of the calibrated twin's design (seed 2030), rendered as the `synth --images
 * --partial-volume` scans (each voxel the mean of the tissue over its volume, as on MRI) on grids
 * cropped around the masks. Tumor from outlines on three axial slices (centres of the top,
 * middle and bottom thirds) and one sagittal: Dice ≥ 0.90, HD95 ≤ 2 voxel diagonals; ice ball from one
 * click: Dice ≥ 0.95; MTM from the segmented masks within 1.0 mm of the MTM from the true masks on
 * ≥ 90 % of the cases; with the noise SD doubled and with a ±20 % shading, each Dice drops by ≤ 0.03.
 * The table is printed; `npm run bench -- segment` runs more cases.
 */
import { type CohortPlan, planSyntheticCohort } from "@cryomargin/analysis";
import { beforeAll, describe, expect, it } from "vitest";
import {
  formatScoreTable,
  type ScanVariant,
  type SegmentationScore,
  scanVariant,
  scoreSegmentation,
  segmentationCase,
} from "../loaders/segment/synthEvaluation.js";

const CASES = [0, 1, 2];
const VARIANTS: ScanVariant[] = ["standard", "noise x2", "shading ±20 %"];

describe("segment on synthetic cases", () => {
  let plan: CohortPlan;
  const scores: SegmentationScore[] = [];
  beforeAll(() => {
    plan = planSyntheticCohort({ seed: 2030 });
  });

  for (const k of CASES)
    it(`case ${k + 1}: Dice ≥ 0.90 and HD95 ≤ 2 diagonals (tumor), Dice ≥ 0.95 (ice); noise ×2 and ±20 % shading cost ≤ 0.03`, () => {
      const c = segmentationCase(plan, k);
      const mine: SegmentationScore[] = [];
      for (const variant of VARIANTS) mine.push(scoreSegmentation(c, scanVariant(c, variant, 7001 + k), variant));
      scores.push(...mine);
      const [base, ...harder] = mine;
      expect(base.tumorDice).toBeGreaterThanOrEqual(0.9);
      expect(base.tumorHd95Diagonals).toBeLessThanOrEqual(2);
      expect(base.iceDice).toBeGreaterThanOrEqual(0.95);
      for (const s of harder) {
        expect(base.tumorDice - s.tumorDice, `${s.variant} tumor`).toBeLessThanOrEqual(0.03);
        expect(base.iceDice - s.iceDice, `${s.variant} ice`).toBeLessThanOrEqual(0.03);
      }
    });

  it("MTM from the segmented masks within 1.0 mm of the MTM from the true masks on ≥ 90 % of the cases", () => {
    console.log(`\n${formatScoreTable(scores)}`);
    const standard = scores.filter((s) => s.variant === "standard");
    expect(standard).toHaveLength(CASES.length);
    const close = standard.filter((s) => Math.abs(s.mtmSegmentedMm - s.mtmTrueMm) <= 1.0).length;
    expect(close / standard.length).toBeGreaterThanOrEqual(0.9);
  });
});
