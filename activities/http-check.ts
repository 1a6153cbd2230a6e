/** `http.check`: a read-only HTTP probe for gates. Statuses and network errors are observations, not failures. */
import type { Logger } from 'pino';
import type { CheckRequest, Observation } from '../model/action-contract';
import { httpCheckInput } from '../model/catalog';
import { runAttempt } from './activity-attempt';
import { parseInput } from './failures';
import { exchangeHttp } from './http-exchange';

const activity = 'http.check';
const defaultTimeoutMs = 10_000;

export function createHttpCheck({ logger }: { readonly logger: Logger }) {
  // Gates poll: completed checks log at debug so a long gate does not flood the worker's log.
  return async function httpCheck(request: CheckRequest): Promise<Observation> {
    return runAttempt(logger, activity, request, 'debug', async () => {
      const input = parseInput(activity, httpCheckInput, request.input);
      const exchange = await exchangeHttp(input, { activity, defaultTimeoutMs });
      if (!exchange.answered) {
        return { status: 0, ok: false, error: exchange.error, latencyMs: exchange.latencyMs };
      }
      const { status, json, preview, truncated } = exchange.response;
      return {
        status,
        ok: status >= 200 && status < 300,
        latencyMs: exchange.latencyMs,
        ...(json === undefined ? {} : { json }),
        ...(preview === undefined ? {} : { body: preview }),
        ...(truncated ? { truncated } : {}),
      };
    });
  };
}
