/** Logging: pino for Rebound's own processes, and the Temporal SDK's logs routed into it. */
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import {
  IllegalStateError,
  makeTelemetryFilterString,
  Runtime,
  type Logger as TemporalLogger,
  type LogLevel as TemporalLogLevel,
  type LogMetadata,
} from '@temporalio/worker';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go. Default: stdout (processes log to stdout; CLI commands with data output pass stderr). */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Human-readable lines instead of JSON. Default: when the destination is a terminal. */
  pretty?: boolean;
}

/** A pino logger: coloured lines for a person at a terminal, JSON lines for anything else. */
export function createLogger(options: LoggerOptions, bindings: Record<string, unknown> = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const pretty = options.pretty ?? destination.isTTY === true;
  const stream = pretty
    ? pinoPretty({ destination, sync: true, colorize: destination.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' })
    : destination;
  // The SDK puts errors under `error`; without a serializer they would log as `{}`.
  const logger = pino({ level: options.level, serializers: { error: pino.stdSerializers.err } }, stream);
  return Object.keys(bindings).length === 0 ? logger : logger.child(bindings);
}

const pinoLevelOf = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's `Logger` interface on top of a pino logger; the SDK's metadata becomes fields of the line. */
export function temporalLoggerFor(logger: Logger): TemporalLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata) => {
    // Only string keys: the SDK also passes a symbol-keyed timestamp that JSON cannot carry.
    logger[pinoLevelOf[level]]({ ...Object.fromEntries(Object.entries(meta ?? {})) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

let routedTo: Logger | undefined;

/**
 * Sends the Temporal SDK's logs (worker, workflow and activity loggers, and the native core's
 * logs) to `logger`. The SDK allows this only once per process and only before the first Worker
 * or NativeConnection exists: a second call is a no-op returning true; a call after the SDK has
 * started with its default logger logs a warning and returns false.
 */
export function routeTemporalLogsToPino(logger: Logger): boolean {
  if (routedTo !== undefined) return true;
  // The native core is chatty at info: keep it at warn unless someone is debugging.
  const coreLevel = logger.level === 'trace' ? 'TRACE' : logger.level === 'debug' ? 'DEBUG' : 'WARN';
  try {
    Runtime.install({
      logger: temporalLoggerFor(logger),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: coreLevel, other: 'ERROR' }), forward: {} } },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
    logger.warn('Temporal SDK logs keep their default output: a Worker or NativeConnection was created before routeTemporalLogsToPino');
    return false;
  }
  routedTo = logger;
  return true;
}
