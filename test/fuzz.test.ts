/**
 * Seeded fuzzing of every input a user (or a hostile file) hands the pipeline: NIfTI masks (.nii and
 * .nii.gz), ITK transforms, clinical.csv and analyze's cache entries. Each mutant must give a typed error
 * (CryomarginError) or a sane result — never a crash, a hang or a silently wrong value — and a refused
 * analyze must leave its output folder as it was. The library is called in process; the seed fixes every
 * mutant, so a failure names one reproducible input.
 */
import { createHash } from "node:crypto";
import { cpSync, type Dirent, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  checkMarginsJson,
  createRandom,
  marginResultFromJson,
  parseClinicalCsv,
  type Random,
} from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../loaders/cli/main.js";
import { CryomarginError } from "../loaders/errors.js";
import { inverseOrNull } from "../loaders/io/affine.js";
import { decodeNifti, maskFromImage } from "../loaders/io/nifti.js";
import { readTransformFile } from "../loaders/io/transform.js";
import { BALL_CASES, ballCaseFiles, CLINICAL_HEADER, clinicalRow, writeBallCohort } from "./helpers/cohort.js";
import { temporaryFolder } from "./helpers/nifti.js";

const tmp = temporaryFolder("cryomargin-fuzz-");
afterAll(tmp.remove);

/** Mutants per input kind (a few thousand in all; the whole file runs in a few seconds). */
const MUTANTS = { nifti: 1200, transform: 800, clinical: 800, cache: 1200 };
/** No single mutant may take this long (a hang or an unbounded inflate would). */
const MAX_MUTANT_MS = 2000;

/** Values that break parsers: extremes, non-decimal numerals, text where numbers go. */
const NASTY = [
  "0x10",
  "0b11",
  "0o7",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "-0",
  "1e-320",
  "",
  " ",
  "\u0000",
  '"',
  "1,5",
  "९",
  "1_0",
  "-",
  "NA",
];

const pick = <T>(rng: Random, items: readonly T[]): T => items[rng.int(items.length)];

/** Byte-level mutations: flip, overwrite, truncate, duplicate or delete a run of bytes. */
function mutateBytes(rng: Random, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const out = Uint8Array.from(bytes);
  const at = rng.int(Math.max(1, Math.min(focus, out.length)));
  switch (rng.int(6)) {
    case 0:
      out[at] ^= 1 << rng.int(8);
      return out;
    case 1:
      for (let i = at; i < Math.min(out.length, at + 1 + rng.int(8)); i++) out[i] = rng.int(256);
      return out;
    case 2:
      return out.subarray(0, rng.int(out.length));
    case 3: {
      const n = 1 + rng.int(64);
      const copy = new Uint8Array(out.length + n);
      copy.set(out.subarray(0, at));
      copy.set(out.subarray(at, at + n), at);
      copy.set(out.subarray(at), at + Math.min(n, out.length - at));
      return copy;
    }
    case 4:
      return Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + rng.int(16))]);
    default:
      out.fill(pick(rng, [0, 0xff, 0x7f, 0x80]), at, at + 1 + rng.int(4));
      return out;
  }
}

/** Sets a NIfTI-1 header field to an extreme value (dims, datatype, bitpix, pixdim, vox_offset, slope, codes, srow). */
function mutateNiftiHeader(rng: Random, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  const int16 = [0, 1, -1, 2, 3, 4, 7, 8, 16, 64, 128, 256, 512, 768, 1024, 2304, 32767, -32768];
  const float = [0, -1, 1e-30, 1e30, Number.NaN, Number.POSITIVE_INFINITY, -0.5, 3.4e38, 348, 351, 352, 1e9];
  switch (rng.int(8)) {
    case 0: // dim[0..7]
      view.setInt16(40 + 2 * rng.int(8), pick(rng, int16), true);
      break;
    case 1: // datatype, bitpix
      view.setInt16(70 + 2 * rng.int(2), pick(rng, int16), true);
      break;
    case 2: // pixdim[0..7]
      view.setFloat32(76 + 4 * rng.int(8), pick(rng, float), true);
      break;
    case 3: // vox_offset
      view.setFloat32(108, pick(rng, float), true);
      break;
    case 4: // scl_slope, scl_inter
      view.setFloat32(112 + 4 * rng.int(2), pick(rng, float), true);
      break;
    case 5: // qform_code, sform_code
      view.setInt16(252 + 2 * rng.int(2), pick(rng, int16), true);
      break;
    case 6: // quatern b/c/d, qoffset, srow_x/y/z
      view.setFloat32(256 + 4 * rng.int(18), pick(rng, float), true);
      break;
    default: // sizeof_hdr
      view.setInt32(0, pick(rng, [0, 348, 540, 1 << 24, -348]), rng.next() < 0.5);
  }
  return out;
}

/** Runs `call`, failing the test on anything but a result or a CryomarginError; returns the result or null. */
function typedOrResult<T>(label: string, call: () => T): T | null {
  const start = performance.now();
  try {
    return call();
  } catch (error) {
    if (!(error instanceof CryomarginError))
      throw new Error(`${label}: untyped ${String((error as Error)?.stack ?? error)}`);
    expect(error.message.length, label).toBeGreaterThan(0);
    return null;
  } finally {
    expect(performance.now() - start, `${label}: time`).toBeLessThan(MAX_MUTANT_MS);
  }
}

describe("fuzz: NIfTI masks", () => {
  it(`${MUTANTS.nifti} mutants of .nii and .nii.gz: a typed error or a sane mask`, async () => {
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const rng = createRandom(0xf022);
    const gz = ballCaseFiles(BALL_CASES[0]).tumor;
    const raw = gunzipSync(gz);
    let refused = 0;
    for (let m = 0; m < MUTANTS.nifti; m++) {
      const kind = m % 4;
      // header fields of a .nii; bytes of a .nii (header region mostly); header fields re-gzipped; gzip bytes
      const bytes =
        kind === 0
          ? mutateNiftiHeader(rng, raw)
          : kind === 1
            ? mutateBytes(rng, raw, rng.next() < 0.8 ? 352 : raw.length)
            : kind === 2
              ? gzipSync(mutateNiftiHeader(rng, raw), { level: 1 })
              : mutateBytes(rng, gz);
      const label = `nifti mutant ${m} (kind ${kind})`;
      const mask = typedOrResult(label, () => maskFromImage(decodeNifti(bytes, "m.nii.gz", { maxImageMb: 64 })).mask);
      if (mask === null) {
        refused++;
        continue;
      }
      const [nx, ny, nz] = mask.dims;
      expect(mask.data.length, label).toBe(nx * ny * nz);
      expect(mask.voxelToWorld.every(Number.isFinite), label).toBe(true);
      expect(inverseOrNull(mask.voxelToWorld), label).not.toBeNull();
      expect(mask.data.every((v) => v === 0 || v === 1) && mask.data.some((v) => v === 1), label).toBe(true);
    }
    // the mutations reach both outcomes
    expect(refused).toBeGreaterThan(MUTANTS.nifti / 10);
    expect(refused).toBeLessThan(MUTANTS.nifti);
  });
});

describe("fuzz: ITK transforms", () => {
  it(`${MUTANTS.transform} mutants of .tfm files: a typed error or a finite rigid matrix`, () => {
    const rng = createRandom(0x7f3);
    const bases = [
      ballCaseFiles(BALL_CASES[0]).tfm,
      "#Insight Transform File V1.0\n#Transform 0\nTransform: Euler3DTransform_double_3_3\nParameters: 0.1 -0.2 0.3 4 5 6\nFixedParameters: 1 2 3 0\n",
      "#Insight Transform File V1.0\n#Transform 0\nTransform: VersorRigid3DTransform_double_3_3\nParameters: 0.1 0.2 0.1 -3 2 1\nFixedParameters: 0 0 0\n",
      "#Insight Transform File V1.0\n#Transform 0\nTransform: CompositeTransform_double_3_3\n#Transform 1\nTransform: TranslationTransform_double_3_3\nParameters: 1 2 3\nFixedParameters:\n",
    ];
    let refused = 0;
    for (let m = 0; m < MUTANTS.transform; m++) {
      const base = pick(rng, bases);
      let text: string;
      const lines = base.split("\n");
      const tokens = base.split(/(\s+)/);
      switch (m % 4) {
        case 0: {
          // a number replaced by a nasty word
          const numeric = tokens.map((t, i) => (/^-?\d/.test(t) ? i : -1)).filter((i) => i >= 0);
          tokens[pick(rng, numeric)] = pick(rng, NASTY);
          text = tokens.join("");
          break;
        }
        case 1: {
          // a line duplicated, deleted or moved
          const i = rng.int(lines.length);
          const op = rng.int(3);
          if (op === 0) lines.splice(i, 0, lines[i]);
          else if (op === 1) lines.splice(i, 1);
          else lines.splice(rng.int(lines.length), 0, ...lines.splice(i, 1));
          text = lines.join("\n");
          break;
        }
        case 2:
          text = Buffer.from(mutateBytes(rng, Buffer.from(base))).toString("latin1");
          break;
        default:
          // the transform type swapped
          text = base.replace(
            /Transform: \w+/,
            `Transform: ${pick(rng, ["AffineTransform_double_3_3", "Similarity3DTransform_double_3_3", "Euler3DTransform_float_3_3", "BSplineTransform_double_3_3", "Euler3DTransform_double_2_2", ""])}`,
          );
      }
      const path = join(tmp.dir, `m${m % 16}.tfm`);
      writeFileSync(path, text);
      const matrix = typedOrResult(`transform mutant ${m}: ${JSON.stringify(text)}`, () => readTransformFile(path));
      if (matrix === null) {
        refused++;
        continue;
      }
      expect(matrix.every(Number.isFinite), text).toBe(true);
      expect(inverseOrNull(matrix), text).not.toBeNull();
    }
    expect(refused).toBeGreaterThan(MUTANTS.transform / 10);
    expect(refused).toBeLessThan(MUTANTS.transform);
  });
});

describe("fuzz: clinical.csv", () => {
  it(`${MUTANTS.clinical} mutants: every problem named, every record complete, never a throw`, () => {
    const rng = createRandom(0xc5f);
    const base = [CLINICAL_HEADER, ...BALL_CASES.map((s, i) => clinicalRow(s, i))].join("\n");
    let withErrors = 0;
    for (let m = 0; m < MUTANTS.clinical; m++) {
      let text: string;
      const rows = base.split("\n");
      switch (m % 4) {
        case 0: {
          // one cell replaced by a nasty word
          const r = 1 + rng.int(rows.length - 1);
          const cells = rows[r].split(",");
          cells[rng.int(cells.length)] = pick(rng, NASTY);
          rows[r] = cells.join(",");
          text = rows.join("\n");
          break;
        }
        case 1: {
          // rows duplicated, deleted or emptied; the header cut
          const r = rng.int(rows.length);
          const op = rng.int(4);
          if (op === 0) rows.splice(r, 0, rows[r]);
          else if (op === 1) rows.splice(r, 1);
          else if (op === 2) rows[r] = "";
          else rows[0] = rows[0].split(",").slice(0, rng.int(18)).join(",");
          text = rows.join("\n");
          break;
        }
        case 2:
          text = Buffer.from(mutateBytes(rng, Buffer.from(base))).toString("utf8");
          break;
        default:
          // separators, BOM, quotes, line endings
          text = pick(rng, [
            () => base.replaceAll(",", ";"),
            () => `\ufeff${base}`,
            () => base.replaceAll("\n", "\r\n"),
            () => base.replace(/,/g, (c) => (rng.next() < 0.1 ? '"' : c)),
            () => base.replaceAll(",", rng.next() < 0.5 ? ";" : "\t"),
          ])();
      }
      const start = performance.now();
      const parsed = parseClinicalCsv(text);
      expect(performance.now() - start).toBeLessThan(MAX_MUTANT_MS);
      for (const p of parsed.problems) expect(p.message.startsWith("clinical.csv"), p.message).toBe(true);
      for (const r of parsed.records) {
        expect(Number.isFinite(r.followupMonths) && r.followupMonths >= 0, text).toBe(true);
        expect(r.caseId, text).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
        if (r.ltp) expect(r.monthsToLtp !== null && r.monthsToLtp <= r.followupMonths, text).toBe(true);
      }
      if (parsed.problems.some((p) => p.severity === "error")) withErrors++;
    }
    expect(withErrors).toBeGreaterThan(MUTANTS.clinical / 10);
  });
});

/** Every file under a folder with the hash of its bytes (the folder's state). */
function folderState(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map(
      (e) =>
        `${join(e.parentPath, e.name)} ${createHash("sha256")
          .update(readFileSync(join(e.parentPath, e.name)))
          .digest("hex")}`,
    )
    .sort();
}

/** Runs `cryomargin ARGS` in this process, quietly; resolves to the exit code. */
async function cli(...args: string[]): Promise<number> {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return await main(args);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("fuzz: analyze's cache entries, and refused runs", () => {
  const cohort = join(tmp.dir, "cohort");
  const out = join(tmp.dir, "results");
  beforeAll(async () => {
    writeBallCohort(cohort, BALL_CASES);
    expect(await cli("analyze", cohort, "--out", out, "--quiet")).toBe(0);
  });

  it(`${MUTANTS.cache} mutants of a cache entry: checkMarginsJson accepts only entries the plan can read`, () => {
    const cacheDir = join(out, ".cache", "margins");
    const entry = readFileSync(join(cacheDir, readdirSync(cacheDir)[0]), "utf8");
    const good = JSON.parse(entry);
    const rng = createRandom(0xcac4e);
    const values = [
      null,
      true,
      "x",
      -1,
      2,
      0.5,
      Number.POSITIVE_INFINITY,
      [],
      {},
      [1, 2, 3],
      Number.NaN,
      "right-anterior-superior",
    ];
    let accepted = 0;
    for (let m = 0; m < MUTANTS.cache; m++) {
      let text: string;
      if (m % 3 === 2) text = Buffer.from(mutateBytes(rng, Buffer.from(entry))).toString("utf8");
      else {
        const json = structuredClone(good);
        // a key of the entry, its coverage or one octant: deleted or given a wrong value
        const holder = pick(rng, [json, json.coverage, pick(rng, json.octants as object[])]) as Record<string, unknown>;
        const key = pick(rng, Object.keys(holder));
        if (m % 3 === 0) delete holder[key];
        else holder[key] = pick(rng, values);
        text = JSON.stringify(json);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue; // not JSON: the reader counts it absent before checking its shape
      }
      const checked = checkMarginsJson(parsed);
      if ("problem" in checked) continue;
      accepted++;
      const margins = marginResultFromJson(checked.json);
      expect(Number.isFinite(margins.mtmMm) && Number.isFinite(margins.tumorMaxDiameterMm), text).toBe(true);
      expect(margins.octants.length, text).toBe(8);
    }
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(MUTANTS.cache / 2);
  });

  it("analyze with every cache entry mutated re-measures and succeeds; refused runs change nothing in OUT", async () => {
    const rng = createRandom(0xa11);
    const cacheDir = join(out, ".cache", "margins");
    for (const name of readdirSync(cacheDir)) {
      const path = join(cacheDir, name);
      writeFileSync(path, mutateBytes(rng, readFileSync(path)));
    }
    expect(await cli("analyze", cohort, "--out", out, "--quiet")).toBe(0);
    // refused runs: one case's mask replaced by a refused NIfTI mutant, its row by a bad one
    const before = folderState(out);
    const gz = ballCaseFiles(BALL_CASES[1]).tumor;
    for (let m = 0; m < 4; m++) {
      const broken = join(tmp.dir, `broken-${m}`);
      cpSync(cohort, broken, { recursive: true });
      writeFileSync(join(broken, "cases", "b02", "tumor.nii.gz"), mutateBytes(rng, gz).subarray(0, 40 + m));
      const csv = readFileSync(join(broken, "clinical.csv"), "utf8").replace(",30,0,", `,${pick(rng, NASTY)},0,`);
      writeFileSync(join(broken, "clinical.csv"), csv);
      expect(await cli("analyze", broken, "--out", out, "--quiet")).toBe(1);
      expect(folderState(out)).toEqual(before);
    }
  });
});
