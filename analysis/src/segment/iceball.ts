/**
 * Ice-ball segmentation from one or more seed points. The ice ball is a signal void on T1 and T2
 * (frozen tissue has T2* ≈ 0), and so are the cryoprobes' shafts that run out of it.
 *
 * 0. Noise: the scan is median-filtered in plane (3 × 3, median.ts); every step below reads the
 *    filtered intensities.
 * 1. Threshold: Otsu's cut (otsu.ts) of log(1 + I) over the voxels within `boxMarginMm` of the seeds'
 *    bounding box. On the log scale the void's contrast with every tissue is a ratio (a void of 15
 *    against muscle 220 or fat 800 is ≥ 2.7 log units apart, while tissues are ≤ 1.3 apart), so the cut
 *    falls between void and tissue whatever the mix of tissues in the box, and a smooth multiplicative
 *    shading only shifts log values locally. Each seed must be dark: the median of its 3 × 3 × 3
 *    neighbourhood at or below the threshold.
 * 2. Region growing: the 6-connected voxels at or below the threshold and inside the body reached
 *    from the seeds (each seed starts from the darkest voxel of its neighbourhood). The body (body.ts)
 *    is the convex hull of the tissue above the threshold in each axial slice: an ice ball that comes
 *    within a voxel of the skin, or a probe track that reaches it, stays apart from the air outside.
 * 3. Holes filled (noise inside the void).
 * 4. Shafts cut: an opening by a ball of `openingRadiusMm` (morphology.ts) removes every part of the
 *    region a ball of that radius cannot enter — a shaft's void (≈ 2.4 mm across) leaves the ice ball
 *    exactly where it meets its surface — and leaves the ice ball itself (curvature radius ≫ r) whole.
 * 5. One connected component: the one holding the most seeds.
 * 6. Edge at half-way: the Otsu cut lies near the void (≈ 12 % of the way to tissue), so a voxel that
 *    straddles the edge — partly void, partly tissue, through the scanner's point spread or its
 *    partial volume — would be left out, and the ice ball would shrink by a voxel or more (across a 3 mm
 *    slice, or an oblique surface, the mixed voxels can be two deep). A voxel contains at least half void
 *    where its intensity is at most half-way between the void and the tissue beside it: the 50 %
 *    partial-volume point, which is where a 0.5 iso-surface of the mask puts the surface. The voxels
 *    just outside the component join it where that holds, the tissue read locally just beyond each
 *    voxel (fat, kidney and muscle differ fourfold, so one level for the whole ball would misplace the
 *    edge on every side but one), for up to three layers; voxels the opening cut (shafts) and voxels
 *    outside the body stay out. Then the holes are filled.
 */
import { invertAffine, linearDeterminant, voxelSpacingMm } from "../margin/affine.js";
import type { Vec3 } from "../margin/types.js";
import { axialAxis, bodyMask } from "./body.js";
import { boxAround, clampedBox, cropToBox, type IndexBox, pasteFromBox } from "./box.js";
import { componentOfSeeds, fillHoles, floodFill } from "./components.js";
import { medianFilterInPlane } from "./median.js";
import { openMm } from "./morphology.js";
import { otsuThreshold } from "./otsu.js";
import { type ScalarVolume, SegmentationInputError } from "./types.js";

/** Options of {@link segmentIceball}. */
export interface IceballOptions {
  /** The threshold box reaches this far beyond the seeds' bounding box, mm (default 40). */
  boxMarginMm?: number;
  /** Radius of the opening that cuts the shafts, mm (default 1.25 × the largest voxel spacing). */
  openingRadiusMm?: number;
}

/** What the segmentation did (the CLI prints it as the quality summary; the JSON records it). */
export interface IceballReport {
  method: string;
  threshold: number;
  /** Otsu's σ_B²/σ² on the log scale (1 = two spikes): how clearly the box splits into void and tissue. */
  separability: number;
  boxMarginMm: number;
  openingRadiusMm: number;
  /** Intensity (median of the 3 × 3 × 3 neighbourhood) at each seed. */
  seedIntensities: number[];
  /** Seeds that ended outside the kept component (indices into the seeds). */
  seedsOutside: number[];
  /** Voxels reached by region growing, filled as holes, cut by the opening. */
  grownVoxels: number;
  holesFilled: number;
  voxelsCut: number;
  /**
   * Step 6: the median of the local half-way intensities between the void and the tissue beside it, the
   * voxels it added and the layers that added some.
   */
  edgeThreshold: number;
  voxelsAddedAtEdge: number;
  edgeLayers: number;
  voxels: number;
  volumeMl: number;
  /** Mean intensity inside the mask and in the 1-voxel shell just outside it. */
  meanInside: number;
  meanShell: number;
  /** What the user should check (the mask reaching the scan's edge: joined to the air around the body). */
  warnings: string[];
}

/** Seed points (world RAS mm) → voxel indices, or a SegmentationInputError for a seed off the grid. */
export function seedVoxels(image: ScalarVolume, seedsRas: readonly Vec3[]): number[] {
  const toVoxel = invertAffine(image.voxelToWorld, "options");
  const [nx, ny, nz] = image.dims;
  return seedsRas.map((p, s) => {
    const c = [0, 1, 2].map((r) =>
      Math.round(toVoxel[4 * r] * p[0] + toVoxel[4 * r + 1] * p[1] + toVoxel[4 * r + 2] * p[2] + toVoxel[4 * r + 3]),
    );
    if (c.some((x, a) => !(x >= 0 && x < image.dims[a])))
      throw new SegmentationInputError(
        `seed ${s + 1} (${p.map((x) => x.toFixed(1)).join(", ")} mm RAS) lies outside the image (voxel ${c.join(", ")}; the grid is ${nx} × ${ny} × ${nz})`,
        "seed",
      );
    return c[0] + nx * (c[1] + ny * c[2]);
  });
}

/** The 3 × 3 × 3 neighbourhood of voxel v (clipped to the grid). */
function neighbourhood(v: number, dims: readonly [number, number, number]): number[] {
  const [nx, ny, nz] = dims;
  const i = v % nx;
  const j = Math.floor(v / nx) % ny;
  const k = Math.floor(v / (nx * ny));
  const out: number[] = [];
  for (let c = Math.max(0, k - 1); c <= Math.min(nz - 1, k + 1); c++)
    for (let b = Math.max(0, j - 1); b <= Math.min(ny - 1, j + 1); b++)
      for (let a = Math.max(0, i - 1); a <= Math.min(nx - 1, i + 1); a++) out.push(a + nx * (b + ny * c));
  return out;
}

/**
 * Segments the ice ball of `image` from seed points (world RAS mm). Throws SegmentationInputError for
 * a seed outside the image or not in a dark region (naming its intensity and the threshold).
 */
export function segmentIceball(
  image: ScalarVolume,
  seedsRas: readonly Vec3[],
  options: IceballOptions = {},
): { mask: Uint8Array; report: IceballReport } {
  if (seedsRas.length === 0) throw new SegmentationInputError("at least one seed is needed", "seed");
  const dims = image.dims;
  const n = dims[0] * dims[1] * dims[2];
  const spacing = voxelSpacingMm(image.voxelToWorld);
  const boxMarginMm = options.boxMarginMm ?? 40;
  const openingRadiusMm = options.openingRadiusMm ?? 1.25 * Math.max(...spacing);
  const seeds = seedVoxels(image, seedsRas);
  const intensity = medianFilterInPlane(image.data, dims);

  // 1. Otsu on log(1 + I) in the box around the seeds.
  const seedMask = new Uint8Array(n);
  for (const s of seeds) seedMask[s] = 1;
  const box = boxAround(
    seedMask,
    dims,
    spacing.map((s) => Math.ceil(boxMarginMm / s)) as [number, number, number],
  ) as IndexBox;
  const inBox = cropToBox(intensity, dims, box, (m) => new Float32Array(m));
  for (let v = 0; v < inBox.length; v++) inBox[v] = Math.log1p(Math.max(0, inBox[v]));
  let otsu: ReturnType<typeof otsuThreshold>;
  try {
    otsu = otsuThreshold(inBox);
  } catch {
    throw new SegmentationInputError("the image is uniform around the seeds: no ice ball to find", "image");
  }
  const threshold = Math.expm1(otsu.threshold);
  const seedIntensities = seeds.map((s) => {
    const values = neighbourhood(s, dims)
      .map((u) => intensity[u])
      .sort((a, b) => a - b);
    return values[values.length >> 1];
  });
  seedIntensities.forEach((value, s) => {
    if (value > threshold)
      throw new SegmentationInputError(
        `seed ${s + 1} (${seedsRas[s].map((x) => x.toFixed(1)).join(", ")} mm RAS) is not in a dark region: ` +
          `its intensity is ${value.toFixed(0)} (median of its 3 × 3 × 3 neighbourhood, noise filtered), above the threshold ${threshold.toFixed(0)} ` +
          `(Otsu within ${boxMarginMm} mm of the seeds); the ice ball is a signal void`,
        "seed",
      );
  });

  // 2. Region growing from the darkest voxel near each seed, inside the body.
  const body = bodyMask(intensity, dims, threshold, axialAxis(image.voxelToWorld));
  const dark = new Uint8Array(n);
  for (let v = 0; v < n; v++) dark[v] = intensity[v] <= threshold && body[v] ? 1 : 0;
  const starts = seeds.map((s) =>
    neighbourhood(s, dims).reduce((best, u) => (intensity[u] < intensity[best] ? u : best), s),
  );
  const grown = floodFill(dark, dims, starts);
  let grownVoxels = 0;
  for (let v = 0; v < n; v++) grownVoxels += grown[v];

  // 3–5 on the region's bounding box (grown by the opening radius and a voxel, so the grid border plays no part).
  const work = boxAround(
    grown,
    dims,
    spacing.map((s) => Math.ceil(openingRadiusMm / s) + 1) as [number, number, number],
  );
  const region = work ?? clampedBox([0, 0, 0], [dims[0] - 1, dims[1] - 1, dims[2] - 1], dims);
  const local = cropToBox(grown, dims, region, (m) => new Uint8Array(m));
  const { mask: noHoles, filled: holesBefore } = fillHoles(local, region.dims);
  const opened = openMm(noHoles, region.dims, spacing, openingRadiusMm);
  const localSeeds = starts.map((s) => {
    const i = s % dims[0];
    const j = Math.floor(s / dims[0]) % dims[1];
    const k = Math.floor(s / (dims[0] * dims[1]));
    return i - region.lo[0] + region.dims[0] * (j - region.lo[1] + region.dims[1] * (k - region.lo[2]));
  });
  const component = componentOfSeeds(opened, region.dims, localSeeds);
  if (component.voxels === 0)
    throw new SegmentationInputError(
      `the dark region at the seeds is thinner than the opening radius ${openingRadiusMm.toFixed(1)} mm (a shaft or a vessel, not an ice ball)`,
      "seed",
    );
  // Voxels the opening cut (the shafts) and voxels outside the body stay out of the edge layer.
  const localBody = cropToBox(body, dims, region, (m) => new Uint8Array(m));
  const cutAway = new Uint8Array(noHoles.length);
  for (let v = 0; v < noHoles.length; v++) cutAway[v] = (noHoles[v] && !opened[v]) || !localBody[v] ? 1 : 0;
  const edge = halfwayEdge(
    component.mask,
    cutAway,
    cropToBox(intensity, dims, region, (m) => new Float32Array(m)),
    region.dims,
  );
  const { mask: finalLocal, filled: holesAfter } = fillHoles(edge.mask, region.dims);
  const mask = new Uint8Array(n);
  pasteFromBox(finalLocal, mask, dims, region);

  let voxels = 0;
  let sumInside = 0;
  let sumShell = 0;
  let shell = 0;
  const [nx, ny] = dims;
  const slice = nx * ny;
  for (let v = 0; v < n; v++) {
    if (mask[v]) {
      voxels++;
      sumInside += image.data[v];
      continue;
    }
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / slice);
    const touches =
      (i > 0 && mask[v - 1]) ||
      (i < nx - 1 && mask[v + 1]) ||
      (j > 0 && mask[v - nx]) ||
      (j < ny - 1 && mask[v + nx]) ||
      (k > 0 && mask[v - slice]) ||
      (k < dims[2] - 1 && mask[v + slice]);
    if (touches) {
      shell++;
      sumShell += image.data[v];
    }
  }
  let onBorder = 0;
  for (let k = 0, v = 0; k < dims[2]; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++)
        if (mask[v] && (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === dims[2] - 1)) onBorder++;
  const warnings =
    onBorder > 0
      ? [
          `the segmented void reaches the edge of the scan (${onBorder} voxels): an ice ball does not, so it has probably joined the air around the body (the ice reaching the skin, a wide probe track) — check the mask, or place the seeds and --opening-mm to separate them`,
        ]
      : [];
  let cut = 0;
  for (let v = 0; v < noHoles.length; v++) if (noHoles[v] && !finalLocal[v]) cut++;
  return {
    mask,
    report: {
      method:
        "3 × 3 in-plane median filter; Otsu threshold of log(1 + intensity) around the seeds; 6-connected region growing inside the body (convex hull of the tissue per axial slice); holes filled; opening by a ball (shafts cut at the surface); the seeds' connected component; edge at the local half-way intensity between void and tissue (the 0.5 partial-volume point, up to 3 layers)",
      threshold,
      separability: otsu.separability,
      boxMarginMm,
      openingRadiusMm,
      seedIntensities,
      seedsOutside: component.seedsOutside,
      grownVoxels,
      holesFilled: holesBefore + holesAfter,
      edgeThreshold: edge.threshold,
      voxelsAddedAtEdge: edge.added,
      edgeLayers: edge.layers,
      voxelsCut: cut,
      voxels,
      volumeMl: (voxels * Math.abs(linearDeterminant(image.voxelToWorld))) / 1000,
      meanInside: voxels ? sumInside / voxels : Number.NaN,
      meanShell: shell ? sumShell / shell : Number.NaN,
      warnings,
    },
  };
}

/** The median of the entries of `values` where `where` is set. */
function medianWhere(values: Float32Array, where: Uint8Array): number {
  const picked: number[] = [];
  for (let v = 0; v < values.length; v++) if (where[v]) picked.push(values[v]);
  picked.sort((a, b) => a - b);
  return picked.length ? picked[picked.length >> 1] : Number.NaN;
}

/** The face neighbours of `mask` outside it and outside `exclude`. */
function outerLayer(mask: Uint8Array, exclude: Uint8Array, dims: readonly [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const out = new Uint8Array(mask.length);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        if (mask[v] || exclude[v]) continue;
        out[v] =
          (i > 0 && mask[v - 1]) ||
          (i < nx - 1 && mask[v + 1]) ||
          (j > 0 && mask[v - nx]) ||
          (j < ny - 1 && mask[v + nx]) ||
          (k > 0 && mask[v - slice]) ||
          (k < nz - 1 && mask[v + slice])
            ? 1
            : 0;
      }
  return out;
}

/** Most layers the half-way edge (step 6 of {@link segmentIceball}) adds. */
const EDGE_LAYERS = 3;

/**
 * Step 6 of {@link segmentIceball}: voxels outside the region join it, layer by layer, where their
 * intensity is at most half-way between the void (the median of the core) and the tissue just beyond
 * them. The tissue level of a layer voxel v is read, for each face neighbour m of v in the region, on
 * the line from m through v: the brighter of the two voxels beyond v (a voxel just beyond v may itself
 * still be partly void), averaged over those neighbours. The 50 % point of that local profile is where
 * the edge is, whatever the tissue (fat, kidney, muscle) on that side.
 */
function halfwayEdge(
  core: Uint8Array,
  cutAway: Uint8Array,
  intensity: Float32Array,
  dims: readonly [number, number, number],
): { mask: Uint8Array; threshold: number; added: number; layers: number } {
  const [nx, ny, nz] = dims;
  const slice = nx * ny;
  const voidLevel = medianWhere(intensity, core);
  const mask = core.slice();
  const thresholds: number[] = [];
  let added = 0;
  let layers = 0;
  for (; layers < EDGE_LAYERS; layers++) {
    const layer = outerLayer(mask, cutAway, dims);
    const join: number[] = [];
    for (let k = 0, v = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++, v++) {
          if (!layer[v]) continue;
          let sum = 0;
          let count = 0;
          // `step` points away from a neighbour in the region; `room` voxels lie beyond v that way.
          const beyond = (fromRegion: boolean, step: number, room: number) => {
            if (!fromRegion || room < 1 || mask[v + step]) return;
            sum += room > 1 ? Math.max(intensity[v + step], intensity[v + 2 * step]) : intensity[v + step];
            count++;
          };
          beyond(i > 0 && mask[v - 1] === 1, 1, nx - 1 - i);
          beyond(i < nx - 1 && mask[v + 1] === 1, -1, i);
          beyond(j > 0 && mask[v - nx] === 1, nx, ny - 1 - j);
          beyond(j < ny - 1 && mask[v + nx] === 1, -nx, j);
          beyond(k > 0 && mask[v - slice] === 1, slice, nz - 1 - k);
          beyond(k < nz - 1 && mask[v + slice] === 1, -slice, k);
          if (count === 0) continue;
          const threshold = 0.5 * (voidLevel + sum / count);
          thresholds.push(threshold);
          if (intensity[v] <= threshold) join.push(v);
        }
    for (const v of join) mask[v] = 1;
    added += join.length;
    if (join.length === 0) break;
  }
  thresholds.sort((a, b) => a - b);
  return { mask, threshold: thresholds.length ? thresholds[thresholds.length >> 1] : Number.NaN, added, layers };
}
