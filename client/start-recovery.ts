/** Starting a recovery from a validated runbook: shared by the CLI and (later) the webhook server. */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { renderTemplate } from '../model/expressions';
import { resolveParams } from '../model/params';
import { recoveryWorkflowId, type RecoveryInput, type RecoveryReport, type RecoveryTrigger } from '../model/recovery';
import type { Runbook } from '../model/runbook';
import { searchAttributes } from '../model/search-attributes';
import type { runRecovery } from '../workflows';

/** Thrown when a recovery for the same runbook and key is already running. */
export class RecoveryAlreadyRunningError extends Error {
  constructor(readonly workflowId: string) {
    super(`a recovery with id ${workflowId} is already running`);
    this.name = 'RecoveryAlreadyRunningError';
  }
}

/** Checks params and renders the key: everything that can refuse a start, before anything starts. */
export function prepareRecovery(runbook: Runbook, runbookHash: string, givenParams: Record<string, unknown>, trigger?: RecoveryTrigger): RecoveryInput {
  const params = resolveParams(runbook.spec.params, givenParams);
  const rendered = runbook.spec.key ? renderTemplate(runbook.spec.key, { params }) : runbook.metadata.name;
  const key = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
  return { runbook, runbookHash, params, key, trigger };
}

export interface StartOptions {
  taskQueue: string;
}

/** How a recovery workflow is started: by the CLI (start) and by the webhook server (signal-with-start). */
export function recoveryStartOptions(input: RecoveryInput, options: StartOptions) {
  return {
    workflowId: recoveryWorkflowId(input.runbook.metadata.name, input.key),
    taskQueue: options.taskQueue,
    args: [input] as [RecoveryInput],
    typedSearchAttributes: [
      { key: searchAttributes.runbook, value: input.runbook.metadata.name },
      { key: searchAttributes.key, value: input.key },
      { key: searchAttributes.phase, value: 'preflight' },
    ],
    staticSummary: `Recovery: ${input.runbook.metadata.name} for ${input.key}`,
    staticDetails: input.runbook.metadata.description ?? input.runbook.spec.description,
  };
}

export async function startRecovery(client: Client, input: RecoveryInput, options: StartOptions): Promise<WorkflowHandleWithFirstExecutionRunId<typeof runRecovery>> {
  const workflowId = recoveryWorkflowId(input.runbook.metadata.name, input.key);
  try {
    return await client.workflow.start<typeof runRecovery>('runRecovery', recoveryStartOptions(input, options));
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new RecoveryAlreadyRunningError(workflowId);
    throw error;
  }
}

export type { RecoveryReport };
