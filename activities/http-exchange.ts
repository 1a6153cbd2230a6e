/**
 * One HTTP exchange, shared by `http.request` and `http.check`: builds the request, bounds it by a
 * timeout and by the activity's cancellation, and reads a bounded summary of the response.
 */
import { isNativeError } from 'node:util/types';
import { Context } from '@temporalio/activity';
import { durationMs, formatDuration } from '../model/duration';
import { elapsedMs } from './activity-attempt';
import { invalidInput } from './failures';

/** Larger JSON bodies are previewed instead: summaries end up in recovery state and workflow history. */
const maxJsonBytes = 16 * 1024;
const previewChars = 512;
const jsonContentType = /^application\/(?:[\w.-]+\+)?json\b/i;

export interface HttpExchangeInput {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly json?: unknown;
  readonly timeout?: string | undefined;
}

/** What was read of a response. */
export interface ResponseSummary {
  readonly status: number;
  /** The parsed body, when it is JSON of at most 16 KiB. */
  readonly json?: unknown;
  /** The first 512 characters of any other non-empty body. */
  readonly preview?: string;
  /** Set when `preview` shows only part of the body. */
  readonly truncated?: true;
}

export type HttpExchange =
  | { readonly answered: true; readonly response: ResponseSummary; readonly latencyMs: number }
  | { readonly answered: false; readonly error: string; readonly code?: string; readonly latencyMs: number };

export interface HttpExchangeOptions {
  readonly activity: string;
  readonly defaultTimeoutMs: number;
  /** Set after the input's headers, so they cannot be overridden by a runbook. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest JSON body parsed (default 16 KiB: a summary for recovery state); drivers read whole inventories. */
  readonly maxJsonBytes?: number;
  /** Aborts the exchange; default: the activity's cancellation (outside an activity, e.g. `rebound plan`, give one). */
  readonly signal?: AbortSignal;
}

/**
 * Sends the request and reads the response. An unanswered request (network error, timeout) is a
 * result, not an exception; cancellation rethrows the activity's CancelledFailure.
 */
export async function exchangeHttp(input: HttpExchangeInput, options: HttpExchangeOptions): Promise<HttpExchange> {
  const init = requestInit(input, options);
  const cancellationSignal = options.signal ?? Context.current().cancellationSignal;
  const timeoutMs = input.timeout === undefined ? options.defaultTimeoutMs : durationMs(input.timeout);
  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  try {
    const response = await fetch(input.url, { ...init, signal: AbortSignal.any([cancellationSignal, timeoutSignal]) });
    return { answered: true, response: await summariseResponse(response, options.maxJsonBytes ?? maxJsonBytes), latencyMs: elapsedMs(started) };
  } catch (error) {
    if (cancellationSignal.aborted) throw cancellationSignal.reason;
    const latencyMs = elapsedMs(started);
    if (timeoutSignal.aborted) return { answered: false, error: `no answer within ${formatDuration(timeoutMs)}`, latencyMs };
    return { answered: false, ...networkError(error), latencyMs };
  }
}

/** `POST https://host/path`: no credentials or query string, which may carry secrets, in messages and logs. */
export function describeTarget(method: string, url: string): string {
  const parsed = new URL(url);
  return `${method} ${parsed.origin}${parsed.pathname}`;
}

function requestInit(input: HttpExchangeInput, options: HttpExchangeOptions): RequestInit {
  const headers = new Headers();
  for (const [name, value] of Object.entries({ ...input.headers, ...options.headers })) {
    try {
      headers.set(name, value);
    } catch {
      throw invalidInput(options.activity, [{ path: `headers.${name}`, message: 'not a valid HTTP header name or value' }]);
    }
  }
  if (input.json === undefined) return { method: input.method, headers };
  if (input.method === 'GET' || input.method === 'HEAD') {
    throw invalidInput(options.activity, [{ path: 'json', message: `a ${input.method} request cannot have a body` }]);
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return { method: input.method, headers, body: JSON.stringify(input.json) };
}

async function summariseResponse(response: Response, jsonLimit: number): Promise<ResponseSummary> {
  const { status } = response;
  const { text, complete } = await readText(response, jsonLimit);
  if (complete && jsonContentType.test(response.headers.get('content-type') ?? '')) {
    try {
      return { status, json: JSON.parse(text) };
    } catch {
      // Labelled JSON but is not: previewed like any other body.
    }
  }
  if (text === '') return { status };
  const preview = text.slice(0, previewChars);
  return complete && preview.length === text.length ? { status, preview } : { status, preview, truncated: true };
}

/** Reads at most `maxBytes` of the body and drops the rest, so a huge response cannot exhaust memory. */
async function readText(response: Response, maxBytes: number): Promise<{ text: string; complete: boolean }> {
  if (response.body === null) return { text: '', complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= maxBytes) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), complete: true };
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return { text: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), complete: false };
}

/** fetch reports `fetch failed`; the cause says what happened (`connect ECONNREFUSED 127.0.0.1:80`). */
function networkError(error: unknown): { error: string; code?: string } {
  // isNativeError, not instanceof: undici's errors may come from another realm (e.g. under jest).
  const cause = isNativeError(error) && isNativeError(error.cause) ? error.cause : error;
  const code = isNativeError(cause) && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  // Connecting to every address of a name fails as an AggregateError with an empty message.
  const message = isNativeError(cause) && cause.message !== '' ? cause.message : (code ?? String(error));
  return code === undefined ? { error: message } : { error: message, code };
}
