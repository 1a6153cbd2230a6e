/** Runs a Rebound worker until SIGINT/SIGTERM, then shuts it down gracefully. */
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { readInventoryFile } from '../activities/drivers/inventory-file';
import type { Inventory } from '../model/inventory';
import type { ReboundConfig } from '../runtime/config';
import { describeConnection, temporalConnectionSettings } from '../runtime/temporal-connection';
import { dataConverterFromEnv, logPayloadEncryption } from '../runtime/codec-keys';
import { findFreePort } from '../runtime/free-port';
import { installTemporalRuntime, metricsUrl } from '../runtime/telemetry';
import { createReboundWorker } from './create-worker';
import { prebuiltWorkflowBundle } from './workflow-bundle';

export interface RunningWorker {
  /** Settles when the worker has stopped (after `stop()` or a fatal error). */
  readonly done: Promise<void>;
  /** Where Prometheus scrapes this worker (REBOUND_METRICS_PORT), if it serves metrics. */
  readonly metricsUrl: string | undefined;
  stop(): Promise<void>;
}

export interface WorkerOverrides {
  /** Connect here in plain text (the local dev server); default: the SDK's environment configuration (runtime/temporal-connection.ts). */
  address?: string;
  /** Default: the file named by REBOUND_INVENTORY. */
  inventory?: Inventory;
}

export async function startWorker(config: ReboundConfig, logger: Logger, overrides: WorkerOverrides = {}): Promise<RunningWorker> {
  // First: a bad profile file or inventory is a configuration error (file:line:col), and once the
  // Temporal runtime is installed the process does not exit until a connection has come and gone.
  const { namespace, ...connectionOptions } = temporalConnectionSettings(config, { address: overrides.address });
  const inventory = overrides.inventory ?? (config.inventoryFile === undefined ? undefined : await readInventoryFile(config.inventoryFile));
  // Port 0 means any free port: the SDK does not say which one it bound, so pick it here.
  const metrics = config.metrics && { host: config.metrics.host, port: config.metrics.port || (await findFreePort(config.metrics.host)) };
  installTemporalRuntime(logger, { metrics });
  const scrapeUrl = metrics && metricsUrl(metrics);
  if (scrapeUrl) logger.info({ metricsUrl: scrapeUrl }, 'serving Prometheus metrics');
  if (inventory === undefined) {
    logger.info('no inventory (REBOUND_INVENTORY unset): driver activities will fail with NoInventory');
  } else {
    logger.info({ inventory: inventory.metadata.name, driver: inventory.spec.driver.url }, 'inventory loaded');
  }
  const dataConverter = dataConverterFromEnv();
  logPayloadEncryption(logger, dataConverter);
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await createReboundWorker({
    connection,
    namespace,
    taskQueue: config.taskQueue,
    logger,
    execAllowList: config.execAllow,
    inventory,
    dataConverter,
    workflowBundle: prebuiltWorkflowBundle(),
  });
  logger.info({ ...describeConnection({ namespace, ...connectionOptions }), taskQueue: config.taskQueue }, 'worker started');
  const done = worker.run().finally(() => connection.close());
  return {
    done,
    metricsUrl: scrapeUrl,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
