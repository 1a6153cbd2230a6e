/**
 * A runbook gate that uses the alerts recorded in the recovery: it holds until the triggering
 * alert is resolved. Both notifications go through the real webhook server over HTTP to a real
 * Temporal dev server and worker; the gate's check polls a real HTTP target.
 */
import type { FastifyInstance } from 'fastify';
import { parseRunbook } from '../../model/loader';
import type { RecoveryReport } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import { useTestbed } from '../helpers/testbed';
import { alertmanagerPayload, bearer, createTestWebhook } from '../helpers/webhook';

const bed = useTestbed('alert-gate', { target: true });
let app: FastifyInstance;
let url: string;

// Every firing record has its resolution recorded (same fingerprint and startsAt).
const allResolved = "alerts.all(a, a.status == 'resolved' || alerts.exists(r, r.status == 'resolved' && r.fingerprint == a.fingerprint && r.startsAt == a.startsAt))";

beforeAll(async () => {
  const loaded = parseRunbook(
    `apiVersion: rebound/v1
kind: Runbook
metadata: { name: wait-for-resolution }
spec:
  params:
    service: { type: string, required: true }
  key: "{{ params.service }}"
  triggers:
    - source: alertmanager
      match: { alertname: HighErrorRate }
      params: { service: labels.service }
  steps:
    - id: alert-resolved
      gate:
        check: http.check
        with: { url: "${bed.target.url}/health" }
        expect: "${allResolved.replace(/"/g, '\\"')}"
        interval: 200ms
        timeout: 2m
`,
    'wait-for-resolution.yaml',
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  // A fresh dev server on a busy machine can take seconds for its first start: no 503 for that here.
  app = await createTestWebhook({ client: bed.client, taskQueue: bed.taskQueue, runbooks: [{ runbook: loaded.runbook, hash: loaded.hash }], temporalTimeoutMs: 30_000 });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/alerts/alertmanager`;
});
afterAll(async () => {
  await app?.close();
});

/** The 202 answer's part these tests read. */
interface Answer {
  deliveries: { outcome: string }[];
}

const post = (payload: object) => fetch(url, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(payload) });

it('holds a gate on `alerts` until the resolved notification of the triggering alert arrives through the webhook', async () => {
  const firing = await post(alertmanagerPayload('firing'));
  expect([firing.status, ((await firing.json()) as Answer).deliveries.map((delivery) => delivery.outcome)]).toEqual([202, ['started']]);
  const handle = bed.client.workflow.getHandle('wait-for-resolution/checkout');

  // The gate has polled its check three times and still holds: the alert is firing.
  await bed.target.received('/health', 3);
  const holding = await handle.query(stateQuery);
  expect(holding.steps[0]).toMatchObject({ id: 'alert-resolved', status: 'running' });
  expect(holding.alerts.map((alert) => alert.status)).toEqual(['firing']);

  const resolved = await post(alertmanagerPayload('resolved'));
  expect([resolved.status, ((await resolved.json()) as Answer).deliveries.map((delivery) => delivery.outcome)]).toEqual([202, ['signalled']]);
  const report: RecoveryReport = await handle.result();
  expect(report.outcome).toBe('recovered');
  expect(report.steps[0]).toMatchObject({ id: 'alert-resolved', status: 'succeeded' });
  expect(report.alerts.map((alert) => [alert.fingerprint, alert.status])).toEqual([
    ['7d2d332feada5c59', 'firing'],
    ['7d2d332feada5c59', 'resolved'],
  ]);
  // It passed on a poll after the resolution (three before it had not).
  expect(report.steps[0]!.attempts).toBeGreaterThanOrEqual(4);
});
