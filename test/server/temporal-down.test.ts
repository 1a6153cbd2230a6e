/**
 * Temporal goes down under a running `rebound serve`: an alert is answered 503 with a JSON error
 * and starts nothing; a real Alertmanager keeps retrying its notification; once the dev server is
 * back on the same database and port, the retry is delivered and the recovery starts exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { RecoveryState } from '../../model/recovery';
import { findFreePort } from '../../runtime/free-port';
import { stateQuery } from '../../workflows/queries';
import { startTestAlertmanager, type TestAlertmanager } from '../helpers/alertmanager';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { waitFor } from '../helpers/wait-for';
import { alertmanagerPayload, bearer, testToken } from '../helpers/webhook';
import { startTestWorker, type TestWorker } from '../helpers/worker';

const taskQueue = 'alert-temporal-down';
const runbooksDir = path.join(__dirname, '..', 'fixtures', 'runbooks-alert-e2e');
const running: { temporal?: TestTemporal; worker?: TestWorker } = {};
let stateDir: string;
let temporalPort: number;
let serve: ServeProcess;
let alertmanager: TestAlertmanager;

async function startStack(): Promise<TestTemporal> {
  running.temporal = await startTestTemporal({ stateDir, port: temporalPort });
  running.worker = await startTestWorker(running.temporal.address, taskQueue);
  return running.temporal;
}

async function stopStack(): Promise<void> {
  await running.worker?.stop();
  await running.temporal?.stop();
  running.worker = undefined;
  running.temporal = undefined;
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'rebound-temporal-down-'));
  temporalPort = await findFreePort();
  await startStack();
  serve = await startServeProcess(['--runbooks', runbooksDir], {
    REBOUND_HTTP_PORT: String(await findFreePort()),
    REBOUND_WEBHOOK_TOKEN: testToken,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    REBOUND_TASK_QUEUE: taskQueue,
  });
  alertmanager = await startTestAlertmanager(`${serve.url}/v1/alerts/alertmanager`, testToken);
}, 180_000);
afterAll(async () => {
  await alertmanager?.stop();
  await serve?.stop();
  await stopStack();
  await rm(stateDir, { recursive: true, force: true });
});

/** rebound_alerts_rejected_total for Temporal being unavailable, as the server counts it. */
async function rejectedUnavailable(): Promise<number> {
  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  return Number(/rebound_alerts_rejected_total\{source="alertmanager",reason="temporal_unavailable"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

function stormAlertPayload(service: string): Record<string, unknown> {
  const payload = alertmanagerPayload('firing');
  const alert = (payload.alerts as { labels: Record<string, string> }[])[0]!;
  alert.labels = { ...alert.labels, alertname: 'StormAlert', service };
  return payload;
}

it('answers 503 while Temporal is down, and starts the recovery once from Alertmanager’s retry after it is back', async () => {
  // The server connects lazily: ready once its first call reached Temporal.
  await waitFor(async () => (await fetch(`${serve.url}/readyz`)).status === 200, `rebound serve to reach Temporal:\n${serve.output()}`, 30_000, 200);
  await stopStack();
  expect((await fetch(`${serve.url}/readyz`)).status).toBe(503);

  const direct = await fetch(`${serve.url}/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify(stormAlertPayload('payments')),
  });
  expect(direct.status).toBe(503);
  expect(direct.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await direct.json()).toEqual({ error: { code: 'temporal_unavailable', message: expect.any(String), details: { reason: expect.any(String) } } });
  expect(await rejectedUnavailable()).toBe(1);

  // Alertmanager's first delivery is refused too; it keeps retrying.
  await alertmanager.postAlert({ alertname: 'StormAlert', service: 'orders', severity: 'critical' });
  await waitFor(async () => (await rejectedUnavailable()) >= 2, `Alertmanager's delivery to be refused while Temporal is down:\n${serve.output()}\n${alertmanager.output()}`, 30_000, 200);

  const temporal = await startStack();
  const handle = temporal.client.workflow.getHandle('storm-hold/orders');
  const alertsOf = async (): Promise<RecoveryState['alerts']> => (await handle.query(stateQuery).catch(() => undefined))?.alerts ?? [];
  await waitFor(async () => (await alertsOf()).length > 0, `Alertmanager's retry to start the recovery:\n${serve.output()}\n${alertmanager.output()}`, 60_000, 200);

  const [alert, ...others] = await alertsOf();
  expect(others).toEqual([]);
  expect(alert).toMatchObject({ status: 'firing', timesSeen: expect.any(Number) });
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const runs = async () => {
    const ids: string[] = [];
    for await (const execution of temporal.client.workflow.list({ query: 'WorkflowId = "storm-hold/orders"' })) ids.push(execution.runId);
    return ids;
  };
  await waitFor(async () => (await runs()).length > 0, 'visibility to list the recovery', 30_000, 200);
  expect(await runs()).toHaveLength(1);
  // The alert refused with 503 was not sent again by anyone: nothing half-done was left behind.
  await expect(temporal.client.workflow.getHandle('storm-hold/payments').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
});
