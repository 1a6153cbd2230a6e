/**
 * Targets that fail: a change through a target that answers 5xx, times out, or hangs is retried
 * with backoff within its attempt timeout, then the step fails cleanly and the earlier change is
 * undone. Nothing waits forever: each recovery must end within `deadlineMs`.
 */
import type { Client } from '@temporalio/client';
import type { RecoveryReport } from '../../model/recovery';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { targetFaultRunbook } from './runbooks';

export const targetFaultModes = ['5xx', 'timeout', 'hang'] as const;
export const targetFaultService = (mode: string): string => `faulty-${mode.toLowerCase()}`;

export interface TargetFaultResult {
  mode: string;
  service: string;
  workflowId: string;
  firstExecutionRunId: string;
  outcome: string;
  error?: string;
  /** The step that failed (the one calling the faulty target). */
  failedStep?: string;
  durationMs: number;
}

export async function runTargetFaults(options: { client: Client; taskQueue: string; fleetUrl: string; proxyUrl: string; deadlineMs: number }): Promise<TargetFaultResult[]> {
  return Promise.all(
    targetFaultModes.map(async (mode) => {
      const service = targetFaultService(mode);
      const started = Date.now();
      const handle = await startRecoveryFromYaml(options.client, options.taskQueue, targetFaultRunbook, { service, fleetUrl: options.fleetUrl, faultyUrl: `${options.proxyUrl}/${mode}` });
      const report = (await options.client.withDeadline(Date.now() + options.deadlineMs, () => handle.result())) as RecoveryReport;
      return { mode, service, workflowId: handle.workflowId, firstExecutionRunId: handle.firstExecutionRunId, outcome: report.outcome, error: report.error, failedStep: report.steps.find((step) => step.status === 'failed')?.id, durationMs: Date.now() - started };
    }),
  );
}
