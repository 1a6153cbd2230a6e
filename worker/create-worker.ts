/** A Rebound worker: the interpreter workflow plus the built-in actions and checks. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';

export interface ReboundWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  execAllowList: readonly string[];
  /** Defaults to bundling `workflows/` at start; tests and benchmarks may pass a prebuilt bundle. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** For tests that keep a worker from picking up activities it should not run. */
  extra?: Partial<WorkerOptions>;
}

export const workflowsPath = require.resolve('../workflows');

export function createReboundWorker(options: ReboundWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, logger, execAllowList } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities({ execAllowList, logger }),
    // Shutting down lets running activities finish (or be retried elsewhere) instead of being cut off.
    shutdownGraceTime: '10s',
    ...options.extra,
  });
}
