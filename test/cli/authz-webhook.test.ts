/**
 * The authorization policy on alert starts, through a real `rebound serve` process and a real
 * Temporal dev server: a credential the policy does not let start the runbook gets a 403, the
 * refusal is logged with its identity, and nothing starts; an allowed one starts a recovery that
 * carries the policy, so its operator acts are checked too.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { holdingAlertRunbook } from '../../bench/alert-storm';
import type { RecoveryInput } from '../../model/recovery';
import { findFreePort } from '../../runtime/free-port';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

const pagerToken = 'pager-token-0123456789abcdef';
const monitorToken = 'monitor-token-0123456789abcdef';

const credentials = `tokens:
  - { name: pager, token: ${pagerToken}, runbooks: ["*"] }
  - { name: monitor, token: ${monitorToken}, runbooks: ["*"] }
`;

const policy = `apiVersion: rebound/v1
kind: AuthorizationPolicy
metadata: { name: alerts-policy }
spec:
  rules:
    - { identities: ["webhook:pager"], runbooks: [alert-guarded], acts: [start] }
    - { identities: [alice], runbooks: ["*"], acts: ["*"] }
`;

const runbook = holdingAlertRunbook({ name: 'alert-guarded', alertname: 'HighErrorRate', hold: '10m' });

let temporal: TestTemporal;
let workDir: string;
let serve: ServeProcess;
const firing = readFileSync(path.join(__dirname, '..', 'fixtures', 'alertmanager', 'firing.json'), 'utf8');

beforeAll(async () => {
  temporal = await startTestTemporal();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rebound-authz-webhook-'));
  writeFileSync(path.join(workDir, 'credentials.yaml'), credentials);
  writeFileSync(path.join(workDir, 'policy.yaml'), policy);
  const runbooks = path.join(workDir, 'runbooks');
  mkdirSync(runbooks);
  writeFileSync(path.join(runbooks, 'alert-guarded.yaml'), runbook);
  serve = await startServeProcess(['--runbooks', runbooks], {
    TEMPORAL_ADDRESS: temporal.address,
    REBOUND_TASK_QUEUE: 'authz-webhook',
    REBOUND_HTTP_PORT: String(await findFreePort()),
    REBOUND_WEBHOOK_CONFIG: path.join(workDir, 'credentials.yaml'),
    REBOUND_AUTHZ_FILE: path.join(workDir, 'policy.yaml'),
  });
});
afterAll(async () => {
  await serve?.stop();
  await temporal?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const post = (token: string) => fetch(`${serve.url}/v1/alerts/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: firing });

describe('authorization policy on alerts', () => {
  it('refuses an alert from a credential the policy does not let start the runbook: 403, logged, nothing starts', async () => {
    const response = await post(monitorToken);

    expect(response.status).toBe(403);
    const refusal = '"webhook:monitor" may not start recoveries of alert-guarded: no rule of authorization policy "alerts-policy" allows it';
    expect(await response.json()).toEqual({ error: { code: 'forbidden', message: `${refusal}; nothing was started`, details: { identity: 'webhook:monitor', runbooks: ['alert-guarded'] } } });
    const logged = serve.output().split('\n').find((line) => line.includes('alert refused by the authorization policy'));
    expect(logged).toContain('"identity":"webhook:monitor"');
    expect(logged).toContain(`"reason":${JSON.stringify(refusal)}`);
    await expect(temporal.client.workflow.getHandle('alert-guarded/checkout').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('starts the recovery for an allowed credential, with the policy pinned in its input', async () => {
    const response = await post(pagerToken);

    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ recoveries: ['alert-guarded/checkout'] });
    const history = await temporal.client.workflow.getHandle('alert-guarded/checkout').fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(started ?? new Uint8Array()).toString('utf8')) as RecoveryInput;
    expect(input.authz).toMatchObject({ name: 'alerts-policy', rules: [{ identities: ['webhook:pager'] }, { identities: ['alice'] }] });
    await temporal.client.workflow.getHandle('alert-guarded/checkout').terminate('test over');
  });
});
