/**
 * A `rebound worker` process with REBOUND_METRICS_PORT serves the SDK's metrics and Rebound's own
 * on /metrics; recoveries that recover, fail to undo, and escalate show in them, a real Prometheus
 * scrapes them, and the shipped alerting rules fire on them.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { findFreePort } from '../../runtime/free-port';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { useWorkerProcesses } from '../helpers/worker-process';
import { waitFor } from '../helpers/wait-for';

const taskQueue = 'metrics-test';
let temporal: TestTemporal;
let target: TargetServer;
let prometheus: TestPrometheus | undefined;
let metricsPort: number;

beforeAll(async () => {
  temporal = await startTestTemporal();
  target = await startTargetServer();
  metricsPort = await findFreePort();
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await target?.close();
  await temporal?.stop();
});

const workers = useWorkerProcesses(() => ({ TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue, REBOUND_METRICS_PORT: String(metricsPort) }));

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (enough of the format for what the SDK writes). */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]));
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample named `name` whose labels include `labels`; fails when there is not exactly one. */
function value(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
  return (found[0] as Sample).value;
}

const runbook = (name: string, steps: string, extra = '') => `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params:
    baseUrl: { type: string, required: true }
  key: metrics
${extra}
  steps:
${steps}`;

const recovers = runbook(
  'metrics-recovers',
  `
    - id: restart
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/restart" } }
    - id: healthy
      gate: { check: http.check, with: { url: "{{ params.baseUrl }}/health" }, expect: observation.status == 200, consecutive: 2, interval: 100ms, timeout: 10s }`,
  '  rto: 1m',
);

const undoFails = runbook(
  'metrics-undo-fails',
  `
    - id: drain
      action:
        name: http.request
        with: { url: "{{ params.baseUrl }}/drain" }
        undo: { name: http.request, with: { url: "{{ params.baseUrl }}/broken-undrain" }, retry: { maxAttempts: 1 } }
    - id: healthy
      gate: { check: http.check, with: { url: "{{ params.baseUrl }}/down" }, expect: observation.status == 200, interval: 200ms, timeout: 1s }`,
  '  rto: 1m',
);

const escalates = runbook(
  'metrics-escalates',
  `
    - id: sign-off
      approval: { approvers: [alice], timeout: 1s, onTimeout: escalate }`,
);

describe('worker metrics', () => {
  it('serves recoveries, outcomes, time to recover, steps, compensations and findings, with the SDK metrics, on REBOUND_METRICS_PORT', async () => {
    const worker = workers.start();
    await worker.ready;
    expect(worker.output()).toContain(`"metricsUrl":"http://127.0.0.1:${metricsPort}/metrics","msg":"serving Prometheus metrics"`);
    target.route('/down', () => ({ status: 503 }));
    target.route('/broken-undrain', () => ({ status: 500 }));

    const outcomes = await Promise.all(
      [recovers, undoFails, escalates].map(async (yaml) => (await (await startRecoveryFromYaml(temporal.client, taskQueue, yaml, { baseUrl: target.url })).result()).outcome),
    );
    expect(outcomes).toEqual(['recovered', 'failed', 'failed']);

    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const samples = parseExposition(await response.text());
    const common = { namespace: 'default', taskQueue, workflowType: 'runRecovery' };

    for (const name of ['metrics-recovers', 'metrics-undo-fails', 'metrics-escalates']) {
      expect(value(samples, 'rebound_recoveries_started_total', { ...common, runbook: name, trigger: 'test' })).toBe(1);
    }
    expect(value(samples, 'rebound_recoveries_finished_total', { runbook: 'metrics-recovers', outcome: 'recovered', rto_met: 'true' })).toBe(1);
    expect(value(samples, 'rebound_recoveries_finished_total', { runbook: 'metrics-undo-fails', outcome: 'failed', rto_met: 'false' })).toBe(1);
    expect(value(samples, 'rebound_recoveries_finished_total', { runbook: 'metrics-escalates', outcome: 'failed', rto_met: 'none' })).toBe(1);

    expect(value(samples, 'rebound_time_to_recover_seconds_count', { runbook: 'metrics-recovers', outcome: 'recovered' })).toBe(1);
    const timeToRecover = value(samples, 'rebound_time_to_recover_seconds_sum', { runbook: 'metrics-recovers', outcome: 'recovered' });
    expect(timeToRecover).toBeGreaterThan(0);
    expect(timeToRecover).toBeLessThan(60);
    expect(value(samples, 'rebound_time_to_recover_seconds_bucket', { runbook: 'metrics-recovers', le: '60' })).toBe(1);

    expect(value(samples, 'rebound_step_duration_seconds_count', { step_kind: 'action', status: 'succeeded' })).toBe(2);
    expect(value(samples, 'rebound_step_duration_seconds_count', { step_kind: 'gate', status: 'succeeded' })).toBe(1);
    expect(value(samples, 'rebound_step_duration_seconds_count', { step_kind: 'gate', status: 'failed' })).toBe(1);
    expect(value(samples, 'rebound_step_duration_seconds_count', { step_kind: 'approval', status: 'failed' })).toBe(1);
    expect(value(samples, 'rebound_step_attempts_total', { step_kind: 'gate' })).toBe(2);
    expect(value(samples, 'rebound_step_attempts_total', { step_kind: 'action' })).toBe(2);

    expect(value(samples, 'rebound_compensations_total', { runbook: 'metrics-undo-fails', status: 'failed' })).toBe(1);
    expect(value(samples, 'rebound_findings_total', { runbook: 'metrics-escalates', kind: 'escalation' })).toBe(1);
    expect(value(samples, 'rebound_phase_transitions_total', { runbook: 'metrics-recovers', phase: 'verifying' })).toBe(1);
    const lastChange = value(samples, 'rebound_last_phase_change_timestamp_seconds', { runbook: 'metrics-recovers' });
    expect(Math.abs(lastChange - Date.now() / 1000)).toBeLessThan(120);

    // The SDK's own metrics come from the same endpoint.
    expect(value(samples, 'temporal_workflow_completed_total', { task_queue: taskQueue, workflow_type: 'runRecovery' })).toBe(3);
    expect(value(samples, 'temporal_num_pollers', { task_queue: taskQueue, poller_type: 'workflow_task' })).toBeGreaterThan(0);
  }, 120_000);

  it('is scraped by a real Prometheus, on which the shipped alerting rules fire for the failed undo and the missed RTO', async () => {
    const rules = await readFile(path.join(__dirname, '..', '..', 'examples', 'prometheus', 'rebound-alerts.yml'), 'utf8');
    prometheus = await startTestPrometheus([`127.0.0.1:${metricsPort}`], { rules });
    const firing = async () =>
      (await (prometheus as TestPrometheus).query('ALERTS{alertstate="firing"}')).map((sample) => `${sample.metric.alertname} ${sample.metric.runbook}`).sort();
    await waitFor(async () => (await firing()).length >= 4, 'the rules to fire on the scraped metrics', 30_000, 250);
    expect(await firing()).toEqual([
      'ReboundCompensationFailed metrics-undo-fails',
      'ReboundRecoveriesNotRecovering metrics-escalates',
      'ReboundRecoveriesNotRecovering metrics-undo-fails',
      'ReboundRtoMissed metrics-undo-fails',
    ]);
    expect(await prometheus.query('sum(rebound_recoveries_started_total)')).toEqual([expect.objectContaining({ value: [expect.any(Number), '3'] })]);
  }, 90_000);
});
