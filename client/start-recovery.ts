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
    staticSummary: recoverySummary(input),
    staticDetails: recoveryDetails(input),
  };
}

/** Who or what started a recovery, in words: `alice (cli)`, `alertmanager alert 4f1b…`. */
function describeTrigger(trigger: RecoveryInput['trigger']): string | undefined {
  if (!trigger) return undefined;
  const by = trigger.by === undefined ? trigger.source : trigger.source === 'alertmanager' ? `alertmanager alert ${trigger.by}` : `${trigger.by} (${trigger.source})`;
  return trigger.detectedAt === undefined ? by : `${by}, detected ${trigger.detectedAt}`;
}

/** The one line the Temporal UI shows for a recovery: what runs for what, and who started it. */
export function recoverySummary(input: RecoveryInput): string {
  const trigger = describeTrigger(input.trigger);
  return `Recovery ${input.runbook.metadata.name} for ${input.key}${trigger === undefined ? '' : `, started by ${trigger}`}`;
}

/** The recovery in words for the Temporal UI's details pane (Markdown): runbook, key, budget, description, params, trigger. */
export function recoveryDetails(input: RecoveryInput): string {
  const { metadata, spec } = input.runbook;
  const budget = [spec.rto === undefined ? undefined : `RTO ${spec.rto}`, `timeout ${spec.timeout}`].filter(Boolean).join(', ');
  const params = Object.entries(input.params).map(([name, value]) => `\`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}\``);
  const description = (metadata.description ?? spec.description)?.trim();
  const trigger = describeTrigger(input.trigger);
  return [
    `Runbook **${metadata.name}** (file ${input.runbookHash.slice(0, 'sha256:'.length + 12)}) for key **${input.key}**; ${budget}; ${spec.steps.length} step(s): ${spec.steps.map((step) => step.id).join(', ')}.`,
    ...(description ? [description] : []),
    ...(params.length > 0 ? [`Params: ${params.join(', ')}`] : []),
    ...(trigger === undefined ? [] : [`Started by ${trigger}.`]),
  ].join('\n\n');
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
