import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
