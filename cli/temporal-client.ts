/** A Temporal client for CLI commands, with connection errors turned into one clear line. */
import { Client, Connection } from '@temporalio/client';
import type { ReboundConfig } from '../runtime/config';
import { CliError } from './cli-error';

export async function connectClient(config: ReboundConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '5s' });
    return new Client({ connection, namespace: config.namespace });
  } catch (error) {
    throw new CliError(
      `cannot reach Temporal at ${config.temporalAddress}: ${(error as Error).message.split('\n')[0]}`,
      1,
      'start the stack with `npm start` (or `rebound dev`), or set TEMPORAL_ADDRESS',
    );
  }
}
