/**
 * Who may post alerts: the webhook credentials file (`REBOUND_WEBHOOK_CONFIG`, YAML) with bearer
 * tokens, basic-auth users and HMAC secrets, each scoped to the runbooks it may start or join.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatProblem, parseYamlDocument } from '../model/yaml-document';

/** Thrown at start when the credentials cannot be used: the server refuses to start. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

const secret = (what: string) => z.string({ error: `expected the ${what} as a string` }).min(16, { error: `expected a ${what} of at least 16 characters` });
const name = z.string().regex(/^[A-Za-z0-9._@-]+$/, { error: 'expected a name of letters, digits, . _ @ -' });
const scope = z
  .array(z.string().min(1), { error: 'expected a list of runbook names, or ["*"] for every runbook' })
  .min(1, { error: 'expected at least one runbook name, or "*" for every runbook' });

export const credentialsFileSchema = z.strictObject({
  /** `Authorization: Bearer <token>` (Alertmanager `authorization`, Grafana, any sender). */
  tokens: z.array(z.strictObject({ name, token: secret('token'), runbooks: scope })).default([]),
  /** `Authorization: Basic` (Alertmanager `basic_auth`, Grafana). */
  basic: z
    .array(z.strictObject({ username: z.string().regex(/^[^:\s]+$/, { error: 'expected a user name without ":" or spaces' }), password: secret('password'), runbooks: scope }))
    .default([]),
  /** HMAC-SHA256 signatures of the generic route (`X-Rebound-Timestamp`, `X-Rebound-Signature`). */
  hmac: z.array(z.strictObject({ name, secret: secret('secret'), runbooks: scope })).default([]),
});
export type CredentialsFile = z.infer<typeof credentialsFileSchema>;

/** The runbooks a credential covers: every runbook, or these names. */
export type RunbookScope = 'all' | ReadonlySet<string>;

/** One credential, as the server checks it. */
export interface Credential {
  kind: 'bearer' | 'basic' | 'hmac';
  /** Who it is, for logs and 403 answers (never the secret). */
  name: string;
  secret: string;
  runbooks: RunbookScope;
}

const toScope = (runbooks: readonly string[]): RunbookScope => (runbooks.includes('*') ? 'all' : new Set(runbooks));

/** The credentials of a parsed file, in one list. */
export function credentialsOf(file: CredentialsFile): Credential[] {
  return [
    ...file.tokens.map((entry): Credential => ({ kind: 'bearer', name: entry.name, secret: entry.token, runbooks: toScope(entry.runbooks) })),
    // A basic-auth credential is checked as the whole `user:password` string Basic carries.
    ...file.basic.map((entry): Credential => ({ kind: 'basic', name: entry.username, secret: `${entry.username}:${entry.password}`, runbooks: toScope(entry.runbooks) })),
    ...file.hmac.map((entry): Credential => ({ kind: 'hmac', name: entry.name, secret: entry.secret, runbooks: toScope(entry.runbooks) })),
  ];
}

/** Parses the credentials file; throws AuthConfigError naming `file:line:col` of the first problem. */
export function parseCredentialsFile(text: string, file: string): Credential[] {
  const parsed = parseYamlDocument(text, file, credentialsFileSchema);
  if (!parsed.ok) throw new AuthConfigError(parsed.problems.map(formatProblem).join('\n'));
  return credentialsOf(parsed.value);
}

export async function loadCredentialsFile(file: string): Promise<Credential[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AuthConfigError(`${file}: cannot read the webhook credentials file: ${(error as Error).message}`);
  }
  return parseCredentialsFile(text, file);
}

/** Scopes naming runbooks that do not exist are refused at start: a typo would otherwise be a silent 403. */
export function checkScopes(credentials: readonly Credential[], runbookNames: ReadonlySet<string>): void {
  for (const credential of credentials) {
    if (credential.runbooks === 'all') continue;
    const unknown = [...credential.runbooks].filter((runbook) => !runbookNames.has(runbook));
    if (unknown.length > 0) {
      throw new AuthConfigError(`webhook credential "${credential.name}" (${credential.kind}) names unknown runbooks: ${unknown.join(', ')}; known: ${[...runbookNames].sort().join(', ') || 'none'}`);
    }
  }
}

export function covers(scope: RunbookScope, runbook: string): boolean {
  return scope === 'all' || scope.has(runbook);
}
