/**
 * `rebound fleet` (and `npm run fleet`): the demo fleet (examples/fleet/API.md) as a process, in
 * memory, seeded from YAML. Port: --port, else FLEET_PORT, else 9400; 0 picks a free one.
 */
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { loadConfig } from '../../runtime/config';
import { FleetSeedError } from '../../examples/fleet/seed';
import { startFleet } from '../../examples/fleet/server';
import { CliError, ExitCode } from '../cli-error';
import { untilStopSignal } from '../signals';

export const defaultFleetPort = 9400;

export function fleetPort(option: string | undefined, env: NodeJS.ProcessEnv): number {
  const [text, source] = option !== undefined ? [option, '--port'] : [env.FLEET_PORT, 'FLEET_PORT'];
  if (text === undefined || text.trim() === '') return defaultFleetPort;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port > 65_535) throw new CliError(`${source}: expected a port number 0-65535 (0 picks a free port), got "${text}"`, ExitCode.usage);
  return port;
}

// Not runtime/logger: that one loads the Temporal SDK, which the fleet has no use for.
function fleetLogger(level: string) {
  const pretty = process.stdout.isTTY === true;
  const stream = pretty ? pinoPretty({ sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }) : process.stdout;
  return pino({ level }, stream).child({ process: 'fleet' });
}

export async function fleetCommand(options: { seed?: string; port?: string }): Promise<number> {
  const port = fleetPort(options.port, process.env);
  const logger = fleetLogger(loadConfig().logLevel);
  const stopSignal = untilStopSignal();
  let fleet;
  try {
    fleet = await startFleet({ seedFile: options.seed, port, logger });
  } catch (error) {
    if (error instanceof FleetSeedError) throw new CliError(error.message, ExitCode.failed);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`port ${port} is in use`, ExitCode.failed, 'pick another with --port N or FLEET_PORT=N (0 picks a free port)');
    }
    throw error;
  }
  process.stdout.write(
    `fleet listening on ${fleet.url}\n` +
      `inject a fault: curl -X POST ${fleet.url}/v1/faults/site-outage -H 'content-type: application/json' -d '{"site":"eu-west"}' (all faults: examples/fleet/API.md; undo all: POST /v1/reset)\n`,
  );
  const signal = await stopSignal;
  logger.info({ signal }, 'stopping the fleet');
  await fleet.close();
  logger.info('fleet stopped');
  return ExitCode.ok;
}
