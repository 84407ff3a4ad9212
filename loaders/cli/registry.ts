/**
 * The subcommands of `cryomargin`, in the order `--help` lists them. Each entry names its command and
 * summary here and loads the command's module only when that command runs (`load`), so `--help`, a
 * usage error or one command never pays for the others' imports (vega-lite, arquero, the margin engine).
 */

export interface Subcommand {
  name: string;
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

export interface SubcommandEntry {
  name: string;
  /** One line for `cryomargin --help`. */
  summary: string;
  /** Imports the command's module. */
  load(): Promise<Subcommand>;
}

export const subcommands: SubcommandEntry[] = [
  {
    name: "stats",
    summary: "run one statistical test or survival model on any CSV (km, logrank, cox, mann-whitney, fisher, ...)",
    load: async () => (await import("./stats.js")).statsCommand,
  },
  {
    name: "margins",
    summary: "measure the minimal treatment margin, octants and volumes from tumor and ice-ball masks",
    load: async () => (await import("./margins.js")).marginsCommand,
  },
  {
    name: "register",
    summary: "register the post-ablation scan to the pre-ablation scan (rigid, elastix, local to the tumor)",
    load: async () => (await import("./register.js")).registerCommand,
  },
  {
    name: "synth",
    summary: "generate the calibrated synthetic cohort (a digital twin of the paper)",
    load: async () => (await import("./synth.js")).synthCommand,
  },
  {
    name: "analyze",
    summary: "run the paper's analysis plan on a cohort folder: tables, figures, reproduction report",
    load: async () => (await import("./analyze.js")).analyzeCommand,
  },
  {
    name: "validate",
    summary: "check a cohort folder and list every problem found",
    load: async () => (await import("./validate.js")).validateCommand,
  },
  {
    name: "segment",
    summary: "segment the tumor from outlines on a few slices, or the ice ball from seed points",
    load: async () => (await import("./segment.js")).segmentCommand,
  },
];
