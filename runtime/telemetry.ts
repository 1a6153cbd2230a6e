/**
 * The Temporal SDK's runtime for this process: its logs routed into pino and, when asked, its
 * metrics (the SDK's own and the ones Rebound's workflows emit, see model/metrics.ts) served for
 * Prometheus. The SDK takes these options once, before the first Worker or NativeConnection, so
 * processes (and test files with in-process workers) install it first thing.
 */
import { IllegalStateError, makeTelemetryFilterString, Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { reboundHistogramBuckets } from '../model/metrics';
import { temporalLoggerFor } from './logger';

export interface MetricsEndpoint {
  host: string;
  port: number;
}

export interface TemporalRuntimeOptions {
  /** Serve metrics at `http://host:port/metrics`; omitted: no metrics endpoint. */
  metrics?: MetricsEndpoint;
}

/** Thrown when a metrics endpoint is asked for but the SDK runtime was already installed without it. */
export class MetricsUnavailableError extends Error {
  override readonly name = 'MetricsUnavailableError';
}

export const metricsUrl = ({ host, port }: MetricsEndpoint): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;

function metricsOptions(endpoint: MetricsEndpoint): NonNullable<NonNullable<RuntimeOptions['telemetryOptions']>['metrics']> {
  return {
    prometheus: {
      bindAddress: `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`,
      // Prometheus conventions: counters end in _total, durations are in seconds.
      countersTotalSuffix: true,
      useSecondsForDurations: true,
      histogramBucketOverrides: reboundHistogramBuckets,
    },
  };
}

let installed: { metrics: MetricsEndpoint | undefined } | undefined;

/**
 * Installs the SDK runtime once per process: a second call with the same or no metrics endpoint
 * is a no-op returning true. When the SDK already started with its defaults (a Worker or
 * NativeConnection came first), logs keep the SDK's output (a warning, false) and a metrics
 * endpoint cannot be served ({@link MetricsUnavailableError}).
 */
export function installTemporalRuntime(logger: Logger, options: TemporalRuntimeOptions = {}): boolean {
  const { metrics } = options;
  if (installed !== undefined) {
    if (metrics !== undefined && (installed.metrics?.host !== metrics.host || installed.metrics.port !== metrics.port)) {
      const current = installed.metrics === undefined ? 'without metrics' : `with metrics on ${metricsUrl(installed.metrics)}`;
      throw new MetricsUnavailableError(`cannot serve metrics on ${metricsUrl(metrics)}: the Temporal SDK runtime of this process is already installed ${current}`);
    }
    return true;
  }
  // The native core is chatty at info: keep it at warn unless someone is debugging.
  const coreLevel = logger.level === 'trace' ? 'TRACE' : logger.level === 'debug' ? 'DEBUG' : 'WARN';
  try {
    Runtime.install({
      logger: temporalLoggerFor(logger),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: coreLevel, other: 'ERROR' }), forward: {} },
        ...(metrics === undefined ? {} : { metrics: metricsOptions(metrics) }),
      },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) {
      if (metrics !== undefined) throw new MetricsUnavailableError(`cannot serve metrics on ${metricsUrl(metrics)}: ${(error as Error).message.split('\n')[0]}`);
      throw error;
    }
    if (metrics !== undefined) throw new MetricsUnavailableError(`cannot serve metrics on ${metricsUrl(metrics)}: a Worker or NativeConnection was created before installTemporalRuntime`);
    logger.warn('Temporal SDK logs keep their default output: a Worker or NativeConnection was created before installTemporalRuntime');
    return false;
  }
  installed = { metrics };
  return true;
}
