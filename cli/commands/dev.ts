/** `rebound dev` (what `npm start` runs): the Temporal dev server, persisted under .rebound/, plus a worker. */
import * as path from 'node:path';
import { loadConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { ExitCode } from '../cli-error';
import { untilStopSignal } from '../signals';
import { startLocalStack } from '../stack';
import { fleetPort } from './fleet';

export interface DevOptions {
  headless?: boolean;
  fleet?: boolean;
  runbooks: string;
}

export async function devCommand(options: DevOptions): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel }, { process: 'dev' });
  const stopSignal = untilStopSignal();
  const stack = await startLocalStack(config, logger, {
    stateDir: config.stateDir,
    headless: options.headless,
    fleetPort: options.fleet ? fleetPort(undefined, process.env) : undefined,
    webhookRunbooksDir: path.resolve(options.runbooks),
  });
  const credentials = [config.webhookToken === undefined ? undefined : 'bearer REBOUND_WEBHOOK_TOKEN', config.webhookConfigFile === undefined ? undefined : `credentials of ${config.webhookConfigFile}`].filter((text) => text !== undefined);
  const webhook = stack.webhookUrl
    ? `${stack.webhookUrl}/v1/alerts/alertmanager (${credentials.join(', ')})`
    : 'off: set REBOUND_WEBHOOK_TOKEN or REBOUND_WEBHOOK_CONFIG to receive alerts (see README, Alerts)';
  const relative = path.relative(process.cwd(), stack.server.dbFile);
  const db = relative.startsWith('..') ? stack.server.dbFile : relative;
  const address = stack.server.address === config.temporalAddress ? '' : ` (with TEMPORAL_ADDRESS=${stack.server.address})`;
  process.stdout.write(
    [
      '',
      `  Rebound is running.`,
      `  Temporal UI:      ${stack.server.uiUrl ?? '(headless)'}`,
      `  Temporal address: ${stack.server.address} (namespace ${stack.server.namespace}, task queue ${config.taskQueue})`,
      `  Webhook:          ${webhook}`,
      ...(stack.fleet ? [`  Demo fleet:       ${stack.fleet.url} (inventory examples/inventory.yaml)`] : []),
      `  State:            ${db} (recoveries survive a restart)`,
      `  Try:              npx rebound start smoke-test --wait${address}`,
      `  Stop:             Ctrl-C`,
      '',
    ].join('\n') + '\n',
  );
  const reason = await Promise.race([stopSignal.then((signal) => `received ${signal}`), stack.stoppedByItself]);
  logger.info({ reason }, 'stopping');
  await stack.stop();
  logger.info('stopped');
  return reason.startsWith('received') ? ExitCode.ok : ExitCode.failed;
}
