/**
 * Every Rebound process takes its connection from the Temporal SDK's environment configuration:
 * a dev server on a free (non-default) port serving a non-default namespace is reached by
 * `rebound worker`, `rebound serve` and the CLI through a TOML profile (TEMPORAL_CONFIG_FILE,
 * TEMPORAL_PROFILE) and through TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE. None of them is given
 * anything else: without the configuration they would go to localhost:7233, namespace default.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RecoveryReport } from '../../model/recovery';
import { findFreePort } from '../../runtime/free-port';
import { runCli } from '../helpers/run-cli';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { waitFor } from '../helpers/wait-for';
import { alertmanagerPayload, bearer, testToken } from '../helpers/webhook';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const namespace = 'rebound-ops';
const taskQueue = 'cli-connection-config';
let temporal: TestTemporal;
let dir: string;
let profileEnv: Record<string, string>;
const serves: ServeProcess[] = [];

const runbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: profile-check }
spec:
  params:
    service: { type: string, required: true }
  key: "{{ params.service }}"
  timeout: 2m
  triggers:
    - source: alertmanager
      match: { alertname: ProfileCheck }
      params: { service: labels.service }
  steps:
    - id: note
      action: { name: noop, with: { output: { reached: "{{ params.service }}" } } }
`;

beforeAll(async () => {
  temporal = await startTestTemporal({ namespace });
  dir = await mkdtemp(path.join(tmpdir(), 'rebound-connection-'));
  await writeFile(path.join(dir, 'profile-check.yaml'), runbook);
  const configFile = path.join(dir, 'temporal.toml');
  await writeFile(configFile, `[profile.ops]\naddress = "${temporal.address}"\nnamespace = "${namespace}"\n`);
  // HOME too: the default profile file (~/.config/temporalio/temporal.toml) must not be the one read.
  profileEnv = { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'ops', REBOUND_TASK_QUEUE: taskQueue, HOME: dir };
}, 180_000);

afterAll(async () => {
  for (const worker of workersStarted) {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  for (const serve of serves) await serve.stop();
  await temporal?.stop();
  await rm(dir, { recursive: true, force: true });
});

let workerEnv: () => Record<string, string> = () => profileEnv;
const workersStarted: WorkerProcess[] = [];
const startWorker = (): WorkerProcess => {
  const worker = spawnWorkerProcess(workerEnv());
  workersStarted.push(worker);
  return worker;
};

async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const serve = await startServeProcess(['--runbooks', dir], { ...env, REBOUND_HTTP_PORT: String(await findFreePort()), REBOUND_WEBHOOK_TOKEN: testToken });
  serves.push(serve);
  return serve;
}

function alert(service: string): Record<string, unknown> {
  const payload = alertmanagerPayload('firing');
  const first = (payload.alerts as { labels: Record<string, string> }[])[0]!;
  first.labels = { ...first.labels, alertname: 'ProfileCheck', service };
  return payload;
}

/** An alert through `serve`, run to its end by the worker, read back by the CLI: all three in `namespace`. */
async function recoverThrough(serve: ServeProcess, service: string, cliEnv: Record<string, string>): Promise<void> {
  await waitFor(async () => (await fetch(`${serve.url}/readyz`)).status === 200, `rebound serve to reach Temporal:\n${serve.output()}`, 60_000, 200);
  const response = await fetch(`${serve.url}/v1/alerts/alertmanager`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(alert(service)) });
  expect(response.status).toBe(202);

  const handle = temporal.client.workflow.getHandle(`profile-check/${service}`);
  expect(((await handle.result()) as RecoveryReport).outcome).toBe('recovered');
  expect((await handle.describe()).raw.executionConfig?.taskQueue?.name).toBe(taskQueue);

  const status = await runCli(['status', `profile-check/${service}`, '--json'], cliEnv);
  expect(status.stderr).toBe('');
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ running: false, report: { workflowId: `profile-check/${service}`, outcome: 'recovered' } });
}

describe('connection settings of every process', () => {
  it('worker, serve and CLI all follow a TOML profile to a non-default port and namespace', async () => {
    const worker = startWorker();
    await worker.ready;
    expect(worker.output()).toContain(`"address":"${temporal.address}","namespace":"${namespace}"`);
    const serve = await startServe(profileEnv);
    expect(serve.output()).toContain(`"temporal":{"address":"${temporal.address}","namespace":"${namespace}","tls":false,"withApiKey":false}`);
    await recoverThrough(serve, 'cart', profileEnv);
  });

  it('worker, serve and CLI all follow TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', async () => {
    const env = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: namespace, REBOUND_TASK_QUEUE: taskQueue, HOME: dir };
    // Only a worker started from the variables polls the queue now.
    for (const started of workersStarted.splice(0)) {
      started.child.kill('SIGTERM');
      await started.exited;
    }
    workerEnv = () => env;
    const worker = startWorker();
    await worker.ready;
    expect(worker.output()).toContain(`"address":"${temporal.address}","namespace":"${namespace}"`);
    const serve = await startServe(env);
    await recoverThrough(serve, 'payments', env);
    const list = await runCli(['list', '--runbook', 'profile-check', '--json'], env);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { workflowId: string }[]).map((entry) => entry.workflowId).sort()).toEqual(['profile-check/cart', 'profile-check/payments']);
  });

  it('refuses a profile that is not in the file, in one line with exit code 2, in every process', async () => {
    const env = { ...profileEnv, TEMPORAL_PROFILE: 'nope' };
    const line = "rebound: Temporal client configuration (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE): Profile 'nope' not found in config data\n";
    const worker = spawnWorkerProcess(env);
    await expect(worker.ready).rejects.toThrow();
    expect((await worker.exited).code).toBe(2);
    expect(worker.output()).toBe(line);
    await expect(startServe(env)).rejects.toThrow(`rebound serve exited (2) before it listened:\n${line}`);
    expect(await runCli(['list'], env)).toEqual({ code: 2, stdout: '', stderr: line });
  });
});
