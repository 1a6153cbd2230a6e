/**
 * `rebound demo` end to end, as a user runs it: the whole stack (Temporal dev server, worker, demo
 * fleet) in one process, two incidents recovered, then a clean stop on SIGINT.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startCli } from '../helpers/cli-process';

let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'rebound-demo-'));
});

afterAll(() => rm(stateDir, { recursive: true, force: true }));

it('recovers a bad deploy and a site outage end to end, then stops cleanly on SIGINT', async () => {
  const demo = await startCli(
    ['demo', '--headless'],
    { REBOUND_STATE_DIR: stateDir, REBOUND_TEMPORAL_PORT: '0', REBOUND_UI_PORT: '0', FLEET_PORT: '0', REBOUND_LOG_LEVEL: 'warn' },
    'Ctrl-C stops everything.',
  );
  expect(await demo.interrupt()).toBe(0);
  const output = demo.output();
  expect(output.match(/outcome: recovered/g)).toHaveLength(2);
  expect(output).toContain('recovery service-rollback/checkout started');
  expect(output).toContain('recovery region-failover/checkout started');
  expect(output).toMatch(/✔ failover\s+failover\s+succeeded/);
}, 180_000);
