/** Process configuration: read once from the environment, validated, frozen. */
import path from 'node:path';
import { z } from 'zod';

/** Thrown by {@link loadConfig} when an environment variable has a value Rebound cannot use. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const addressPattern = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;
const identifierPattern = /^\S+$/;

// `FOO=` in a shell or an .env file means "not set", so an empty value takes the default.
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema);
}

const portNumber = z
  .string()
  .regex(/^\d{1,5}$/, { error: 'expected a port number 0-65535 (0 picks a free port)' })
  .transform(Number)
  .refine((value) => value <= 65_535, { error: 'expected a port number 0-65535 (0 picks a free port)' });

function port(fallback: number) {
  return optional(portNumber.default(fallback));
}

/** Requests per minute per alert source and client address: far above what Alertmanager or Grafana send (they group alerts). */
export const defaultWebhookRateLimit = 6000;

const envSchema = z.object({
  TEMPORAL_ADDRESS: optional(
    z
      .string()
      .regex(addressPattern, { error: 'expected host:port, e.g. localhost:7233' })
      .refine((value) => Number(addressPattern.exec(value)?.[1]) <= 65_535, { error: 'expected host:port with a port 0-65535' })
      .default('localhost:7233'),
  ),
  TEMPORAL_NAMESPACE: optional(z.string().regex(identifierPattern, { error: 'expected a namespace name without spaces' }).default('default')),
  REBOUND_TASK_QUEUE: optional(z.string().regex(identifierPattern, { error: 'expected a task queue name without spaces' }).default('rebound')),
  REBOUND_LOG_LEVEL: optional(z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info')),
  REBOUND_EXEC_ALLOW: optional(
    z
      .string()
      .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
      .refine((entries) => entries.every((entry) => identifierPattern.test(entry)), {
        error: 'expected a comma-separated list of command names without spaces, e.g. systemctl,kubectl',
      })
      .default([]),
  ),
  REBOUND_STATE_DIR: optional(z.string().default('.rebound')),
  REBOUND_INVENTORY: optional(z.string().optional()),
  REBOUND_UI_PORT: port(8233),
  REBOUND_TEMPORAL_PORT: port(7233),
  REBOUND_HTTP_PORT: port(8080),
  REBOUND_METRICS_PORT: optional(portNumber.optional()),
  REBOUND_METRICS_HOST: optional(z.string().regex(/^[A-Za-z0-9.:_-]+$/, { error: 'expected a host name or IP address, e.g. 0.0.0.0' }).default('127.0.0.1')),
  REBOUND_WEBHOOK_TOKEN: optional(z.string().min(16, { error: 'expected a token of at least 16 characters' }).optional()),
  REBOUND_WEBHOOK_CONFIG: optional(z.string().optional()),
  REBOUND_AUTHZ_FILE: optional(z.string().optional()),
  REBOUND_WEBHOOK_RATE_LIMIT: optional(
    z
      .string()
      .regex(/^\d{1,9}$/, { error: 'expected requests per minute per source and client, a whole number (0 turns the limit off)' })
      .transform(Number)
      .default(defaultWebhookRateLimit),
  ),
});

// Never echoed in error messages.
const secretVariables = new Set(['REBOUND_WEBHOOK_TOKEN']);

export type LogLevel = (typeof logLevels)[number];

export interface ReboundConfig {
  /** gRPC address of the Temporal frontend. */
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly logLevel: LogLevel;
  /** Commands the `exec` action may run; empty means `exec` is disabled. */
  readonly execAllow: readonly string[];
  /** Absolute path of the directory for local state (the dev server's SQLite file). */
  readonly stateDir: string;
  /** Absolute path of the inventory YAML the driver activities act on; unset disables them. */
  readonly inventoryFile: string | undefined;
  /** Ports of the embedded dev server (`rebound dev`); 0 picks a free port. */
  readonly uiPort: number;
  readonly temporalPort: number;
  /** Port of the webhook server (`rebound serve`), on 127.0.0.1. */
  readonly httpPort: number;
  /** The bearer token webhook senders must present; unset means `rebound serve` needs --no-auth. */
  readonly webhookToken: string | undefined;
  /** Absolute path of the webhook credentials file (scoped tokens, basic-auth users, HMAC secrets). */
  readonly webhookConfigFile: string | undefined;
  /** Absolute path of the authorization policy (who may start and act on which runbooks); unset: everyone may do everything. */
  readonly authzFile: string | undefined;
  /** Webhook requests per minute per alert source and client address; 0 means no limit. */
  readonly webhookRateLimit: number;
  /** Where the worker serves Prometheus metrics (`/metrics`); unset: no metrics endpoint. Port 0 picks a free one. */
  readonly metrics: { readonly host: string; readonly port: number } | undefined;
}

/** Parses the Rebound environment variables; throws a {@link ConfigError} naming the first bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ReboundConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    // JSON quoting keeps the message on one line whatever the value holds.
    const got = env[variable] === undefined || secretVariables.has(variable) ? '' : `, got ${JSON.stringify(env[variable])}`;
    throw new ConfigError(`${variable}: ${issue?.message ?? 'invalid value'}${got}`);
  }
  const values = parsed.data;
  return Object.freeze({
    temporalAddress: values.TEMPORAL_ADDRESS,
    namespace: values.TEMPORAL_NAMESPACE,
    taskQueue: values.REBOUND_TASK_QUEUE,
    logLevel: values.REBOUND_LOG_LEVEL,
    execAllow: Object.freeze([...values.REBOUND_EXEC_ALLOW]),
    stateDir: path.resolve(cwd, values.REBOUND_STATE_DIR),
    inventoryFile: values.REBOUND_INVENTORY === undefined ? undefined : path.resolve(cwd, values.REBOUND_INVENTORY),
    uiPort: values.REBOUND_UI_PORT,
    temporalPort: values.REBOUND_TEMPORAL_PORT,
    httpPort: values.REBOUND_HTTP_PORT,
    webhookToken: values.REBOUND_WEBHOOK_TOKEN,
    webhookConfigFile: values.REBOUND_WEBHOOK_CONFIG === undefined ? undefined : path.resolve(cwd, values.REBOUND_WEBHOOK_CONFIG),
    authzFile: values.REBOUND_AUTHZ_FILE === undefined ? undefined : path.resolve(cwd, values.REBOUND_AUTHZ_FILE),
    webhookRateLimit: values.REBOUND_WEBHOOK_RATE_LIMIT,
    metrics: values.REBOUND_METRICS_PORT === undefined ? undefined : Object.freeze({ host: values.REBOUND_METRICS_HOST, port: values.REBOUND_METRICS_PORT }),
  });
}
