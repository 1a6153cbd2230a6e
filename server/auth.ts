/** Bearer-token authentication of the alert routes; the token is compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors';

export interface AuthOptions {
  /** The one token valid for every runbook (`REBOUND_WEBHOOK_TOKEN`). */
  token?: string;
  /** Accept unauthenticated requests: only when the operator asks for it explicitly. */
  disabled?: boolean;
}

/** Thrown at start when auth is neither configured nor explicitly disabled. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

// Digests have equal length whatever the inputs, so timingSafeEqual never leaks the token's length.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** An onRequest hook that refuses requests without the bearer token (401). */
export function bearerAuth(options: AuthOptions): ((request: FastifyRequest) => Promise<void>) | undefined {
  if (options.disabled) return undefined;
  if (!options.token) throw new AuthConfigError('no webhook token: set REBOUND_WEBHOOK_TOKEN, or disable auth explicitly (rebound serve --no-auth)');
  const expected = digest(options.token);
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw new HttpError('unauthenticated', 'missing credentials: send Authorization: Bearer <token>');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1] ?? ''), expected)) throw new HttpError('invalid_credentials', 'invalid credentials');
  };
}
