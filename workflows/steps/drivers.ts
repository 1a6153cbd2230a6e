/** Driver activities (deployments, traffic, access) as the primitives call them. */
import { proxyActivities } from '@temporalio/workflow';
import type { DriverActivities, DriverCall } from '../../model/drivers';
import type { StepContext } from './step-executor';

/** Driver calls are short; a killed worker's call moves on after the heartbeat timeout. */
export function driverFor(context: StepContext, summary = context.summary): DriverActivities {
  return proxyActivities<DriverActivities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: 5, initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
    summary,
  });
}

/** A driver call for this step; mutations pass the idempotency key. */
export function driverCall<Input>(context: StepContext, input: Input, idempotencyKey?: string): DriverCall<Input> {
  return { input, idempotencyKey, runbook: context.runbook, step: context.step };
}
