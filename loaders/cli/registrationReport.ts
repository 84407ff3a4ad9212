/**
 * What `analyze` and `margins --cohort` say about the registrations they make for cases without
 * registration.tfm: a progress bar of its own while registering, and one summary line.
 */
import { join } from "node:path";
import { type CaseRegistration, REGISTRATIONS_PATH } from "../cohort/cohortRegistration.js";
import { type ProgressCallback, terminalProgressBar } from "./progress.js";

/** The progress bar shown while cases are registered (each line labelled "register <case_id>"). */
export function registrationProgressBar(quiet = false): ProgressCallback | undefined {
  const bar = terminalProgressBar(quiet);
  return bar && ((done, total, caseId) => bar(done, total, `register ${caseId}`));
}

/**
 * "registration: 2 of 6 cases registered by cryomargin (1 from cache) → OUT/registrations/<case_id>.tfm;
 * the other 4 use their registration.tfm", or nothing when no case was registered.
 */
export function registrationSummary(
  registered: ReadonlyMap<string, CaseRegistration>,
  cases: number,
  outDir: string,
): string[] {
  if (registered.size === 0) return [];
  const fromCache = [...registered.values()].filter((r) => r.fromCache).length;
  const others = cases - registered.size;
  return [
    `registration: ${registered.size} of ${cases} cases registered by cryomargin (${fromCache} from cache) → ` +
      `${join(outDir, REGISTRATIONS_PATH, "<case_id>.tfm")}` +
      (others === 1
        ? "; the other case uses its registration.tfm"
        : others > 1
          ? `; the other ${others} use their registration.tfm`
          : ""),
  ];
}
