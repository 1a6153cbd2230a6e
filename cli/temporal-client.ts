/** A Temporal client for CLI commands, with connection errors turned into one clear line. */
import { Client, Connection } from '@temporalio/client';
import type { ReboundConfig } from '../runtime/config';
import { CliError } from './cli-error';

export async function connectClient(config: ReboundConfig): Promise<Client> {
  return new Client({ connection: await connectTemporal(config), namespace: config.namespace });
}

/** A connection to TEMPORAL_ADDRESS (for the operator service too), or a CliError saying it cannot be reached. */
export async function connectTemporal(config: ReboundConfig): Promise<Connection> {
  try {
    return await Connection.connect({ address: config.temporalAddress, connectTimeout: '5s' });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${config.temporalAddress}: ${(error as Error).message.split('\n')[0]}`,
      1,
      'start the stack with `npm start` (or `rebound dev`), or set TEMPORAL_ADDRESS',
    );
  }
}
