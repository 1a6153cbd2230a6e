/** Exit codes of every command (documented in the README). */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** An error the CLI prints as one line (plus an optional hint) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
