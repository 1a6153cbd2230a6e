/** The fleet's coded errors: each carries the HTTP status and code of its `{ error: { code, message } }` answer. */
import type { z } from 'zod';

/** Thrown for any request the fleet refuses; the server turns it into a 4xx JSON answer. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A service, replica, site, dependency or grant the fleet does not have. */
export const notFound = (code: string, message: string) => new FleetError(404, code, message);

/** A request that cannot be applied as written. */
export const invalidRequest = (code: string, message: string) => new FleetError(400, code, message);

/** `weights.eu-west: expected number, received string; add[0].role: …` */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.map(String).join('.');
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Parses a request body with `schema`, or throws a 400 naming every problem. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw invalidRequest('invalid_body', describeIssues(result.error.issues));
  return result.data;
}
