/**
 * The authorization policy on the client side: read from REBOUND_AUTHZ_FILE when a recovery
 * starts, checked for the `start` act, and pinned into the recovery's input, where the recovery
 * enforces it on every later act (workflows/authorization.ts). Reads a file: client side only.
 */
import { readFile } from 'node:fs/promises';
import { parseAuthzPolicy } from '../model/authz-file';
import { authorizationDenial, type AuthzPolicy } from '../model/authz-policy';
import { formatProblem } from '../model/yaml-document';
import type { RecoveryInput } from '../model/recovery';

/** Thrown when the policy file cannot be read or is invalid: nothing starts. The message names `file:line:col`. */
export class AuthzPolicyError extends Error {
  override readonly name = 'AuthzPolicyError';
}

/** Thrown when the policy does not allow the identity to start a recovery of the runbook: nothing starts. */
export class StartNotAuthorizedError extends Error {
  override readonly name = 'StartNotAuthorizedError';
  constructor(
    readonly identity: string,
    readonly runbook: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The policy of `file` (REBOUND_AUTHZ_FILE); undefined without a file (everything allowed). */
export async function loadAuthzPolicy(file: string | undefined): Promise<AuthzPolicy | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new AuthzPolicyError(`${file}:1:1: cannot read the authorization policy (REBOUND_AUTHZ_FILE): ${reason}`);
  }
  const loaded = parseAuthzPolicy(text, file);
  if (!loaded.ok) throw new AuthzPolicyError(loaded.problems.map(formatProblem).join('\n'));
  return loaded.policy;
}

/** `input` with the policy pinned, after checking that `identity` may start it; throws StartNotAuthorizedError otherwise. */
export function authorizedStart(input: RecoveryInput, policy: AuthzPolicy | undefined, identity: string): RecoveryInput {
  if (policy === undefined) return input;
  const runbook = input.runbook.metadata.name;
  const denial = authorizationDenial(policy, 'start', runbook, identity);
  if (denial !== undefined) throw new StartNotAuthorizedError(identity, runbook, denial);
  return { ...input, authz: policy };
}
