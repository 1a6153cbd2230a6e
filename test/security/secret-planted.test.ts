/**
 * Secrets in runbooks, end to end with the real processes: a `rebound worker` (its log captured)
 * runs a recovery started by `rebound start` whose steps use `{{ secret.API_TOKEN }}` (from the
 * environment) and `{{ secret.FILE_TOKEN }}` (from REBOUND_SECRETS_DIR) against a real HTTP
 * target that echoes them back, an `exec` that prints one, a gate, a soak and a failing call.
 * The target receives the real values; the worker's log, the CLI's output, and the history of
 * every workflow (Temporal CLI and SDK, no codec) hold neither. Run with the payload codec on and
 * off: it is the secret handling that keeps them out, not the encryption.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { resolveTemporalCli } from '../../runtime/temporal-cli';
import { runCli, type CliRun } from '../helpers/run-cli';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { useWorkerProcesses, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = 'secret-planted';
const apiToken = `planted-api-${randomUUID()}`;
const fileToken = `planted-file-${randomBytes(12).toString('hex')}`;
/** A param, not a secret: found in a plaintext history, which shows the search can find what is there. */
const marker = `visible-marker-${randomUUID()}`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The system the runbook acts on: records each request and echoes its headers, query and body back as JSON. */
async function startEchoTarget(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://target');
      received.push({ path: url.pathname, headers: request.headers, body });
      const status = url.pathname === '/reject' ? 403 : 200;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ echoed: { authorization: request.headers.authorization, query: url.search, body } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const runbookText = (target: string) => `apiVersion: rebound/v1
kind: Runbook
metadata: { name: secret-user }
spec:
  params:
    label: { type: string, required: true }
    marker: { type: string, required: true }
  key: "{{ params.label }}"
  steps:
    - id: call
      action:
        name: http.request
        with:
          method: POST
          url: ${target}/restart
          headers: { Authorization: "Bearer {{ secret.API_TOKEN }}" }
          json: { token: "{{ secret.FILE_TOKEN }}", marker: "{{ params.marker }}" }
    - id: print
      action:
        name: exec
        with:
          command: [node, -e, "process.stdout.write('token=' + process.env.TOKEN)"]
          env: { TOKEN: "{{ secret.API_TOKEN }}" }
    - id: verify
      gate:
        check: http.check
        with: { url: "${target}/health?key={{ secret.API_TOKEN }}" }
        expect: observation.status == 200
    - id: soak
      watch:
        check: http.check
        with: { url: "${target}/health", headers: { Authorization: "{{ secret.FILE_TOKEN }}" } }
        expect: observation.status == 200
        interval: 200ms
        duration: 600ms
    - id: refused
      action:
        name: http.request
        with:
          method: POST
          url: ${target}/reject
          headers: { Authorization: "Bearer {{ secret.API_TOKEN }}" }
        retry: { maxAttempts: 1 }
`;

const missingRunbook = `apiVersion: rebound/v1
kind: Runbook
metadata: { name: secret-missing }
spec:
  steps:
    - id: call
      action:
        name: noop
        with: { output: { value: "{{ secret.NOT_CONFIGURED }}" } }
`;

let temporal: TestTemporal;
let target: Awaited<ReturnType<typeof startEchoTarget>>;
let workDir: string;
let codecKeys: string | undefined;
const workers = useWorkerProcesses(() => ({
  TEMPORAL_ADDRESS: temporal.address,
  REBOUND_TASK_QUEUE: taskQueue,
  REBOUND_LOG_LEVEL: 'debug',
  REBOUND_EXEC_ALLOW: 'node',
  REBOUND_SECRET_API_TOKEN: apiToken,
  REBOUND_SECRETS_DIR: path.join(workDir, 'secrets'),
  ...(codecKeys === undefined ? {} : { REBOUND_CODEC_KEYS: codecKeys }),
}));

beforeAll(async () => {
  temporal = await startTestTemporal();
  target = await startEchoTarget();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rebound-secrets-'));
  mkdirSync(path.join(workDir, 'secrets'));
  writeFileSync(path.join(workDir, 'secrets', 'FILE_TOKEN'), `${fileToken}\n`);
  writeFileSync(path.join(workDir, 'secret-user.yaml'), runbookText(target.url));
  writeFileSync(path.join(workDir, 'secret-missing.yaml'), missingRunbook);
});
afterAll(async () => {
  await target?.close();
  await temporal?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue, ...(codecKeys === undefined ? {} : { REBOUND_CODEC_KEYS: codecKeys }) });
}

/** Every workflow of the namespace (the recoveries and their soak children). */
async function workflowIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of temporal.client.workflow.list()) ids.push(execution.workflowId);
  return ids;
}

/** `temporal workflow show --output json` of one workflow, as text, plus every string in it decoded from base64. */
async function historyByTemporalCli(workflowId: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    resolveTemporalCli(),
    ['workflow', 'show', '--workflow-id', workflowId, '--address', temporal.address, '--output', 'json', '--no-json-shorthand-payloads'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return withDecodedStrings(stdout);
}

/** The history as the SDK fetches it, with no codec (the test's client has none), in the same form. */
async function historyBySdk(workflowId: string): Promise<string> {
  return withDecodedStrings(historyToJSON(await temporal.client.workflow.getHandle(workflowId).fetchHistory()));
}

function withDecodedStrings(json: string): string {
  const strings: string[] = [json];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.push(Buffer.from(value, 'base64').toString('utf8'));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(JSON.parse(json));
  return strings.join('\n');
}

const occurrences = (text: string, value: string) => text.split(value).length - 1;

async function runWithWorker(label: string): Promise<{ start: CliRun; status: CliRun; worker: WorkerProcess; histories: string[] }> {
  const worker = workers.start();
  await worker.ready;
  const start = await cli(['start', path.join(workDir, 'secret-user.yaml'), '-p', `label=${label}`, '-p', `marker=${marker}`, '--wait', '--json', '--as', 'alice']);
  const status = await cli(['status', `secret-user/${label}`, '--json']);
  worker.child.kill('SIGTERM');
  await worker.exited;
  const ids = (await workflowIds()).filter((id) => id.startsWith(`secret-user/${label}`));
  const histories = await Promise.all(ids.flatMap((id) => [historyByTemporalCli(id), historyBySdk(id)]));
  return { start, status, worker, histories };
}

describe('secrets in runbooks', () => {
  it.each([
    ['codec off', undefined],
    ['codec on', `k1=${randomBytes(32).toString('base64')}`],
  ])('delivers the real values to the target and keeps them out of logs and history (%s)', async (label, keys) => {
    codecKeys = keys;
    const before = target.received.length;
    const run = await runWithWorker(label.replace(' ', '-'));

    // The target got the real values: without resolution this test fails here.
    const received = target.received.slice(before);
    const restart = received.find((request) => request.path === '/restart');
    expect(restart?.headers.authorization).toBe(`Bearer ${apiToken}`);
    expect(JSON.parse(restart?.body ?? '{}')).toEqual({ token: fileToken, marker });
    expect(received.some((request) => request.path === '/health' && request.headers.authorization === fileToken)).toBe(true);
    expect(received.find((request) => request.path === '/reject')?.headers.authorization).toBe(`Bearer ${apiToken}`);

    // The recovery ran every step, and what the echoes and the command brought back was scrubbed.
    expect(run.start.code).toBe(1);
    const report = JSON.parse(run.start.stdout) as { outcome: string; steps: { id: string; status: string; output?: unknown; error?: string }[] };
    expect(report.outcome).toBe('failed');
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['call', 'succeeded'],
      ['print', 'succeeded'],
      ['verify', 'succeeded'],
      ['soak', 'succeeded'],
      ['refused', 'failed'],
    ]);
    expect(report.steps[0]?.output).toMatchObject({ json: { echoed: { authorization: 'Bearer [secret API_TOKEN]' } } });
    expect(report.steps[1]?.output).toMatchObject({ stdout: 'token=[secret API_TOKEN]' });
    expect(report.steps[4]?.error).toContain('answered 403');

    const everything = [run.start.stdout, run.start.stderr, run.status.stdout, run.status.stderr, run.worker.output(), ...run.histories];
    expect(run.histories.length).toBeGreaterThanOrEqual(4);
    for (const text of everything) {
      expect(occurrences(text, apiToken)).toBe(0);
      expect(occurrences(text, fileToken)).toBe(0);
    }
    // The search finds plaintext where there is some: the param is in a history without a codec, not with one.
    const markerInHistory = run.histories.some((history) => history.includes(marker));
    expect(markerInHistory).toBe(keys === undefined);
    // The worker logged the exec output (debug) and the failure, scrubbed.
    expect(run.worker.output()).toContain('[secret API_TOKEN]');
  });

  it('fails the step with a typed error naming a secret the worker does not have', async () => {
    codecKeys = undefined;
    const worker = workers.start();
    await worker.ready;
    const run = await cli(['start', path.join(workDir, 'secret-missing.yaml'), '--wait', '--json']);
    worker.child.kill('SIGTERM');
    await worker.exited;

    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { outcome: string; steps: { error?: string }[] };
    expect(report.outcome).toBe('failed');
    expect(report.steps[0]?.error).toContain('secret "NOT_CONFIGURED" is not set on this worker: put its value in');
    expect(report.steps[0]?.error).toContain('REBOUND_SECRET_NOT_CONFIGURED');
    // Typed and not retried: the activity failed once, with the SecretMissing type.
    const history = JSON.parse(historyToJSON(await temporal.client.workflow.getHandle('secret-missing/secret-missing').fetchHistory())) as { events: { eventType: string; activityTaskFailedEventAttributes?: { failure?: { applicationFailureInfo?: { type?: string; nonRetryable?: boolean } } } }[] };
    const failed = history.events.filter((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_FAILED');
    expect(failed.map((event) => event.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo)).toEqual([expect.objectContaining({ type: 'SecretMissing', nonRetryable: true })]);
  });
});
