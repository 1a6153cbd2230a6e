/** Polls a condition until it holds (for state only observable by asking, e.g. a workflow query). */
import { setTimeout as pause } from 'node:timers/promises';

export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await pause(everyMs);
  }
}
