/** Bad input and auth, answered before Temporal is involved (the client here points at nothing). */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../runtime/logger';
import { AuthConfigError } from '../../server/auth';
import { bodyLimit, createWebhookServer } from '../../server/create-server';
import { alertmanagerPayload, bearer, createTestWebhook, loadAlertRunbooks, unreachableTemporalClient } from '../helpers/webhook';

let app: FastifyInstance;
const clients: Client[] = [];
const unreachable = async () => {
  const client = await unreachableTemporalClient();
  clients.push(client);
  return client;
};
beforeAll(async () => {
  app = await createTestWebhook({ client: await unreachable(), taskQueue: 'webhook-input' });
});
afterAll(async () => {
  await app.close();
  await Promise.all(clients.map((client) => client.connection.close()));
});

const post = (payload: string | object, headers: Record<string, string> = bearer) =>
  app.inject({ method: 'POST', url: '/v1/alerts/alertmanager', headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

const unmatched = () => {
  const payload = alertmanagerPayload('firing');
  (payload.alerts as { labels: Record<string, string> }[])[0]!.labels.alertname = 'DiskFull';
  return payload;
};

describe('authentication', () => {
  it('answers 401 without credentials', async () => {
    const response = await post(alertmanagerPayload('firing'), {});
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthenticated', message: expect.stringContaining('Bearer'), details: { schemes: ['Bearer'] } } });
  });

  it('answers 401 with a wrong token, a token of another length, or another scheme', async () => {
    for (const authorization of ['Bearer wrong-token-0123456789', 'Bearer x', 'Basic dGVzdDp0ZXN0']) {
      const response = await post(alertmanagerPayload('firing'), { authorization });
      expect([response.statusCode, response.json().error.code]).toEqual([401, 'invalid_credentials']);
    }
  });

  it('checks credentials before reading the body', async () => {
    const response = await post('{not json', {});
    expect(response.statusCode).toBe(401);
  });

  it('refuses to start without a token unless auth is disabled explicitly, and then warns', async () => {
    const base = { client: await unreachable(), taskQueue: 'q', runbooks: await loadAlertRunbooks() };
    expect(() => createWebhookServer({ ...base, auth: {}, logger: createLogger({ level: 'silent' }) })).toThrow(AuthConfigError);
    const warnings: string[] = [];
    const logger = createLogger({ level: 'silent' });
    logger.warn = ((message: string) => warnings.push(message)) as typeof logger.warn;
    const open = createWebhookServer({ ...base, auth: { disabled: true }, logger });
    expect(warnings.join('\n')).toMatch(/AUTHENTICATION IS DISABLED/);
    const response = await open.inject({ method: 'POST', url: '/v1/alerts/alertmanager', payload: unmatched() });
    expect(response.statusCode).toBe(202);
    await open.close();
  });
});

describe('bad input', () => {
  it('answers 400 malformed_json for a body that is not JSON', async () => {
    const response = await post('{"version": "4",');
    expect([response.statusCode, response.json().error.code]).toEqual([400, 'malformed_json']);
  });

  it('answers 400 empty_body for an empty JSON body', async () => {
    const response = await post('');
    expect([response.statusCode, response.json().error.code]).toEqual([400, 'empty_body']);
  });

  it('answers 415 for a content type other than JSON', async () => {
    const response = await post(JSON.stringify(alertmanagerPayload('firing')), { ...bearer, 'content-type': 'text/plain' });
    expect([response.statusCode, response.json().error.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const payload = { ...alertmanagerPayload('firing'), padding: 'x'.repeat(bodyLimit) };
    const response = await post(payload);
    expect([response.statusCode, response.json().error.code]).toEqual([413, 'payload_too_large']);
  });

  it('answers 400 unsupported_version for another payload version, naming it', async () => {
    const response = await post({ ...alertmanagerPayload('firing'), version: '3' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({ code: 'unsupported_version', message: expect.stringContaining('"3"'), details: { version: '3', supported: ['4'] } });
  });

  it('answers 422 invalid_payload naming each missing or wrong field', async () => {
    const payload = alertmanagerPayload('firing');
    const alert = (payload.alerts as Record<string, unknown>[])[0]!;
    delete alert.fingerprint;
    alert.startsAt = 'yesterday';
    const response = await post(payload);
    expect(response.statusCode).toBe(422);
    const { error } = response.json();
    expect(error.code).toBe('invalid_payload');
    expect(error.details.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['alerts.0.fingerprint', 'alerts.0.startsAt']);
    expect((await post([1, 2])).json().error.code).toBe('invalid_payload');
  });

  it('answers 422 invalid_payload for a timestamp without seconds (not RFC 3339)', async () => {
    const payload = alertmanagerPayload('firing');
    (payload.alerts as Record<string, unknown>[])[0]!.endsAt = '2026-11-25T12:17Z';
    const response = await post(payload);
    expect([response.statusCode, response.json().error.details.issues]).toEqual([422, [{ path: 'alerts.0.endsAt', message: 'expected an RFC 3339 timestamp (with seconds)' }]]);
  });

  it('answers 422 invalid_params when a matching trigger cannot compute the runbook params', async () => {
    const payload = alertmanagerPayload('firing');
    delete (payload.alerts as { labels: Record<string, string> }[])[0]!.labels.service;
    const response = await post(payload);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'invalid_params', details: { runbook: 'error-rate-recovery', param: 'service' } });
  });

  it('answers 422 invalid_params when the computed params do not fit the runbook', async () => {
    const payload = alertmanagerPayload('firing');
    (payload.alerts as { labels: Record<string, string> }[])[0]!.labels.alertname = 'HighLatency';
    const response = await post(payload);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'invalid_params', details: { runbook: 'latency-recovery' } });
  });

  it('answers 202 matched 0 for labels no runbook matches, without calling Temporal', async () => {
    const response = await post(unmatched());
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: 1, matched: 0, recoveries: [] });
  });

  it('answers 404 with the JSON error body for unknown routes', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/nothing' });
    expect([response.statusCode, response.json().error.code]).toEqual([404, 'not_found']);
  });

  it('answers 405 with Allow for a method the path does not serve', async () => {
    const alertRoute = await app.inject({ method: 'GET', url: '/v1/alerts/alertmanager' });
    const health = await app.inject({ method: 'DELETE', url: '/healthz?x=1' });
    expect([alertRoute.statusCode, alertRoute.headers.allow, alertRoute.json().error.code]).toEqual([405, 'POST', 'method_not_allowed']);
    expect([health.statusCode, health.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('counts rejections by reason and unmatched alerts in /metrics', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="alertmanager",reason="unauthenticated"\} [1-9]/);
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="alertmanager",reason="unsupported_version"\} 1/);
    expect(metrics).toMatch(/rebound_alerts_unmatched_total\{source="alertmanager"\} [1-9]/);
    expect(metrics).toMatch(/rebound_http_request_duration_seconds_count\{method="POST",route="\/v1\/alerts\/alertmanager",status_code="202"\}/);
  });
});

describe('health', () => {
  it('is alive without Temporal, and not ready (503)', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json().error.code]).toEqual([503, 'temporal_unavailable']);
  });
});
