/**
 * The generic route's input and HMAC signatures, answered before Temporal is involved (the
 * client points at nothing: a request that got through everything answers 503).
 */
import { createHmac } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { parseCredentialsFile } from '../../server/credentials';
import { bearer, createTestWebhook, testToken, unreachableTemporalClient } from '../helpers/webhook';

const secret = 'hmac-secret-0123456789';
let app: FastifyInstance;
let client: Client;
beforeAll(async () => {
  client = await unreachableTemporalClient();
  const credentials = parseCredentialsFile(
    `hmac:\n  - { name: deploy-bot, secret: ${secret}, runbooks: [deploy-rollback] }\n  - { name: other-bot, secret: other-secret-0123456789, runbooks: [error-rate-recovery] }\n`,
    'webhook.yaml',
  );
  app = await createTestWebhook({ client, taskQueue: 'webhook-generic', temporalTimeoutMs: 1000, auth: { token: testToken, credentials } });
});
afterAll(async () => {
  await app.close();
  await client.connection.close();
});

const failed = { event: 'deploy.failed', deployment: 'dep-42', service: 'cart', version: 'v7', at: '2026-11-25T14:00:00Z' };

/** The headers a sender computes: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret. */
function signature(body: string, options: { key?: string; timestamp?: number } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const hex = createHmac('sha256', options.key ?? secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'x-rebound-timestamp': timestamp, 'x-rebound-signature': `sha256=${hex}` };
}

const post = (body: string, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/v1/alerts/generic', headers: { 'content-type': 'application/json', ...headers }, payload: body });
const code = async (response: Promise<{ statusCode: number; json: () => { error?: { code: string } } }>) => {
  const answer = await response;
  return [answer.statusCode, answer.json().error?.code];
};

describe('HMAC signatures', () => {
  const body = JSON.stringify(failed);

  it('lets a correctly signed body through (503 here: Temporal is unreachable)', async () => {
    expect(await code(post(body, signature(body)))).toEqual([503, 'temporal_unavailable']);
  });

  it('answers 401 invalid_signature for a tampered body', async () => {
    const headers = signature(body);
    expect(await code(post(body.replace('cart', 'carts'), headers))).toEqual([401, 'invalid_signature']);
  });

  it('answers 401 invalid_signature for another secret, a malformed signature or a missing timestamp', async () => {
    expect(await code(post(body, signature(body, { key: 'not-the-secret-0123456789' })))).toEqual([401, 'invalid_signature']);
    expect(await code(post(body, { ...signature(body), 'x-rebound-signature': 'sha256=abc' }))).toEqual([401, 'invalid_signature']);
    expect(await code(post(body, { 'x-rebound-signature': signature(body)['x-rebound-signature'] }))).toEqual([401, 'invalid_signature']);
  });

  it('answers 401 stale_signature for a timestamp more than 5 minutes away, either way', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 301]) {
      const response = await post(body, signature(body, { timestamp }));
      expect([response.statusCode, response.json().error.code, response.json().error.details]).toEqual([401, 'stale_signature', { maxSkewSeconds: 300 }]);
    }
    expect(await code(post(body, signature(body, { timestamp: now - 290 })))).toEqual([503, 'temporal_unavailable']);
  });

  it('answers 403 when the signing secret is scoped to other runbooks', async () => {
    const response = await post(body, signature(body, { key: 'other-secret-0123456789' }));
    expect([response.statusCode, response.json().error.details]).toEqual([403, { credential: 'other-bot', runbooks: ['deploy-rollback'] }]);
  });

  it('answers 401 without any credentials, and accepts a bearer token instead of a signature', async () => {
    expect(await code(post(body, {}))).toEqual([401, 'unauthenticated']);
    expect(await code(post(body, bearer))).toEqual([503, 'temporal_unavailable']);
  });
});

describe('bad input', () => {
  it('answers 202 matched 0 for a body no generic trigger takes', async () => {
    const response = await post(JSON.stringify({ event: 'deploy.started' }), bearer);
    expect([response.statusCode, response.json()]).toEqual([202, { accepted: 1, matched: 0, recoveries: [] }]);
    const other = await post(JSON.stringify({ anything: [1, 2, 3] }), bearer);
    expect(other.json()).toEqual({ accepted: 1, matched: 0, recoveries: [] });
  });

  it('answers 422 invalid_payload for JSON that is not an object', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) expect(await code(post(body, bearer))).toEqual([422, 'invalid_payload']);
  });

  it('answers 400 malformed_json, 415 for another content type, 413 past 1 MiB', async () => {
    expect(await code(post('{"event":', bearer))).toEqual([400, 'malformed_json']);
    expect(await code(app.inject({ method: 'POST', url: '/v1/alerts/generic', headers: { 'content-type': 'text/plain', ...bearer }, payload: 'x' }))).toEqual([415, 'unsupported_media_type']);
    expect(await code(post(JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }), bearer))).toEqual([413, 'payload_too_large']);
  });

  it('answers 400 forbidden_key for a body with __proto__ or constructor.prototype (prototype poisoning)', async () => {
    expect(await code(post('{"__proto__": {"admin": true}}', bearer))).toEqual([400, 'forbidden_key']);
    expect(await code(post('{"a": [{"constructor": {"prototype": {"admin": true}}}]}', bearer))).toEqual([400, 'forbidden_key']);
  });

  it.each([
    ['a fingerprint expression that fails', { ...failed, deployment: undefined }, 'fingerprint'],
    ['a fingerprint that is not a string', { ...failed, deployment: { id: 1 } }, 'fingerprint'],
    ['a startsAt that is not a timestamp', { ...failed, at: 'yesterday' }, 'startsAt'],
    ['a missing param field', { ...failed, service: undefined }, 'service'],
  ])('answers 422 invalid_params for %s, naming the runbook and field', async (_case, body, field) => {
    const response = await post(JSON.stringify(body), bearer);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'invalid_params', details: { runbook: 'deploy-rollback', param: field } });
  });

  it('counts generic rejections by reason', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="generic",reason="stale_signature"\} 2/);
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="generic",reason="invalid_signature"\} 4/);
    expect(metrics).toMatch(/rebound_alerts_unmatched_total\{source="generic"\} 2/);
  });
});
