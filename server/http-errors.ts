/** The webhook's coded errors, each with its HTTP status; every error answer is `{ error: { code, message, details } }`. */
export const httpErrorStatus = {
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_signature: 401,
  stale_signature: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  malformed_json: 400,
  empty_body: 400,
  bad_request: 400,
  forbidden_key: 400,
  unsupported_version: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_payload: 422,
  invalid_params: 422,
  rate_limited: 429,
  runbook_unresolvable: 422,
  temporal_unavailable: 503,
  overloaded: 503,
  internal: 500,
} as const;
export type HttpErrorCode = keyof typeof httpErrorStatus;

/** Thrown by route handlers and hooks; the error handler answers with its status and JSON body. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  get status(): number {
    return httpErrorStatus[this.code];
  }

  body(): { error: { code: HttpErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

// Errors fastify raises before a handler runs (body parsing), by fastify's own code.
const fastifyCodes: Record<string, HttpErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

/** Any error a request ended with, as an HttpError (unknown ones become `internal`). */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const { code, statusCode, message } = (error ?? {}) as { code?: string; statusCode?: number; message?: string };
  const known = code === undefined ? undefined : fastifyCodes[code];
  if (known) return new HttpError(known, message ?? known);
  if (error instanceof SyntaxError && statusCode === 400) return new HttpError('malformed_json', message ?? 'malformed JSON');
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return new HttpError('bad_request', message ?? 'bad request');
  return new HttpError('internal', 'internal error');
}
