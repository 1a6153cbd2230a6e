/**
 * A Temporal client for CLI commands, connected where runtime/temporal-connection.ts says (the
 * SDK's environment configuration, shared with `rebound worker` and `rebound serve`).
 * Connection errors become one clear line.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { dataConverterFromEnv } from '../runtime/codec-keys';
import type { ReboundConfig } from '../runtime/config';
import { temporalConnectionSettings, type ConnectionOverrides } from '../runtime/temporal-connection';
import { CliError, ExitCode } from './cli-error';

export async function connectClient(config: ReboundConfig, overrides: ConnectionOverrides = {}): Promise<Client> {
  const { namespace, ...options } = temporalConnectionSettings(config, overrides);
  return new Client({ connection: await open(options), namespace, dataConverter: dataConverterFromEnv() });
}

/** A connection (for the operator service too) and where it goes, or a CliError saying Temporal cannot be reached. */
export async function connectTemporal(config: ReboundConfig): Promise<{ connection: Connection; address: string; namespace: string }> {
  const { namespace, ...options } = temporalConnectionSettings(config);
  return { connection: await open(options), address: options.address, namespace };
}

async function open(options: ConnectionOptions & { address: string }): Promise<Connection> {
  try {
    return await Connection.connect({ ...options, connectTimeout: '5s' });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${options.address}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
      ExitCode.failed,
      'start the stack with `npm start` (or `rebound dev`), or set TEMPORAL_ADDRESS (and TEMPORAL_API_KEY or TEMPORAL_TLS* for a remote cluster)',
      'unreachable',
    );
  }
}
