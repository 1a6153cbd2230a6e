/** The local stack of `rebound dev` and `rebound demo`: Temporal dev server, worker, and optionally the demo fleet. */
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readInventoryFile } from '../activities/drivers/inventory-file';
import { startFleet, type RunningFleet } from '../examples/fleet/server';
import type { Inventory } from '../model/inventory';
import { codecEndpointFromEnv, dataConverterFromEnv } from '../runtime/codec-keys';
import type { ReboundConfig } from '../runtime/config';
import { startDevServer, type DevServer } from '../runtime/dev-server';
import type { Logger } from '../runtime/logger';
import { startWorker, type RunningWorker } from '../worker/run-worker';
import { loadRunbooks } from './commands/serve';
import { createConfiguredWebhookServer, hasWebhookCredentials, loadWebhookSettings } from './webhook-settings';

export const demoInventoryFile = path.join(__dirname, '..', '..', 'examples', 'inventory.yaml');

export interface LocalStack {
  server: DevServer;
  worker: RunningWorker;
  fleet?: RunningFleet;
  /** `http://127.0.0.1:<port>` of the webhook server, when one runs. */
  webhookUrl?: string;
  /** Settles with a reason when a part stopped on its own. */
  stoppedByItself: Promise<string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  stateDir: string;
  headless?: boolean;
  /** Also run the demo fleet (on FLEET_PORT, default 9400) and give the worker its inventory. */
  fleetPort?: number;
  /** Also run the webhook server (REBOUND_HTTP_PORT) for the runbooks of this directory, configured as `rebound serve` is; needs REBOUND_WEBHOOK_TOKEN or REBOUND_WEBHOOK_CONFIG. */
  webhookRunbooksDir?: string;
}

export async function startLocalStack(config: ReboundConfig, logger: Logger, options: StackOptions): Promise<LocalStack> {
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopper of stoppers.splice(0).reverse()) await stopper().catch((error: unknown) => logger.error({ error }, 'stopping a part failed'));
  };
  try {
    const withWebhook = options.webhookRunbooksDir !== undefined && hasWebhookCredentials(config);
    const dataConverter = dataConverterFromEnv();
    // With a codec endpoint, the dev server's UI decrypts through it (the token as a path segment: the UI sends no header of ours).
    const codec = withWebhook ? codecEndpointFromEnv(dataConverter) : undefined;
    logger.info({ stateDir: options.stateDir }, 'starting the Temporal dev server');
    const server = await startDevServer({
      stateDir: options.stateDir,
      port: config.temporalPort,
      uiPort: config.uiPort,
      headless: options.headless,
      ...(codec ? { uiCodecEndpoint: `http://127.0.0.1:${config.httpPort}/codec/${codec.token}` } : {}),
      namespace: config.namespace,
      onOutput: (line) => logger.debug({ source: 'temporal' }, line),
    });
    stoppers.push(() => server.stop());
    let fleet: RunningFleet | undefined;
    let inventory: Inventory | undefined;
    if (options.fleetPort !== undefined) {
      fleet = await startFleet({ port: options.fleetPort, logger: logger.child({ process: 'fleet' }) });
      stoppers.push(() => fleet?.close() ?? Promise.resolve());
      const shipped = await readInventoryFile(demoInventoryFile);
      inventory = { ...shipped, spec: { ...shipped.spec, driver: { ...shipped.spec.driver, url: fleet.url } } };
    }
    const worker = await startWorker(config, logger, { address: server.address, inventory });
    stoppers.push(() => worker.stop());
    let webhookUrl: string | undefined;
    if (withWebhook && options.webhookRunbooksDir !== undefined) {
      // The same configuration as `rebound serve`: token, credentials file, rate limit, codec endpoint.
      const settings = await loadWebhookSettings(config, { dataConverter });
      // The codec endpoint answers browsers of this UI unless another origin was configured.
      if (settings.codec && settings.codec.uiOrigin === undefined && server.uiUrl !== undefined) settings.codec = { ...settings.codec, uiOrigin: new URL(server.uiUrl).origin };
      const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: config.namespace, dataConverter });
      stoppers.push(() => client.connection.close());
      const app = createConfiguredWebhookServer({
        client,
        taskQueue: config.taskQueue,
        runbooks: await loadRunbooks(options.webhookRunbooksDir),
        runbooksDir: options.webhookRunbooksDir,
        logger: logger.child({ process: 'webhook' }),
        ...settings,
      });
      webhookUrl = await app.listen({ host: '127.0.0.1', port: config.httpPort });
      stoppers.push(() => app.close());
    }
    const stoppedByItself = Promise.race([
      worker.done.then(() => 'the worker stopped'),
      server.exited.then((exit) => `the Temporal server exited (${exit.signal ?? `code ${exit.code}`})`),
    ]);
    return { server, worker, fleet, webhookUrl, stoppedByItself, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
