/**
 * Webhook credentials: the credentials file, bearer and basic auth, runbook scopes (403 before
 * anything is sent) and the per-source rate limit over a real socket. Temporal is unreachable
 * here: a request that got past auth and scope answers 503, one refused before answers 4xx.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { AuthConfigError, loadCredentialsFile, parseCredentialsFile } from '../../server/credentials';
import { alertmanagerPayload, createTestWebhook, grafanaPayload, unreachableTemporalClient } from '../helpers/webhook';

const clients: Client[] = [];
const apps: FastifyInstance[] = [];
const unreachable = async () => {
  const client = await unreachableTemporalClient();
  clients.push(client);
  return client;
};
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await Promise.all(clients.map((client) => client.connection.close()));
});

const credentialsYaml = `
tokens:
  - name: alertmanager-prod
    token: prod-token-0123456789
    runbooks: ["*"]
  - name: latency-only
    token: latency-token-0123456789
    runbooks: [latency-recovery]
basic:
  - username: grafana
    password: grafana-password-0123
    runbooks: [error-rate-recovery]
hmac:
  - name: deploy-bot
    secret: hmac-secret-0123456789
    runbooks: [error-rate-recovery]
`;

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const bearerOf = (token: string) => ({ authorization: `Bearer ${token}` });

async function webhook(extra: Parameters<typeof createTestWebhook>[0] extends infer T ? Partial<T> : never = {}) {
  const app = await createTestWebhook({ client: await unreachable(), taskQueue: 'webhook-auth', temporalTimeoutMs: 1000, auth: { credentials: parseCredentialsFile(credentialsYaml, 'webhook.yaml') }, ...extra });
  apps.push(app);
  return app;
}

const unmatchedGrafana = () => {
  const payload = grafanaPayload('firing');
  payload.alerts = (payload.alerts as unknown[]).slice(1);
  return payload;
};

describe('the credentials file', () => {
  it('reads tokens, basic-auth users and HMAC secrets with their scopes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rebound-webhook-'));
    await writeFile(path.join(dir, 'webhook.yaml'), credentialsYaml);
    const credentials = await loadCredentialsFile(path.join(dir, 'webhook.yaml'));
    expect(credentials.map((credential) => [credential.kind, credential.name, credential.runbooks === 'all' ? 'all' : [...credential.runbooks]])).toEqual([
      ['bearer', 'alertmanager-prod', 'all'],
      ['bearer', 'latency-only', ['latency-recovery']],
      ['basic', 'grafana', ['error-rate-recovery']],
      ['hmac', 'deploy-bot', ['error-rate-recovery']],
    ]);
  });

  it.each([
    ['a short token', 'tokens:\n  - { name: a, token: short, runbooks: ["*"] }\n', /webhook\.yaml:2:\d+: tokens\[0\]\.token: expected a token of at least 16 characters/],
    ['an unknown key', 'tokenz: []\n', /webhook\.yaml:1:1: .*tokenz/],
    ['a missing scope', 'basic:\n  - { username: g, password: password-0123456789 }\n', /webhook\.yaml:2:\d+: basic\[0\]\.runbooks: missing required field/],
    ['an empty scope', 'hmac:\n  - { name: h, secret: secret-0123456789ab, runbooks: [] }\n', /hmac\[0\]\.runbooks: expected at least one runbook name/],
    ['a user name with a colon', 'basic:\n  - { username: "a:b", password: password-0123456789, runbooks: ["*"] }\n', /basic\[0\]\.username: expected a user name without ":"/],
    ['YAML that does not parse', 'tokens: [\n', /webhook\.yaml:\d+:\d+: /],
  ])('refuses %s, naming file, line and field', (_case, text, message) => {
    expect(() => parseCredentialsFile(text, 'webhook.yaml')).toThrow(AuthConfigError);
    expect(() => parseCredentialsFile(text, 'webhook.yaml')).toThrow(message);
  });

  it('refuses an unreadable file with its path', async () => {
    await expect(loadCredentialsFile('/nonexistent/webhook.yaml')).rejects.toThrow(/^\/nonexistent\/webhook\.yaml: cannot read the webhook credentials file/);
  });

  it('refuses to start with a scope naming a runbook that does not exist', async () => {
    const credentials = parseCredentialsFile('tokens:\n  - { name: typo, token: typo-token-0123456789, runbooks: [eror-rate-recovery] }\n', 'webhook.yaml');
    await expect(createTestWebhook({ client: await unreachable(), taskQueue: 'q', auth: { credentials } })).rejects.toThrow(/"typo" \(bearer\) names unknown runbooks: eror-rate-recovery; known: deploy-rollback, error-rate-recovery, flapping-recovery, latency-recovery/);
  });
});

describe('bearer and basic auth', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await webhook();
  });
  const post = (route: string, payload: object, headers: Record<string, string>) => app.inject({ method: 'POST', url: `/v1/alerts/${route}`, headers, payload });

  it('accepts Grafana basic auth and answers 202 for alerts that match nothing', async () => {
    const response = await post('grafana', unmatchedGrafana(), basic('grafana', 'grafana-password-0123'));
    expect([response.statusCode, response.json()]).toEqual([202, { accepted: 1, matched: 0, recoveries: [] }]);
  });

  it('answers 401 for a wrong basic-auth password, an unknown user, or garbage after Basic', async () => {
    for (const headers of [basic('grafana', 'wrong-password-0123'), basic('nobody', 'grafana-password-0123'), { authorization: 'Basic !!!' }]) {
      const response = await post('grafana', unmatchedGrafana(), headers);
      expect([response.statusCode, response.json().error.code]).toEqual([401, 'invalid_credentials']);
    }
  });

  it('answers 401 naming both schemes when credentials are missing', async () => {
    const response = await post('alertmanager', alertmanagerPayload('firing'), {});
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toEqual({ code: 'unauthenticated', message: 'missing credentials: send Authorization: Bearer or Basic', details: { schemes: ['Bearer', 'Basic'] } });
  });

  it('does not take an HMAC secret as a bearer token', async () => {
    const response = await post('alertmanager', alertmanagerPayload('firing'), bearerOf('hmac-secret-0123456789'));
    expect([response.statusCode, response.json().error.code]).toEqual([401, 'invalid_credentials']);
  });

  it('answers 403 with nothing started when the payload routes to a runbook outside the scope', async () => {
    const response = await post('alertmanager', alertmanagerPayload('firing'), bearerOf('latency-token-0123456789'));
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toEqual({
      code: 'forbidden',
      message: 'credentials "latency-only" may not start or join recoveries of error-rate-recovery; nothing was started',
      details: { credential: 'latency-only', runbooks: ['error-rate-recovery'] },
    });
  });

  it('answers 403 for a whole payload when one of its alerts routes outside the scope', async () => {
    const payload = alertmanagerPayload('firing');
    const alerts = payload.alerts as { labels: Record<string, string> }[];
    alerts.push({ ...alerts[0]!, labels: { ...alerts[0]!.labels, alertname: 'HighLatency' } });
    const response = await post('alertmanager', payload, basic('grafana', 'grafana-password-0123'));
    expect([response.statusCode, response.json().error.details]).toEqual([403, { credential: 'grafana', runbooks: ['latency-recovery'] }]);
  });

  it('lets a credential in scope through to Temporal (503 here: Temporal is unreachable)', async () => {
    const response = await post('grafana', grafanaPayload('firing'), basic('grafana', 'grafana-password-0123'));
    expect([response.statusCode, response.json().error.code]).toEqual([503, 'temporal_unavailable']);
    const all = await post('alertmanager', alertmanagerPayload('firing'), bearerOf('prod-token-0123456789'));
    expect(all.statusCode).toBe(503);
  });

  it('counts 401 and 403 by source and reason', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="grafana",reason="invalid_credentials"\} 3/);
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="alertmanager",reason="forbidden"\} 2/);
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="alertmanager",reason="unauthenticated"\} 1/);
  });
});

describe('rate limit', () => {
  it('answers 429 past the limit per source and client, over a real socket, and counts it', async () => {
    const app = await webhook({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const send = (route: string, headers: Record<string, string>) =>
      fetch(`${url}/v1/alerts/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(unmatchedGrafana()) });
    const good = basic('grafana', 'grafana-password-0123');
    // Refused credentials count too: the limit runs before authentication.
    const statuses = [];
    for (const headers of [good, {}, good, good]) statuses.push((await send('grafana', headers)).status);
    expect(statuses).toEqual([202, 401, 202, 429]);
    const limited = await send('grafana', good);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error: { code: string; details: { max: number } } };
    expect([body.error.code, body.error.details.max]).toEqual(['rate_limited', 3]);
    // Another source has its own budget.
    expect((await send('alertmanager', {})).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/rebound_alerts_rejected_total\{source="grafana",reason="rate_limited"\} 2/);
  });
});
