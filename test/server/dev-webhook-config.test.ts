/**
 * `rebound dev`'s local stack runs the webhook server with the configuration `rebound serve` reads:
 * the REBOUND_WEBHOOK_CONFIG credentials file (here without any REBOUND_WEBHOOK_TOKEN) and
 * REBOUND_WEBHOOK_RATE_LIMIT, over a real socket, against its own Temporal dev server and worker.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../cli/stack';
import { loadConfig } from '../../runtime/config';
import { findFreePort } from '../../runtime/free-port';
import { createLogger } from '../../runtime/logger';
import { alertmanagerPayload, alertRunbooksDir } from '../helpers/webhook';

const password = 'grafana-password-0123';
let dir: string;
let stack: LocalStack | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rebound-dev-webhook-'));
  const credentials = path.join(dir, 'credentials.yaml');
  await writeFile(credentials, `basic:\n  - { username: grafana, password: ${password}, runbooks: [error-rate-recovery] }\n`);
  const config = loadConfig(
    {
      REBOUND_WEBHOOK_CONFIG: credentials,
      REBOUND_WEBHOOK_RATE_LIMIT: '3',
      REBOUND_HTTP_PORT: String(await findFreePort()),
      REBOUND_TEMPORAL_PORT: String(await findFreePort()),
      REBOUND_UI_PORT: String(await findFreePort()),
      REBOUND_TASK_QUEUE: 'dev-webhook-config',
      REBOUND_LOG_LEVEL: 'silent',
    },
    dir,
  );
  stack = await startLocalStack(config, createLogger({ level: 'silent' }), { stateDir: path.join(dir, 'state'), headless: true, webhookRunbooksDir: alertRunbooksDir });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const post = (authorization: string) =>
  fetch(`${stack!.webhookUrl}/v1/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(alertmanagerPayload('firing')) });

it('takes the credentials file without a token, and limits requests to REBOUND_WEBHOOK_RATE_LIMIT a minute', async () => {
  expect(stack!.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const basic = `Basic ${Buffer.from(`grafana:${password}`).toString('base64')}`;
  const accepted = await post(basic);
  expect([accepted.status, ((await accepted.json()) as { recoveries: string[] }).recoveries]).toEqual([202, ['error-rate-recovery/checkout']]);
  expect((await post('Bearer not-a-configured-token-0123')).status).toBe(401);
  expect((await post(`Basic ${Buffer.from('grafana:wrong-password-0123').toString('base64')}`)).status).toBe(401);
  // The fourth request of the minute: refused before its credentials are even checked.
  const limited = await post(basic);
  expect([limited.status, ((await limited.json()) as { error: { code: string } }).error.code]).toEqual([429, 'rate_limited']);
}, 60_000);
