/**
 * The outline test's limit (analysis/src/margin/drawnOutline.ts) from its smooth masks: every set the
 * module comment lists is rasterised again, each mask's outline misfit read (reconstructSurface with
 * `tumorOutline: "smooth"`, so nothing is read as drawn), and per node n = 1…6 mm the largest misfit of
 * the masks whose coarsest spacing lies in (n − 1, n] is printed beside SMOOTH_OUTLINE_MISFIT_MAX. Also
 * printed: the ragged suite of realistic.test.ts against the limit (all should lie above it), and how
 * many smooth masks lie above it (none should). No real masks are read. A few minutes on one core.
 */
import { readdirSync } from "node:fs";
import {
  createRandom,
  generatePhantomCases,
  type MaskVolume,
  maskBounds,
  outlineMisfitLimit,
  reconstructSurface,
  SMOOTH_OUTLINE_MISFIT_MAX,
  type Vec3,
  voxelSpacingMm,
} from "../analysis/src/index.js";
import { generateIrregularCases } from "../analysis/src/margin/irregularPhantoms.js";
import { thickSliceMask } from "../analysis/src/margin/thickSlices.js";
import { prepareSyntheticCase } from "../analysis/src/synth/caseGeometry.js";
import { planSyntheticCohort } from "../analysis/src/synth/cohortPlan.js";
import { generateUnionPhantomCases } from "../analysis/src/synth/unionPhantoms.js";
import { readMaskFile } from "../loaders/io/readMaskFile.js";
import { projectPath } from "../loaders/projectRoot.js";

interface Reading {
  set: string;
  coarsestMm: number;
  misfit: number;
}

const smooth: Reading[] = [];
const ragged: Reading[] = [];

function read(into: Reading[], set: string, mask: MaskVolume): void {
  const outline = reconstructSurface(mask, maskBounds(mask), { raggedRimsAsDrawn: true, tumorOutline: "smooth" }).refine
    .tumorOutline;
  into.push({ set, coarsestMm: Math.max(...voxelSpacingMm(mask.voxelToWorld)), misfit: outline?.misfit ?? Number.NaN });
}

const start = performance.now();
const phantomSets: [string, number, number, Vec3, "ellipsoids" | "two-ball union"][] = [
  ["ellipsoid phantoms 1.2 × 1.2 × 3.0, seed 2023", 2023, 32, [1.2, 1.2, 3], "ellipsoids"],
  ["ellipsoid phantoms 1 mm, seed 17", 17, 12, [1, 1, 1], "ellipsoids"],
  ["ellipsoid phantoms 1.2 × 1.2 × 3.0, seed 99", 99, 12, [1.2, 1.2, 3], "ellipsoids"],
  ["two-ball phantoms 1.2 × 1.2 × 3.0, seed 5", 5, 8, [1.2, 1.2, 3], "two-ball union"],
  ["held-out ellipsoid phantoms 1.2 × 1.2 × 3.0", 4242, 24, [1.2, 1.2, 3], "ellipsoids"],
  ["held-out ellipsoid phantoms 0.8 × 0.8 × 5", 4243, 16, [0.8, 0.8, 5], "ellipsoids"],
  ["held-out ellipsoid phantoms 0.5 × 0.5 × 2.5", 4244, 12, [0.5, 0.5, 2.5], "ellipsoids"],
  ["held-out ellipsoid phantoms 1 mm", 4245, 12, [1, 1, 1], "ellipsoids"],
];
for (const [set, seed, count, spacing, shapes] of phantomSets)
  for (const c of generatePhantomCases({ seed, count, tumorSpacingMm: spacing, iceSpacingMm: spacing, shapes }))
    read(smooth, set, c.tumor);
const unionSets: [string, number, number, Vec3][] = [
  ["multi-probe phantoms 1.2 × 1.2 × 3.0, seed 7", 7, 16, [1.2, 1.2, 3]],
  ["multi-probe phantoms 1 mm, seed 11", 11, 8, [1, 1, 1]],
  ["held-out multi-probe phantoms 1 mm", 4246, 16, [1, 1, 1]],
  ["held-out multi-probe phantoms 1.2 × 1.2 × 3.0", 4247, 16, [1.2, 1.2, 3]],
];
for (const [set, seed, count, spacing] of unionSets)
  for (const c of generateUnionPhantomCases({ seed, count, tumorSpacingMm: spacing, iceSpacingMm: spacing }))
    read(smooth, set, c.tumor);
for (const sliceMm of [1, 2, 3, 4, 5, 6]) {
  for (const c of generateIrregularCases({ seed: 1800 + sliceMm, count: 6, sliceMm, ragged: false }))
    read(smooth, `smooth suite ${sliceMm} mm`, c.tumor);
  for (const c of generateIrregularCases({ seed: 5800 + sliceMm, count: 12, sliceMm, ragged: false }))
    read(smooth, `held-out smooth ${sliceMm} mm (5800 + slice)`, c.tumor);
  for (const c of generateIrregularCases({ seed: 1800 + sliceMm, count: 6, sliceMm, ragged: true }))
    read(ragged, `ragged suite ${sliceMm} mm`, c.tumor);
}
for (const sliceMm of [0.5, 1, 1.25, 1.5, 2, 2.5, 3, 3.75, 4, 5, 6])
  for (const c of generateIrregularCases({ seed: 7800 + Math.round(4 * sliceMm), count: 24, sliceMm, ragged: false }))
    read(smooth, `held-out smooth ${sliceMm} mm (7800 + 4·slice)`, c.tumor);
for (const seed of [1805, 6805]) {
  const random = createRandom(seed);
  for (const c of generateIrregularCases({ seed, count: 12, sliceMm: 0.5, ragged: false })) {
    read(smooth, `smooth control ${seed}, 0.5 mm`, c.tumor);
    for (const thicknessMm of [2.5, 3, 5]) {
      const phaseMm = random.next() * thicknessMm;
      for (const rule of ["slab", "centre"] as const)
        read(
          smooth,
          `smooth control ${seed}, ${thicknessMm} mm ${rule}`,
          thickSliceMask(c.tumor, { sliceAxis: 2, thicknessMm, phaseMm, rule }),
        );
    }
  }
}
const cohort = projectPath("data", "cohort", "cases");
for (const id of readdirSync(cohort).sort())
  read(smooth, "data/cohort", readMaskFile(projectPath("data", "cohort", "cases", id, "tumor.nii.gz")).mask);
for (const seed of [2031, 2032, 2033]) {
  const plan = planSyntheticCohort({ seed });
  for (let k = 0; k < 32; k++) read(smooth, `synthetic cohort seed ${seed}`, prepareSyntheticCase(plan, k).tumor.mask);
}

console.log(`outline misfit of ${smooth.length} smooth masks (${((performance.now() - start) / 1000).toFixed(0)} s)`);
console.log("  node mm | masks | largest misfit (set)                                  | SMOOTH_OUTLINE_MISFIT_MAX");
for (let n = 1; n <= SMOOTH_OUTLINE_MISFIT_MAX.length; n++) {
  const part = smooth.filter((r) => r.coarsestMm > n - 1 && r.coarsestMm <= n + 1e-9);
  const top = part.reduce((a, b) => (b.misfit > a.misfit ? b : a));
  console.log(
    `${`  ${String(n).padStart(7)} | ${String(part.length).padStart(5)} | ${top.misfit.toFixed(3)} (${top.set})`.padEnd(
      76,
    )} | ${SMOOTH_OUTLINE_MISFIT_MAX[n - 1].toFixed(2)}`,
  );
}
const above = smooth.filter((r) => !(r.misfit <= outlineMisfitLimit(r.coarsestMm)));
console.log(
  `  smooth masks above the limit (or unread): ${above.length}` +
    (above.length ? `: ${above.map((r) => `${r.set} ${r.misfit.toFixed(2)}`).join(", ")}` : ""),
);
const raggedAbove = ragged.filter((r) => r.misfit > outlineMisfitLimit(r.coarsestMm)).length;
const raggedLeast = Math.min(...ragged.map((r) => r.misfit));
console.log(
  `  ragged suite above the limit: ${raggedAbove} of ${ragged.length} (least misfit ${raggedLeast.toFixed(2)})`,
);
