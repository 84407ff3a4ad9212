/**
 * Harder versions of a synthetic scan, for robustness checks of the segmentation: more noise and a
 * stronger smooth shading, applied to the rendered scan (so the anatomy and the truth masks are the
 * same voxel for voxel).
 * - Noise: independent Gaussian noise of SD s_add added to every voxel raises the noise SD from σ to
 *   √(σ² + s_add²); doubling it takes s_add = σ·√3.
 * - Shading: a linear ramp of the intensity along a direction u across the field of view,
 *   I · (1 + a·(2t − 1)), t ∈ [0, 1] the voxel's position along u between the grid's extreme corners:
 *   ±a from one side to the other (a = 0.2 for ±20 %), as a receive-coil sensitivity would.
 */
import type { Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import type { ScanImage } from "./images.js";
import { standardNormal } from "./sampling.js";

/** What {@link perturbScan} adds. */
export interface ScanPerturbation {
  /** SD of the added Gaussian noise (0: none). */
  addedNoiseSd?: number;
  /** Half-amplitude a of the linear shading (0.2 = ±20 %; 0: none). */
  shadingAmplitude?: number;
  /** World direction of the shading ramp (default: the grid's diagonal). */
  shadingDirectionRas?: Vec3;
}

/** A new scan: `scan` with the perturbation applied, rounded and clamped to int16 ≥ 0. */
export function perturbScan(scan: ScanImage, perturbation: ScanPerturbation, rng: Random): ScanImage {
  const [nx, ny, nz] = scan.dims;
  const m = scan.voxelToWorld;
  const noise = perturbation.addedNoiseSd ?? 0;
  const a = perturbation.shadingAmplitude ?? 0;
  const world = (i: number, j: number, k: number): Vec3 => [
    m[0] * i + m[1] * j + m[2] * k + m[3],
    m[4] * i + m[5] * j + m[6] * k + m[7],
    m[8] * i + m[9] * j + m[10] * k + m[11],
  ];
  const first = world(0, 0, 0);
  const last = world(nx - 1, ny - 1, nz - 1);
  const raw = perturbation.shadingDirectionRas ?? [last[0] - first[0], last[1] - first[1], last[2] - first[2]];
  const norm = Math.hypot(...raw);
  const u: Vec3 = [raw[0] / norm, raw[1] / norm, raw[2] / norm];
  // Range of p·u over the grid's corners.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < 8; c++) {
    const p = world(c & 1 ? nx - 1 : 0, c & 2 ? ny - 1 : 0, c & 4 ? nz - 1 : 0);
    const t = p[0] * u[0] + p[1] * u[1] + p[2] * u[2];
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  const data = new Int16Array(scan.data.length);
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        let value: number = scan.data[v];
        if (a !== 0) {
          const p = world(i, j, k);
          const t = (p[0] * u[0] + p[1] * u[1] + p[2] * u[2] - lo) / (hi - lo || 1);
          value *= 1 + a * (2 * t - 1);
        }
        if (noise !== 0) value += noise * standardNormal(rng);
        data[v] = Math.max(0, Math.min(32767, Math.round(value)));
      }
  return { dims: [nx, ny, nz], voxelToWorld: scan.voxelToWorld, data };
}
