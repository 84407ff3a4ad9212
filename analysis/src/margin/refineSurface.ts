/**
 * Sub-voxel surface reconstruction from a binary mask's boundary-edge samples: moving least squares.
 *
 * What the mask knows. Each boundary edge (inside centre a, outside centre b) says the surface crosses
 * the segment [a, b]: its position along the edge is uniform on ±L/2 about the midpoint a priori, with
 * L the spacing on that axis. Measured along the surface normal n that is a half-width of (L/2)|ê·n|:
 * an edge nearly tangent to the surface pins it tightly, an edge along n loosely. On 1.2 × 1.2 × 3.0 mm
 * MRI near the top of a tumor the in-plane edges of each slice's rim (tilted by the curvature) pin the
 * surface to ±0.1–0.4 mm while the through-slice edges only bound it to ±1.5 mm, and those loose
 * midpoints are not independent there: over a cap flatter than a slice they are all off the same way.
 *
 * Estimator. Around fit centres (samples no two closer than 1.5 × the coarsest spacing), in a frame
 * (u, v, w) with w along the centre's area-vector normal, fit an implicit quadric
 *   F(u, v, w) = c0 + g_u u + g_v v + w + h_uu u² + h_uv uv + h_vv v² + h_ww w² + h_uw uw + h_vw vw
 * (the w coefficient fixed to 1: F is a signed distance to first order at the centre, positive outside)
 * to the neighbouring midpoints m_k by weighted least squares on F(m_k) = 0:
 * - weights: a smooth window (1 − d²/ρ²)² over the variance of F(m_k) when the true crossing is uniform
 *   on its edge, (L²/12)(ê·n_k)² + σ₀²;
 * - window: ρ grows (×1.6 from 2.5 spacings) until the tight edges alone determine c0 (the surface's
 *   offset at the centre) to 0.01 mm². One rim around a cap leaves offset and curvature confounded, so
 *   the window reaches the next slice's rim and the quadric extrapolates the cap between slices instead
 *   of the loose midpoints flattening it. ρ is capped at max(7 spacings, 14 mm) and at 1.5 × the
 *   object's smallest half-extent (measureMargins);
 * - errors in variables: w², uw and vw contain the midpoint error of w, which biases a plain fit inward
 *   (−0.11 mm on a 15 mm sphere). Corrected least squares (Nakamura 1990; Kukush, Markovsky & Van Huffel
 *   2004) replaces each product p(m) in the normal equations by p − (s²/2)p″ + (s⁴/4 − μ₄/24)p⁗ = p − (s²/2)p″
 *   + (7L⁴/5760)p⁗ (derivatives along the edge; s² = L²/12 and μ₄ = L⁴/80 are the uniform error's
 *   moments), whose expectation is the product at the true crossing; a ridge of 10⁻³ on the w terms keeps the fit a height field when the window's
 *   shell is too thin to tell w² from the noise.
 * Every sample then moves to where its nearest centre's quadric crosses the sample's own edge —
 * clamped to the edge, which the true crossing cannot leave — and takes the quadric's normal there.
 * A second pass (smoothSurfaceSamples, smoothSurface.ts) refits quadratic height fields to the refined points to smooth
 * the normals the signed distance's tangent planes use, and moves each sample along its own edge (again
 * clamped to it) to the smoothed surface.
 *
 * Measured (phantom cases, MTM error mean|e| / max / mean signed, mm, at 1.2 × 1.2 × 3.0 and at 1 mm):
 * - surface halfway between inside and outside centres (edge midpoints): 0.87/2.3/−0.68 and 0.47/1.24/−0.33;
 * - quadratic height field, fixed window 3 spacings: 0.16/1.05/−0.10 and 0.15/0.56/−0.12 (a window that
 *   does not reach two rims flattens or overshoots caps by up to 1 mm);
 * - this estimator: see phantoms.test.ts (0.099/0.322/+0.012 and 0.087/0.230/−0.048).
 * Concave creases (the waist between two probes' isotherms, the seam where a shaft's ice leaves its
 * isotherm) are rounded by any smooth fit, and a crease of opening angle θ is only resolved by the mask
 * where it is wider than a voxel: its last ≈ Δ/(2 tan(θ/2)) (1.3 mm for θ = 100° across 3 mm slices)
 * is invisible to any reader of the mask. There the margin still reads high: two-ball waists (8 cases)
 * mean|err| 0.36 mm, signed +0.29 (+0.47 before the edge-clamped smoothing); the multi-probe set of
 * phantoms.test.ts (16) 0.52 / worst 1.62 / signed +0.48 — the worst at a corner where two isotherms
 * and two shafts meet — where the QAM-style reading, usually a voxel low, is itself up to 0.9 mm high.
 * The mask itself leaves those margins open: twins with identical masks differ by up to 1.85 mm there
 * (filledPocketTwin, phantoms.test.ts), and measureMargins warns of a crease at the minimum (crease.ts).
 */
import { MAX_TERMS as CHOLESKY_MAX_TERMS, factorSymmetric, solveFactored, solveSymmetric } from "./cholesky.js";
import { type TumorOutlineMode, type TumorOutlineReading, tumorOutlineReading } from "./drawnOutline.js";
import { selectCentres } from "./fitCentres.js";
import { buildPointTree, forEachWithinRadius, nearestPointStable, type PointTree } from "./kdTree.js";
import { smallestRoot } from "./quadraticRoot.js";
import {
  isSliceAxis,
  SAMPLE_NOTCH,
  SAMPLE_RAGGED,
  SAMPLE_THIN,
  SAMPLE_UNREFINED,
  type SurfaceSamples,
} from "./surface.js";
import { tangentFrame } from "./tangentFrame.js";

/** Row stride of the normal matrices (a module constant: an imported binding read in the fit's inner loops costs ≈ 5 %). */
const MAX_TERMS = CHOLESKY_MAX_TERMS;

export interface RefineOptions {
  /** Smallest window radius ρ, mm. */
  radiusMm: number;
  /** Factor by which the window grows per step. */
  radiusGrowth: number;
  /** Largest window radius, mm. */
  maxRadiusMm: number;
  /** An edge is "tight" when its height half-width (L/2)|ê·n| is at most this, mm. */
  tightHalfWidthMm: number;
  /** The window grows until the tight edges alone give the surface offset at the sample this variance, mm². */
  maxOffsetVarianceMm2: number;
  /** Variance floor σ₀², mm² (keeps near-tangent edges from dominating). */
  varianceFloorMm2: number;
  /** Ridge on the in-plane quadratic coefficients, relative to the constant's normal-equation scale. */
  curvatureRidge: number;
  /** Ridge on the coefficients of w², uw, vw (see addRidge). */
  normalCurvatureRidge: number;
  /** Fit centres are at least this far apart, mm. */
  centreSpacingMm: number;
  /** "quadric" (implicit, 9 free coefficients) or "height" (quadratic height field, 6). */
  model: "quadric" | "height";
  /** Corrected least squares for the midpoint errors (errors in the regressors). */
  correctErrors: boolean;
  /**
   * A window whose in-plane samples are at least this share on one-voxel-wide parts is a ragged rim:
   * its samples keep their edge midpoints ({@link keepsMidpoint}).
   */
  raggedThinShare: number;
  /** … and at least this share on one-voxel gaps (notches) — with the teeth, a ragged rim. */
  raggedNotchShare: number;
  /**
   * Tumors only: the outline test (drawnOutline.ts). Each patch's in-plane misfit is measured and, when
   * the mask reads as drawn (mode "drawn", or "auto" with its outline misfit above the limit), every
   * sample keeps its edge midpoint (SAMPLE_RAGGED): the whole surface is read as drawn. Absent: no test.
   */
  tumorOutline?: TumorOutlineMode;
}

/** Defaults for a grid whose coarsest spacing is `maxSpacingMm`. */
export function defaultRefineOptions(maxSpacingMm: number): RefineOptions {
  return {
    radiusMm: 2.5 * maxSpacingMm,
    radiusGrowth: 1.6,
    maxRadiusMm: Math.max(7 * maxSpacingMm, 14),
    tightHalfWidthMm: 0.3 * maxSpacingMm,
    maxOffsetVarianceMm2: 0.01,
    varianceFloorMm2: 0.01,
    curvatureRidge: 1e-6,
    normalCurvatureRidge: 1e-3,
    centreSpacingMm: 1.5 * maxSpacingMm,
    model: "quadric",
    correctErrors: true,
    raggedThinShare: 0.03,
    raggedNotchShare: 0.02,
  };
}

/**
 * True for a sample the surface fit must not move: it stays at its edge's midpoint, on the mask's
 * 0.5 iso-surface, the reading of the mask as drawn.
 * - A part one voxel wide in-plane (a spur, a bridge, a ragged rim's tooth: its inside voxel has outside
 *   neighbours on both sides along the edge's in-plane axis, SAMPLE_THIN). No smooth patch models such
 *   a part — a fit mixes its two sides. A part one slice thick keeps its fit: on smooth tumors at 6 mm
 *   slices midpoints there read 0.34 mm low on average (fit: 0.03).
 * - A sample of a ragged rim (SAMPLE_RAGGED; tumors only, reconstructSurface's `raggedRimsAsDrawn`):
 *   its patch's window has at least `raggedThinShare` (3 %) of its in-plane samples on one-voxel-wide
 *   parts (teeth) and at least `raggedNotchShare` (2 %) on one-voxel gaps (notches), as a hand-drawn or
 *   thresholded outline has. A smooth surface rasterised on the grid has teeth only at the tips of its
 *   slices' cross-sections and almost no notches: patches with both, smooth realistic suite 0.1 %,
 *   ellipsoid phantoms 0 %; ragged suite 94 %. No smooth surface explains such a rim, and a fit through
 *   it shaves its outermost voxels — reading the margin high, the unsafe direction — and extrapolates
 *   its caps between slices from rims that jitter by a voxel. On the ragged suite (realistic.test.ts),
 *   mean signed error against the iso-surface per slice thickness: −0.00…+0.10 mm; fitting those
 *   windows too, +0.07…+1.44. The smooth suites' and the ellipsoid phantoms' readings are unchanged.
 *   Smooth lobulated tumors have such windows too, where a slice cuts the tip of a lobe's cap or the
 *   seam between two lobes (data/cohort: 16 of 2,543 patches, in S26 and S30, none at the minimum).
 *   Their teeth and notches are ones a grid line grazing the surface cuts (|n·ê| ≤ 0.32); keeping only
 *   steeper ones (|n·ê| ≥ L / 3 mm: a chord shorter than 2L cut by a circle of radius ≥ 3 mm is that
 *   shallow) spares them and keeps 91 % of the ragged suite's patches, but the last slice of a real
 *   hand-drawn mask looks the same (KiTS19, bench real-shapes: 4 of the first 78 cases then read
 *   0.17–1.20 mm higher against the iso-surface), so the rule keeps both.
 * measureMargins says so when the minimum rests on such samples (fallbacks.ts).
 */
export function keepsMidpoint(samples: SurfaceSamples, j: number): boolean {
  if ((samples.flags[j] & SAMPLE_RAGGED) !== 0) return true;
  return (samples.flags[j] & SAMPLE_THIN) !== 0 && !isSliceAxis(samples.spacingMm, samples.axis[j]);
}

/** Doubles stored per fitted patch: origin (3), frame u v n (9), window ρ (1), coefficients (9). */
const PATCH_STRIDE = 22;

/**
 * Moves every sample of `samples` (midpoints + area-vector normals on entry) to its sub-voxel position
 * and replaces its normal by the fitted one. `tree` indexes the original midpoints.
 *
 * Quadrics are fitted around a subset of samples ("centres", no two closer than
 * `centreSpacingFactor` × the finest spacing — a fit's window is several voxels wide, so neighbouring
 * samples would refit nearly the same data) and every sample takes the crossing of its edge with the
 * quadric of its nearest centre.
 */
export function refineSurfaceSamples(samples: SurfaceSamples, tree: PointTree, options: RefineOptions): RefineStats {
  const { count, points, normals, edges, spacingMm } = samples;
  const centres = selectCentres(points, count, options.centreSpacingMm);
  const patches = new Float64Array(PATCH_STRIDE * centres.length);
  const fitted = new Uint8Array(centres.length);
  const fitter = createQuadricFitter(samples, tree, options);
  let radiusSum = 0;
  const ragged = new Uint8Array(centres.length);
  const misfits = options.tumorOutline ? new Float64Array(centres.length).fill(Number.NaN) : undefined;
  for (let c = 0; c < centres.length; c++) {
    const rho = fitter.fit(centres[c], patches, PATCH_STRIDE * c);
    if (fitter.thinShare() >= options.raggedThinShare && fitter.notchShare() >= options.raggedNotchShare) ragged[c] = 1;
    if (rho > 0) {
      fitted[c] = 1;
      radiusSum += rho;
      if (misfits) misfits[c] = fitter.inPlaneMisfit(rho);
    }
  }
  let tumorOutline: TumorOutlineReading | undefined;
  if (options.tumorOutline && misfits) {
    tumorOutline = tumorOutlineReading(options.tumorOutline, misfits, Math.max(...spacingMm));
    if (tumorOutline.asDrawn) ragged.fill(1);
  }
  const centreXyz = new Float64Array(3 * centres.length);
  for (let c = 0; c < centres.length; c++) centreXyz.set(points.subarray(3 * centres[c], 3 * centres[c] + 3), 3 * c);
  const centreTree = buildPointTree(centreXyz, centres.length);
  const newPoints = new Float64Array(3 * count);
  const newNormals = new Float64Array(3 * count);
  const out = new Float64Array(6);
  let fallbacks = 0;
  let c = -1;
  for (let j = 0; j < count; j++) {
    c = nearestPointStable(centreTree, points[3 * j], points[3 * j + 1], points[3 * j + 2], c);
    const L = spacingMm[samples.axis[j]];
    if (ragged[c] === 1) samples.flags[j] |= SAMPLE_RAGGED;
    if (keepsMidpoint(samples, j)) {
      newPoints.set(points.subarray(3 * j, 3 * j + 3), 3 * j);
      newNormals.set(normals.subarray(3 * j, 3 * j + 3), 3 * j);
      continue;
    }
    const ok =
      fitted[c] === 1 &&
      crossEdge(
        patches,
        PATCH_STRIDE * c,
        points[3 * j],
        points[3 * j + 1],
        points[3 * j + 2],
        edges[3 * j] / L,
        edges[3 * j + 1] / L,
        edges[3 * j + 2] / L,
        L / 2,
        out,
      );
    if (ok) {
      newPoints.set(out.subarray(0, 3), 3 * j);
      newNormals.set(out.subarray(3, 6), 3 * j);
      samples.edgeOffsetMm[j] =
        ((out[0] - points[3 * j]) * edges[3 * j] +
          (out[1] - points[3 * j + 1]) * edges[3 * j + 1] +
          (out[2] - points[3 * j + 2]) * edges[3 * j + 2]) /
        L;
    } else {
      fallbacks++;
      samples.flags[j] |= SAMPLE_UNREFINED;
      newPoints.set(points.subarray(3 * j, 3 * j + 3), 3 * j);
      newNormals.set(normals.subarray(3 * j, 3 * j + 3), 3 * j);
    }
  }
  points.set(newPoints);
  normals.set(newNormals);
  const stats: RefineStats = {
    centres: centres.length,
    fallbacks,
    meanRadiusMm: centres.length ? radiusSum / centres.length : 0,
  };
  if (tumorOutline) stats.tumorOutline = tumorOutline;
  return stats;
}

/**
 * The crossing of one edge (midpoint m, unit direction ê, half-length `half`) with a fitted patch:
 * in the patch's scaled frame, F(p + τê) = F(p) + τ ∇F(p)·ê + τ² êᵀHê, solved for the root nearest
 * the midpoint and clamped to the edge (the true crossing cannot leave it). Writes the point and the
 * unit normal ∇F/|∇F| there into out[0..5]; false when the patch's normal there turns more than 60°
 * from the patch's axis (not a local model of this part of the surface).
 */
function crossEdge(
  patches: Float64Array,
  o: number,
  mx: number,
  my: number,
  mz: number,
  ex: number,
  ey: number,
  ez: number,
  half: number,
  out: Float64Array,
): boolean {
  const ux = patches[o + 3];
  const uy = patches[o + 4];
  const uz = patches[o + 5];
  const vx = patches[o + 6];
  const vy = patches[o + 7];
  const vz = patches[o + 8];
  const nx = patches[o + 9];
  const ny = patches[o + 10];
  const nz = patches[o + 11];
  const rho = patches[o + 12];
  const c0 = patches[o + 13];
  const cu = patches[o + 14];
  const cv = patches[o + 15];
  const huu = patches[o + 16];
  const huv = patches[o + 17];
  const hvv = patches[o + 18];
  const hww = patches[o + 19];
  const huw = patches[o + 20];
  const hvw = patches[o + 21];
  const dx = mx - patches[o];
  const dy = my - patches[o + 1];
  const dz = mz - patches[o + 2];
  const pu = (dx * ux + dy * uy + dz * uz) / rho;
  const pv = (dx * vx + dy * vy + dz * vz) / rho;
  const pw = (dx * nx + dy * ny + dz * nz) / rho;
  const eu = ex * ux + ey * uy + ez * uz;
  const ev = ex * vx + ey * vy + ez * vz;
  const ew = ex * nx + ey * ny + ez * nz;
  const F =
    c0 +
    cu * pu +
    cv * pv +
    pw +
    huu * pu * pu +
    huv * pu * pv +
    hvv * pv * pv +
    hww * pw * pw +
    huw * pu * pw +
    hvw * pv * pw;
  const Fu = cu + 2 * huu * pu + huv * pv + huw * pw;
  const Fv = cv + huv * pu + 2 * hvv * pv + hvw * pw;
  const Fw = 1 + 2 * hww * pw + huw * pu + hvw * pv;
  const q1 = Fu * eu + Fv * ev + Fw * ew;
  const q2 = huu * eu * eu + huv * eu * ev + hvv * ev * ev + hww * ew * ew + huw * eu * ew + hvw * ev * ew;
  let t = smallestRoot(q2, q1, F) * rho;
  if (Number.isNaN(t)) t = F < 0 ? half : -half; // no real crossing: the edge end on the side F points to
  if (t < -half) t = -half;
  if (t > half) t = half;
  const tau = t / rho;
  const qu = pu + tau * eu;
  const qv = pv + tau * ev;
  const qw = pw + tau * ew;
  const gu = cu + 2 * huu * qu + huv * qv + huw * qw;
  const gv = cv + huv * qu + 2 * hvv * qv + hvw * qw;
  const gw = 1 + 2 * hww * qw + huw * qu + hvw * qv;
  const gl = Math.hypot(gu, gv, gw);
  if (!(gw / gl > 0.5)) return false;
  out[0] = mx + t * ex;
  out[1] = my + t * ey;
  out[2] = mz + t * ez;
  out[3] = (gu * ux + gv * vx + gw * nx) / gl;
  out[4] = (gu * uy + gv * vy + gw * ny) / gl;
  out[5] = (gu * uz + gv * vz + gw * nz) / gl;
  return true;
}

/**
 * The weighted, error-corrected least-squares fit of one patch (see the module comment), with its
 * scratch buffers allocated once. `fit(j, patches, offset)` writes the patch around sample j and
 * returns its window radius, or 0 when the normal equations are singular.
 */
function createQuadricFitter(samples: SurfaceSamples, tree: PointTree, options: RefineOptions) {
  const { count, points, normals, edges, spacingMm, axis } = samples;
  const nTerms = options.model === "quadric" ? 9 : 6;
  // Per-sample half-width along its own normal: (L/2)|ê·n| = |edge·n| / 2.
  const halfWidth = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    halfWidth[k] =
      0.5 *
      Math.abs(
        edges[3 * k] * normals[3 * k] + edges[3 * k + 1] * normals[3 * k + 1] + edges[3 * k + 2] * normals[3 * k + 2],
      );
  }
  let cap = 256;
  let nbr = new Int32Array(cap);
  let nbrD2 = new Float64Array(cap);
  let nCount = 0;
  const collect = (k: number, d2: number) => {
    if (nCount === cap) {
      cap *= 2;
      const a = new Int32Array(cap);
      a.set(nbr);
      nbr = a;
      const b = new Float64Array(cap);
      b.set(nbrD2);
      nbrD2 = b;
    }
    nbr[nCount] = k;
    nbrD2[nCount] = d2;
    nCount++;
  };
  const A = new Float64Array(MAX_TERMS * MAX_TERMS);
  const At = new Float64Array(MAX_TERMS * MAX_TERMS);
  const rhs = new Float64Array(MAX_TERMS);
  const c = new Float64Array(MAX_TERMS);
  const phi = new Float64Array(MAX_TERMS);
  const d1 = new Float64Array(MAX_TERMS);
  const d2 = new Float64Array(MAX_TERMS);
  const psi = new Float64Array(MAX_TERMS);
  const unit = new Float64Array(MAX_TERMS);
  const probe = new Float64Array(MAX_TERMS);
  const frame = new Float64Array(9);
  const inPlaneAxis = [0, 1, 2].map((a) => !isSliceAxis(spacingMm, a));
  const M = new Float64Array(MAX_TERMS * MAX_TERMS);
  const M2 = new Float64Array(MAX_TERMS * MAX_TERMS);
  const column = new Float64Array(MAX_TERMS);
  const solution = new Float64Array(MAX_TERMS);
  let inPlaneCount = 0;
  let thinCount = 0;
  let notchCount = 0;

  // The centre of the patch being fitted (world mm) and neighbour t's local coordinates in its frame
  // (scaled by 1/ρ for conditioning), window taper a = (1 − d²/ρ²)² and weight a/σ².
  let mx = 0;
  let my = 0;
  let mz = 0;
  let pu = 0;
  let pv = 0;
  let pw = 0;
  let taper = 0;
  let weight = 0;
  const locate = (t: number, rho: number) => {
    const k = nbr[t];
    const dx = points[3 * k] - mx;
    const dy = points[3 * k + 1] - my;
    const dz = points[3 * k + 2] - mz;
    pu = (dx * frame[0] + dy * frame[1] + dz * frame[2]) / rho;
    pv = (dx * frame[3] + dy * frame[4] + dz * frame[5]) / rho;
    pw = (dx * frame[6] + dy * frame[7] + dz * frame[8]) / rho;
    const hw = halfWidth[k] / rho;
    const window = 1 - nbrD2[t] / (rho * rho);
    taper = window * window;
    weight = taper / ((hw * hw) / 3 + options.varianceFloorMm2 / (rho * rho));
  };
  const regressors = () => {
    phi[0] = 1;
    phi[1] = pu;
    phi[2] = pv;
    phi[3] = pu * pu;
    phi[4] = pu * pv;
    phi[5] = pv * pv;
    phi[6] = pw * pw;
    phi[7] = pu * pw;
    phi[8] = pv * pw;
  };

  const fit = (j: number, patches: Float64Array, o: number): number => {
    mx = points[3 * j];
    my = points[3 * j + 1];
    mz = points[3 * j + 2];
    tangentFrame(normals[3 * j], normals[3 * j + 1], normals[3 * j + 2], frame);
    const [ux, uy, uz, vx, vy, vz, nx, ny, nz] = frame;

    // 1. Window: grow until the tight edges alone pin the offset c0 at the sample (var(c0) from their
    //    information matrix, scaled units × ρ² = mm²).
    let rho = options.radiusMm;
    for (;;) {
      nCount = 0;
      forEachWithinRadius(tree, mx, my, mz, rho, collect);
      if (rho >= options.maxRadiusMm) break;
      At.fill(0);
      for (let t = 0; t < nCount; t++) {
        if (halfWidth[nbr[t]] > options.tightHalfWidthMm) continue;
        locate(t, rho);
        regressors();
        for (let r = 0; r < nTerms; r++) {
          const wr = weight * phi[r];
          for (let q = r; q < nTerms; q++) At[MAX_TERMS * r + q] += wr * phi[q];
        }
      }
      unit.fill(0);
      unit[0] = 1;
      addRidge(At, nTerms, options.curvatureRidge, options.normalCurvatureRidge);
      if (solveSymmetric(At, nTerms, unit, probe) && probe[0] * rho * rho <= options.maxOffsetVarianceMm2) break;
      rho = Math.min(options.maxRadiusMm, rho * options.radiusGrowth);
    }

    // 2. The corrected least-squares fit on that window. Each product p(m) of the normal equations is
    //    replaced by p − (s²/2)·p″ + (7L⁴/5760)·p⁗ (derivatives along the edge, s² = L²/12), whose
    //    expectation over the uniform midpoint error is the product at the true crossing (errors in
    //    variables: w², uw, vw carry the noise of w). With ψ = φ − (s²/2)φ″ (φ is quadratic, so
    //    φ⁗ = 0 and (φ_r φ_q)⁗ = 6 φ_r″ φ_q″) that is ψψᵀ − s² φ′φ′ᵀ + (7L⁴/960 − s⁴/4) φ″φ″ᵀ.
    A.fill(0);
    rhs.fill(0);
    inPlaneCount = 0;
    thinCount = 0;
    notchCount = 0;
    for (let t = 0; t < nCount; t++) {
      locate(t, rho);
      regressors();
      const k = nbr[t];
      if (inPlaneAxis[axis[k]]) {
        inPlaneCount++;
        if (samples.flags[k] & SAMPLE_THIN) thinCount++;
        if (samples.flags[k] & SAMPLE_NOTCH) notchCount++;
      }
      const L = spacingMm[axis[k]];
      const eu = (edges[3 * k] * ux + edges[3 * k + 1] * uy + edges[3 * k + 2] * uz) / L;
      const ev = (edges[3 * k] * vx + edges[3 * k + 1] * vy + edges[3 * k + 2] * vz) / L;
      const ew = (edges[3 * k] * nx + edges[3 * k + 1] * ny + edges[3 * k + 2] * nz) / L;
      const Ls = L / rho;
      const s2 = options.correctErrors ? (Ls * Ls) / 12 : 0;
      const beta = options.correctErrors ? (7 * Ls * Ls * Ls * Ls) / 960 - (s2 * s2) / 4 : 0;
      d1[0] = 0;
      d1[1] = eu;
      d1[2] = ev;
      d1[3] = 2 * pu * eu;
      d1[4] = pu * ev + pv * eu;
      d1[5] = 2 * pv * ev;
      d1[6] = 2 * pw * ew;
      d1[7] = pu * ew + pw * eu;
      d1[8] = pv * ew + pw * ev;
      d2[3] = 2 * eu * eu;
      d2[4] = 2 * eu * ev;
      d2[5] = 2 * ev * ev;
      d2[6] = 2 * ew * ew;
      d2[7] = 2 * eu * ew;
      d2[8] = 2 * ev * ew;
      for (let r = 0; r < nTerms; r++) psi[r] = phi[r] - (s2 / 2) * d2[r];
      for (let r = 0; r < nTerms; r++) {
        // Target: F(m) = 0 with the w coefficient fixed to 1, so the right side is −E[φ_r·w].
        rhs[r] -= weight * (psi[r] * pw - s2 * d1[r] * ew);
        const a = weight * psi[r];
        const b = weight * s2 * d1[r];
        const c2 = weight * beta * d2[r];
        for (let q = r; q < nTerms; q++) A[MAX_TERMS * r + q] += a * psi[q] - b * d1[q] + c2 * d2[q];
      }
    }
    addRidge(A, nTerms, options.curvatureRidge, options.normalCurvatureRidge);
    if (!solveSymmetric(A, nTerms, rhs, c)) return 0;
    if (nTerms === 6) for (let r = 6; r < MAX_TERMS; r++) c[r] = 0;
    patches[o] = mx;
    patches[o + 1] = my;
    patches[o + 2] = mz;
    patches.set(frame, o + 3);
    patches[o + 12] = rho;
    // Coefficient order in the patch: c0, cu, cv, huu, huv, hvv, hww, huw, hvw (as φ).
    patches.set(c, o + 13);
    return rho;
  };
  /**
   * The in-plane misfit T_in / E[T_in] of the patch just fitted (window ρ; drawnOutline.ts gives the
   * formula): T_in = Σ_in a_k F(m_k)²/σ_k² over the window's in-plane edges, with the taper a_k and the
   * variance σ_k² the fit's own weight uses; E[T_in] = Σ_in a_k − tr(M⁻¹M₂)·Σ_in a_k/Σ a_k. NaN when
   * the window has no in-plane edge or M is singular.
   */
  const inPlaneMisfit = (rho: number): number => {
    M.fill(0);
    M2.fill(0);
    let tIn = 0;
    let sumA = 0;
    let sumAIn = 0;
    for (let t = 0; t < nCount; t++) {
      locate(t, rho);
      regressors();
      sumA += taper;
      if (inPlaneAxis[axis[nbr[t]]]) {
        let F = pw;
        for (let r = 0; r < nTerms; r++) F += c[r] * phi[r];
        tIn += weight * F * F;
        sumAIn += taper;
      }
      for (let r = 0; r < nTerms; r++) {
        const w1 = weight * phi[r];
        const w2 = taper * w1;
        for (let q = r; q < nTerms; q++) {
          M[MAX_TERMS * r + q] += w1 * phi[q];
          M2[MAX_TERMS * r + q] += w2 * phi[q];
        }
      }
    }
    if (sumAIn === 0) return Number.NaN;
    addRidge(M, nTerms, options.curvatureRidge, options.normalCurvatureRidge);
    // tr(M⁻¹M₂), column by column of M₂ against one factorisation of M.
    if (!factorSymmetric(M, nTerms)) return Number.NaN;
    let trace = 0;
    for (let q = 0; q < nTerms; q++) {
      for (let r = 0; r < nTerms; r++) column[r] = r <= q ? M2[MAX_TERMS * r + q] : M2[MAX_TERMS * q + r];
      solveFactored(M, nTerms, column, solution);
      trace += solution[q];
    }
    const expected = sumAIn - (trace * sumAIn) / sumA;
    return expected > 0 ? tIn / expected : Number.NaN;
  };
  return {
    fit,
    inPlaneMisfit,
    thinShare: () => (inPlaneCount > 0 ? thinCount / inPlaneCount : 0),
    notchShare: () => (inPlaneCount > 0 ? notchCount / inPlaneCount : 0),
  };
}

/** What a refinement did: samples left at their midpoint (no usable local fit) and mean window. */
export interface RefineStats {
  /** Patches fitted. */
  centres: number;
  fallbacks: number;
  meanRadiusMm: number;
  /** With RefineOptions.tumorOutline: the outline test's numbers and decision (drawnOutline.ts). */
  tumorOutline?: TumorOutlineReading;
}

/**
 * Ridge on the quadratic terms: `ridge`·A00 on the in-plane curvatures (indices 3–5, a guard against
 * degenerate windows) and `ridgeW`·A00 on the terms in w (6–8), which shrinks the quadric towards a
 * height field when the window's shell is too thin to tell w² from the midpoint noise (the corrected
 * normal matrix then has almost nothing left on those columns).
 */
export function addRidge(A: Float64Array, n: number, ridge: number, ridgeW = ridge): void {
  const scale = A[0];
  for (let r = 3; r < Math.min(n, 6); r++) A[MAX_TERMS * r + r] += scale * ridge;
  for (let r = 6; r < n; r++) A[MAX_TERMS * r + r] += scale * ridgeW;
}
