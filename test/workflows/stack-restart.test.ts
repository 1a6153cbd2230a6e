/**
 * The whole stack restarts mid-recovery: the dev server is stopped and started again on the same
 * SQLite file while a recovery sits in a durable `wait`; the recovery completes afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RecoveryReport } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import { saveHistoryWhenRecording } from '../helpers/histories';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { waitFor } from '../helpers/wait-for';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let stateDir: string;
let target: TargetServer;
const running: { temporal?: TestTemporal; worker?: TestWorker } = {};
const taskQueue = 'stack-restart-test';

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'rebound-restart-'));
  target = await startTargetServer();
});

afterAll(async () => {
  await running.worker?.stop();
  await running.temporal?.stop();
  await target?.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function startStack(): Promise<TestTemporal> {
  running.temporal = await startTestTemporal({ stateDir });
  running.worker = await startTestWorker(running.temporal.address, taskQueue);
  return running.temporal;
}

async function stopStack(): Promise<void> {
  await running.worker?.stop();
  await running.temporal?.stop();
  running.worker = undefined;
  running.temporal = undefined;
}

const runbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: restart-during-wait }
spec:
  params:
    baseUrl: { type: string, required: true }
  key: db
  steps:
    - id: before
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/before" } }
    - id: settle
      wait: { duration: 4s }
    - id: after
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/after" } }
`;

it('completes a recovery after the Temporal server restarts on the same database during a wait', async () => {
  const first = await startStack();
  const handle = await startRecoveryFromYaml(first.client, taskQueue, runbook, { baseUrl: target.url });
  const workflowId = handle.workflowId;
  await target.received('/before');
  await waitFor(async () => (await handle.query(stateQuery)).steps[1]?.status === 'running', 'the wait step to start');
  await stopStack();

  const second = await startStack();
  const report = (await second.client.workflow.getHandle(workflowId).result()) as RecoveryReport;
  await saveHistoryWhenRecording(second.client, workflowId, 'stack-restart');

  expect(report.outcome).toBe('recovered');
  expect(report.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(target.to('/before')).toHaveLength(1);
  expect(target.to('/after')).toHaveLength(1);
});
