/** Logging: pino for Rebound's own processes, and the SDK's logger interface on top of it (installed by runtime/telemetry.ts). */
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/worker';
import { holdsSecret, rememberEnvironmentSecrets, scrubText, scrubValue } from './secret-values';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go. Default: stdout (processes log to stdout; CLI commands with data output pass stderr). */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Human-readable lines instead of JSON. Default: when the destination is a terminal. */
  pretty?: boolean;
}

/**
 * Fields that hold credentials wherever they appear in a log line (one level of nesting under any
 * field too): censored by pino before the line is written.
 */
export const redactedPaths = [
  'authorization',
  'password',
  'token',
  'apiKey',
  'secret',
  'secrets',
  'credentials',
  'codecKeys',
  'env',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["x-rebound-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'input.headers',
  'input.env',
  'input.json',
  '*.authorization',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.secret',
  '*.secrets',
  '*.credentials',
  '*.codecKeys',
  '*.env',
  '*.headers.authorization',
  '*.headers.cookie',
];

/** Where pino writes: every known secret value is cut out of a line before it goes on (see runtime/secret-values.ts). */
function scrubbingStream(inner: NodeJS.WritableStream): { write(line: string): boolean } {
  return {
    write(line: string): boolean {
      if (!holdsSecret(line)) return inner.write(line);
      let scrubbed: string;
      try {
        // Scrubbed value by value, so that a secret that happens to spell a key cannot break the JSON.
        scrubbed = `${JSON.stringify(scrubValue(JSON.parse(line)))}\n`;
      } catch {
        scrubbed = scrubText(line);
      }
      return inner.write(scrubbed);
    },
  };
}

/** A pino logger: coloured lines for a person at a terminal, JSON lines for anything else. Secrets never reach either. */
export function createLogger(options: LoggerOptions, bindings: Record<string, unknown> = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const pretty = options.pretty ?? destination.isTTY === true;
  const stream = pretty
    ? pinoPretty({ destination, sync: true, colorize: destination.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' })
    : destination;
  rememberEnvironmentSecrets();
  const logger = pino(
    {
      level: options.level,
      // The SDK puts errors under `error`; without a serializer they would log as `{}`.
      serializers: { error: pino.stdSerializers.err },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    scrubbingStream(stream),
  );
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
