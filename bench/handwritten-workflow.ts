/**
 * The benchmark's baseline: the `noop` action called `steps` times in sequence by a workflow
 * written by hand, with the activity options the interpreter gives an action step that sets none of
 * its own (workflows/steps/action.ts and the `timeout` default in model/steps/action.ts).
 * Workflow code: deterministic, and activities by type only.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReboundActivities } from '../activities';
import { durationMs } from '../model/duration';
import { actionHeartbeatTimeout, defaultActionRetry } from '../workflows/steps/action';

// The options the interpreter gives an action that sets none (`timeout` defaults to 1m in the model).
const { noop } = proxyActivities<Pick<ReboundActivities, 'noop'>>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: actionHeartbeatTimeout,
  retry: {
    maximumAttempts: defaultActionRetry.maxAttempts,
    initialInterval: durationMs(defaultActionRetry.initialInterval),
    backoffCoefficient: defaultActionRetry.backoffCoefficient,
    maximumInterval: durationMs(defaultActionRetry.maximumInterval),
  },
});

/** Resolves with each call's output, in order. */
export async function handwrittenNoops(steps: number): Promise<unknown[]> {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const outputs: unknown[] = [];
  for (let index = 1; index <= steps; index++) {
    const step = `step-${index}`;
    // The same request the interpreter sends for `with: { output: { step: N } }`, so payloads match.
    const result = await noop({
      input: { output: { step: index } },
      idempotencyKey: `${workflowId}/${firstExecutionRunId}/${step}`,
      runbook: 'bench-handwritten',
      step,
    });
    outputs.push(result.output);
  }
  return outputs;
}
