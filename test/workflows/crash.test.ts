/**
 * Survivable crashes: the worker process is SIGKILLed in the middle of an action, a new worker
 * process takes over, and every side effect still happens once per idempotency key.
 */
import type { Client } from '@temporalio/client';
import { saveHistoryWhenRecording } from '../helpers/histories';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { useWorkerProcesses } from '../helpers/worker-process';

let temporal: TestTemporal;
let client: Client;
let target: TargetServer;
const taskQueue = 'crash-test';

// Declared before the afterAll below: worker processes stop before the server they talk to.
const workers = useWorkerProcesses(() => ({ TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue }));
const startWorker = () => workers.start();

beforeAll(async () => {
  temporal = await startTestTemporal();
  client = temporal.client;
  target = await startTargetServer();
}, 180_000);

afterAll(async () => {
  await target?.close();
  await temporal?.stop();
});

const runbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: crash-recovery }
spec:
  params:
    baseUrl: { type: string, required: true }
  key: checkout
  steps:
    - id: first
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/first" } }
    - id: blocking
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/block" }, retry: { maxAttempts: 10, initialInterval: 200ms } }
    - id: third
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/third" } }
`;

it('completes a recovery after the worker process is SIGKILLed mid-action, each effect once per idempotency key', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  target.route('/block', async () => {
    await released;
    return { status: 200, json: { done: true } };
  });

  const first = startWorker();
  await first.ready;
  const handle = await startRecoveryFromYaml(client, taskQueue, runbook, { baseUrl: target.url });
  await target.received('/block');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');

  const second = startWorker();
  await second.ready;
  // The new worker retries the interrupted action (after its heartbeat timeout) with the same key.
  await target.received('/block', 2);
  release();
  const report = await handle.result();
  await saveHistoryWhenRecording(client, handle.workflowId, 'worker-crash');

  expect(report.outcome).toBe('recovered');
  expect(report.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(report.steps[1]?.attempts).toBeGreaterThanOrEqual(2);
  const prefix = `crash-recovery/checkout/${handle.firstExecutionRunId}`;
  // A completed step is never re-run; the interrupted one is retried with the same key.
  expect(target.to('/first').map((request) => request.idempotencyKey)).toEqual([`${prefix}/first`]);
  expect(new Set(target.to('/block').map((request) => request.idempotencyKey))).toEqual(new Set([`${prefix}/blocking`]));
  expect(target.to('/third').map((request) => request.idempotencyKey)).toEqual([`${prefix}/third`]);
});
