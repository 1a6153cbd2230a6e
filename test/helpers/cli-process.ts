/** A long-running `rebound` command (dev, demo) as a real process, as an operator runs it. */
import { spawn } from 'node:child_process';
import { assertBuilt, cliEntry } from './worker-process';

export interface CliProcess {
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

/** Starts `rebound <args>` and resolves once it printed `readyText`; rejects if it exits first. */
export async function startCli(args: string[], env: Record<string, string>, readyText: string): Promise<CliProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [cliEntry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`rebound ${args.join(' ')} exited (${code}) before printing "${readyText}":\n${output}`)));
  });
  return {
    output: () => output,
    interrupt: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
