/**
 * Where every Rebound process (the CLI, `rebound worker`, `rebound serve`) connects: the Temporal
 * SDK's environment configuration (`@temporalio/envconfig`), the same variables and TOML profiles
 * as the `temporal` CLI: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
 * TEMPORAL_GRPC_META_*, TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE. One process set of variables
 * reaches the dev server, a cluster or Temporal Cloud.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError, type ReboundConfig } from './config';

export interface TemporalConnectionSettings {
  /** host:port of the frontend. */
  readonly address: string;
  readonly namespace: string;
  /** TLS settings; `true` for TLS with the system's roots (an API key turns it on). */
  readonly tls?: NativeConnectionOptions['tls'];
  readonly apiKey?: string;
  /** gRPC metadata sent with every call (TEMPORAL_GRPC_META_*). */
  readonly metadata?: NativeConnectionOptions['metadata'];
}

export interface ConnectionOverrides {
  /** Connect to this address in plain text with the configured namespace, ignoring profiles (the local stack of `rebound dev` and `rebound demo`). */
  address?: string;
}

/** The settings the environment and profile give; Rebound's defaults (`localhost:7233`, `default`) fill the rest. Throws a ConfigError for a bad profile file. */
export function temporalConnectionSettings(config: ReboundConfig, overrides: ConnectionOverrides = {}, env: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  if (overrides.address !== undefined) return { address: overrides.address, namespace: config.namespace };
  let profile: ReturnType<typeof loadClientConnectConfig>;
  try {
    profile = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ConfigError(`Temporal client configuration (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE): ${message}`);
  }
  const { address, apiKey, tls, metadata } = profile.connectionOptions;
  return {
    address: address ?? config.temporalAddress,
    namespace: profile.namespace ?? config.namespace,
    ...(tls === undefined || tls === null ? {} : { tls }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}

/** What a log line may say about a connection: never the API key or key material. */
export function describeConnection(settings: TemporalConnectionSettings): { address: string; namespace: string; tls: boolean; withApiKey: boolean } {
  return { address: settings.address, namespace: settings.namespace, tls: settings.tls !== undefined && settings.tls !== false, withApiKey: settings.apiKey !== undefined };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  // `FOO=` means unset, as in runtime/config.ts.
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
}
