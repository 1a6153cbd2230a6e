/**
 * `rebound dev` (what `npm start` runs) as a real process: the Temporal dev server, a worker and,
 * with a token, the webhook server; a recovery started through it, then a clean stop on SIGINT.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/run-cli';
import { startCli } from '../helpers/cli-process';

let stateDir: string;
const token = 'dev-test-token-0123456789';

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'rebound-dev-'));
});

afterAll(() => rm(stateDir, { recursive: true, force: true }));

it('runs the stack with the webhook server, recovers a runbook through it and stops on SIGINT', async () => {
  const env = { REBOUND_STATE_DIR: stateDir, REBOUND_TEMPORAL_PORT: '0', REBOUND_UI_PORT: '0', REBOUND_HTTP_PORT: '0', REBOUND_WEBHOOK_TOKEN: token, REBOUND_LOG_LEVEL: 'warn' };
  const dev = await startCli(['dev', '--headless'], env, 'Stop:');
  try {
    const address = /Temporal address: (\S+)/.exec(dev.output())?.[1] ?? '';
    const webhook = /Webhook: +(\S+)/.exec(dev.output())?.[1] ?? '';
    expect(webhook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/alerts\/alertmanager$/);

    const run = await runCli(['start', 'smoke-test', '--param', `url=${webhook.replace('/v1/alerts/alertmanager', '/healthz')}`, '--wait', '--json'], { TEMPORAL_ADDRESS: address });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'recovered', workflowId: 'smoke-test/local' });

    const payload = readFileSync(path.join(__dirname, '..', 'fixtures', 'alertmanager', 'firing.json'), 'utf8');
    const unauthenticated = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    expect(unauthenticated.status).toBe(401);
    const accepted = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: payload });
    expect(accepted.status).toBe(202);
    // The shipped runbooks declare no triggers yet: the alert is accepted and counted, nothing starts.
    expect(await accepted.json()).toEqual({ accepted: 1, matched: 0, recoveries: [] });
  } finally {
    expect(await dev.interrupt()).toBe(0);
  }
}, 180_000);
