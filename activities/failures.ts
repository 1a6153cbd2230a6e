/**
 * The typed ApplicationFailures that activities raise, and input validation that turns zod
 * issues into one line a runbook author can act on (`url: expected an http(s) URL`).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ActivityFailureTypes } from '../model/action-contract';

/** One zod issue in a form that survives Temporal's payload converter. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/** Parses an activity's input with its schema; anything else is a non-retryable invalidInput failure. */
export function parseInput<Schema extends z.ZodType>(activity: string, schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidInput(activity, parsed.error.issues.flatMap(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): InputIssue[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'unknown field' }));
  }
  return [{ path: path || 'input', message: issue.message }];
}

/** `['command', 2]` → `command[2]`, `['headers', 'x-api-key']` → `headers.x-api-key`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** `invalid input for exec: env.PATH: set by the worker, not by runbooks`. */
export function invalidInput(activity: string, issues: readonly InputIssue[]): ApplicationFailure {
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return ApplicationFailure.nonRetryable(`invalid input for ${activity}: ${summary}`, ActivityFailureTypes.invalidInput, {
    issues,
  });
}

export function clientError(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ActivityFailureTypes.clientError, details);
}

export function unexpectedStatus(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.retryable(message, ActivityFailureTypes.unexpectedStatus, details);
}

export function unreachable(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.retryable(message, ActivityFailureTypes.unreachable, details);
}

export function commandNotAllowed(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ActivityFailureTypes.commandNotAllowed, details);
}

/** Retryable: whether a failed command is worth retrying is the step's retry policy to decide. */
export function commandFailed(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.retryable(message, ActivityFailureTypes.commandFailed, details);
}

export function commandTimedOut(message: string, details: object): ApplicationFailure {
  return ApplicationFailure.retryable(message, ActivityFailureTypes.commandTimedOut, details);
}
