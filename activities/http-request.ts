/** `http.request`: one HTTP call that changes a system, carrying the step's idempotency key. */
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { ActionRequest, ActionResult } from '../model/action-contract';
import { httpRequestInput } from '../model/catalog';
import { runAttempt } from './activity-attempt';
import { clientError, parseInput, unexpectedStatus, unreachable } from './failures';
import { describeTarget, exchangeHttp, type ResponseSummary } from './http-exchange';

const activity = 'http.request';
const defaultTimeoutMs = 30_000;

export function createHttpRequest({ logger }: { readonly logger: Logger }) {
  return async function httpRequest(request: ActionRequest): Promise<ActionResult> {
    return runAttempt(logger, activity, request, 'info', async (log) => {
      const input = parseInput(activity, httpRequestInput, request.input);
      const target = describeTarget(input.method, input.url);
      const exchange = await exchangeHttp(input, {
        activity,
        defaultTimeoutMs,
        headers: { 'Idempotency-Key': request.idempotencyKey },
      });
      if (!exchange.answered) {
        const { error, code } = exchange;
        throw unreachable(`${target} unreachable: ${error}`, code === undefined ? { error } : { error, code });
      }
      const output = summary(exchange.response);
      const { status } = exchange.response;
      log.debug({ status, latencyMs: exchange.latencyMs }, `${target} answered`);
      if (input.expectStatus ? input.expectStatus.includes(status) : status >= 200 && status < 300) {
        return { output, attempt: Context.current().info.attempt };
      }
      const message = `${target} answered ${status}, expected ${input.expectStatus?.join(' or ') ?? '2xx'}`;
      // The same request will get the same 4xx: only a changed runbook or target can help.
      if (status >= 400 && status < 500) throw clientError(message, output);
      throw unexpectedStatus(message, output);
    });
  };
}

/** `{ status, json }` for a JSON answer, else `{ status, bodyPreview, truncated? }`. */
function summary({ status, json, preview, truncated }: ResponseSummary): Record<string, unknown> {
  if (json !== undefined) return { status, json };
  if (preview === undefined) return { status };
  return truncated ? { status, bodyPreview: preview, truncated } : { status, bodyPreview: preview };
}
