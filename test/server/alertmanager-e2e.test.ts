/**
 * End to end with the real Debian Alertmanager: an alert posted to Alertmanager reaches a real
 * `rebound serve` process with a bearer token, starts one recovery, and its resolution is signalled to it.
 */
import type { RecoveryState } from '../../model/recovery';
import { findFreePort } from '../../runtime/free-port';
import { stateQuery } from '../../workflows/queries';
import { startTestAlertmanager, type TestAlertmanager } from '../helpers/alertmanager';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';
import { alertRunbooksDir, testToken } from '../helpers/webhook';

const bed = useTestbed('webhook-alertmanager');
let serve: ServeProcess;
let alertmanager: TestAlertmanager;

beforeAll(async () => {
  const port = String(await findFreePort());
  serve = await startServeProcess(['--runbooks', alertRunbooksDir], {
    REBOUND_HTTP_PORT: port,
    REBOUND_WEBHOOK_TOKEN: testToken,
    TEMPORAL_ADDRESS: bed.temporal.address,
    REBOUND_TASK_QUEUE: bed.taskQueue,
  });
  alertmanager = await startTestAlertmanager(`${serve.url}/v1/alerts/alertmanager`, testToken);
}, 60_000);
afterAll(async () => {
  await alertmanager?.stop();
  await serve?.stop();
});

async function alertsOf(workflowId: string): Promise<RecoveryState['alerts'] | undefined> {
  return bed.client.workflow
    .getHandle(workflowId)
    .query(stateQuery)
    .then((state) => state.alerts)
    .catch(() => undefined);
}

it('starts one recovery from an Alertmanager notification and signals it the resolution', async () => {
  const labels = { alertname: 'HighErrorRate', service: 'cart', severity: 'critical' };
  await alertmanager.postAlert(labels, { annotations: { summary: '5xx > 5%' } });
  const workflowId = 'error-rate-recovery/cart';
  await waitFor(async () => (await alertsOf(workflowId))?.length === 1, `Alertmanager to deliver the alert to rebound serve:\n${serve.output()}\n${alertmanager.output()}`, 30_000, 200);
  const state = await bed.client.workflow.getHandle(workflowId).query(stateQuery);
  expect(state.params).toEqual({ service: 'cart', severity: 'critical' });
  expect(state.trigger).toMatchObject({ source: 'alertmanager', by: state.alerts[0]!.fingerprint, detectedAt: state.alerts[0]!.startsAt });

  await alertmanager.postAlert(labels, { endsAt: new Date() });
  await waitFor(async () => (await alertsOf(workflowId))?.some((alert) => alert.status === 'resolved') === true, `the resolved notification:\n${serve.output()}`, 30_000, 200);
  const alerts = (await alertsOf(workflowId)) ?? [];
  expect(alerts.map((alert) => [alert.fingerprint, alert.startsAt, alert.status])).toEqual([
    [state.alerts[0]!.fingerprint, state.alerts[0]!.startsAt, 'firing'],
    [state.alerts[0]!.fingerprint, state.alerts[0]!.startsAt, 'resolved'],
  ]);

  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  expect(metrics).not.toMatch(/rebound_alerts_rejected_total\{[^}]*\} [1-9]/);
  expect(metrics).toMatch(/rebound_alerts_accepted_total\{source="alertmanager"\} [2-9]/);
});
