/**
 * The categorical half of the paper cohort's design: who is in which outcome group, with which sex,
 * ASA class, side, location, site, histology, RENAL category, prior ablation and complication — every
 * count of Tables 1 and 2 exactly, assigned to rows by a seeded shuffle.
 *
 * The paper's counts are tumor counts in Table 2 (20 male / 12 female, ASA II 19 / III 13) and patient
 * counts in Table 1 (20 / 10, 17 / 13): both hold when the two patients with two treated tumors are
 * female and ASA II. Those two patients are (from the Methods) one re-ablation of a local recurrence —
 * an LTP row and, later, a re-ablation row of the same tumor site — and one patient treated in two
 * sessions for bilateral tumors. Special rows:
 * - figure4: the local-control example of Fig. 4 (left, interpolar, 3.5 cm, MTM 4 mm);
 * - figure5: the LTP example of Fig. 5 (right, lower pole, 4.2 cm, MTM −6 mm, regrowth on the medial side);
 * - negativeControl: the one negative MTM without LTP (clear-cell RCC, Discussion);
 * - ltpRetreated / reablation: the re-ablated patient's two rows; bilateral1/2: the bilateral patient's.
 */
import type { ClinicalCode } from "../cohort/schema.js";
import type { Random } from "../stats/random.js";
import { shuffled } from "./sampling.js";

export type CaseRole =
  | "figure4"
  | "figure5"
  | "negativeControl"
  | "ltpRetreated"
  | "reablation"
  | "bilateral1"
  | "bilateral2"
  | "plain";

export type RenalCategoryCode = "low" | "moderate" | "high";

/** The categorical design of one row (tumor). */
export interface ClinicalDesign {
  role: CaseRole;
  ltp: boolean;
  /** Rows with the same patientKey belong to one patient. */
  patientKey: number;
  sex: ClinicalCode<"sex">;
  asa: ClinicalCode<"asa">;
  side: ClinicalCode<"side">;
  location: ClinicalCode<"location">;
  site: ClinicalCode<"site">;
  histology: ClinicalCode<"histology">;
  renalCategory: RenalCategoryCode;
  priorAblation: boolean;
  majorComplication: boolean;
}

/** Counts of each level, in a fixed level order. */
type Counts<T extends string> = readonly (readonly [T, number])[];

/** The multiset of a Counts, in level order. */
function expand<T extends string>(counts: Counts<T>): T[] {
  return counts.flatMap(([level, n]) => Array<T>(n).fill(level));
}

/** Removes one occurrence of each of `used` from `pool` (throws if absent: the design would be inconsistent). */
function take<T>(pool: T[], used: readonly T[]): T[] {
  const out = [...pool];
  for (const u of used) {
    const i = out.indexOf(u);
    if (i < 0) throw new Error(`design: no '${String(u)}' left to assign`);
    out.splice(i, 1);
  }
  return out;
}

/**
 * Assigns the levels of `counts` to `rows`: rows with a value in `fixed` keep it, the rest get the
 * remaining levels in shuffled order.
 */
function assign<T extends string>(
  rng: Random,
  rows: readonly number[],
  counts: Counts<T>,
  fixed: ReadonlyMap<number, T>,
): Map<number, T> {
  const free = rows.filter((r) => !fixed.has(r));
  const pool = shuffled(rng, take(expand(counts), [...fixed.values()]));
  if (pool.length !== free.length) throw new Error(`design: ${pool.length} levels for ${free.length} rows`);
  const out = new Map(fixed);
  free.forEach((r, i) => {
    out.set(r, pool[i]);
  });
  return out;
}

/**
 * The 32 rows of the paper cohort (6 LTP first, then 26 local control), counts exactly as Tables 1–2.
 * Row order here is the design's; the generator shuffles the file order later.
 */
export function paperClinicalDesign(rng: Random): ClinicalDesign[] {
  const ltpRows = [0, 1, 2, 3, 4, 5];
  const controlRows = Array.from({ length: 26 }, (_, i) => 6 + i);
  const all = [...ltpRows, ...controlRows];
  const role = new Map<number, CaseRole>([
    [0, "figure5"],
    [1, "ltpRetreated"],
    [6, "figure4"],
    [7, "negativeControl"],
    [8, "reablation"],
    [9, "bilateral1"],
    [10, "bilateral2"],
  ]);
  const femaleAsaII = new Map<number, "female">([
    [1, "female"],
    [8, "female"],
    [9, "female"],
    [10, "female"],
  ]);
  const sex = new Map([
    ...assign(
      rng,
      ltpRows,
      [
        ["male", 3],
        ["female", 3],
      ],
      new Map([...femaleAsaII].filter(([r]) => r < 6)),
    ),
    ...assign(
      rng,
      controlRows,
      [
        ["male", 17],
        ["female", 9],
      ],
      new Map([...femaleAsaII].filter(([r]) => r >= 6)),
    ),
  ]);
  const asaFixed = new Map([...femaleAsaII.keys()].map((r) => [r, "II" as const]));
  const asa = new Map([
    ...assign(
      rng,
      ltpRows,
      [
        ["II", 2],
        ["III", 4],
      ],
      new Map([...asaFixed].filter(([r]) => r < 6)),
    ),
    ...assign(
      rng,
      controlRows,
      [
        ["II", 17],
        ["III", 9],
      ],
      new Map([...asaFixed].filter(([r]) => r >= 6)),
    ),
  ]);
  const renal = new Map([
    ...assign<RenalCategoryCode>(
      rng,
      ltpRows,
      [
        ["low", 2],
        ["moderate", 3],
        ["high", 1],
      ],
      new Map(),
    ),
    ...assign<RenalCategoryCode>(
      rng,
      controlRows,
      [
        ["low", 18],
        ["moderate", 8],
        ["high", 0],
      ],
      new Map(),
    ),
  ]);
  // Histology: the LTP biopsies were RCC in 4, oncocytoma/mixed in 1, inconclusive in 1 (Results); the
  // negative margin without LTP was a clear-cell RCC (Discussion); a re-ablation has its first tumor's.
  const histology = new Map([
    ...assign<ClinicalCode<"histology">>(
      rng,
      ltpRows,
      [
        ["clear_cell_rcc", 3],
        ["papillary_rcc", 1],
        ["oncocytoma_or_mixed", 1],
        ["inconclusive_biopsy", 1],
      ],
      new Map([[1, "clear_cell_rcc"]]),
    ),
    ...assign<ClinicalCode<"histology">>(
      rng,
      controlRows,
      [
        ["clear_cell_rcc", 11],
        ["papillary_rcc", 2],
        ["chromophobe_rcc", 2],
        ["inconclusive_biopsy", 6],
        ["no_histopathology", 5],
      ],
      new Map([
        [7, "clear_cell_rcc"],
        [8, "clear_cell_rcc"],
      ]),
    ),
  ]);
  // Side, location, site: whole-cohort counts; the re-ablation repeats its first tumor's, the bilateral
  // patient has one of each side, the figure cases are as their captions.
  const locked = [0, 1, 6, 8, 9, 10];
  const side = assign<ClinicalCode<"side">>(
    rng,
    all,
    [
      ["left", 16],
      ["right", 16],
    ],
    new Map([
      [0, "right"],
      [6, "left"],
      [9, "left"],
      [10, "right"],
    ]),
  );
  copyLevel(side, 1, 8, all, locked);
  const location = assign<ClinicalCode<"location">>(
    rng,
    all,
    [
      ["upper_pole", 7],
      ["interpolar", 11],
      ["lower_pole", 14],
    ],
    new Map([
      [0, "lower_pole"],
      [6, "interpolar"],
    ]),
  );
  copyLevel(location, 1, 8, all, locked);
  const site = assign<ClinicalCode<"site">>(
    rng,
    all,
    [
      ["anterior", 13],
      ["posterior", 19],
    ],
    new Map(),
  );
  copyLevel(site, 1, 8, all, locked);
  const complication = new Set(shuffled(rng, all).slice(0, 2));
  return all.map((r) => ({
    role: role.get(r) ?? "plain",
    ltp: r < 6,
    patientKey: r === 8 ? 1 : r === 10 ? 9 : r,
    sex: sex.get(r)!,
    asa: asa.get(r)!,
    side: side.get(r)!,
    location: location.get(r)!,
    site: site.get(r)!,
    histology: histology.get(r)!,
    renalCategory: renal.get(r)!,
    priorAblation: r === 8,
    majorComplication: complication.has(r),
  }));
}

/**
 * Gives row `to` the level of row `from` while keeping every level's count: the level `to` had moves to
 * a row (not in `locked`) that held `from`'s level — a swap.
 */
function copyLevel<T extends string>(
  values: Map<number, T>,
  from: number,
  to: number,
  rows: readonly number[],
  locked: readonly number[],
): void {
  const wanted = values.get(from)!;
  const had = values.get(to)!;
  if (wanted === had) return;
  const other = rows.find((r) => r !== from && r !== to && !locked.includes(r) && values.get(r) === wanted);
  if (other === undefined) throw new Error("design: no row to swap a linked level with");
  values.set(other, had);
  values.set(to, wanted);
}
