/** Exit codes of every command (documented in the README). */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * What went wrong, for scripts (`--json` errors): `usage` (exit 2), `not-found` (no such recovery),
 * `refused` (an operator act the recovery refused), `unreachable` (Temporal), `failed` (anything else).
 */
export type CliErrorCode = 'usage' | 'not-found' | 'refused' | 'unreachable' | 'failed';

/** An error the CLI prints as one line (plus an optional hint) before exiting with `exitCode`. */
export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
    readonly hint?: string,
    code?: CliErrorCode,
  ) {
    super(message);
    this.name = 'CliError';
    this.code = code ?? (exitCode === ExitCode.usage ? 'usage' : 'failed');
  }
}
