import { Context } from '@temporalio/activity';

/** Well under any heartbeat timeout the interpreter sets, so a live attempt is never taken for a dead one. */
export const heartbeatIntervalMs = 1000;

/**
 * Settles like `work`, heartbeating meanwhile: with a heartbeat timeout Temporal retries the attempt
 * of a killed worker quickly, and heartbeats are how cancellation reaches a running activity.
 */
export async function withHeartbeats<T>(work: Promise<T>, intervalMs = heartbeatIntervalMs): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), intervalMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
