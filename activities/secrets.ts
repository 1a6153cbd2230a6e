/**
 * Puts the values of `{{ secret.NAME }}` references into an activity's input, on the worker:
 * from the file `<REBOUND_SECRETS_DIR>/NAME` (one trailing newline dropped), else from the
 * environment variable `REBOUND_SECRET_NAME`. Read at every attempt, so a rotated secret is used
 * at once. The values never go back: they are scrubbed from the activity's result and failure,
 * which Temporal records in workflow history, and from the worker's log lines.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ActivityFailureTypes } from '../model/action-contract';
import { secretNamePattern, slotSecretNames, type SecretSlot } from '../model/secret-references';
import { rememberSecretValue, scrubText, scrubValue } from '../runtime/secret-values';

/** Where secrets come from. */
export interface SecretSource {
  /** Directory of secret files, one per secret, named as the secret (e.g. a mounted Kubernetes secret). */
  readonly dir?: string | undefined;
  /** Looked up as `REBOUND_SECRET_<NAME>`. */
  readonly env: NodeJS.ProcessEnv;
}

/** The worker's own environment and REBOUND_SECRETS_DIR, read when an activity needs a secret. */
export const processSecretSource = (): SecretSource => ({ dir: process.env.REBOUND_SECRETS_DIR || undefined, env: process.env });

function secretMissing(name: string, source: SecretSource): ApplicationFailure {
  const where = source.dir === undefined ? `REBOUND_SECRET_${name}` : `${path.join(source.dir, name)} or REBOUND_SECRET_${name}`;
  return ApplicationFailure.nonRetryable(`secret "${name}" is not set on this worker: put its value in ${where}`, ActivityFailureTypes.secretMissing, { secret: name });
}

async function readSecret(name: string, source: SecretSource): Promise<string> {
  // The name pattern keeps a name from walking out of the directory; checked again here, on the worker.
  if (!secretNamePattern.test(name)) throw secretMissing(name, source);
  if (source.dir !== undefined) {
    try {
      return (await readFile(path.join(source.dir, name), 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw secretMissing(name, source);
    }
  }
  const value = source.env[`REBOUND_SECRET_${name}`];
  if (value === undefined || value === '') throw secretMissing(name, source);
  return value;
}

/** `input` with the value at `at` replaced (a copy along the path; the rest is shared). */
function replaceAt(input: unknown, at: readonly (string | number)[], value: string): unknown {
  const [head, ...rest] = at;
  if (head === undefined) return value;
  if (Array.isArray(input) && typeof head === 'number' && head < input.length) {
    return input.map((item: unknown, index) => (index === head ? replaceAt(item, rest, value) : item));
  }
  if (input !== null && typeof input === 'object' && Object.hasOwn(input, head)) {
    const copy = { ...(input as Record<string, unknown>) };
    Object.defineProperty(copy, head, { value: replaceAt((input as Record<string, unknown>)[head], rest, value), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return input;
}

/** The input with every slot filled, and the values used (value → name) for scrubbing. */
export async function resolveSecrets(input: unknown, slots: readonly SecretSlot[], source: SecretSource): Promise<{ input: unknown; values: Map<string, string> }> {
  const values = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const name of slotSecretNames(slots)) {
    const value = await readSecret(name, source);
    byName.set(name, value);
    values.set(value, name);
    rememberSecretValue(value, name);
  }
  let resolved = input;
  for (const slot of slots) {
    resolved = replaceAt(resolved, slot.path, slot.parts.map((part) => (typeof part === 'string' ? part : (byName.get(part.secret) ?? ''))).join(''));
  }
  return { input: resolved, values };
}

/** A failure that cannot carry a secret back: messages and details scrubbed, the cause (and its stack) left behind when it held one. */
export function scrubFailure(error: unknown, values: ReadonlyMap<string, string>): unknown {
  if (values.size === 0 || error instanceof CancelledFailure) return error;
  if (error instanceof ApplicationFailure) {
    const message = scrubText(error.message, values);
    const details = scrubValue(error.details, values);
    const changed = message !== error.message || JSON.stringify(details) !== JSON.stringify(error.details) || (error.stack !== undefined && scrubText(error.stack, values) !== error.stack);
    if (!changed) return error;
    return ApplicationFailure.create({
      message,
      type: error.type ?? undefined,
      nonRetryable: error.nonRetryable ?? undefined,
      details: details ?? undefined,
      nextRetryDelay: error.nextRetryDelay ?? undefined,
    });
  }
  if (error instanceof Error) {
    const text = `${error.message}\n${error.stack ?? ''}`;
    if (scrubText(text, values) === text) return error;
    return ApplicationFailure.create({ message: scrubText(error.message, values), type: error.name });
  }
  return error;
}

interface SecretBearingRequest {
  input?: unknown;
  secrets?: readonly SecretSlot[];
}

/**
 * Wraps an activity so that the secrets its request refers to are filled in before it runs and
 * scrubbed from what it returns or throws. Requests without secrets pass through untouched.
 */
export function withSecrets<Request, Result>(activity: (request: Request) => Promise<Result>, source: () => SecretSource = processSecretSource): (request: Request) => Promise<Result> {
  return async (request: Request): Promise<Result> => {
    const slots = (request as SecretBearingRequest | undefined)?.secrets;
    if (!Array.isArray(slots) || slots.length === 0) return activity(request);
    const { input, values } = await resolveSecrets((request as SecretBearingRequest).input, slots, source());
    try {
      return scrubValue(await activity({ ...request, input }), values);
    } catch (error) {
      throw scrubFailure(error, values);
    }
  };
}
