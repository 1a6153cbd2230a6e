/** Shared by the payload parsers: the JSON body parser, a JSON-object check and zod issues turned into one invalid_payload answer. */
import { scan } from 'secure-json-parse';
import type { z } from 'zod';
import { HttpError } from './http-errors';

/**
 * A JSON request body, or HttpError 400: empty_body, malformed_json, or forbidden_key for a
 * `__proto__` key or a `constructor` holding a `prototype` anywhere in it (prototype poisoning;
 * fastify's own parser refuses those too, but calls them invalid JSON).
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new HttpError('empty_body', 'the body is empty; send a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError('malformed_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  try {
    if (body !== null && typeof body === 'object') scan(body);
  } catch {
    throw new HttpError('forbidden_key', 'the body has a "__proto__" key or a "constructor" key holding a "prototype"; such keys are refused anywhere in a body');
  }
  return body;
}

/** parseJsonBody as the callback of a fastify content-type parser. */
export function parseJsonBodyInto(text: string, done: (error: Error | null, body?: unknown) => void): void {
  let body: unknown;
  try {
    body = parseJsonBody(text);
  } catch (error) {
    done(error as Error, undefined);
    return;
  }
  done(null, body);
}

/** The body as an object, or HttpError 422 (arrays, strings, numbers and null are not payloads). */
export function expectObject(body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError('invalid_payload', `expected a JSON object (${what})`);
  return body as Record<string, unknown>;
}

/** The parsed payload, or HttpError 422 naming every wrong field (`alerts.0.startsAt: ...`). */
export function parsePayload<Schema extends z.ZodType>(schema: Schema, body: unknown, what: string): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new HttpError('invalid_payload', `invalid ${what}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { issues });
}
