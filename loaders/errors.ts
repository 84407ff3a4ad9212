/**
 * Errors a user can meet. Each names the file, case or field that is wrong; the CLI prints the message
 * and exits 1 (2 for usage errors). Anything else escaping is a bug and prints a stack trace.
 */
export class CryomarginError extends Error {
  override name = "CryomarginError";
}

/** The command line itself is wrong: unknown command or option, missing or malformed value. Exit 2. */
export class CliUsageError extends CryomarginError {
  override name = "CliUsageError";
}
