/**
 * Signal-with-start that says whether it started the workflow. The SDK's
 * `client.workflow.signalWithStart` returns the run id only and drops the server's `started` flag,
 * which is what tells a recovery started by an alert from one the alert joined. This builds the
 * same request the SDK builds (pinned @temporalio 1.24.0, WorkflowClient._signalWithStartWorkflowHandler):
 * input, signal arguments and the static summary/details go through the client's data converter,
 * payload codec included, so an encrypting codec (runtime/codec.ts) encrypts them as it does for
 * every other call.
 */
import { randomUUID } from 'node:crypto';
import { ServiceError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { encodeToPayloadsWithContext, encodeUserMetadata } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { temporal } from '@temporalio/proto';

export interface SignalWithStartRequest {
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  args: unknown[];
  signal: string;
  signalArgs: unknown[];
  typedSearchAttributes?: SearchAttributePair[];
  staticSummary?: string;
  staticDetails?: string;
}

export interface SignalWithStartAnswer {
  runId: string;
  /** True when this call started the run; false when it signalled a run already open. */
  started: boolean;
}

/**
 * Signals the open run of `workflowId`, or starts one and signals it (the server's default conflict
 * policy for signal-with-start: use the existing run). Rejects with the service error when
 * Temporal did not accept it. Runs inside the caller's `client.withDeadline`, if any.
 */
export async function signalWithStart(client: Client, request: SignalWithStartRequest): Promise<SignalWithStartAnswer> {
  const converter = client.options.loadedDataConverter;
  const context = { type: 'workflow' as const, namespace: client.options.namespace, workflowId: request.workflowId };
  const call = client.workflowService.signalWithStartWorkflowExecution({
    namespace: client.options.namespace,
    identity: client.options.identity,
    requestId: randomUUID(),
    workflowId: request.workflowId,
    workflowType: { name: request.workflowType },
    taskQueue: { kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL, name: request.taskQueue },
    input: { payloads: await encodeToPayloadsWithContext(converter, context, request.args) },
    signalName: request.signal,
    signalInput: { payloads: await encodeToPayloadsWithContext(converter, context, request.signalArgs) },
    searchAttributes: request.typedSearchAttributes === undefined ? undefined : { indexedFields: encodeUnifiedSearchAttributes(undefined, request.typedSearchAttributes) },
    header: { fields: {} },
    userMetadata: await encodeUserMetadata(converter, request.staticSummary, request.staticDetails, context),
  });
  try {
    const response = await call;
    return { runId: response.runId, started: response.started };
  } catch (error) {
    // As the SDK reports it: what failed, the gRPC status as the cause.
    throw new ServiceError(`Failed to signalWithStart Workflow ${request.workflowId}`, { cause: error as Error });
  }
}
