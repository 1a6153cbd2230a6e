/** Runs the built `rebound` CLI as a real process and captures what an operator would see. */
import { execFile } from 'node:child_process';
import { assertBuilt, cliEntry } from './worker-process';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  assertBuilt();
  return new Promise((resolve) => {
    execFile(process.execPath, [cliEntry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
