/**
 * Does a tumor mask look like a rasterised smooth surface, or like outlines drawn slice by slice?
 * One number per mask decides how the engine reads its surface (refineSurface.ts):
 *
 * **Outline misfit** m = the median, over every fitted quadric patch of the tumor's surface, of the
 * patch's in-plane residual ratio T_in / E[T_in] (refineSurface.ts, `inPlaneMisfit`): each patch is a
 * weighted least-squares fit under the midpoints' known error model (each true crossing uniform on its
 * edge of length L: variance σ_k² = (L²/12)(ê·n)² + σ₀²), and for the window's in-plane edges
 *   T_in = Σ_in a_k F(m_k)² / σ_k²,   E[T_in] = Σ_in a_k − tr(M⁻¹M₂) · Σ_in a_k / Σ a_k,
 * with a_k the window's taper, M = Σ (a_k/σ_k²) φφᵀ, M₂ = Σ (a_k²/σ_k²) φφᵀ: the residual sum expected
 * when the quadric represents the surface over the window, the hat matrix's trace shared out by the
 * in-plane edges' part of the taper. A smooth surface rasterised on the grid gives m near 1 (below 1
 * on fine grids: a staircase's errors are more regular than uniform). Outlines drawn on each slice
 * (their rims jump between slices by more than a smooth surface moves, and one slice's outline wanders
 * from the next) are not represented by any quadric across slices: m ≫ 1.
 *
 * The patch's window grows with the slice spacing (at least 2.5 spacings), and over a wider window a
 * quadric represents a smooth lobulated surface less well, so on smooth masks m grows with the grid's
 * coarsest spacing h. The limit is therefore a function of h, taken from smooth masks only
 * ({@link SMOOTH_OUTLINE_MISFIT_MAX}): 852 rasterisations of smooth surfaces on 0.5–6 mm slices —
 * - the ellipsoid phantoms of phantoms.test.ts (1.2 × 1.2 × 3.0 mm seeds 2023 and 99, 1 mm seed 17,
 *   two-ball seed 5) and held-out ones (seeds 4242–4245 at 1.2 × 1.2 × 3.0, 0.8 × 0.8 × 5, 0.5 × 0.5 × 2.5
 *   and 1 mm); the multi-probe phantoms' tumors (seed 7 at 1.2 × 1.2 × 3.0, seed 11 at 1 mm; held-out
 *   seeds 4247 and 4246, 16 each);
 * - the smooth lobulated tumors of realistic.test.ts (seeds 1800 + slice) and held-out ones (seeds 5800 +
 *   slice, 12 per slice at 1–6 mm; seeds 7800 + 4·slice, 24 per slice at 0.5, 1, 1.25, 1.5, 2, 2.5, 3,
 *   3.75, 4, 5, 6 mm); the smooth control of bench real-shapes (seeds 1805 and 6805, 12 each, at 0.5 mm
 *   slices and made 2.5, 3 and 5 mm thick by both rules of thickSlices.ts);
 * - data/cohort's 32 tumors and the tumors of three held-out synthetic cohorts (seeds 2031–2033, 32 each).
 * Per node n = 1…6 mm, the largest m of the masks with h in (n − 1, n] (rounded up to 0.01); made
 * non-decreasing in n. The limit is that envelope (linear between nodes, flat outside 1–6 mm) times
 * {@link LIMIT_MARGIN}. None of the 852 lies above it; the ragged suite's 36 masks all do (1.37–12.98).
 * The envelope is only as good as the null's sampling: without the multi-probe and synthetic-cohort
 * tumors the 1 mm and 3 mm nodes would be 0.83 and 1.26 (the 3 mm node is a synthetic cohort's lobulated
 * tumor). Reproduce with `npm run bench -- outline-misfit`.
 * Beyond 6 mm no smooth mask was measured: the 6 mm limit is used.
 *
 * What it costs to be wrong: a smooth mask above the limit is read as drawn, its 0.5 iso-surface, which
 * lies 0.6–1.0 mm inside a smooth surface rasterised on 3–5 mm slices (the margin reads low: the safe
 * direction); a drawn mask below it is read fitted, as the engine reads every mask without the test.
 */
import { median } from "../stats/descriptives.js";

/** Largest outline misfit of the smooth masks (module comment) with coarsest spacing in (n − 1, n] mm, n = 1…6. */
export const SMOOTH_OUTLINE_MISFIT_MAX: readonly number[] = [1.03, 1.03, 1.73, 1.73, 2.3, 4.07];

/** Factor between the smooth masks' largest misfit and the limit. */
export const LIMIT_MARGIN = 1.1;

/** How a tumor mask's surface is read: decided by its outline misfit, or fixed by the user. */
export type TumorOutlineMode = "auto" | "smooth" | "drawn";

/** The outline test's numbers for one tumor mask (RefineStats.tumorOutline, MarginResult.tumorOutline). */
export interface TumorOutlineReading {
  mode: TumorOutlineMode;
  /** The outline misfit m (module comment); NaN when no patch was fitted. */
  misfit: number;
  /** The limit at this grid's coarsest spacing ({@link outlineMisfitLimit}). */
  limit: number;
  /** True when the surface is read as drawn: mode "drawn", or "auto" with misfit above the limit. */
  asDrawn: boolean;
}

/**
 * The outline misfit above which a mask with coarsest spacing `coarsestSpacingMm` is taken as drawn.
 * Example: `outlineMisfitLimit(3)` = 1.1 × 1.73 = 1.903; `outlineMisfitLimit(4.5)` = 1.1 × 2.015.
 */
export function outlineMisfitLimit(coarsestSpacingMm: number): number {
  const nodes = SMOOTH_OUTLINE_MISFIT_MAX;
  const h = Math.min(Math.max(coarsestSpacingMm, 1), nodes.length);
  const i = Math.min(Math.floor(h), nodes.length - 1);
  const f = h - i;
  const envelope = f === 0 ? nodes[i - 1] : (1 - f) * nodes[i - 1] + f * nodes[i];
  return LIMIT_MARGIN * envelope;
}

/** The outline test's decision (module comment) from the patches' in-plane ratios (NaN entries are skipped). */
export function tumorOutlineReading(
  mode: TumorOutlineMode,
  patchRatios: ArrayLike<number>,
  coarsestSpacingMm: number,
): TumorOutlineReading {
  const finite = Array.from(patchRatios).filter(Number.isFinite);
  const misfit = finite.length === 0 ? Number.NaN : median(finite);
  const limit = outlineMisfitLimit(coarsestSpacingMm);
  return { mode, misfit, limit, asDrawn: mode === "drawn" || (mode === "auto" && misfit > limit) };
}

/** How measureMargins' warning that a tumor was read as drawn begins (for readers that count them). */
export const DRAWN_OUTLINE_WARNING = "the tumor outline looks drawn slice by slice";

/**
 * The warning for a tumor whose outline test says drawn (null when it says smooth, or when the user
 * fixed the reading to "drawn"): read as drawn in mode "auto", or read smooth as the user asked.
 */
export function tumorOutlineWarning(reading: TumorOutlineReading, coarsestSpacingMm: number): string | null {
  if (!(reading.misfit > reading.limit) || reading.mode === "drawn") return null;
  const evidence = `${DRAWN_OUTLINE_WARNING}: its edges do not follow one smooth surface from slice to slice (outline misfit ${reading.misfit.toFixed(2)}; smooth shapes rasterised on ${coarsestSpacingMm.toFixed(2)} mm slices stay below ${reading.limit.toFixed(2)})`;
  return reading.mode === "auto"
    ? `${evidence}, so the margins are measured on the outline as drawn (its voxel edges' midpoints), not on a smooth surface fitted through it; for a mask exported from a smooth 3-D model, choose the smooth reading (tumor outline "smooth"), which reads larger margins`
    : `${evidence}, but it was read as smooth, as asked; the MTM as drawn (mtm_as_drawn_mm) is the reading such masks call for, and is lower`;
}
