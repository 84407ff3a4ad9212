/**
 * The second pass of the surface reconstruction: quadratic height fields refitted to the refined
 * samples smooth their normals and positions (each sample still clamped to its own grid edge).
 */
import { MAX_TERMS as CHOLESKY_MAX_TERMS, solveSymmetric } from "./cholesky.js";
import { selectCentres } from "./fitCentres.js";
import { buildPointTree, forEachWithinRadius, nearestPointStable, type PointTree } from "./kdTree.js";
import { smallestRoot } from "./quadraticRoot.js";
import { addRidge, keepsMidpoint } from "./refineSurface.js";
import type { SurfaceSamples } from "./surface.js";
import { tangentFrame } from "./tangentFrame.js";

/** Row stride of the normal matrices (a module constant: an imported binding read in the fit's inner loops costs ≈ 5 %). */
const MAX_TERMS = CHOLESKY_MAX_TERMS;

/**
 * Second pass: smooths refined samples (noise now ~0.1 mm, not ±L/2). Around centres no two closer
 * than `centreSpacingMm`, fit a quadratic height field w = h(u, v) to the refined neighbours within
 * `radiusMm` (window (1 − d²/r²)², no variance weights: all points are now comparably precise; only
 * neighbours whose normal is within 60° of the centre's, so a thin part's far side is not mixed in);
 * then every sample moves along its own edge to where the edge crosses the height field of its nearest
 * centre — clamped to the edge, like the first pass (moving it onto the field vertically let the
 * smoothing round concave creases by another 0.1–0.5 mm) — and takes that surface's normal, which is
 * what the signed distance's tangent planes need (the first pass's normals are derivatives of a 9-term
 * fit, noisier than its positions). `tree` must index the refined points. Samples whose centre's fit
 * fails, or whose edge does not cross the field, keep their first-pass position and normal.
 */
export function smoothSurfaceSamples(
  samples: SurfaceSamples,
  tree: PointTree,
  radiusMm: number,
  centreSpacingMm: number,
): void {
  const { count, points, normals } = samples;
  const centres = selectCentres(points, count, centreSpacingMm);
  const nc = centres.length;
  // Patch: origin (3), frame (9), coefficients c0 cu cv cuu cuv cvv (6), in mm units.
  const stride = 18;
  const patches = new Float64Array(stride * nc);
  const fitted = new Uint8Array(nc);
  const A = new Float64Array(MAX_TERMS * MAX_TERMS);
  const rhs = new Float64Array(MAX_TERMS);
  const c = new Float64Array(MAX_TERMS);
  const frame = new Float64Array(9);
  const phi = new Float64Array(6);
  const r2 = radiusMm * radiusMm;
  let mx = 0;
  let my = 0;
  let mz = 0;
  let ux = 0;
  let uy = 0;
  let uz = 0;
  let vx = 0;
  let vy = 0;
  let vz = 0;
  let nx = 0;
  let ny = 0;
  let nz = 0;
  const visit = (k: number, d2: number) => {
    if (normals[3 * k] * nx + normals[3 * k + 1] * ny + normals[3 * k + 2] * nz < 0.5) return;
    const dx = points[3 * k] - mx;
    const dy = points[3 * k + 1] - my;
    const dz = points[3 * k + 2] - mz;
    const pu = (dx * ux + dy * uy + dz * uz) / radiusMm;
    const pv = (dx * vx + dy * vy + dz * vz) / radiusMm;
    const pw = (dx * nx + dy * ny + dz * nz) / radiusMm;
    const win = 1 - d2 / r2;
    const w = win * win;
    phi[0] = 1;
    phi[1] = pu;
    phi[2] = pv;
    phi[3] = pu * pu;
    phi[4] = pu * pv;
    phi[5] = pv * pv;
    for (let r = 0; r < 6; r++) {
      const wr = w * phi[r];
      rhs[r] += wr * pw;
      for (let q = r; q < 6; q++) A[MAX_TERMS * r + q] += wr * phi[q];
    }
  };
  for (let ci = 0; ci < nc; ci++) {
    const j = centres[ci];
    mx = points[3 * j];
    my = points[3 * j + 1];
    mz = points[3 * j + 2];
    tangentFrame(normals[3 * j], normals[3 * j + 1], normals[3 * j + 2], frame);
    ux = frame[0];
    uy = frame[1];
    uz = frame[2];
    vx = frame[3];
    vy = frame[4];
    vz = frame[5];
    nx = frame[6];
    ny = frame[7];
    nz = frame[8];
    A.fill(0);
    rhs.fill(0);
    forEachWithinRadius(tree, mx, my, mz, radiusMm, visit);
    addRidge(A, 6, 1e-6);
    if (!solveSymmetric(A, 6, rhs, c)) continue;
    const o = stride * ci;
    patches[o] = mx;
    patches[o + 1] = my;
    patches[o + 2] = mz;
    patches.set(frame, o + 3);
    // Back to mm: w = c0 ρ + cu u + cv v + (cuu u² + cuv uv + cvv v²)/ρ.
    patches[o + 12] = c[0] * radiusMm;
    patches[o + 13] = c[1];
    patches[o + 14] = c[2];
    patches[o + 15] = c[3] / radiusMm;
    patches[o + 16] = c[4] / radiusMm;
    patches[o + 17] = c[5] / radiusMm;
    fitted[ci] = 1;
  }
  const centreXyz = new Float64Array(3 * nc);
  for (let ci = 0; ci < nc; ci++) centreXyz.set(points.subarray(3 * centres[ci], 3 * centres[ci] + 3), 3 * ci);
  const centreTree = buildPointTree(centreXyz, nc);
  const newPoints = new Float64Array(points);
  const newNormals = new Float64Array(normals);
  const { edges, axis, spacingMm, edgeOffsetMm } = samples;
  let ci = -1;
  for (let j = 0; j < count; j++) {
    ci = nearestPointStable(centreTree, points[3 * j], points[3 * j + 1], points[3 * j + 2], ci);
    if (!fitted[ci]) continue;
    if (keepsMidpoint(samples, j)) continue;
    const o = stride * ci;
    // The sample's edge (midpoint m, unit direction ê, half-length L/2) in the patch's frame.
    const L = spacingMm[axis[j]];
    const ex = edges[3 * j] / L;
    const ey = edges[3 * j + 1] / L;
    const ez = edges[3 * j + 2] / L;
    const off = edgeOffsetMm[j];
    const dx = points[3 * j] - patches[o];
    const dy = points[3 * j + 1] - patches[o + 1];
    const dz = points[3 * j + 2] - patches[o + 2];
    const pu = dx * patches[o + 3] + dy * patches[o + 4] + dz * patches[o + 5];
    const pv = dx * patches[o + 6] + dy * patches[o + 7] + dz * patches[o + 8];
    const pw = dx * patches[o + 9] + dy * patches[o + 10] + dz * patches[o + 11];
    const eu = ex * patches[o + 3] + ey * patches[o + 4] + ez * patches[o + 5];
    const ev = ex * patches[o + 6] + ey * patches[o + 7] + ez * patches[o + 8];
    const ew = ex * patches[o + 9] + ey * patches[o + 10] + ez * patches[o + 11];
    const c0 = patches[o + 12];
    const cu = patches[o + 13];
    const cv = patches[o + 14];
    const cuu = patches[o + 15];
    const cuv = patches[o + 16];
    const cvv = patches[o + 17];
    // g(δ) = w − h(u, v) along the edge from the sample: g0 + g1 δ + g2 δ², root nearest the sample.
    const h = c0 + cu * pu + cv * pv + cuu * pu * pu + cuv * pu * pv + cvv * pv * pv;
    const hu = cu + 2 * cuu * pu + cuv * pv;
    const hv = cv + cuv * pu + 2 * cvv * pv;
    const delta = smallestRoot(-(cuu * eu * eu + cuv * eu * ev + cvv * ev * ev), ew - hu * eu - hv * ev, pw - h);
    if (!Number.isFinite(delta)) continue;
    const t = Math.max(-L / 2, Math.min(L / 2, off + delta)) - off;
    const qu = pu + t * eu;
    const qv = pv + t * ev;
    newPoints[3 * j] = points[3 * j] + t * ex;
    newPoints[3 * j + 1] = points[3 * j + 1] + t * ey;
    newPoints[3 * j + 2] = points[3 * j + 2] + t * ez;
    edgeOffsetMm[j] = off + t;
    // Normal of w − h(u, v) = 0: (−h_u, −h_v, 1) in the frame.
    const gu = -(cu + 2 * cuu * qu + cuv * qv);
    const gv = -(cv + cuv * qu + 2 * cvv * qv);
    const gx = gu * patches[o + 3] + gv * patches[o + 6] + patches[o + 9];
    const gy = gu * patches[o + 4] + gv * patches[o + 7] + patches[o + 10];
    const gz = gu * patches[o + 5] + gv * patches[o + 8] + patches[o + 11];
    const gl = Math.hypot(gx, gy, gz);
    newNormals[3 * j] = gx / gl;
    newNormals[3 * j + 1] = gy / gl;
    newNormals[3 * j + 2] = gz / gl;
  }
  points.set(newPoints);
  normals.set(newNormals);
}
