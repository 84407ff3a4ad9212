// Entry of the study loader's worker threads: workers do not inherit tsx's module hooks from the main
// thread, so register them here (same tsconfig: TSX_TSCONFIG_PATH is inherited), then load the worker.
import { register } from "tsx/esm/api";

register();
await import("./caseWorker.ts");
