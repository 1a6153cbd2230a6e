/** PromQL gates: a real Prometheus scrapes the real fleet; the gate passes once the error ratio is low. */
import { startTestPrometheus, type TestPrometheus } from '../helpers/prometheus';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { waitFor } from '../helpers/wait-for';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('prometheus-gate-test', { fleet: true });
let prometheus: TestPrometheus;

beforeAll(async () => {
  prometheus = await startTestPrometheus([new URL(bed.fleet.url).host]);
}, 120_000);

afterAll(() => prometheus?.stop());


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
  await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
  const query = 'fleet_service_error_ratio{service="checkout"}';
  await waitFor(async () => Number((await prometheus.query(query))[0]?.value[1]) > 0.05, 'Prometheus to see the bad deploy', 30_000, 250);
  const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, runbook('promql-gate', query), { prometheusUrl: prometheus.url })).result();

  expect(report.outcome).toBe('recovered');
  const gate = report.steps[1];
  expect(gate?.attempts).toBeGreaterThanOrEqual(3);
  expect(gate?.output).toMatchObject({ consecutive: 3, observation: { ok: true, resultType: 'vector', samples: [{ metric: { service: 'checkout' } }] } });
});

it('treats a PromQL error as a failed observation with the server message, and fails the gate at its timeout', async () => {
  const yaml = runbook('promql-bad-query', 'fleet_service_error_ratio{', false).replace('timeout: 45s', 'timeout: 2s');
  const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, yaml, { prometheusUrl: prometheus.url })).result();
  expect(report.outcome).toBe('failed');
  expect(report.steps[0]?.output).toMatchObject({ observation: { ok: false, error: expect.stringMatching(/^bad_data: /) } });
});
