/**
 * Payload encryption end to end, with the real processes: a `rebound worker` and `rebound start`
 * configured with codec keys run a recovery with a planted secret param; Temporal's raw history
 * (read with the Temporal CLI, no codec) holds it nowhere, and names the key that encrypted it.
 * Rotation: a new active key writes, the old one still reads, and without it the history is unreadable.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../../runtime/temporal-cli';
import { runCli } from '../helpers/run-cli';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { useWorkerProcesses, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = 'payload-encryption';
const secret = `planted-secret-${randomUUID()}`;
const keyOne = `k1=${randomBytes(32).toString('base64')}`;
const keyTwo = `k2=${randomBytes(32).toString('base64')}`;

const runbook = `apiVersion: rebound/v1
kind: Runbook
metadata: { name: secret-carrier }
spec:
  params:
    token: { type: string, required: true }
    label: { type: string, required: true }
  key: "{{ params.label }}"
  steps:
    - id: use
      name: Use the token
      action:
        name: noop
        with: { output: { echoed: "{{ params.token }}" } }
    - id: check
      when: params.token != ""
      wait: { duration: 1ms }
`;

let temporal: TestTemporal;
let workDir: string;
let runbookFile: string;
let codecKeys = keyOne;
const workers = useWorkerProcesses(() => ({ TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue, REBOUND_CODEC_KEYS: codecKeys }));

beforeAll(async () => {
  temporal = await startTestTemporal();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rebound-encryption-'));
  runbookFile = path.join(workDir, 'secret-carrier.yaml');
  writeFileSync(runbookFile, runbook);
});
afterAll(async () => {
  await temporal?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function cli(args: string[], keys: string | undefined) {
  return runCli(args, { TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue, ...(keys === undefined ? {} : { REBOUND_CODEC_KEYS: keys }) });
}

async function recover(label: string, keys: string | undefined): Promise<Record<string, unknown>> {
  const run = await cli(['start', runbookFile, '-p', `token=${secret}`, '-p', `label=${label}`, '--wait', '--json'], keys);
  expect(run).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/**
 * The history as Temporal stores it, read by the Temporal CLI without a codec: its JSON text, plus
 * every string in it decoded from base64 (raw payload data is base64), so plaintext is found in either form.
 */
async function rawHistory(workflowId: string): Promise<{ text: string; decoded: string }> {
  const { stdout } = await promisify(execFile)(
    resolveTemporalCli(),
    ['workflow', 'show', '--workflow-id', workflowId, '--address', temporal.address, '--output', 'json', '--no-json-shorthand-payloads'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const strings: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value, Buffer.from(value, 'base64').toString('latin1'));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(JSON.parse(stdout));
  return { text: stdout, decoded: strings.join('\n') };
}

async function startWorker(keys: string): Promise<WorkerProcess> {
  codecKeys = keys;
  const worker = workers.start();
  await worker.ready;
  return worker;
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGTERM');
  await worker.exited;
}

describe('payload encryption', () => {
  it('keeps a planted secret param out of the raw history, and the worker says encryption is on', async () => {
    const worker = await startWorker(keyOne);
    const report = await recover('first', keyOne);
    await stopWorker(worker);

    expect(report).toMatchObject({ outcome: 'recovered' });
    expect(JSON.stringify(report)).toContain(secret);
    const history = await rawHistory('secret-carrier/first');
    expect(history.text).toContain('"eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"');
    expect(history.decoded).not.toContain(secret);
    expect(history.decoded).toContain('binary/encrypted');
    expect(history.text).toContain('"encryption-key-id"');
    expect(worker.output()).toContain('payload encryption on');
  });

  it('finds the secret in the raw history of a recovery started without keys (the check can fail)', async () => {
    // Without keys the client writes the input in plaintext (and could not read the encrypted result, so no --wait).
    const started = await cli(['start', runbookFile, '-p', `token=${secret}`, '-p', 'label=plaintext', '--json'], undefined);
    expect(started).toMatchObject({ code: 0 });

    expect((await rawHistory('secret-carrier/plaintext')).decoded).toContain(secret);
  });

  it('writes with a new active key while the old key still reads older recoveries', async () => {
    const worker = await startWorker(`${keyTwo},${keyOne}`);
    await recover('second', `${keyTwo},${keyOne}`);
    await stopWorker(worker);

    const second = await rawHistory('secret-carrier/second');
    expect(second.decoded).not.toContain(secret);
    const keyIds = (history: string) => [...history.matchAll(/"encryption-key-id":\s*"([^"]+)"/g)].map((match) => Buffer.from(match[1]!, 'base64').toString());
    expect(new Set(keyIds(second.text))).toEqual(new Set(['k2']));
    expect(new Set(keyIds((await rawHistory('secret-carrier/first')).text))).toEqual(new Set(['k1']));

    const old = await cli(['status', 'secret-carrier/first', '--json'], `${keyTwo},${keyOne}`);
    expect(old.code).toBe(0);
    expect(JSON.parse(old.stdout)).toMatchObject({ running: false, report: { outcome: 'recovered' } });

    const withoutOldKey = await cli(['status', 'secret-carrier/first', '--json'], keyTwo);
    expect(withoutOldKey.code).not.toBe(0);
    // With --json the error is a JSON object on stdout.
    expect((JSON.parse(withoutOldKey.stdout) as { error: { message: string } }).error.message).toContain('payload encrypted with key "k1", which is not among this process\'s codec keys');
  });

  it('refuses malformed keys with one line that names the variable and never the key', async () => {
    const short = `k1=${randomBytes(16).toString('base64')}`;
    const run = await cli(['status', 'secret-carrier/first'], short);

    expect(run.code).not.toBe(0);
    expect(run.stderr.trim()).toBe('rebound: REBOUND_CODEC_KEYS (entry 1): key "k1" is not 32 bytes of base64 (make one with: openssl rand -base64 32)');
  });
});
