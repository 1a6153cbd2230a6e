/** The Grafana route's input: the payload normalized like Alertmanager's, and its bad-input answers (Temporal is not involved). */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { parseGrafanaPayload } from '../../server/grafana-payload';
import { bearer, createTestWebhook, grafanaPayload, unreachableTemporalClient } from '../helpers/webhook';

let app: FastifyInstance;
let client: Client;
beforeAll(async () => {
  client = await unreachableTemporalClient();
  app = await createTestWebhook({ client, taskQueue: 'webhook-grafana' });
});
afterAll(async () => {
  await app.close();
  await client.connection.close();
});

const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/alerts/grafana', headers: bearer, payload });

it('normalizes every alert of the payload: fingerprint, labels, annotations, startsAt, status, endsAt only when set', () => {
  const [checkout, disk] = parseGrafanaPayload(grafanaPayload('firing'));
  expect(checkout).toEqual({
    source: 'grafana',
    status: 'firing',
    labels: { alertname: 'HighErrorRate', grafana_folder: 'Checkout', service: 'checkout', severity: 'critical' },
    annotations: { description: '5xx ratio of checkout is above 5%', runbook_url: 'http://runbooks/x', summary: '5xx > 5%' },
    startsAt: '2026-11-25T13:41:03.157076+01:00',
    fingerprint: 'c6eadffa33fcdf37',
  });
  expect(disk).toMatchObject({ fingerprint: 'bc97ff14869b13e3', labels: { alertname: 'DiskAlmostFull' } });
  expect(parseGrafanaPayload(grafanaPayload('resolved'))).toEqual([expect.objectContaining({ status: 'resolved', endsAt: '2026-11-25T13:52:03.157076+01:00', fingerprint: 'c6eadffa33fcdf37' })]);
});

it('answers 400 unsupported_version for an Alertmanager payload posted to the Grafana route', async () => {
  const response = await post({ ...grafanaPayload('firing'), version: '4' });
  expect(response.statusCode).toBe(400);
  expect(response.json().error).toEqual({ code: 'unsupported_version', message: expect.stringContaining('"4"'), details: { version: '4', supported: ['1'] } });
});

it('answers 422 invalid_payload naming each wrong field', async () => {
  const payload = grafanaPayload('firing');
  const alert = (payload.alerts as Record<string, unknown>[])[0]!;
  delete alert.fingerprint;
  alert.status = 'pending';
  alert.values = { A: 'high' };
  const response = await post(payload);
  expect(response.statusCode).toBe(422);
  expect(response.json().error.details.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['alerts.0.fingerprint', 'alerts.0.status', 'alerts.0.values.A']);
  expect((await post({ version: '1' })).json().error.code).toBe('invalid_payload');
});

it('answers 422 invalid_params when the matching trigger cannot compute the params', async () => {
  const payload = grafanaPayload('firing');
  delete (payload.alerts as { labels: Record<string, string> }[])[0]!.labels.service;
  const response = await post(payload);
  expect([response.statusCode, response.json().error.details]).toEqual([422, expect.objectContaining({ runbook: 'error-rate-recovery', param: 'service' })]);
});
