/**
 * `prometheus.query`: an instant PromQL query for gates ("error ratio < 1% for 3 samples").
 * A query error or an unreachable Prometheus is an observation that does not pass, not a failure.
 */
import type { Logger } from 'pino';
import type { CheckRequest, Observation } from '../model/action-contract';
import { prometheusQueryInput } from '../model/catalog';
import { runAttempt } from './activity-attempt';
import { parseInput } from './failures';
import { exchangeHttp } from './http-exchange';

const activity = 'prometheus.query';
const defaultTimeoutMs = 10_000;

interface PrometheusAnswer {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
}

interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** Samples of a vector or scalar result, values as numbers (Prometheus sends them as strings). */
function samples(data: PrometheusAnswer['data']): Sample[] {
  if (data?.resultType === 'scalar' && Array.isArray(data.result)) return [{ metric: {}, value: Number(data.result[1]) }];
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) return [];
  return (data.result as { metric?: Record<string, string>; value?: [number, string] }[]).map((entry) => ({
    metric: entry.metric ?? {},
    value: Number(entry.value?.[1]),
  }));
}

export function createPrometheusQuery({ logger }: { readonly logger: Logger }) {
  return async function prometheusQuery(request: CheckRequest): Promise<Observation> {
    return runAttempt(logger, activity, request, 'debug', async () => {
      const input = parseInput(activity, prometheusQueryInput, request.input);
      const url = new URL('/api/v1/query', input.url);
      url.searchParams.set('query', input.query);
      const exchange = await exchangeHttp({ method: 'GET', url: url.toString(), timeout: input.timeout }, { activity, defaultTimeoutMs, maxJsonBytes: 1024 * 1024 });
      if (!exchange.answered) return { ok: false, error: exchange.error, value: null, samples: [] };
      const answer = (exchange.response.json ?? {}) as PrometheusAnswer;
      if (answer.status !== 'success') {
        const error = answer.error ?? `Prometheus answered ${exchange.response.status}`;
        return { ok: false, error: answer.errorType ? `${answer.errorType}: ${error}` : error, value: null, samples: [] };
      }
      const found = samples(answer.data);
      // `value` is the first sample: what most gates compare ("value < 0.01"); null when the result is empty.
      return { ok: true, resultType: answer.data?.resultType, value: found[0]?.value ?? null, samples: found };
    });
  };
}
