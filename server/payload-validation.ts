/** Shared by the payload parsers: a JSON-object check and zod issues turned into one invalid_payload answer. */
import type { z } from 'zod';
import { HttpError } from './http-errors';

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
