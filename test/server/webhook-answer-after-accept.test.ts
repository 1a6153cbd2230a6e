/**
 * A request is answered only once Temporal accepted the call carrying its alert: with the real dev
 * server frozen (SIGSTOP), one alert's call stays in flight and a second alert for the same
 * recovery waits behind it; neither is answered until the server runs again, then the first is
 * answered `started` and the second, carried by the next call, `joined`.
 */
import type { FastifyInstance } from 'fastify';
import { stateQuery } from '../../workflows/queries';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';
import { alertmanagerPayload, bearer, createTestWebhook } from '../helpers/webhook';

const bed = useTestbed('webhook-answer-after-accept');
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await createTestWebhook({ client: bed.client, taskQueue: bed.taskQueue, temporalTimeoutMs: 60_000 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
});

function payload(status: 'firing' | 'resolved'): Record<string, unknown> {
  const body = alertmanagerPayload(status);
  (body.alerts as { labels: Record<string, string> }[])[0]!.labels.service = 'frozen';
  return body;
}

const post = (body: object) => fetch(`${base}/v1/alerts/alertmanager`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function gauge(name: string): Promise<number> {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
}

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([promise.then(() => true, () => true), Promise.resolve(pending)])) !== pending;
}

it('answers neither request while Temporal has not accepted their calls, then started and joined', async () => {
  // The client connects at its first call: make one before freezing the server.
  await bed.client.workflowService.getSystemInfo({});
  process.kill(bed.temporal.server.pid, 'SIGSTOP');
  let first: Promise<Response>;
  let second: Promise<Response>;
  try {
    first = post(payload('firing'));
    await waitFor(async () => (await gauge('rebound_temporal_calls_in_flight')) === 1, 'the first alert to be in flight');
    second = post(payload('firing'));
    await waitFor(async () => (await gauge('rebound_alerts_queued')) === 1, 'the second alert to wait behind the first call');
    expect([await settled(first), await settled(second)]).toEqual([false, false]);
  } finally {
    process.kill(bed.temporal.server.pid, 'SIGCONT');
  }
  const answers = await Promise.all([first, second].map(async (response) => {
    const answer = await response;
    return [answer.status, ((await answer.json()) as { deliveries: { outcome: string }[] }).deliveries.map((delivery) => delivery.outcome)];
  }));
  expect(answers).toEqual([
    [202, ['started']],
    [202, ['joined']],
  ]);
  const state = await bed.client.workflow.getHandle('error-rate-recovery/frozen').query(stateQuery);
  expect(state.alerts.map((alert) => [alert.status, alert.timesSeen])).toEqual([['firing', 2]]);
});
