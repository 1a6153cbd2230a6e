/**
 * A worker SIGKILLed in the middle of a failover (while it verifies the first traffic shift):
 * a new worker process resumes, the failover completes with the right weights, and each shift
 * was applied to the fleet once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { startTestFleet, type TestFleet } from '../helpers/fleet';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { useWorkerProcesses } from '../helpers/worker-process';

let temporal: TestTemporal;
let fleet: TestFleet;
let probe: TargetServer;
let dir: string;
let inventoryFile: string;
const taskQueue = 'failover-crash-test';

// Declared before the afterAll below: worker processes stop before the server they talk to.
const workers = useWorkerProcesses(() => ({ TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue, REBOUND_INVENTORY: inventoryFile }));
const startWorker = () => workers.start();

beforeAll(async () => {
  temporal = await startTestTemporal();
  fleet = await startTestFleet();
  probe = await startTargetServer();
  dir = await mkdtemp(path.join(tmpdir(), 'rebound-failover-crash-'));
  inventoryFile = path.join(dir, 'inventory.yaml');
  await writeFile(inventoryFile, stringify(fleet.inventory));
}, 180_000);

afterAll(async () => {
  await probe?.close();
  await fleet?.close();
  await temporal?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface LedgerEntry {
  key: string;
  path: string;
}

it('resumes a failover after the worker is SIGKILLed during a shift, applying each shift once', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  probe.route('/users-ok', async () => {
    await released;
    return { status: 200 };
  });
  await fleet.fault('site-outage', { site: 'eu-west' });
  const first = startWorker();
  await first.ready;
  const handle = await startRecoveryFromYaml(
    temporal.client,
    taskQueue,
    `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: failover-crash }
spec:
  key: checkout
  steps:
    - id: failover
      failover:
        service: checkout
        from: eu-west
        to: us-east
        shifts: [10, 50, 100]
        verify:
          check: http.check
          with: { url: "${probe.url}/users-ok" }
          expect: observation.status == 200
          interval: 500ms
          timeout: 2m
`,
  );
  // The first shift is applied and its verification is in flight on the first worker.
  await probe.received('/users-ok');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  release();

  const second = startWorker();
  await second.ready;
  const report = await handle.result();

  expect(report.outcome).toBe('recovered');
  const traffic = (await fleet.get<{ weights: Record<string, number> }>('/v1/services/checkout/traffic')).weights;
  expect(traffic).toMatchObject({ 'eu-west': 0, 'us-east': 100 });
  const prefix = `failover-crash/checkout/${handle.firstExecutionRunId}/failover`;
  const shifts = (await fleet.get<LedgerEntry[]>('/v1/ledger')).filter((entry) => entry.path.endsWith('/traffic')).map((entry) => entry.key);
  expect(shifts).toEqual([`${prefix}/shift-10`, `${prefix}/shift-50`, `${prefix}/shift-100`]);
});
