/** Reading a recovery: live state through the `state` query, or the final report once it ended. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RecoveryReport, RecoveryState } from '../model/recovery';
import { stateQuery } from '../workflows/queries';

/** Thrown when no recovery has the given workflow id. */
export class RecoveryNotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`no recovery with id ${workflowId}`);
    this.name = 'RecoveryNotFoundError';
  }
}

export type RecoveryView =
  | { running: true; temporalStatus: string; state: RecoveryState }
  | { running: false; temporalStatus: string; report?: RecoveryReport; error?: string };

export async function readRecovery(client: Client, workflowId: string): Promise<RecoveryView> {
  const handle = client.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new RecoveryNotFoundError(workflowId);
    throw error;
  }
  if (status === 'RUNNING') return { running: true, temporalStatus: status, state: await handle.query(stateQuery) };
  if (status === 'COMPLETED') return { running: false, temporalStatus: status, report: (await handle.result()) as RecoveryReport };
  return { running: false, temporalStatus: status, error: `the recovery workflow ended as ${status.toLowerCase()}` };
}
