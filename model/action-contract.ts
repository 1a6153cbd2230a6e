/**
 * The contract between the interpreter workflow and every action or check activity.
 * Pure types and schemas: imported by workflows (as types) and by activities.
 */

import type { SecretSlot } from './secret-references';

/** What the interpreter sends to an action activity (activity type = the action's name). */
export interface ActionRequest {
  /** Rendered `with:` arguments; validated by the action's own zod schema inside the activity. */
  readonly input: unknown;
  /** Where `{{ secret.NAME }}` references stand in `input`: the worker fills them in, never the workflow. */
  readonly secrets?: readonly SecretSlot[];
  /** `<workflowId>/<stepId>` (`/undo` appended for compensations); passed on to the system changed. */
  readonly idempotencyKey: string;
  readonly runbook: string;
  readonly step: string;
}

/** What an action activity returns. `output` is a small JSON summary, stored in recovery state. */
export interface ActionResult {
  readonly output: unknown;
  /** The activity attempt that produced this result (1 = first try). */
  readonly attempt: number;
}

/** What the interpreter sends to a check activity (activity type = the check's name). */
export interface CheckRequest {
  readonly input: unknown;
  /** As in ActionRequest. */
  readonly secrets?: readonly SecretSlot[];
  readonly runbook: string;
  readonly step: string;
}

/** A check's observation: any JSON value the gate's `expect` expression is evaluated over. */
export type Observation = Record<string, unknown>;

/** ApplicationFailure types raised by activities. */
export const ActivityFailureTypes = {
  /** The rendered input did not match the action's schema: retrying cannot help. */
  invalidInput: 'InvalidActionInput',
  /** The target answered 4xx: retrying the same request cannot help. */
  clientError: 'TargetClientError',
  /** The target answered 5xx or a status other than the expected one. */
  unexpectedStatus: 'TargetUnexpectedStatus',
  /** The target could not be reached or did not answer in time. */
  unreachable: 'TargetUnreachable',
  /** `exec` was asked to run a command that is not on the allow-list. */
  commandNotAllowed: 'CommandNotAllowed',
  /** `exec` ran and the command exited non-zero. */
  commandFailed: 'CommandFailed',
  /** `exec` ran past its timeout and was killed. */
  commandTimedOut: 'CommandTimedOut',
  /** A `{{ secret.NAME }}` the worker cannot find (no file, no environment variable): retrying cannot help. */
  secretMissing: 'SecretMissing',
} as const;
