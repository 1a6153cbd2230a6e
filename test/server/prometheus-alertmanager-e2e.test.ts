/**
 * The whole alert path with the real parts: a real Prometheus scrapes the demo fleet and evaluates
 * an alerting rule on its error ratio; a bad deploy makes it fire; Prometheus sends the alert to a
 * real Alertmanager, which delivers it with a bearer token to a real `rebound serve` process; the
 * routed runbook rolls the fleet back and verifies against the same Prometheus; the alert clears
 * and Alertmanager's resolved notification reaches the recovery, which ends `recovered`.
 */
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { RecoveryReport, RecoveryState } from '../../model/recovery';
import { findFreePort } from '../../runtime/free-port';
import { stateQuery } from '../../workflows/queries';
import { startTestAlertmanager, type TestAlertmanager } from '../helpers/alertmanager';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';
import { testToken } from '../helpers/webhook';

const bed = useTestbed('alert-e2e-prometheus', { fleet: true });
const runbooksDir = path.join(__dirname, '..', 'fixtures', 'runbooks-alert-e2e');
let serve: ServeProcess;
let alertmanager: TestAlertmanager;
let prometheus: TestPrometheus;

// Fires within one evaluation of a bad deploy (error ratio 0.3) and clears within one after the rollback.
const rules = `
groups:
  - name: fleet
    rules:
      - alert: FleetErrorRatioHigh
        expr: fleet_service_error_ratio > 0.05
        labels: { severity: critical }
        annotations:
          summary: "{{ $labels.service }} fails {{ $value }} of its requests"
          prometheus: "{{ $externalURL }}"
`;

beforeAll(async () => {
  const port = String(await findFreePort());
  serve = await startServeProcess(['--runbooks', runbooksDir], {
    REBOUND_HTTP_PORT: port,
    REBOUND_WEBHOOK_TOKEN: testToken,
    TEMPORAL_ADDRESS: bed.temporal.address,
    REBOUND_TASK_QUEUE: bed.taskQueue,
  });
  alertmanager = await startTestAlertmanager(`${serve.url}/v1/alerts/alertmanager`, testToken);
  prometheus = await startTestPrometheus([new URL(bed.fleet.url).host], { rules, alertmanager: alertmanager.address });
}, 120_000);
afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await serve?.stop();
});

const workflowId = 'fleet-error-ratio/checkout';

async function stateOf(handle: WorkflowHandle): Promise<RecoveryState | undefined> {
  return handle.query(stateQuery).catch(() => undefined);
}

it('recovers a bad deploy from a Prometheus alert delivered by Alertmanager, and records the alert firing then resolved', async () => {
  const logs = () => `rebound serve:\n${serve.output()}\nalertmanager:\n${alertmanager.output()}\nprometheus:\n${prometheus.output()}`;
  expect(await prometheus.query('ALERTS{alertname="FleetErrorRatioHigh"}')).toEqual([]);

  await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
  const handle = bed.client.workflow.getHandle(workflowId);
  await waitFor(async () => (await stateOf(handle)) !== undefined, `the alert to start ${workflowId}\n${logs()}`, 60_000, 200);

  const report = (await handle.result()) as RecoveryReport;
  expect(report.outcome).toBe('recovered');
  expect(report.steps.map((step) => [step.id, step.status])).toEqual([
    ['rollback', 'succeeded'],
    ['error-ratio-low', 'succeeded'],
    ['alert-cleared', 'succeeded'],
    ['soak', 'succeeded'],
  ]);
  expect(report.params).toEqual({ service: 'checkout', prometheusUrl: prometheus.url });

  // The alert that started it: fired by the rule, seen firing, then resolved, one fingerprint and startsAt.
  const [firing, resolved, ...others] = report.alerts;
  expect(others).toEqual([]);
  expect(firing).toMatchObject({ status: 'firing', timesSeen: expect.any(Number) });
  expect(resolved).toMatchObject({ status: 'resolved', fingerprint: firing!.fingerprint, startsAt: firing!.startsAt });
  expect(report.trigger).toMatchObject({ source: 'alertmanager', by: firing!.fingerprint, detectedAt: firing!.startsAt });

  // Time accounting: detected at the alert's startsAt, received by the webhook, then started; the rollback is the
  // first mitigation, the last gate before the soak verifies; time-to-recover spans detection → verified.
  const { timeline } = report;
  expect(timeline.detectedAt).toBe(firing!.startsAt);
  expect(Date.parse(firing!.startsAt)).toBeLessThanOrEqual(Date.parse(timeline.receivedAt!));
  expect(Date.parse(timeline.receivedAt!)).toBeLessThanOrEqual(Date.parse(report.startedAt));
  const within = (at: string | undefined, step: number) => [Date.parse(report.steps[step]!.startedAt!) <= Date.parse(at!), Date.parse(at!) <= Date.parse(report.steps[step]!.endedAt!)];
  expect(within(timeline.firstMitigationAt, 0)).toEqual([true, true]);
  expect(within(timeline.verifiedAt, 2)).toEqual([true, true]);
  expect(within(timeline.soakedAt, 3)).toEqual([true, true]);
  expect(report.timeToRecoverSpan).toEqual({ from: 'detectedAt', to: 'verifiedAt' });
  expect(report.timeToRecoverMs).toBe(Date.parse(timeline.verifiedAt!) - Date.parse(firing!.startsAt));
  expect(report.rtoMet).toBe(true);

  // The world: every checkout replica rolled back and healthy; Prometheus no longer fires.
  const replicas = await bed.fleet.get<{ actual: { version: string }; healthy: boolean }[]>('/v1/services/checkout/replicas');
  expect(replicas.filter((replica) => replica.actual.version === 'v42' || !replica.healthy)).toEqual([]);
  expect(await prometheus.query('ALERTS{alertname="FleetErrorRatioHigh", alertstate="firing"}')).toEqual([]);

  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  expect(metrics).not.toMatch(/rebound_alerts_rejected_total\{[^}]*\} [1-9]/);
  expect(metrics).not.toMatch(/rebound_alerts_resolved_without_recovery_total\{[^}]*\} [1-9]/);
});
