import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { withHeartbeats } from './heartbeat';

/** The step an activity attempt runs for; every log line of the attempt carries it. */
interface StepCoordinates {
  readonly runbook: string;
  readonly step: string;
}

/**
 * Runs one attempt of an activity: logs its start and end with the recovery's coordinates and
 * heartbeats while it runs. Inputs are never logged: headers and env may carry secrets.
 */
export async function runAttempt<T>(
  logger: Logger,
  activity: string,
  request: StepCoordinates,
  completedLevel: 'info' | 'debug',
  work: (log: Logger) => Promise<T>,
): Promise<T> {
  const { info } = Context.current();
  const log = logger.child({
    workflowId: info.workflowExecution?.workflowId,
    runbook: request.runbook,
    step: request.step,
    activity,
    attempt: info.attempt,
  });
  const started = performance.now();
  log.debug('activity started');
  try {
    const result = await withHeartbeats(work(log));
    log[completedLevel]({ durationMs: elapsedMs(started) }, 'activity completed');
    return result;
  } catch (error) {
    if (error instanceof CancelledFailure) {
      log.info({ durationMs: elapsedMs(started) }, 'activity cancelled');
    } else {
      log.warn({ err: error, durationMs: elapsedMs(started) }, 'activity failed');
    }
    throw error;
  }
}

export function elapsedMs(since: number): number {
  return Math.round(performance.now() - since);
}
