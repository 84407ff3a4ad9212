/**
 * `cryomargin segment tumor|iceball`: semi-automatic segmentation of the tumor (from outlines drawn on
 * a few slices) or of the ice ball (from seed points). Prints the JSON record (volume, method,
 * parameters, quality) on stdout and a one-line summary on stderr.
 *
 * Exit codes: 0 written; 1 a problem with the files or seeds (nothing written); 2 a usage error.
 */
import { parseDecimalNumber, type Vec3 } from "@cryomargin/analysis";
import { CliUsageError } from "../errors.js";
import { segmentIceballFiles, segmentTumorFiles } from "../segment/segmentFiles.js";
import { numberOption, type OptionSpec, parseCommandArgs, stringOption } from "./args.js";
import type { Subcommand } from "./registry.js";

export const segmentUsage = [
  "Usage: cryomargin segment tumor   --image PRE.nii.gz --scribbles DRAWN.nii.gz --out TUMOR.nii.gz [--band-mm MM]",
  "       cryomargin segment iceball --image POST.nii.gz --seed x,y,z [--seed x,y,z ...] --out ICEBALL.nii.gz",
  "",
  "tumor:   DRAWN holds the tumor outlined (filled, value > 0) on a few slices of PRE, in any orientation,",
  "         on PRE's grid. The outlines are interpolated between slices (morphological contour",
  "         interpolation) and the border refined to PRE's edges within a band around the interpolated",
  "         surface; drawn voxels never move.",
  "iceball: the ice ball is a signal void. A threshold is estimated from POST (Otsu within --box-mm of",
  "         the seeds), the dark region grown from the seeds (RAS mm, as a viewer shows them), holes",
  "         filled, probe shafts cut at the ice-ball surface, one connected component kept.",
  "",
  "Options:",
  "  --image FILE      the scan (NIfTI, NRRD, MetaImage or a DICOM series folder)",
  "  --out FILE        the mask to write (NIfTI, gzipped when it ends in .gz), on the scan's grid",
  "  --scribbles FILE  (tumor) the drawn outlines (any mask format, on the scan's grid)",
  "  --band-mm MM      (tumor) half-width of the refinement band (default 2 × the largest voxel spacing)",
  "  --seed x,y,z      (iceball) a point in the ice ball, world RAS mm; repeat for more",
  "  --box-mm MM       (iceball) the threshold box reaches MM beyond the seeds (default 40)",
  "  --opening-mm MM   (iceball) radius of the opening that cuts the shafts (default 1.25 × largest spacing)",
].join("\n");

const options: OptionSpec = {
  image: { type: "string" },
  scribbles: { type: "string" },
  out: { type: "string" },
  "band-mm": { type: "string" },
  seed: { type: "string", multiple: true },
  "box-mm": { type: "string" },
  "opening-mm": { type: "string" },
};

function required(values: Record<string, unknown>, name: string): string {
  const v = stringOption(values as never, name);
  if (v === undefined) throw new CliUsageError(`segment needs --${name}`);
  return v;
}

function positiveMm(values: Record<string, unknown>, name: string): number | undefined {
  const text = stringOption(values as never, name);
  if (text === undefined) return undefined;
  const mm = numberOption(text, name, 0);
  if (!(mm > 0)) throw new CliUsageError(`--${name} must be > 0 mm, got ${text}`);
  return mm;
}

/** "x,y,z" → a point, or a usage error naming the seed. */
function parseSeed(text: string): Vec3 {
  const parts = text.split(",").map(parseDecimalNumber);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x)) || text.split(",").some((s) => s.trim() === ""))
    throw new CliUsageError(`--seed must be x,y,z in mm (three numbers), got '${text}'`);
  return [parts[0], parts[1], parts[2]];
}

export async function runSegment(args: string[]): Promise<number> {
  const [target, ...rest] = args;
  if (target !== "tumor" && target !== "iceball")
    throw new CliUsageError(`segment needs 'tumor' or 'iceball' first${target ? `, got '${target}'` : ""}`);
  // "--seed -73,12,5": a value starting with a minus sign would read as an option; join it to its flag.
  const joined = rest.flatMap((arg, i) =>
    arg === "--seed" && /^-\d|^-\./.test(rest[i + 1] ?? "")
      ? []
      : i > 0 && rest[i - 1] === "--seed" && /^-\d|^-\./.test(arg)
        ? [`--seed=${arg}`]
        : [arg],
  );
  const { values } = parseCommandArgs(joined, options);
  const only = target === "tumor" ? ["seed", "box-mm", "opening-mm"] : ["scribbles", "band-mm"];
  for (const name of only)
    if (values[name] !== undefined) throw new CliUsageError(`--${name} is not an option of segment ${target}`);
  const image = required(values, "image");
  const out = required(values, "out");
  if (target === "tumor") {
    const record = segmentTumorFiles(
      { image, scribbles: required(values, "scribbles"), out },
      { bandMm: positiveMm(values, "band-mm") },
    );
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    process.stderr.write(
      `tumor ${record.volume_ml.toFixed(2)} ml (interpolated ${record.quality.interpolated_volume_ml.toFixed(2)} ml; refinement +${record.quality.voxels_added_by_refinement} / −${record.quality.voxels_removed_by_refinement} voxels; contrast-to-noise ${record.quality.contrast_to_noise}) → ${out}\n`,
    );
    return 0;
  }
  const seeds = (values.seed as string[] | undefined) ?? [];
  if (seeds.length === 0) throw new CliUsageError("segment iceball needs at least one --seed x,y,z");
  const record = segmentIceballFiles({ image, out }, seeds.map(parseSeed), {
    boxMarginMm: positiveMm(values, "box-mm"),
    openingRadiusMm: positiveMm(values, "opening-mm"),
  });
  process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  process.stderr.write(
    `ice ball ${record.volume_ml.toFixed(2)} ml (threshold ${record.parameters.threshold}, Otsu separability ${record.quality.otsu_separability}; ${record.quality.voxels_cut_by_opening} shaft voxels cut) → ${out}\n`,
  );
  for (const warning of record.warnings) process.stderr.write(`warning: ${warning}\n`);
  return 0;
}

export const segmentCommand: Subcommand = {
  name: "segment",
  usage: segmentUsage,
  run: runSegment,
};
