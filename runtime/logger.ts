/** Logging: pino for Rebound's own processes, and the SDK's logger interface on top of it (installed by runtime/telemetry.ts). */
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/worker';

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
