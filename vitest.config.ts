import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import SiteBuildFirstSequencer from "./test/sequencer.js";

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the analysis package, not its compiled dist/.
    alias: { "@cryomargin/analysis": fileURLToPath(new URL("./analysis/src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts", "analysis/src/**/*.test.ts", "loaders/**/*.test.ts"],
    // Builds build/loaders (tsc -b) first: the CLI tests spawn the compiled command.
    globalSetup: ["./test/global-setup.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    // One test file per core. Vitest's default leaves a core to its own main process (cores − 1), which on
    // a 2-core machine runs every file one after another; the main process is idle while tests run.
    maxWorkers: availableParallelism(),
    // The site build starts first and the browser files that need it run last (test/sequencer.ts).
    sequence: { sequencer: SiteBuildFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
