/**
 * Colours of the case pages and the cohort's thumbnails. Coverage classes (analysis/src/margin/measure.ts):
 * green margin ≥ t, yellow 0 ≤ margin < t, red margin < 0. The standard palette is the report's figures'
 * (COVERAGE_COLORS); the colour-blind-safe one takes blue, yellow and vermillion from Okabe & Ito's
 * palette (2008), which differ in hue and in lightness for every common colour-vision deficiency.
 * Outlines use colours that are not coverage colours, so "tumor outline" never reads as "margin ≥ t".
 */
import { COVERAGE_COLORS } from "@cryomargin/analysis";

export type PaletteName = "standard" | "colorblind";

/** Class colours, "#rrggbb", in class order green, yellow, red. */
export const COVERAGE_PALETTES: Record<PaletteName, { green: string; yellow: string; red: string; label: string }> = {
  standard: { ...COVERAGE_COLORS, label: "green / yellow / red" },
  colorblind: {
    green: "#0072b2",
    yellow: "#f0e442",
    red: "#d55e00",
    label: "colour-blind safe (blue / yellow / vermillion)",
  },
};

/** Outline colours on the slices: tumor magenta, ice ball cyan, the minimum-margin point white. */
export const OUTLINE_COLORS = { tumor: "#ff4dd2", iceball: "#00e5ff", minMarginPoint: "#ffffff" } as const;

/** Colour of surface without a margin (outside the post-ablation scan). */
export const NO_MARGIN_COLOR = "#9e9e9e";

/** "#rrggbb" → [r, g, b] in 0–255. */
export function rgbOf(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}
