/** The interpreter against a real Temporal dev server and a real HTTP target. */
import { searchAttributes } from '../../model/search-attributes';
import { stateQuery } from '../../workflows/queries';
import { saveHistoryWhenRecording } from '../helpers/histories';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startShippedRunbook } from '../helpers/runbook-files';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('run-recovery-test', { target: true });


function restartRunbook(name: string, gateExpect: string, extraSteps = ''): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata:
  name: ${name}
spec:
  params:
    service: { type: string, required: true }
    baseUrl: { type: string, required: true }
  key: "{{ params.service }}"
  rto: 5m
  timeout: 2m
  steps:
    - id: drain
      name: Drain traffic from {{ params.service }}
      action:
        name: http.request
        with: { url: "{{ params.baseUrl }}/drain", json: { service: "{{ params.service }}" } }
        undo:
          name: http.request
          with: { url: "{{ params.baseUrl }}/undrain", json: { service: "{{ params.service }}" } }
    - id: restart
      action:
        name: http.request
        with: { url: "{{ params.baseUrl }}/restart" }
        retry: { maxAttempts: 3, initialInterval: 100ms }
        undo:
          name: http.request
          with: { url: "{{ params.baseUrl }}/unrestart" }
    - id: healthy
      gate:
        check: http.check
        with: { url: "{{ params.baseUrl }}/health" }
        expect: ${JSON.stringify(gateExpect)}
        consecutive: 2
        interval: 200ms
        timeout: 3s
${extraSteps}`;
}

describe('runRecovery', () => {
  it('runs actions and a gate to recovered, with idempotency keys and timings in the report', async () => {
    bed.target.route('/health', () => ({ status: 200, json: { healthy: true } }));
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, restartRunbook('restart-ok', 'observation.status == 200 && observation.json.healthy'), {
      service: 'checkout',
      baseUrl: bed.target.url,
    });
    const report = await handle.result();
    await saveHistoryWhenRecording(bed.client, handle.workflowId, 'recovered');

    expect(report.outcome).toBe('recovered');
    expect(report.workflowId).toBe('restart-ok/checkout');
    expect(report.rtoMet).toBe(true);
    expect(report.timeToRecoverMs).toBeGreaterThan(0);
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['drain', 'succeeded'],
      ['restart', 'succeeded'],
      ['healthy', 'succeeded'],
    ]);
    for (const step of report.steps) {
      expect(Date.parse(step.endedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(step.startedAt ?? ''));
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(report.steps[2]?.attempts).toBeGreaterThanOrEqual(2);
    const drain = bed.target.to('/drain');
    expect(drain).toHaveLength(1);
    expect(drain[0]?.body).toEqual({ service: 'checkout' });
    expect(drain[0]?.idempotencyKey).toBe(`restart-ok/checkout/${handle.firstExecutionRunId}/drain`);
    expect(bed.target.to('/undrain')).toHaveLength(0);

    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributes.phase)).toBe('recovered');
    expect(description.typedSearchAttributes.get(searchAttributes.runbook)).toBe('restart-ok');
    expect(description.typedSearchAttributes.get(searchAttributes.key)).toBe('checkout');
  });

  it('fails a gate that never passes at its timeout and runs the undos in reverse order, once each', async () => {
    bed.target.route('/health', () => ({ status: 503, json: { healthy: false } }));
    const before = bed.target.requests.length;
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, restartRunbook('restart-gate-fails', 'observation.status == 200'), {
      service: 'payments',
      baseUrl: bed.target.url,
    });
    const report = await handle.result();
    await saveHistoryWhenRecording(bed.client, handle.workflowId, 'rolled-back');

    expect(report.outcome).toBe('rolled-back');
    const gate = report.steps.find((step) => step.id === 'healthy');
    expect(gate?.status).toBe('failed');
    expect(gate?.error).toMatch(/gate did not pass 2 time\(s\) in a row within 3s/);
    expect(report.error).toBe(gate?.error);
    expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([
      ['restart', 'succeeded'],
      ['drain', 'succeeded'],
    ]);
    const mutations = bed.target.requests.slice(before).filter((request) => request.path !== '/health').map((request) => [request.path, request.idempotencyKey]);
    const prefix = `restart-gate-fails/payments/${handle.firstExecutionRunId}`;
    expect(mutations).toEqual([
      ['/drain', `${prefix}/drain`],
      ['/restart', `${prefix}/restart`],
      ['/unrestart', `${prefix}/restart/undo`],
      ['/undrain', `${prefix}/drain/undo`],
    ]);
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.phase)).toBe('rolled-back');
  });

  it('records a failing undo and ends failed instead of hiding it', async () => {
    bed.target.route('/health', () => ({ status: 503 }));
    bed.target.route('/unrestart', () => ({ status: 409, json: { error: 'cannot undo' } }));
    try {
      const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, restartRunbook('restart-undo-fails', 'observation.status == 200'), {
        service: 'search',
        baseUrl: bed.target.url,
      });
      const report = await handle.result();
      expect(report.outcome).toBe('failed');
      expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([
        ['restart', 'failed'],
        ['drain', 'succeeded'],
      ]);
      expect(report.compensations[0]?.error).toMatch(/409/);
    } finally {
      bed.target.route('/unrestart', () => ({ status: 200 }));
    }
  });

  it('skips a step whose when condition is false and exposes live state through the state query', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    bed.target.route('/slow', async () => {
      await released;
      return { status: 200, json: { done: true } };
    });
    const yaml = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: conditional }
spec:
  params:
    baseUrl: { type: string, required: true }
    restart: { type: boolean, default: false }
  rto: 10m
  steps:
    - id: restart
      when: params.restart
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/restart" } }
    - id: slow
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/slow", method: GET } }
    - id: after
      action: { name: http.request, with: { url: "{{ params.baseUrl }}/after", json: { slow: "{{ steps.slow.output.json.done }}" } } }
`;
    const restartsBefore = bed.target.to('/restart').length;
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, yaml, { baseUrl: bed.target.url });
    await bed.target.received('/slow');
    const state = await handle.query(stateQuery);
    expect(state.phase).toBe('mitigating');
    expect(state.steps.map((step) => step.status)).toEqual(['skipped', 'running', 'pending']);
    expect(state.budget.rto).toBe('10m');
    expect(state.budget.remainingMs).toBeLessThanOrEqual(600_000);
    expect(state.budget.elapsedMs).toBeGreaterThanOrEqual(0);
    release();
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(bed.target.to('/restart')).toHaveLength(restartsBefore);
    expect(bed.target.to('/after').at(-1)?.body).toEqual({ slow: true });
  });

  it('cancels the running step when the runbook timeout runs out and undoes what was done', async () => {
    const yaml = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: times-out }
spec:
  params:
    baseUrl: { type: string, required: true }
  timeout: 2s
  steps:
    - id: fence
      action:
        name: http.request
        with: { url: "{{ params.baseUrl }}/fence" }
        undo: { name: http.request, with: { url: "{{ params.baseUrl }}/unfence" } }
    - id: long-wait
      wait: { duration: 1h }
`;
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, yaml, { baseUrl: bed.target.url });
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('runbook timeout 2s exceeded');
    expect(report.steps.map((step) => [step.id, step.status, step.error])).toEqual([
      ['fence', 'succeeded', undefined],
      ['long-wait', 'failed', 'cancelled'],
    ]);
    expect(bed.target.to('/unfence').map((request) => request.idempotencyKey)).toEqual([`times-out/times-out/${handle.firstExecutionRunId}/fence/undo`]);
  });

  it('restarts a service with the shipped restart-service runbook and lets traffic back only once it is healthy', async () => {
    const control = '/services/inventory';
    bed.target.route(`${control}/health`, () => ({ status: 200, json: { status: 'ok' } }));
    const handle = await startShippedRunbook(bed.client, bed.taskQueue, 'restart-service', { service: 'inventory', controlUrl: bed.target.url });
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    const calls = bed.target.requests.filter((request) => request.path.startsWith(control)).map((request) => request.path.slice(control.length));
    expect(calls).toEqual(['/drain', '/restart', '/health', '/health', '/health', '/undrain']);
    expect(report.steps.map((step) => step.name)).toEqual(['Drain traffic from inventory', 'Restart inventory', 'inventory reports healthy', 'Restore traffic to inventory']);
  });
});

