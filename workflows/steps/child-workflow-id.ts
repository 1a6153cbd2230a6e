/** Ids of the child workflows a step starts, derived from the recovery and the step (deterministic). */
import { workflowInfo } from '@temporalio/workflow';
import type { StepContext } from './step-executor';

/**
 * `<recovery workflow id>/<step path>[/<part>...]`: the step's idempotency key without the
 * recovery's run id, so the id reads like the recovery's own and stays the same across replays.
 */
export function childWorkflowId(context: StepContext, ...parts: string[]): string {
  const recovery = workflowInfo();
  const stepPath = context.idempotencyKey(...parts).slice(`${recovery.workflowId}/${recovery.firstExecutionRunId}/`.length);
  return `${recovery.workflowId}/${stepPath}`;
}
