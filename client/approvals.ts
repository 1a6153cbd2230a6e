/** Answering a recovery's approval step (approve or reject) as a named approver. */
import type { Client } from '@temporalio/client';
import type { ApprovalState } from '../model/recovery';
import { approveUpdate, rejectUpdate } from '../workflows/approvals';
import { RecoveryRefusedError, sendOperatorUpdate, type OperatorUpdateOptions } from './control';

/** Thrown when the recovery refuses an answer: no approval pending, not an approver, the starter under four-eyes, a second answer. */
export class ApprovalRefusedError extends RecoveryRefusedError {
  constructor(workflowId: string, reason: string) {
    super(workflowId, reason);
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
export function answerApproval(client: Client, workflowId: string, request: ApprovalAnswerRequest, options?: OperatorUpdateOptions): Promise<ApprovalState> {
  const { decision, identity, reason, step } = request;
  return sendOperatorUpdate(
    client,
    workflowId,
    decision === 'approve' ? approveUpdate : rejectUpdate,
    [{ identity, reason, step }],
    (why) => new ApprovalRefusedError(workflowId, why),
    'no approval is pending',
    options,
  );
}
