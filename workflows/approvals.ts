/** The updates that answer an approval step. Shared by the workflow and every client (CLI, tests). */
import { defineUpdate } from '@temporalio/workflow';
import type { ApprovalState } from '../model/recovery';

/** An approver's answer; `step` guards against answering a different approval than the one meant. */
export interface ApprovalUpdateArgs {
  identity: string;
  reason?: string;
  step?: string;
}

/** Approves the pending approval step; resolves with that approval's state after the answer. */
export const approveUpdate = defineUpdate<ApprovalState, [ApprovalUpdateArgs]>('approve');

/** Rejects the pending approval step (one reject fails it); resolves with that approval's state. */
export const rejectUpdate = defineUpdate<ApprovalState, [ApprovalUpdateArgs]>('reject');

/** ApplicationFailure types of a failed approval step. */
export const ApprovalFailureTypes = {
  /** An approver rejected. */
  rejected: 'ApprovalRejected',
  /** No quorum within the timeout, and the runbook says `onTimeout: reject`. */
  timedOut: 'ApprovalTimedOut',
  /** No quorum within the timeout, and the runbook says `onTimeout: escalate`. */
  escalated: 'ApprovalEscalated',
  /** An answer raced another one past the validator (refused by the handler instead). */
  refused: 'ApprovalRefused',
} as const;
