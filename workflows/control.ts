/**
 * The updates operators steer a running recovery with (besides `approve`/`reject`, in
 * approvals.ts). Shared by the workflow and every client (CLI, tests). Each has a validator: a
 * refused act changes nothing and leaves no trace in the history.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { OperatorAct, Phase, StepState } from '../model/recovery';

/** Who acts, why, and on which step (`skip` and `retry` need one; the others take none). */
export interface ControlUpdateArgs {
  identity: string;
  reason?: string;
  step?: string;
}

/** What an accepted act did: the act as recorded, and the recovery (and step) right after it. */
export interface ControlResult {
  act: OperatorAct;
  phase: Phase;
  paused: boolean;
  step?: StepState;
}

/** No new step starts until `resume`; the running one finishes. */
export const pauseUpdate = defineUpdate<ControlResult, [ControlUpdateArgs]>('pause');
/** Lets a paused recovery start its next step. */
export const resumeUpdate = defineUpdate<ControlResult, [ControlUpdateArgs]>('resume');
/** Cancels the running step, undoes the completed ones; the outcome is `aborted`. */
export const abortUpdate = defineUpdate<ControlResult, [ControlUpdateArgs]>('abort');
/** Skips a pending step when it is reached, cancels a running gate, wait or watch, or moves on from a held step. */
export const skipUpdate = defineUpdate<ControlResult, [ControlUpdateArgs]>('skip');
/** Runs a held step (failed, `onFailure: hold`) again. */
export const retryUpdate = defineUpdate<ControlResult, [ControlUpdateArgs]>('retry');

export const controlUpdates = { pause: pauseUpdate, resume: resumeUpdate, abort: abortUpdate, skip: skipUpdate, retry: retryUpdate } as const;
export type ControlAct = keyof typeof controlUpdates;

/** ApplicationFailure type of a refused act (the validator's, or the handler's when two acts raced past it). */
export const ControlFailureTypes = { refused: 'OperatorActRefused' } as const;
