/** Alertmanager payloads delivered to a real Temporal dev server and worker: start, join, resolve, Temporal down. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { RecoveryState } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';
import { alertmanagerPayload, bearer, createTestWebhook, grafanaPayload, unreachableTemporalClient } from '../helpers/webhook';

const bed = useTestbed('webhook-temporal');
let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestWebhook({ client: bed.client, taskQueue: bed.taskQueue, temporalTimeoutMs: 10_000 });
});
afterAll(async () => {
  await app?.close();
});

/** The captured payload, for another service (so each test has its own recovery). */
function payloadFor(service: string, kind: 'firing' | 'resolved' = 'firing'): Record<string, unknown> {
  const payload = alertmanagerPayload(kind);
  (payload.alerts as { labels: Record<string, string> }[])[0]!.labels.service = service;
  return payload;
}

const target = (server: FastifyInstance, source: string, payload: object) => server.inject({ method: 'POST', url: `/v1/alerts/${source}`, headers: bearer, payload });
const post = (server: FastifyInstance, payload: object) => target(server, 'alertmanager', payload);

async function alertsOf(workflowId: string): Promise<RecoveryState['alerts']> {
  return (await bed.client.workflow.getHandle(workflowId).query(stateQuery)).alerts;
}

async function runsOf(workflowId: string): Promise<number> {
  let runs = 0;
  for await (const _execution of bed.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs += 1;
  return runs;
}

const fixture = alertmanagerPayload('firing');
const firingAlert = (fixture.alerts as { fingerprint: string; startsAt: string }[])[0]!;

/** One entry of the 202 answer's `deliveries`: what became of one alert for one runbook. */
const delivery = (recovery: string, outcome: string, status: 'firing' | 'resolved' = 'firing', fingerprint = firingAlert.fingerprint) => ({
  runbook: recovery.split('/')[0],
  fingerprint,
  status,
  recovery,
  outcome,
  ...(outcome === 'started' || outcome === 'joined' ? { runId: expect.any(String) } : {}),
});

it('starts one recovery for the captured firing payload, triggered by the alert, with the time the webhook received it', async () => {
  const before = new Date().toISOString();
  const response = await post(app, fixture);
  const after = new Date().toISOString();
  expect(response.statusCode).toBe(202);
  expect(response.json()).toEqual({ accepted: 1, matched: 1, recoveries: ['error-rate-recovery/checkout'], deliveries: [delivery('error-rate-recovery/checkout', 'started')] });
  const state = await bed.client.workflow.getHandle('error-rate-recovery/checkout').query(stateQuery);
  expect(state.params).toEqual({ service: 'checkout', severity: 'critical' });
  expect(state.trigger).toEqual({ source: 'alertmanager', by: firingAlert.fingerprint, detectedAt: firingAlert.startsAt, receivedAt: expect.any(String) });
  expect(state.trigger!.receivedAt! >= before && state.trigger!.receivedAt! <= after).toBe(true);
  expect(state.alerts).toEqual([{ fingerprint: firingAlert.fingerprint, startsAt: firingAlert.startsAt, status: 'firing', timesSeen: 1, lastSeenAt: expect.any(String) }]);
});

it('starts exactly one recovery for the same payload sent 5 times at once, and records the alert seen 5 times', async () => {
  const responses = await Promise.all(Array.from({ length: 5 }, () => post(app, payloadFor('payments'))));
  expect(responses.map((response) => response.statusCode)).toEqual([202, 202, 202, 202, 202]);
  expect(new Set(responses.map((response) => JSON.stringify(response.json().recoveries)))).toEqual(new Set([JSON.stringify(['error-rate-recovery/payments'])]));
  // One of them started the recovery, the other four joined that same run.
  const outcomes = responses.map((response) => (response.json() as { deliveries: { outcome: string; runId: string }[] }).deliveries[0]!);
  expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['joined', 'joined', 'joined', 'joined', 'started']);
  expect(new Set(outcomes.map((outcome) => outcome.runId)).size).toBe(1);
  await waitFor(async () => (await alertsOf('error-rate-recovery/payments'))[0]?.timesSeen === 5, 'the recovery to record 5 notifications');
  expect(await alertsOf('error-rate-recovery/payments')).toHaveLength(1);
  await waitFor(async () => (await runsOf('error-rate-recovery/payments')) > 0, 'the recovery to be visible');
  expect(await runsOf('error-rate-recovery/payments')).toBe(1);
});

it('signals the resolved notification to the running recovery', async () => {
  expect((await post(app, payloadFor('search'))).statusCode).toBe(202);
  const response = await post(app, payloadFor('search', 'resolved'));
  expect(response.statusCode).toBe(202);
  expect(response.json()).toEqual({ accepted: 1, matched: 1, recoveries: ['error-rate-recovery/search'], deliveries: [delivery('error-rate-recovery/search', 'signalled', 'resolved')] });
  const alerts = await alertsOf('error-rate-recovery/search');
  expect(alerts.map((alert) => [alert.status, alert.timesSeen])).toEqual([
    ['firing', 1],
    ['resolved', 1],
  ]);
});

it('never starts a recovery for a resolved alert, and counts it', async () => {
  const response = await post(app, payloadFor('billing', 'resolved'));
  expect(response.statusCode).toBe(202);
  expect(response.json()).toEqual({ accepted: 1, matched: 1, recoveries: [], deliveries: [delivery('error-rate-recovery/billing', 'not-running', 'resolved')] });
  await expect(bed.client.workflow.getHandle('error-rate-recovery/billing').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/rebound_alerts_resolved_without_recovery_total\{source="alertmanager"\} 1/);
});

it('answers 503 when Temporal is unavailable, and starts nothing', async () => {
  const unreachable = await unreachableTemporalClient();
  const down = await createTestWebhook({ client: unreachable, taskQueue: bed.taskQueue, temporalTimeoutMs: 2000 });
  try {
    const response = await post(down, payloadFor('inventory'));
    expect(response.statusCode).toBe(503);
    // The reason names the Temporal call that failed: the cooldown check (describe) of a runbook with spec.cooldown, or the signal-with-start.
    expect(response.json().error).toMatchObject({ code: 'temporal_unavailable', details: { reason: expect.stringMatching(/(signalWithStart|describe workflow).*: \S/i) } });
    expect((await down.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
  } finally {
    await down.close();
    await unreachable.connection.close();
  }
  await expect(bed.client.workflow.getHandle('error-rate-recovery/inventory').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
});

it('starts exactly one recovery per key for a storm of concurrent re-sends, every notification recorded, no 5xx', async () => {
  const keys = Array.from({ length: 10 }, (_unused, index) => `storm-${index}`);
  const sends = keys.flatMap((key) => Array.from({ length: 20 }, () => key));
  const responses = await Promise.all(sends.map((key) => post(app, payloadFor(key))));
  expect(responses.filter((response) => response.statusCode !== 202).map((response) => response.body)).toEqual([]);
  // Exactly one delivery per key started its recovery; the 19 others joined it.
  const started = responses.flatMap((response) => (response.json() as { deliveries: { recovery: string; outcome: string }[] }).deliveries.filter((entry) => entry.outcome === 'started').map((entry) => entry.recovery));
  expect(started.sort()).toEqual(keys.map((key) => `error-rate-recovery/${key}`).sort());
  const seen = async () => Promise.all(keys.map(async (key) => (await alertsOf(`error-rate-recovery/${key}`)).map((alert) => alert.timesSeen)));
  await waitFor(async () => (await seen()).every((times) => times[0] === 20), 'every notification to be recorded');
  expect(await seen()).toEqual(keys.map(() => [20]));
  await waitFor(async () => (await Promise.all(keys.map((key) => runsOf(`error-rate-recovery/${key}`)))).every((runs) => runs > 0), 'the storm recoveries to be visible');
  expect(await Promise.all(keys.map((key) => runsOf(`error-rate-recovery/${key}`)))).toEqual(keys.map(() => 1));
});

it('starts a recovery from the Grafana payload (the alert that matches nothing only counted) and signals it the resolution', async () => {
  const firing = grafanaPayload('firing');
  const grafanaAlert = (firing.alerts as { fingerprint: string; startsAt: string; labels: Record<string, string> }[])[0]!;
  grafanaAlert.labels.service = 'grafana-checkout';
  const response = await target(app, 'grafana', firing);
  expect([response.statusCode, response.json()]).toEqual([
    202,
    { accepted: 2, matched: 1, recoveries: ['error-rate-recovery/grafana-checkout'], deliveries: [delivery('error-rate-recovery/grafana-checkout', 'started', 'firing', grafanaAlert.fingerprint)] },
  ]);
  const state = await bed.client.workflow.getHandle('error-rate-recovery/grafana-checkout').query(stateQuery);
  expect(state.params).toEqual({ service: 'grafana-checkout', severity: 'critical' });
  expect(state.trigger).toMatchObject({ source: 'grafana', by: grafanaAlert.fingerprint, detectedAt: grafanaAlert.startsAt });

  const resolved = grafanaPayload('resolved');
  (resolved.alerts as { labels: Record<string, string> }[])[0]!.labels.service = 'grafana-checkout';
  expect((await target(app, 'grafana', resolved)).json()).toEqual({
    accepted: 1,
    matched: 1,
    recoveries: ['error-rate-recovery/grafana-checkout'],
    deliveries: [delivery('error-rate-recovery/grafana-checkout', 'signalled', 'resolved', grafanaAlert.fingerprint)],
  });
  expect((await alertsOf('error-rate-recovery/grafana-checkout')).map((alert) => [alert.fingerprint, alert.startsAt, alert.status])).toEqual([
    [grafanaAlert.fingerprint, grafanaAlert.startsAt, 'firing'],
    [grafanaAlert.fingerprint, grafanaAlert.startsAt, 'resolved'],
  ]);
  expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/rebound_alerts_unmatched_total\{source="grafana"\} 1/);
});

it('starts a recovery from a generic body with the fingerprint, status and startsAt its trigger computes, and joins re-sends', async () => {
  const failed = { event: 'deploy.failed', deployment: 'dep-7', service: 'ledger', version: 'v3', at: '2026-11-25T14:00:00Z' };
  const first = await target(app, 'generic', failed);
  expect([first.statusCode, first.json()]).toEqual([202, { accepted: 1, matched: 1, recoveries: ['deploy-rollback/ledger'], deliveries: [delivery('deploy-rollback/ledger', 'started', 'firing', 'dep-7')] }]);
  const resent = await target(app, 'generic', failed);
  expect([resent.statusCode, resent.json().deliveries]).toEqual([202, [delivery('deploy-rollback/ledger', 'joined', 'firing', 'dep-7')]]);
  const state = await bed.client.workflow.getHandle('deploy-rollback/ledger').query(stateQuery);
  expect(state.params).toEqual({ service: 'ledger', version: 'v3' });
  expect(state.trigger).toMatchObject({ source: 'generic', by: 'dep-7', detectedAt: '2026-11-25T14:00:00Z', receivedAt: expect.any(String) });
  await waitFor(async () => (await alertsOf('deploy-rollback/ledger'))[0]?.timesSeen === 2, 'the re-send to be recorded');
  expect((await target(app, 'generic', { ...failed, event: 'deploy.recovered' })).json().recoveries).toEqual(['deploy-rollback/ledger']);
  expect((await alertsOf('deploy-rollback/ledger')).map((alert) => [alert.fingerprint, alert.status, alert.timesSeen])).toEqual([
    ['dep-7', 'firing', 2],
    ['dep-7', 'resolved', 1],
  ]);
});

it('records, and does not start, a firing alert for a key whose recovery ended within spec.cooldown', async () => {
  const flapping = () => {
    const payload = alertmanagerPayload('firing');
    const alert = (payload.alerts as { labels: Record<string, string> }[])[0]!;
    alert.labels = { alertname: 'ServiceFlapping', service: 'queue' };
    return payload;
  };
  const first = await post(app, flapping());
  expect(first.json()).toEqual({ accepted: 1, matched: 1, recoveries: ['flapping-recovery/queue'], deliveries: [delivery('flapping-recovery/queue', 'started')] });
  const handle = bed.client.workflow.getHandle('flapping-recovery/queue');
  await handle.result();
  const ended = await handle.describe();

  const again = await post(app, flapping());
  expect(again.statusCode).toBe(202);
  const until = new Date(ended.closeTime!.getTime() + 3_600_000).toISOString();
  expect(again.json()).toEqual({
    accepted: 1,
    matched: 1,
    recoveries: [],
    deliveries: [delivery('flapping-recovery/queue', 'suppressed')],
    suppressed: [
      { runbook: 'flapping-recovery', fingerprint: firingAlert.fingerprint, startsAt: firingAlert.startsAt, reason: 'cooldown', recovery: 'flapping-recovery/queue', runId: ended.runId, closedAt: ended.closeTime!.toISOString(), until },
    ],
  });
  expect((await handle.describe()).runId).toBe(ended.runId);
  expect(await runsOf('flapping-recovery/queue')).toBe(1);
  expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/rebound_alerts_suppressed_total\{source="alertmanager",runbook="flapping-recovery",reason="cooldown"\} 1/);
});
