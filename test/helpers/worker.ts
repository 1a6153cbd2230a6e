/** An in-process Rebound worker for tests, on its own task queue. */
import { NativeConnection, type Worker, type bundleWorkflowCode } from '@temporalio/worker';
import type { Inventory } from '../../model/inventory';
import { createLogger } from '../../runtime/logger';
import { installTemporalRuntime } from '../../runtime/telemetry';
import { bundleWorkflows, createReboundWorker } from '../../worker/create-worker';

export interface TestWorker {
  readonly taskQueue: string;
  readonly worker: Worker;
  stop(): Promise<void>;
}

let bundle: ReturnType<typeof bundleWorkflowCode> | undefined;

/** The workflow bundle, built once per test file. */
export function workflowBundle(): ReturnType<typeof bundleWorkflowCode> {
  bundle ??= bundleWorkflows(createLogger({ level: 'error', destination: process.stderr, pretty: false }));
  return bundle;
}

export interface TestWorkerOptions {
  /** For the driver activities; without it they fail with `NoInventory`. */
  inventory?: Inventory;
}

export async function startTestWorker(address: string, taskQueue: string, execAllowList: string[] = [], options: TestWorkerOptions = {}): Promise<TestWorker> {
  const logger = createLogger({ level: (process.env.REBOUND_LOG_LEVEL as 'warn' | undefined) ?? 'error', destination: process.stderr, pretty: false });
  installTemporalRuntime(logger);
  const connection = await NativeConnection.connect({ address });
  const worker = await createReboundWorker({ connection, namespace: 'default', taskQueue, logger, execAllowList, inventory: options.inventory, workflowBundle: await workflowBundle() });
  const running = worker.run();
  return {
    taskQueue,
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
