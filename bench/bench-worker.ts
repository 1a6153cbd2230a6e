/** A Rebound worker for one scenario of the benchmark: started, watched while a scenario runs, stopped. */
import type { Worker } from '@temporalio/worker';
import { createReboundWorker, type ReboundWorkerOptions } from '../worker/create-worker';

/** Where a scenario registers what it opens; main.ts closes it all, last first. */
export interface CloserRegistry {
  add(what: string, close: () => Promise<void>): void;
}

export interface BenchWorker {
  readonly worker: Worker;
  readonly taskQueue: string;
  /**
   * `work`, unless the worker stops first: the SDK shuts the worker down on Ctrl-C itself and a
   * worker that stops otherwise is an error; either way a run in progress would wait forever.
   */
  during<T>(work: Promise<T>): Promise<T>;
  /** Shuts the worker down and waits until it has stopped. Idempotent. */
  stop(): Promise<void>;
}

export async function startBenchWorker(options: ReboundWorkerOptions, signal: AbortSignal, closers: CloserRegistry, what = 'the worker'): Promise<BenchWorker> {
  const worker = await createReboundWorker(options);
  const running = worker.run();
  // Awaited by stop(); until then a failing worker must not be an unhandled rejection.
  running.catch(() => undefined);
  const stop = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  closers.add(what, stop);
  return {
    worker,
    taskQueue: options.taskQueue,
    during: (work) =>
      Promise.race([work, running.then(() => Promise.reject(signal.aborted ? signal.reason : new Error(`${what} stopped before the benchmark ended`)))]),
    stop,
  };
}
