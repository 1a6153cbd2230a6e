/**
 * A real Alertmanager (Debian's `prometheus-alertmanager` package) for tests: one route to a
 * webhook receiver with a bearer token, group_wait 1s, on a free port with its own storage.
 * `.ci/run` and `npm test` install it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findFreePort } from '../../runtime/free-port';
import { waitFor } from './wait-for';

export interface TestAlertmanager {
  readonly url: string;
  /** host:port, for Prometheus' `alerting` configuration. */
  readonly address: string;
  /** Fires (or, with `endsAt` in the past, resolves) one alert through the API. */
  postAlert(labels: Record<string, string>, options?: { endsAt?: Date; annotations?: Record<string, string> }): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startTestAlertmanager(webhookUrl: string, token: string): Promise<TestAlertmanager> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rebound-alertmanager-'));
  const port = await findFreePort();
  const config = [
    'route: { receiver: rebound, group_by: [alertname, service], group_wait: 1s, group_interval: 2s, repeat_interval: 1h }',
    'receivers:',
    '  - name: rebound',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(webhookUrl)}`,
    '        send_resolved: true',
    `        http_config: { authorization: { type: Bearer, credentials: ${JSON.stringify(token)} } }`,
  ].join('\n');
  await writeFile(path.join(dir, 'alertmanager.yml'), config);
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus-alertmanager',
    [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', `--web.external-url=${url}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_resolve, reject) =>
    child.once('error', (error) => reject(new Error(`cannot start prometheus-alertmanager (${error.message}): install it with apt-get install prometheus-alertmanager, or run npm test / .ci/run`))),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([spawnError, waitFor(async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true, `alertmanager to be ready:\n${output}`, 30_000, 100)]);
  } catch (error) {
    await stop();
    throw error;
  }
  const postAlert: TestAlertmanager['postAlert'] = async (labels, options = {}) => {
    const alert = { labels, annotations: options.annotations ?? {}, ...(options.endsAt ? { endsAt: options.endsAt.toISOString() } : {}) };
    const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
    if (!response.ok) throw new Error(`alertmanager refused the alert: ${response.status} ${await response.text()}`);
  };
  return { url, address: `127.0.0.1:${port}`, postAlert, output: () => output, stop };
}
