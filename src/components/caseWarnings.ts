/**
 * A case's margin warnings as a reader of the case page wants them. The margin engine ends the warnings
 * about an uncertain minimum (a concave crease of the ice ball, a surface it could not model) with the
 * interval the masks allow, quoted with its JSON key for `cryomargin margins` users: "…: the masks allow
 * an MTM from -0.35 to 3.40 mm (mtm_mask_range_mm)". The case page states that interval once, in mm, in
 * its summary; here each warning loses the quoted interval and becomes a sentence.
 *
 * Example: readerWarnings(["x may read high: the masks allow an MTM from 1.00 to 2.00 mm (mtm_mask_range_mm)"], true)
 *   → { sentences: ["X may read high."], quotesMaskRange: true }
 */

/** The engine's clause quoting the mask range, with the separator before it (analysis/src/margin/measure.ts). */
const MASK_RANGE_CLAUSE =
  /\s*[:;,]?\s*the masks allow an MTM from -?\d+(?:\.\d+)? to -?\d+(?:\.\d+)? mm \(mtm_mask_range_mm\)/;

/** A JSON key in parentheses, as the engine quotes it: " (mtm_mask_range_mm)". */
const QUOTED_KEY = /\s*\(mtm_mask_range_mm\)/g;

/**
 * The warnings as sentences. `rangeShown`: the page states the mask range itself, so a warning's quote
 * of it is dropped; otherwise the quote stays, without its JSON key.
 */
export function readerWarnings(
  warnings: readonly string[],
  rangeShown: boolean,
): { sentences: string[]; quotesMaskRange: boolean } {
  let quotesMaskRange = false;
  const sentences = warnings.map((warning) => {
    let text = warning;
    if (MASK_RANGE_CLAUSE.test(text)) {
      quotesMaskRange = true;
      if (rangeShown) text = text.replace(MASK_RANGE_CLAUSE, "");
    }
    text = text.replace(QUOTED_KEY, "").trim();
    if (text.length === 0) return text;
    return `${text[0].toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;
  });
  return { sentences: sentences.filter((s) => s.length > 0), quotesMaskRange };
}
