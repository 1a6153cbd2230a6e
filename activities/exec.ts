/**
 * `exec`: runs an allow-listed command as an argv, never through a shell, with an explicit
 * environment (PATH, the input's env, REBOUND_IDEMPOTENCY_KEY; see exec-environment.ts) and a timeout.
 */
import { isNativeError } from 'node:util/types';
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { ActionRequest, ActionResult } from '../model/action-contract';
import { execInput, type ExecInput } from '../model/catalog';
import { durationMs, formatDuration } from '../model/duration';
import { runAttempt } from './activity-attempt';
import { commandFailed, commandNotAllowed, commandTimedOut, invalidInput, parseInput, type InputIssue } from './failures';
import { commandSearchPath, environmentIssues } from './exec-environment';
import { runProcess, type ProcessOutcome } from './process-run';

const activity = 'exec';
const defaultTimeoutMs = 60_000;
const captureBytes = 64 * 1024;
/** Output summaries and failure details keep this many trailing characters of stdout and stderr. */
const summaryChars = 2 * 1024;
const defaultPath = '/usr/local/bin:/usr/bin:/bin';

export interface ExecDeps {
  readonly logger: Logger;
  /**
   * Commands `exec` may run, matched exactly against `command[0]`. A bare name (`systemctl`) allows
   * that bare name, resolved through the worker's PATH; a path (`/usr/bin/systemctl`) allows that
   * path. A path is never allowed by its basename: `/tmp/x/systemctl` is not `systemctl`.
   */
  readonly execAllowList: readonly string[];
}

export function createExec({ logger, execAllowList }: ExecDeps) {
  const allowed = new Set(execAllowList);
  return async function exec(request: ActionRequest): Promise<ActionResult> {
    return runAttempt(logger, activity, request, 'info', async (log) => {
      const input = parseInput(activity, execInput, request.input);
      const issues = [...argumentIssues(input), ...environmentIssues(input.env ?? {})];
      if (issues.length > 0) throw invalidInput(activity, issues);
      const [command, ...args] = input.command;
      if (command === undefined || !allowed.has(command)) {
        throw commandNotAllowed(`"${command}" is not on this worker's exec allow-list`, { command });
      }

      const context = Context.current();
      const timeoutMs = input.timeout === undefined ? defaultTimeoutMs : durationMs(input.timeout);
      let outcome: ProcessOutcome;
      try {
        outcome = await runProcess({
          command,
          args,
          env: { PATH: commandSearchPath(process.env.PATH, defaultPath), ...input.env, REBOUND_IDEMPOTENCY_KEY: request.idempotencyKey },
          cwd: input.cwd,
          timeoutMs,
          signal: context.cancellationSignal,
          captureBytes,
        });
      } catch (error) {
        const reason = isNativeError(error) ? error.message : String(error);
        // A missing cwd also reports `spawn <command> ENOENT`: name it so the reader checks both.
        const where = input.cwd === undefined ? '' : ` in ${input.cwd}`;
        throw commandFailed(`"${command}" could not be started${where}: ${reason}`, { command, cwd: input.cwd });
      }
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;

      const { exitCode, signal } = outcome;
      log.debug({ exitCode, signal, stdout: outcome.stdout, stderr: outcome.stderr }, 'command finished');
      const stdout = lastChars(outcome.stdout, summaryChars);
      const stderr = lastChars(outcome.stderr, summaryChars);
      if (outcome.timedOut) {
        throw commandTimedOut(`"${command}" ran past its ${formatDuration(timeoutMs)} timeout and was killed with ${signal ?? 'a signal'}`, {
          timeoutMs,
          signal,
          stdout,
          stderr,
        });
      }
      if (exitCode !== 0) {
        const ending = exitCode === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${exitCode}`;
        const stderrTail = lastChars(outcome.stderr.trim(), 512);
        throw commandFailed(`"${command}" ${ending}${stderrTail ? `: ${stderrTail}` : ''}`, { exitCode, signal, stdout, stderr });
      }
      return { output: { exitCode, stdout, stderr }, attempt: context.info.attempt };
    });
  };
}

/** NUL cannot be passed to a process. */
function argumentIssues(input: ExecInput): InputIssue[] {
  return input.command.flatMap((arg, index) => (arg.includes('\0') ? [{ path: `command[${index}]`, message: 'contains a NUL character' }] : []));
}

function lastChars(text: string, count: number): string {
  return text.length > count ? `…${text.slice(-count)}` : text;
}
