/**
 * `rebound demo` end to end, as a user runs it: the whole stack (Temporal dev server, worker, demo
 * fleet) in one process, two incidents recovered, then a clean stop on SIGINT.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { assertBuilt, cliEntry } from '../helpers/worker-process';

let stateDir: string;

beforeAll(async () => {
  assertBuilt();
  stateDir = await mkdtemp(path.join(tmpdir(), 'rebound-demo-'));
});

afterAll(() => rm(stateDir, { recursive: true, force: true }));

it('recovers a bad deploy and a site outage end to end, then stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [cliEntry, 'demo', '--headless'], {
    env: { PATH: process.env.PATH ?? '', REBOUND_STATE_DIR: stateDir, REBOUND_TEMPORAL_PORT: '0', REBOUND_UI_PORT: '0', FLEET_PORT: '0', REBOUND_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C stops everything.')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`demo exited (${code}) early:\n${output}`)));
  });
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(output.match(/outcome: recovered/g)).toHaveLength(2);
  expect(output).toContain('recovery service-rollback/checkout started');
  expect(output).toContain('recovery region-failover/checkout started');
  expect(output).toMatch(/✔ failover\s+failover\s+succeeded/);
}, 180_000);
