/**
 * A `run` step's child recovery that succeeded stays open until its parent settles it: `commit`
 * when the parent ends without undoing, `undo` when the parent undoes its steps (the child then
 * runs its own undos, in reverse order, as if it had failed). So a child's effects are undone like
 * any other step's, in the parent's reverse order, and the child's undos still run inside the
 * child where they were registered. Durable across worker crashes: the wait is workflow state.
 */
import { condition, defineSignal, getExternalWorkflowHandle, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Outcome, RecoveryReport } from '../model/recovery';
import type { RecoveryTracker } from './recovery-state';

export type Settlement = 'commit' | 'undo';

/** Sent by the parent to a child that told it it succeeded. */
export const settleSignal = defineSignal<[Settlement]>('settle');

/** What a succeeded child tells its parent: what the parent's `run` step reports. */
export type ChildSucceeded = Pick<RecoveryReport, 'workflowId' | 'runbook' | 'outcome' | 'steps' | 'findings' | 'unverifiedTargets' | 'timeToRecoverMs'>;

/** The signal a child sends its parent when its steps succeeded; one name per child, so one parent can wait for several. */
export const childSucceededSignal = (childWorkflowId: string) => defineSignal<[ChildSucceeded]>(`childSucceeded/${childWorkflowId}`);

/**
 * Tells the parent this recovery succeeded (`outcome`) and waits for it to settle. Resolves with
 * undefined on commit, or with why the steps must be undone: the parent undoes, the parent is
 * gone, or this recovery was cancelled while waiting (an operator, or the parent closing).
 */
export async function settleWithParent(tracker: RecoveryTracker, outcome: Outcome, unverifiedTargets: string[]): Promise<string | undefined> {
  const parent = workflowInfo().parent;
  if (!parent) return undefined;
  let settlement: Settlement | undefined;
  setHandler(settleSignal, (decision) => {
    settlement ??= decision;
  });
  const state = tracker.snapshot();
  const succeeded: ChildSucceeded = {
    workflowId: state.workflowId,
    runbook: state.runbook,
    outcome,
    steps: state.steps,
    findings: state.findings,
    unverifiedTargets,
    timeToRecoverMs: state.budget.elapsedMs,
  };
  try {
    await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(childSucceededSignal(state.workflowId), succeeded);
    await condition(() => settlement !== undefined);
  } catch (error) {
    const why = isCancellation(error) ? 'cancelled while waiting for the parent recovery to settle it' : `the parent recovery ${parent.workflowId} could not be told it succeeded`;
    log.warn('child recovery undoes its steps', { parent: parent.workflowId, why });
    return why;
  }
  return settlement === 'undo' ? `undone: the parent recovery ${parent.workflowId} undid its steps` : undefined;
}
