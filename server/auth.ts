/**
 * Authentication of the alert routes: bearer tokens and basic auth from the Authorization header,
 * and HMAC-SHA256 signatures over the raw body (generic route). Every secret is compared in
 * constant time, and against every credential of its kind, so timing tells nothing about which.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthConfigError, checkScopes, type Credential, type RunbookScope } from './credentials';
import { HttpError } from './http-errors';

export { AuthConfigError };

export interface AuthOptions {
  /** The one bearer token valid for every runbook (`REBOUND_WEBHOOK_TOKEN`). */
  token?: string;
  /** Scoped credentials from the credentials file (`REBOUND_WEBHOOK_CONFIG`). */
  credentials?: readonly Credential[];
  /** Accept unauthenticated requests: only when the operator asks for it explicitly. */
  disabled?: boolean;
}

/** Who sent a request, and which runbooks it may start or join. */
export interface Principal {
  kind: Credential['kind'] | 'anonymous';
  name: string;
  runbooks: RunbookScope;
}

/** Signed requests older or newer than this are refused (replays, clock skew). */
export const signatureMaxSkewMs = 5 * 60_000;
export const timestampHeader = 'x-rebound-timestamp';
export const signatureHeader = 'x-rebound-signature';

// Digests have equal length whatever the inputs, so timingSafeEqual never leaks a secret's length.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

interface Stored {
  credential: Credential;
  digest: Buffer;
}

/** The one credential among `stored` whose digest equals `presented`; compares with all of them. */
function findEqual(stored: readonly Stored[], presented: Buffer): Credential | undefined {
  let found: Credential | undefined;
  for (const entry of stored) {
    if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.credential;
  }
  return found;
}

const anonymous: Principal = { kind: 'anonymous', name: 'anonymous', runbooks: 'all' };
const principalOf = (credential: Credential): Principal => ({ kind: credential.kind, name: credential.name, runbooks: credential.runbooks });

export interface Authenticator {
  /** Authentication is off (`--no-auth`). */
  readonly disabled: boolean;
  /** Whether any HMAC secret is configured (the generic route then accepts signatures). */
  readonly acceptsSignatures: boolean;
  /** The sender of a request from its Authorization header; HttpError 401 when there is none or it is wrong. */
  fromHeaders(headers: IncomingHttpHeaders): Principal;
  /** The sender of a signed request from its timestamp and signature headers and raw body; HttpError 401 otherwise. */
  fromSignature(headers: IncomingHttpHeaders, rawBody: Buffer, now?: number): Principal;
}

/** Builds the authenticator once at start; throws AuthConfigError when auth is neither configured nor disabled. */
export function createAuthenticator(options: AuthOptions, runbookNames: ReadonlySet<string>): Authenticator {
  const credentials: Credential[] = [...(options.credentials ?? [])];
  if (options.token !== undefined) credentials.push({ kind: 'bearer', name: 'REBOUND_WEBHOOK_TOKEN', secret: options.token, runbooks: 'all' });
  if (!options.disabled && credentials.length === 0) {
    throw new AuthConfigError('no webhook credentials: set REBOUND_WEBHOOK_TOKEN or REBOUND_WEBHOOK_CONFIG, or disable auth explicitly (rebound serve --no-auth)');
  }
  checkScopes(credentials, runbookNames);
  const stored = (kind: Credential['kind']): Stored[] => credentials.filter((credential) => credential.kind === kind).map((credential) => ({ credential, digest: digest(credential.secret) }));
  const bearer = stored('bearer');
  const basic = stored('basic');
  const hmac = credentials.filter((credential) => credential.kind === 'hmac');
  const schemes = [bearer.length > 0 ? 'Bearer' : undefined, basic.length > 0 ? 'Basic' : undefined].filter((scheme) => scheme !== undefined);

  return {
    disabled: options.disabled === true,
    acceptsSignatures: hmac.length > 0,
    fromHeaders(headers) {
      if (options.disabled) return anonymous;
      const header = headers.authorization;
      if (header === undefined || header.trim() === '') {
        throw new HttpError('unauthenticated', `missing credentials: send Authorization: ${schemes.join(' or ') || 'Bearer'}`, { schemes });
      }
      const match = /^(\w+)\s+(\S+)\s*$/.exec(header);
      const scheme = match?.[1]?.toLowerCase();
      let found: Credential | undefined;
      if (scheme === 'bearer') found = findEqual(bearer, digest(match?.[2] ?? ''));
      else if (scheme === 'basic') found = findEqual(basic, digest(Buffer.from(match?.[2] ?? '', 'base64').toString('utf8')));
      if (found === undefined) throw new HttpError('invalid_credentials', 'invalid credentials');
      return principalOf(found);
    },
    fromSignature(headers, rawBody, now = Date.now()) {
      if (options.disabled) return anonymous;
      const timestamp = single(headers[timestampHeader]);
      const signature = single(headers[signatureHeader]);
      if (timestamp === undefined || !/^\d{1,15}$/.test(timestamp)) {
        throw new HttpError('invalid_signature', `a signed request needs ${timestampHeader}: <unix seconds>`, { header: timestampHeader });
      }
      const skewMs = Math.abs(now - Number(timestamp) * 1000);
      if (skewMs > signatureMaxSkewMs) {
        throw new HttpError('stale_signature', `${timestampHeader} is ${Math.round(skewMs / 1000)}s away from this server's clock (at most ${signatureMaxSkewMs / 1000}s)`, {
          maxSkewSeconds: signatureMaxSkewMs / 1000,
        });
      }
      const presented = /^sha256=([0-9a-fA-F]{64})$/.exec(signature ?? '')?.[1];
      if (presented === undefined) throw new HttpError('invalid_signature', `expected ${signatureHeader}: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, { header: signatureHeader });
      const presentedBytes = Buffer.from(presented, 'hex');
      let found: Credential | undefined;
      for (const credential of hmac) {
        const expected = createHmac('sha256', credential.secret).update(`${timestamp}.`).update(rawBody).digest();
        if (timingSafeEqual(expected, presentedBytes) && found === undefined) found = credential;
      }
      if (found === undefined) throw new HttpError('invalid_signature', 'the signature does not match the body (or no secret signs it)');
      return principalOf(found);
    },
  };
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
