/**
 * Steering a running recovery: pause, resume, abort, skip or retry a step, as a named operator.
 * The recovery's validators decide; a refusal comes back as RecoveryRefusedError with their reason.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcDeadlineError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { controlUpdates, type ControlAct, type ControlResult, type ControlUpdateArgs } from '../workflows/control';
import { RecoveryNotFoundError } from './recovery-status';

/** Thrown when the recovery refuses an act: it has ended, the step is unknown or not in a state that allows it, and so on. */
export class RecoveryRefusedError extends Error {
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'RecoveryRefusedError';
  }
}

/** Thrown when no worker took the act in time: the recovery cannot act without one. */
export class NoWorkerAnsweredError extends Error {
  constructor(
    readonly workflowId: string,
    readonly timeoutMs: number,
  ) {
    super(`no worker answered for ${workflowId} within ${timeoutMs / 1000}s: the act was not recorded`);
    this.name = 'NoWorkerAnsweredError';
  }
}

export interface OperatorUpdateOptions {
  /** How long to wait for a worker to take the act (default 30s). */
  timeoutMs?: number;
}

/**
 * Sends one operator update and resolves with the recovery's answer. `refused` builds the error
 * for a refusal; `endedReason` says why a recovery that has ended refuses (the server answers
 * "not found" for it, as for an unknown id).
 */
export async function sendOperatorUpdate<Result, Args extends [unknown]>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<Result, Args>,
  args: Args,
  refused: (reason: string) => Error,
  endedReason: string,
  options: OperatorUpdateOptions = {},
): Promise<Result> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.executeUpdate(update, { args }));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw refused(error.cause?.message ?? error.message);
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error)) throw new NoWorkerAnsweredError(workflowId, timeoutMs);
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  const description = await handle.describe().catch((error: unknown) => {
    throw error instanceof WorkflowNotFoundError ? new RecoveryNotFoundError(workflowId) : error;
  });
  throw refused(`the recovery has ended (${description.status.name.toLowerCase()}): ${endedReason}`);
}

/** Sends `act` as `args.identity`; resolves with what the recovery recorded. */
export function controlRecovery(client: Client, workflowId: string, act: ControlAct, args: ControlUpdateArgs, options?: OperatorUpdateOptions): Promise<ControlResult> {
  const { identity, reason, step } = args;
  return sendOperatorUpdate(
    client,
    workflowId,
    controlUpdates[act],
    [{ identity, ...(reason === undefined ? {} : { reason }), ...(step === undefined ? {} : { step }) }],
    (why) => new RecoveryRefusedError(workflowId, why),
    `it takes no ${act} any more`,
    options,
  );
}

export type { ControlAct, ControlResult, ControlUpdateArgs };
