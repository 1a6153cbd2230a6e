/**
 * The webhook fuzzed by a real API fuzzer: schemathesis (PyPI, installed by `scripts/ensure-setup.sh
 * --tests`) reads GET /openapi.json of a real `rebound serve` process (real Temporal dev server and
 * worker, bearer token, codec endpoint) and sends generated, mutated and schema-violating requests
 * to every operation. No answer may be a 5xx, and every answer must match the document: status,
 * content type, headers, body schema; schema-violating bodies are refused; 401 without credentials;
 * 405 with Allow for undeclared methods.
 *
 * Not checked: `positive_data_acceptance` (a schema-valid body is accepted). The generic route takes
 * any JSON object and its runbooks' CEL triggers refuse some (422 invalid_params), and a
 * `__proto__` key is refused in any body (400 forbidden_key); JSON Schema expresses neither.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findFreePort } from '../../runtime/free-port';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { useTestbed } from '../helpers/testbed';
import { alertRunbooksDir } from '../helpers/webhook';

const bed = useTestbed('openapi-fuzz');
const schemathesisDir = path.join(__dirname, '..', '..', '.rebound', 'tools', 'schemathesis');
const configFile = path.join(__dirname, 'openapi-fuzz.schemathesis.toml');
// One token for the alert routes and the codec endpoint, so that one header gets the fuzzer past both.
const token = randomBytes(24).toString('hex');
// Per operation; about a minute for the whole run on an idle 2-core machine.
const maxExamples = 60;
let serve: ServeProcess;
let workDir: string;

beforeAll(async () => {
  if (!existsSync(path.join(schemathesisDir, 'schemathesis'))) throw new Error(`schemathesis is not installed in ${schemathesisDir}: run \`bash scripts/ensure-setup.sh --tests\``);
  workDir = await mkdtemp(path.join(tmpdir(), 'rebound-fuzz-'));
  serve = await startServeProcess(['--runbooks', alertRunbooksDir], {
    REBOUND_HTTP_PORT: String(await findFreePort()),
    REBOUND_WEBHOOK_TOKEN: token,
    REBOUND_CODEC_KEYS: `k1=${randomBytes(32).toString('base64')}`,
    REBOUND_CODEC_TOKEN: token,
    REBOUND_CODEC_UI_ORIGIN: 'http://127.0.0.1:8233',
    TEMPORAL_ADDRESS: bed.temporal.address,
    REBOUND_TASK_QUEUE: bed.taskQueue,
  });
}, 60_000);
afterAll(async () => {
  await serve?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function runSchemathesis(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('python3', ['-m', 'schemathesis.cli', '--config-file', configFile, 'run', ...args], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', HOME: workDir, PYTHONPATH: schemathesisDir, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    let output = '';
    child.stdout?.on('data', (chunk: string) => (output += chunk));
    child.stderr?.on('data', (chunk: string) => (output += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

async function metric(pattern: RegExp): Promise<number> {
  return Number(pattern.exec(await (await fetch(`${serve.url}/metrics`)).text())?.[1] ?? 0);
}

it('finds no server error and no answer that differs from the OpenAPI document', async () => {
  const run = await runSchemathesis([
    `${serve.url}/openapi.json`,
    '--header',
    `Authorization: Bearer ${token}`,
    '--checks',
    'all',
    '--exclude-checks',
    'positive_data_acceptance',
    '--max-examples',
    String(maxExamples),
    '--request-timeout',
    '15',
    '--generation-database',
    'none',
    '--no-color',
  ]);
  const summary = /(\d+) generated/.exec(run.output);
  console.log(`schemathesis: ${/Operations:\s+(.+)/.exec(run.output)?.[1] ?? '?'} operations, ${summary?.[1] ?? '?'} cases generated, exit ${run.code}; ${/Seed: \d+/.exec(run.output)?.[0] ?? ''}`);

  expect(run.code === 0 ? 'no findings' : run.output).toBe('no findings');
  expect(run.output).toMatch(/Operations:\s+18 selected \/ 18 total/);
  expect(Number(summary?.[1])).toBeGreaterThan(7 * maxExamples);
  // The fuzzer got past authentication into Temporal: the documented examples started recoveries.
  expect(await metric(/rebound_alert_recoveries_started_total\{runbook="error-rate-recovery"\} (\d+)/)).toBeGreaterThan(0);
  expect(await metric(/rebound_alert_recoveries_started_total\{runbook="deploy-rollback"\} (\d+)/)).toBeGreaterThan(0);
}, 400_000);
