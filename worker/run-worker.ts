/** Runs a Rebound worker until SIGINT/SIGTERM, then shuts it down gracefully. */
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { readInventoryFile } from '../activities/drivers/inventory-file';
import type { Inventory } from '../model/inventory';
import type { ReboundConfig } from '../runtime/config';
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
  /** Default: TEMPORAL_ADDRESS. */
  address?: string;
  /** Default: the file named by REBOUND_INVENTORY. */
  inventory?: Inventory;
}

export async function startWorker(config: ReboundConfig, logger: Logger, overrides: WorkerOverrides = {}): Promise<RunningWorker> {
  const address = overrides.address ?? config.temporalAddress;
  // First: a bad inventory is a configuration error (file:line:col), and once the Temporal runtime
  // is installed the process does not exit until a connection has come and gone.
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
  const connection = await NativeConnection.connect({ address });
  const worker = await createReboundWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    logger,
    execAllowList: config.execAllow,
    inventory,
    dataConverter,
    workflowBundle: prebuiltWorkflowBundle(),
  });
  logger.info({ address, namespace: config.namespace, taskQueue: config.taskQueue }, 'worker started');
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
