/** PromQL gates: a real Prometheus scrapes the real fleet; the gate passes once the error ratio is low. */
import type { Client } from '@temporalio/client';
import { startTestFleet, type TestFleet } from '../helpers/fleet';
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { waitFor } from '../helpers/wait-for';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let temporal: TestTemporal;
let client: Client;
let fleet: TestFleet;
let prometheus: TestPrometheus;
let worker: TestWorker;
const taskQueue = 'prometheus-gate-test';

beforeAll(async () => {
  temporal = await startTestTemporal();
  client = temporal.client;
  fleet = await startTestFleet();
  prometheus = await startTestPrometheus([new URL(fleet.url).host]);
  worker = await startTestWorker(temporal.address, taskQueue, [], { inventory: fleet.inventory });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await prometheus?.stop();
  await fleet?.close();
  await temporal?.stop();
});

function runbook(name: string, query: string, rollback = true): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params:
    prometheusUrl: { type: string, required: true }
  key: checkout
  steps:
${rollback ? '    - id: rollback\n      rollback: { service: checkout, waves: ["100%"], maxUnavailable: 8 }' : ''}
    - id: error-ratio-low
      gate:
        check: prometheus.query
        with: { url: "{{ params.prometheusUrl }}", query: ${JSON.stringify(query)} }
        expect: observation.ok && observation.value != null && observation.value < 0.05
        consecutive: 3
        interval: 1s
        timeout: 45s
`;
}

it('passes a PromQL gate once the scraped error ratio is below 5% for 3 samples', async () => {
  await fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
  const query = 'fleet_service_error_ratio{service="checkout"}';
  await waitFor(async () => Number((await prometheus.query(query))[0]?.value[1]) > 0.05, 'Prometheus to see the bad deploy', 30_000, 250);
  const report = await (await startRecoveryFromYaml(client, taskQueue, runbook('promql-gate', query), { prometheusUrl: prometheus.url })).result();

  expect(report.outcome).toBe('recovered');
  const gate = report.steps[1];
  expect(gate?.attempts).toBeGreaterThanOrEqual(3);
  expect(gate?.output).toMatchObject({ consecutive: 3, observation: { ok: true, resultType: 'vector', samples: [{ metric: { service: 'checkout' } }] } });
});

it('treats a PromQL error as a failed observation with the server message, and fails the gate at its timeout', async () => {
  const yaml = runbook('promql-bad-query', 'fleet_service_error_ratio{', false).replace('timeout: 45s', 'timeout: 2s');
  const report = await (await startRecoveryFromYaml(client, taskQueue, yaml, { prometheusUrl: prometheus.url })).result();
  expect(report.outcome).toBe('failed');
  expect(report.steps[0]?.output).toMatchObject({ observation: { ok: false, error: expect.stringMatching(/^bad_data: /) } });
});
