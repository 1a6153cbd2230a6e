/**
 * A Temporal client for CLI commands. Connection settings come from the SDK's environment
 * configuration (`@temporalio/envconfig`): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS*, TEMPORAL_GRPC_META_*, and profiles of the TOML file (TEMPORAL_CONFIG_FILE,
 * TEMPORAL_PROFILE), so one CLI reaches the dev server, a cluster or Temporal Cloud.
 * Connection errors become one clear line.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { dataConverterFromEnv } from '../runtime/codec-keys';
import type { ReboundConfig } from '../runtime/config';
import { CliError, ExitCode } from './cli-error';

export interface ConnectOverrides {
  /** Connect to this address in plain text, ignoring profiles (the local stack of `rebound demo`). */
  address?: string;
}

/** The connection options and namespace the environment and profile give; Rebound's defaults fill the rest. */
export function connectionSettings(config: ReboundConfig, env: NodeJS.ProcessEnv = process.env): { options: ConnectionOptions; namespace: string } {
  let profile: ReturnType<typeof loadClientConnectConfig>;
  try {
    profile = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  } catch (error) {
    throw new CliError(`Temporal client configuration: ${firstLine(error)}`, ExitCode.usage, 'check TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE');
  }
  const { address, apiKey, tls, metadata } = profile.connectionOptions;
  return {
    options: {
      address: address ?? config.temporalAddress,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(tls === undefined ? {} : { tls }),
      ...(metadata === undefined ? {} : { metadata }),
      connectTimeout: '5s',
    },
    namespace: profile.namespace ?? config.namespace,
  };
}

function settings(config: ReboundConfig, overrides: ConnectOverrides): { options: ConnectionOptions; namespace: string } {
  if (overrides.address === undefined) return connectionSettings(config);
  return { options: { address: overrides.address, connectTimeout: '5s' }, namespace: config.namespace };
}

export async function connectClient(config: ReboundConfig, overrides: ConnectOverrides = {}): Promise<Client> {
  const { options, namespace } = settings(config, overrides);
  return new Client({ connection: await open(options), namespace, dataConverter: dataConverterFromEnv() });
}

/** A connection (for the operator service too), or a CliError saying Temporal cannot be reached. */
export function connectTemporal(config: ReboundConfig, overrides: ConnectOverrides = {}): Promise<Connection> {
  return open(settings(config, overrides).options);
}

async function open(options: ConnectionOptions): Promise<Connection> {
  try {
    return await Connection.connect(options);
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${options.address}: ${firstLine(error)}`,
      ExitCode.failed,
      'start the stack with `npm start` (or `rebound dev`), or set TEMPORAL_ADDRESS (and TEMPORAL_API_KEY or TEMPORAL_TLS* for a remote cluster)',
    );
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  // `FOO=` means unset, as in runtime/config.ts.
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
}
