/** A `rebound worker` in its own OS process, so tests can SIGKILL it like a crashed machine. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const cliEntry = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

export function assertBuilt(): void {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` (npm test does it first)`);
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves once the worker logged that it polls its task queue. */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export function spawnWorkerProcess(env: Record<string, string>): WorkerProcess {
  assertBuilt();
  const child = spawn(process.execPath, [cliEntry, 'worker'], {
    env: { PATH: process.env.PATH ?? '', REBOUND_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker started')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it started:\n${output}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, ready, exited, output: () => output };
}

/**
 * Worker processes for one test file: `start()` spawns one with the given environment; every one
 * still running is stopped (SIGTERM) after the file's tests.
 */
export function useWorkerProcesses(env: () => Record<string, string>): { start(): WorkerProcess } {
  const started: WorkerProcess[] = [];
  afterAll(async () => {
    for (const worker of started) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGTERM');
        await worker.exited;
      }
    }
  });
  return {
    start() {
      const worker = spawnWorkerProcess(env());
      started.push(worker);
      return worker;
    },
  };
}
