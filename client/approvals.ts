/** Answering a recovery's approval step (approve or reject) as a named approver. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ApprovalState } from '../model/recovery';
import { approveUpdate, rejectUpdate } from '../workflows/approvals';
import { RecoveryNotFoundError } from './recovery-status';

/** Thrown when the recovery refuses an answer: no approval pending, not an approver, the starter under four-eyes, a second answer. */
export class ApprovalRefusedError extends Error {
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'ApprovalRefusedError';
  }
}

export interface ApprovalAnswerRequest {
  decision: 'approve' | 'reject';
  /** Who answers; must be one of the step's approvers. */
  identity: string;
  reason?: string;
  /** The approval step meant; the answer is refused if another step (or none) is waiting. */
  step?: string;
}

/** Sends the answer and resolves with the approval's state once the recovery has recorded it. */
export async function answerApproval(client: Client, workflowId: string, request: ApprovalAnswerRequest): Promise<ApprovalState> {
  const { decision, identity, reason, step } = request;
  const update = decision === 'approve' ? approveUpdate : rejectUpdate;
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await handle.executeUpdate(update, { args: [{ identity, reason, step }] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new ApprovalRefusedError(workflowId, error.cause?.message ?? error.message);
    if (error instanceof WorkflowNotFoundError) throw await whyNotRunning(handle, workflowId);
    throw error;
  }
}

/** The server answers "not found" both for an unknown workflow id and for a recovery that has ended. */
async function whyNotRunning(handle: WorkflowHandle, workflowId: string): Promise<Error> {
  try {
    const { status } = await handle.describe();
    return new ApprovalRefusedError(workflowId, `the recovery has ended (${status.name.toLowerCase()}): no approval is pending`);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return new RecoveryNotFoundError(workflowId);
    throw error;
  }
}
