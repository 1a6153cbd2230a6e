/**
 * A real Prometheus (Debian's `prometheus` package) for tests: scrapes the given targets every
 * second, on a free port, with its own temporary storage; optionally evaluates alerting rules and
 * sends their alerts to an Alertmanager. `.ci/run` and `npm test` install it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findFreePort } from '../../runtime/free-port';
import { waitFor } from './wait-for';

export interface TestPrometheus {
  readonly url: string;
  /** An instant query's result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  output(): string;
  stop(): Promise<void>;
}

export interface TestPrometheusOptions {
  /** A rule file (YAML text, `groups: [...]`), evaluated every second. */
  rules?: string;
  /** host:port of the Alertmanager that firing and resolved alerts are sent to. */
  alertmanager?: string;
}

export async function startTestPrometheus(targets: string[], options: TestPrometheusOptions = {}): Promise<TestPrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rebound-prometheus-'));
  const port = await findFreePort();
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: targets',
    `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
    ...(options.rules === undefined ? [] : [`rule_files: [${JSON.stringify(path.join(dir, 'rules.yml'))}]`]),
    ...(options.alertmanager === undefined ? [] : ['alerting:', `  alertmanagers: [{ static_configs: [{ targets: [${JSON.stringify(options.alertmanager)}] }] }]`]),
  ].join('\n');
  if (options.rules !== undefined) await writeFile(path.join(dir, 'rules.yml'), options.rules);
  await writeFile(path.join(dir, 'prometheus.yml'), config);
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=${url}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_resolve, reject) =>
    child.once('error', (error) => reject(new Error(`cannot start prometheus (${error.message}): install it with apt-get install prometheus, or run npm test / .ci/run`))),
  );

  const query = async (promql: string) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const answer = (await response.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
    return answer.data?.result ?? [];
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Targets appear a few seconds after start: trust the data only once every target is up.
    await Promise.race([
      spawnError,
      waitFor(async () => (await query('up').catch(() => [])).filter((sample) => sample.value[1] === '1').length === targets.length, `prometheus to scrape ${targets.join(', ')}:\n${output}`, 60_000, 250),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, query, output: () => output, stop };
}
