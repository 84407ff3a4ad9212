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
    // A worker runs its files one after another in one process and imports each module once (vitest's
    // default starts a fresh module graph per file, which imports the analysis package's sources again
    // for each of the suite's files). Test files keep no state between them: no test mocks a module or
    // changes the environment, and the stdout/stderr spies of the in-process CLI tests are restored.
    isolate: false,
    // The site build starts first and the browser files that need it run last (test/sequencer.ts).
    sequence: { sequencer: SiteBuildFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
