/** `action` steps: one activity call (activity type = action name), with an optional undo. */
import { proxyActivities } from '@temporalio/workflow';
import type { ActionRequest, ActionResult } from '../../model/action-contract';
import type { ActionCall } from '../../model/steps/action';
import { durationMs } from '../../model/duration';
import { renderCallArguments } from '../expressions';
import type { StepExecutor } from './step-executor';

/** A killed worker's activity is retried after this long without a heartbeat (activities beat every second). */
export const actionHeartbeatTimeout = '10s';

/** The retry policy of an action that sets none. */
export const defaultActionRetry = { maxAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;

type ActionActivity = (request: ActionRequest) => Promise<ActionResult>;

/** Calls one action as an activity with the call's retry policy and timeout. */
export function callAction(call: ActionCall, request: ActionRequest, summary: string): Promise<ActionResult> {
  const retry = call.retry ?? defaultActionRetry;
  const activities = proxyActivities<Record<string, ActionActivity>>({
    startToCloseTimeout: durationMs(call.timeout),
    heartbeatTimeout: Math.min(durationMs(actionHeartbeatTimeout), durationMs(call.timeout)),
    retry: {
      maximumAttempts: retry.maxAttempts,
      initialInterval: durationMs(retry.initialInterval),
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: durationMs(retry.maximumInterval),
    },
    summary,
  });
  const activity = activities[call.name];
  if (!activity) throw new TypeError(`no activity for action ${call.name}`);
  return activity(request);
}

export const actionExecutor: StepExecutor<'action'> = {
  phase: 'mitigating',
  describe: (step) => `${step.action.name} (${step.id})`,
  async execute(step, context) {
    const spec = step.action;
    const summary = context.summary;
    const args = renderCallArguments(spec.with, context.expressionContext());
    const result = await callAction(
      spec,
      { ...args, idempotencyKey: `${context.idempotencyPrefix}/${step.id}`, runbook: context.runbook, step: step.id },
      summary,
    );
    const undo = spec.undo;
    if (undo) {
      // Rendered now, with the context the step ran in: the undo reverses what this step did.
      const undoArgs = renderCallArguments(undo.with, context.expressionContext());
      context.pushCompensation({
        step: step.id,
        action: undo.name,
        run: async () => {
          const undone = await callAction(
            undo,
            { ...undoArgs, idempotencyKey: `${context.idempotencyPrefix}/${step.id}/undo`, runbook: context.runbook, step: step.id },
            `undo ${summary}`,
          );
          return { attempts: undone.attempt };
        },
      });
    }
    return { output: result.output, attempts: result.attempt };
  },
};
