/**
 * The usual setup of a workflow test file: a real Temporal dev server, an in-process worker on the
 * file's own task queue, and the real systems recoveries act on (an HTTP target, the demo fleet).
 * Registers its own beforeAll/afterAll; read the fields inside tests.
 */
import type { Client } from '@temporalio/client';
import { startTestFleet, type TestFleet } from './fleet';
import { startTargetServer, type TargetServer } from './target-server';
import { startTestTemporal, type TestTemporal } from './temporal-server';
import { startTestWorker, type TestWorker } from './worker';

export interface TestbedOptions {
  /** An HTTP target server (`bed.target`). */
  target?: boolean;
  /** The demo fleet (`bed.fleet`), whose inventory the worker gets. */
  fleet?: boolean;
  /** SQLite pragmas for the dev server, e.g. WAL for tests that send thousands of signals. */
  sqlitePragmas?: readonly string[];
  /** The Temporal Web UI (`bed.temporal.server.uiUrl`), for browser tests. */
  ui?: boolean;
}

export interface Testbed {
  readonly taskQueue: string;
  readonly temporal: TestTemporal;
  readonly client: Client;
  readonly worker: TestWorker;
  readonly target: TargetServer;
  readonly fleet: TestFleet;
}

export function useTestbed(taskQueue: string, options: TestbedOptions = {}): Testbed {
  const parts: { temporal?: TestTemporal; worker?: TestWorker; target?: TargetServer; fleet?: TestFleet } = {};
  const required = <K extends keyof typeof parts>(name: K): NonNullable<(typeof parts)[K]> => {
    const part = parts[name];
    if (part === undefined || part === null) throw new Error(`testbed has no ${name}${name === 'target' || name === 'fleet' ? ` (pass { ${name}: true })` : ''}`);
    return part as NonNullable<(typeof parts)[K]>;
  };
  beforeAll(async () => {
    parts.temporal = await startTestTemporal({ sqlitePragmas: options.sqlitePragmas, ui: options.ui });
    if (options.target) parts.target = await startTargetServer();
    if (options.fleet) parts.fleet = await startTestFleet();
    parts.worker = await startTestWorker(parts.temporal.address, taskQueue, [], { inventory: parts.fleet?.inventory });
  }, 180_000);
  afterAll(async () => {
    await parts.worker?.stop();
    await parts.target?.close();
    await parts.fleet?.close();
    await parts.temporal?.stop();
  });
  return {
    taskQueue,
    get temporal() {
      return required('temporal');
    },
    get client() {
      return required('temporal').client;
    },
    get worker() {
      return required('worker');
    },
    get target() {
      return required('target');
    },
    get fleet() {
      return required('fleet');
    },
  };
}
