/**
 * The worker the chaos suite kills: one `rebound worker` process at a time; `kill()` SIGKILLs it
 * (a crashed machine) and starts a replacement, as a process supervisor would. A worker that dies
 * on its own is replaced too.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

export class WorkerSupervisor {
  private current: WorkerProcess | undefined;
  private stopped = false;
  kills = 0;
  /** Workers that exited without being killed (e.g. while the Temporal server was down). */
  unexpectedExits = 0;

  constructor(private readonly env: () => Record<string, string>) {}

  /** Starts a worker; resolves once it polls its task queue. */
  async start(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      const worker = spawnWorkerProcess(this.env());
      this.current = worker;
      try {
        await worker.ready;
      } catch (error) {
        // It could not start (the server may be restarting): back off, as a supervisor would, but not forever.
        failures += 1;
        if (failures >= 20) throw error;
        await delay(500);
        continue;
      }
      void worker.exited.then(() => {
        if (this.stopped || this.current !== worker) return;
        this.current = undefined;
        this.unexpectedExits += 1;
        void this.start();
      });
      return;
    }
  }

  /** SIGKILLs the worker, waits until it is gone, and starts a new one. */
  async kill(): Promise<void> {
    const worker = this.current;
    if (!worker) return this.start();
    this.current = undefined;
    worker.child.kill('SIGKILL');
    await worker.exited;
    this.kills += 1;
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.current;
    this.current = undefined;
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }
}
