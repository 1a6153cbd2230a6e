/** Driver activities (deployments, traffic, access) as the primitives call them. */
import { proxyActivities } from '@temporalio/workflow';
import type { Deployment, DriverActivities, DriverCall } from '../../model/drivers';
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

export function sameDeployment(a: Deployment | null | undefined, b: Deployment | null | undefined): boolean {
  if (!a || !b || a.version !== b.version) return false;
  const keys = new Set([...Object.keys(a.config), ...Object.keys(b.config)]);
  return [...keys].every((key) => a.config[key] === b.config[key]);
}

export function formatDeployment(deployment: Deployment | null | undefined): string {
  if (!deployment) return 'nothing recorded';
  const config = Object.entries(deployment.config).map(([key, value]) => `${key}=${value}`).join(',');
  return config ? `${deployment.version} {${config}}` : deployment.version;
}
