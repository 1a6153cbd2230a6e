/** `rebound serve` as a real process refuses to start with unusable webhook credentials: one line, exit 2. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/run-cli';
import { alertRunbooksDir } from '../helpers/webhook';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rebound-serve-config-'));
});

it('refuses a credentials file with a mistake, naming file, line and field', async () => {
  const file = path.join(dir, 'bad.yaml');
  await writeFile(file, 'tokens:\n  - name: am\n    token: short\n    runbooks: ["*"]\n');
  const run = await runCli(['serve', '--runbooks', alertRunbooksDir], { REBOUND_WEBHOOK_CONFIG: file, REBOUND_HTTP_PORT: '0' });
  expect(run.code).toBe(2);
  expect(run.stderr.split('\n')[0]).toBe(`rebound: ${file}:3:12: tokens[0].token: expected a token of at least 16 characters`);
  expect(run.stderr).not.toContain('short');
});

it('refuses a scope naming a runbook that does not exist', async () => {
  const file = path.join(dir, 'typo.yaml');
  await writeFile(file, 'basic:\n  - { username: grafana, password: grafana-password-0123, runbooks: [eror-rate-recovery] }\n');
  const run = await runCli(['serve', '--runbooks', alertRunbooksDir], { REBOUND_WEBHOOK_CONFIG: file, REBOUND_HTTP_PORT: '0' });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^rebound: webhook credential "grafana" \(basic\) names unknown runbooks: eror-rate-recovery/);
});

it('refuses to start without any credentials unless --no-auth is given', async () => {
  const run = await runCli(['serve', '--runbooks', alertRunbooksDir], { REBOUND_HTTP_PORT: '0' });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^rebound: no webhook credentials: set REBOUND_WEBHOOK_TOKEN or REBOUND_WEBHOOK_CONFIG, or disable auth explicitly \(rebound serve --no-auth\)\n/);
});
