/** A `rebound serve` in its own OS process, as an operator runs it. */
import { spawn } from 'node:child_process';
import { assertBuilt, cliEntry } from './worker-process';

export interface ServeProcess {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: the process dies as in a crash, mid-request. */
  kill(): Promise<void>;
  /** SIGSTOP: the process hangs; connections are accepted by the kernel but never answered. */
  freeze(): void;
}

export async function startServeProcess(args: string[], env: Record<string, string> & { REBOUND_HTTP_PORT: string }): Promise<ServeProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [cliEntry, 'serve', ...args], { env: { PATH: process.env.PATH ?? '', REBOUND_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('webhook server listening')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`rebound serve exited (${code}) before it listened:\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const freeze = () => void child.kill('SIGSTOP');
  return { url: `http://127.0.0.1:${env.REBOUND_HTTP_PORT}`, output: () => output, stop, kill, freeze };
}
