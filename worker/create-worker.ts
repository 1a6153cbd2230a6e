/** A Rebound worker: the interpreter workflow plus the built-in actions and checks. */
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import type { Inventory } from '../model/inventory';

export interface ReboundWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  execAllowList: readonly string[];
  /** What the driver activities act on (REBOUND_INVENTORY); without it they fail with `NoInventory`. */
  inventory?: Inventory | undefined;
  /** Defaults to bundling `workflows/` at start; tests and benchmarks may pass a prebuilt bundle. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption (runtime/codec-keys.ts); Temporal's default converter without it. */
  dataConverter?: DataConverter | undefined;
  /** For tests that keep a worker from picking up activities it should not run. */
  extra?: Partial<WorkerOptions>;
}

export const workflowsPath = require.resolve('../workflows');

/** Bundles the workflows; webpack's long report goes to debug, not to every operator's console. */
export function bundleWorkflows(logger: Logger): ReturnType<typeof bundleWorkflowCode> {
  const debug = (message: string) => logger.debug({ component: 'workflow-bundler' }, message);
  return bundleWorkflowCode({
    workflowsPath,
    logger: { log: (_level, message) => debug(message), trace: debug, debug, info: debug, warn: debug, error: (message) => logger.error(message) },
  });
}

export async function createReboundWorker(options: ReboundWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, logger, execAllowList, inventory } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows(logger)),
    activities: createActivities({ execAllowList, logger, inventory }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    // Shutting down lets running activities finish (or be retried elsewhere) instead of being cut off.
    shutdownGraceTime: '10s',
    ...options.extra,
  });
}
