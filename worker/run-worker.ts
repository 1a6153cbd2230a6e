/** Runs a Rebound worker until SIGINT/SIGTERM, then shuts it down gracefully. */
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { ReboundConfig } from '../runtime/config';
import { routeTemporalLogsToPino } from '../runtime/logger';
import { createReboundWorker } from './create-worker';

export interface RunningWorker {
  /** Settles when the worker has stopped (after `stop()` or a fatal error). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(config: ReboundConfig, logger: Logger, address = config.temporalAddress): Promise<RunningWorker> {
  routeTemporalLogsToPino(logger);
  const connection = await NativeConnection.connect({ address });
  const worker = await createReboundWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    logger,
    execAllowList: config.execAllow,
  });
  logger.info({ address, namespace: config.namespace, taskQueue: config.taskQueue }, 'worker started');
  const done = worker.run().finally(() => connection.close());
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
