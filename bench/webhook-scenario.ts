/**
 * The `webhook` scenario: a real `rebound serve` process (dist/cli/main.js) on the bench's dev
 * server, with a Rebound worker in the bench process; the webhook's rate limit is off (a
 * benchmark of throughput). See bench/README.md.
 *
 * 1. Latency: alerts one at a time, each for a new key, POST → the runbook's first action (an
 *    http.request) arriving at a local target server; p50/p99 over N alerts after a warm-up.
 * 2. Storm: 5,000 notifications for 50 keys (bench/alert-storm.ts) at C in flight; throughput of
 *    202s, then every recovery's state read to count lost and duplicate recoveries.
 * 3. The two sides alone, at the same concurrency: Temporal (signal-with-start straight from a
 *    client, no webhook) and the webhook with a no-op Temporal side (in this process), so the
 *    storm's figure can be read against what limits it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { prepareRecovery, recoveryStartOptions } from '../client/start-recovery';
import { parseRunbook } from '../model/loader';
import type { RecoveryState } from '../model/recovery';
import { findFreePort } from '../runtime/free-port';
import { createLogger } from '../runtime/logger';
import { createWebhookServer } from '../server/create-server';
import { tsToMs } from '@temporalio/common/lib/time';
import { recoveryWorkflowId } from '../model/recovery';
import { signalWithStart } from '../server/signal-with-start';
import { alertSignal, alertsSignal } from '../workflows/alerts';
import { stateQuery } from '../workflows/queries';
import { holdingAlertRunbook, planStorm, recordId, sendStorm, type StormNotification, type StormResult } from './alert-storm';
import { startBenchWorker, type CloserRegistry } from './bench-worker';
import { processCpuMs } from './process-cpu';

const taskQueue = 'rebound-bench-webhook';
const token = 'bench-token-0123456789abcdef';
const cliEntry = path.join(__dirname, '..', 'cli', 'main.js');

const latencyRunbook = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: bench-first-action }
spec:
  params:
    service: { type: string, required: true }
    targetUrl: { type: string, required: true }
  key: "{{ params.service }}"
  triggers:
    - source: alertmanager
      match: { alertname: BenchFirstAction }
      params: { service: labels.service, targetUrl: annotations.target }
  steps:
    - id: mitigate
      action: { name: http.request, with: { url: "{{ params.targetUrl }}/hit/{{ params.service }}", method: POST } }
`;

const stormRunbook = holdingAlertRunbook({ name: 'bench-storm-hold', alertname: 'BenchStorm', hold: '1h' });

export interface WebhookScenarioDeps {
  client: Client;
  workerConnection: NativeConnection;
  namespace: string;
  serverAddress: string;
  serverPid: number;
  workflowBundle: WorkerOptions['workflowBundle'];
  logger: Logger;
  signal: AbortSignal;
  progress(line: string): void;
  closers: CloserRegistry;
  latencyAlerts: number;
  stormNotifications: number;
  stormKeys: number;
  concurrency: number;
}

export interface LatencyFigures {
  alerts: number;
  /** POST sent → the first action's request arrived at the target, ms, in order. */
  toFirstActionMs: number[];
  /** POST sent → 202 received, ms. */
  to202Ms: number[];
}

/** The same recoveries started straight from the bench's client (no webhook), and where the time goes by their histories. */
export interface DirectLatencyFigures {
  alerts: number;
  /** signal-with-start sent → the first action's request arrived at the target, ms. */
  toFirstActionMs: number[];
  /** signal-with-start sent → answered, ms. */
  signalWithStartMs: number[];
  /** History (server clock): workflow started → first workflow task started (the worker picked it up). */
  toFirstWorkflowTaskMs: number[];
  /** First workflow task started → completed (the worker ran the interpreter up to scheduling the action). */
  firstWorkflowTaskMs: number[];
  /** Activity scheduled → started (handed to the worker). */
  activityDispatchMs: number[];
}

export interface StormFigures {
  notifications: number;
  keys: number;
  concurrency: number;
  /** Sending all of them, opening and rest, ms. */
  durationMs: number;
  /** Answers per HTTP status (0: no answer). */
  statuses: Record<string, number>;
  failures: StormResult['failures'];
  /** Each request's send → answer, ms. */
  latenciesMs: number[];
  /** Notifications answered 202 whose record is missing from (or seen too few times in) the recoveries' state. */
  lost: number;
  /** Records seen more often than answered 202 (applied by Temporal after the webhook had answered 503). */
  extra: number;
  recoveries: number;
  duplicateRecoveries: number;
  /** 202 answered → every accepted notification applied by the recoveries, ms. */
  settleMs: number;
  /** CPU ms over the storm's sending, per process. */
  cpuMs: { serve: number | null; temporal: number | null; bench: number };
  /** From `rebound serve`'s /metrics after the storm: Temporal calls that carried the alerts, and the recoveries they started. */
  temporalCalls: number;
  recoveriesStarted: number;
}

export interface SideFigures {
  calls: number;
  concurrency: number;
  durationMs: number;
  perSecond: number;
  errors: number;
}

export interface WebhookMeasurement {
  latency: LatencyFigures;
  direct: DirectLatencyFigures;
  storm: StormFigures;
  temporalAlone: SideFigures;
  webhookAlone: SideFigures;
}

interface TargetServer {
  url: string;
  arrival(key: string): Promise<number>;
  close(): Promise<void>;
}

/** Timestamps (performance.now()) the arrival of each `/hit/<key>`: the first action executed. */
async function startArrivalTarget(): Promise<TargetServer> {
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const server = createServer((request, response) => {
    const at = performance.now();
    const key = (request.url ?? '').replace(/^\/hit\//, '');
    if (!arrivals.has(key)) {
      arrivals.set(key, at);
      waiters.get(key)?.(at);
    }
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    arrival: (key) => {
      const known = arrivals.get(key);
      return known !== undefined ? Promise.resolve(known) : new Promise((resolve) => waiters.set(key, resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ServeChild {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServe(runbooksDir: string, deps: WebhookScenarioDeps): Promise<ServeChild> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [cliEntry, 'serve', '--runbooks', runbooksDir], {
    env: { PATH: process.env.PATH ?? '', REBOUND_LOG_LEVEL: 'warn', REBOUND_HTTP_PORT: String(port), REBOUND_WEBHOOK_TOKEN: token, TEMPORAL_ADDRESS: deps.serverAddress, TEMPORAL_NAMESPACE: deps.namespace, REBOUND_TASK_QUEUE: taskQueue, REBOUND_WEBHOOK_RATE_LIMIT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  deps.closers.add('rebound serve', stop);
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) throw new Error(`rebound serve exited (${child.exitCode}):\n${output}`);
    if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) break;
    if (Date.now() > deadline) throw new Error(`rebound serve did not answer /healthz within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid!, stop };
}

function alertBody(alertname: string, key: string, annotations: Record<string, string>): string {
  const labels = { alertname, service: key, severity: 'critical' };
  return JSON.stringify({
    version: '4',
    receiver: 'rebound',
    status: 'firing',
    groupLabels: { alertname, service: key },
    commonLabels: labels,
    commonAnnotations: annotations,
    alerts: [{ status: 'firing', labels, annotations, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', fingerprint: key.padStart(16, '0') }],
  });
}

async function measureLatency(url: string, target: TargetServer, alerts: number, warmup: number, deps: WebhookScenarioDeps): Promise<LatencyFigures> {
  const figures: LatencyFigures = { alerts, toFirstActionMs: [], to202Ms: [] };
  for (let index = 0; index < warmup + alerts; index += 1) {
    deps.signal.throwIfAborted();
    const key = `${index < warmup ? 'warm' : 'latency'}-${index}`;
    const body = alertBody('BenchFirstAction', key, { target: target.url });
    const arrived = target.arrival(key);
    const sent = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const answered = performance.now();
    if (response.status !== 202) throw new Error(`latency alert ${key}: ${response.status} ${await response.text()}`);
    const at = await arrived;
    if (index < warmup) continue;
    figures.to202Ms.push(answered - sent);
    figures.toFirstActionMs.push(at - sent);
    if ((index - warmup + 1) % 50 === 0) deps.progress(`latency: ${index - warmup + 1}/${alerts}`);
  }
  return figures;
}

async function alertsOf(client: Client, workflowId: string): Promise<RecoveryState['alerts']> {
  return (await client.workflow.getHandle(workflowId).query(stateQuery)).alerts;
}

async function measureStorm(url: string, serve: ServeChild, deps: WebhookScenarioDeps): Promise<StormFigures> {
  const plan = planStorm({ keys: deps.stormKeys, notifications: deps.stormNotifications, alertname: 'BenchStorm', keyPrefix: 'storm', openingResends: 10 });
  const cpuBefore = { serve: processCpuMs(serve.pid), temporal: processCpuMs(deps.serverPid), bench: process.cpuUsage() };
  const opening = await sendStorm(url, token, plan.opening, deps.concurrency);
  const rest = await sendStorm(url, token, plan.rest, deps.concurrency);
  const serveCpu = processCpuMs(serve.pid);
  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  const metric = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? NaN);
  const temporalCpu = processCpuMs(deps.serverPid);
  const benchCpu = process.cpuUsage(cpuBefore.bench);
  const accepted = new Map<string, number>();
  const statuses: Record<string, number> = {};
  for (const [result, notifications] of [
    [opening, plan.opening],
    [rest, plan.rest],
  ] as [StormResult, StormNotification[]][]) {
    for (const [status, count] of result.statuses) statuses[String(status)] = (statuses[String(status)] ?? 0) + count;
    result.acceptedIndexes.forEach((index) => {
      const notification = notifications[index]!;
      const id = `${notification.key}|${recordId(notification.record)}`;
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
    });
  }
  const acceptedTotal = [...accepted.values()].reduce((sum, count) => sum + count, 0);
  deps.progress(`storm: ${acceptedTotal} of ${plan.opening.length + plan.rest.length} accepted; waiting for the recoveries to apply them`);
  const workflowIds = plan.keys.map((key) => `bench-storm-hold/${key}`);
  const settleStarted = performance.now();
  let seen = new Map<string, number>();
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
    seen = new Map();
    for (const [index, alerts] of (await Promise.all(workflowIds.map((workflowId) => alertsOf(deps.client, workflowId).catch(() => [])))).entries()) {
      for (const alert of alerts) seen.set(`${plan.keys[index]}|${recordId(alert)}`, alert.timesSeen);
    }
    const applied = [...accepted.keys()].reduce((sum, id) => sum + Math.min(seen.get(id) ?? 0, accepted.get(id)!), 0);
    if (applied >= acceptedTotal) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const settleMs = performance.now() - settleStarted;
  let lost = 0;
  let extra = 0;
  for (const id of new Set([...accepted.keys(), ...seen.keys()])) {
    const difference = (seen.get(id) ?? 0) - (accepted.get(id) ?? 0);
    if (difference < 0) lost -= difference;
    else extra += difference;
  }
  const runs = new Map<string, number>();
  for await (const execution of deps.client.workflow.list({ query: 'ReboundRunbook = "bench-storm-hold"' })) runs.set(execution.workflowId, (runs.get(execution.workflowId) ?? 0) + 1);
  const recoveries = [...runs.values()].reduce((sum, count) => sum + count, 0);
  return {
    notifications: plan.opening.length + plan.rest.length,
    keys: plan.keys.length,
    concurrency: deps.concurrency,
    durationMs: opening.durationMs + rest.durationMs,
    statuses,
    failures: [...opening.failures, ...rest.failures].slice(0, 10),
    latenciesMs: [...opening.latenciesMs, ...rest.latenciesMs],
    lost,
    extra,
    recoveries,
    duplicateRecoveries: recoveries - runs.size,
    settleMs,
    temporalCalls: metric(/^rebound_alerts_per_temporal_call_count (\d+)$/m),
    recoveriesStarted: metric(/^rebound_alert_recoveries_started_total\{runbook="bench-storm-hold"\} (\d+)$/m),
    cpuMs: {
      serve: serveCpu === undefined || cpuBefore.serve === undefined ? null : serveCpu - cpuBefore.serve,
      temporal: temporalCpu === undefined || cpuBefore.temporal === undefined ? null : temporalCpu - cpuBefore.temporal,
      bench: (benchCpu.user + benchCpu.system) / 1000,
    },
  };
}

/** Where a first action's time went, from the recovery's history (server clock). */
async function firstActionSpans(client: Client, workflowId: string): Promise<{ toFirstWorkflowTaskMs: number; firstWorkflowTaskMs: number; activityDispatchMs: number }> {
  const handle = client.workflow.getHandle(workflowId);
  // The activity's started event is written with its completion: read the history once the recovery ended.
  await handle.result();
  const events = (await handle.fetchHistory()).events ?? [];
  const at = (predicate: (event: (typeof events)[number]) => unknown) => tsToMs(events.find(predicate)?.eventTime);
  return {
    toFirstWorkflowTaskMs: at((event) => event.workflowTaskStartedEventAttributes) - at((event) => event.workflowExecutionStartedEventAttributes),
    firstWorkflowTaskMs: at((event) => event.workflowTaskCompletedEventAttributes) - at((event) => event.workflowTaskStartedEventAttributes),
    activityDispatchMs: at((event) => event.activityTaskStartedEventAttributes) - at((event) => event.activityTaskScheduledEventAttributes),
  };
}

/** The latency path without the webhook: the bench's client signal-with-starts each recovery as the webhook does. */
async function measureDirectLatency(target: TargetServer, alerts: number, deps: WebhookScenarioDeps): Promise<DirectLatencyFigures> {
  const loaded = parseRunbook(latencyRunbook, 'bench-first-action.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const figures: DirectLatencyFigures = { alerts, toFirstActionMs: [], signalWithStartMs: [], toFirstWorkflowTaskMs: [], firstWorkflowTaskMs: [], activityDispatchMs: [] };
  for (let index = 0; index < alerts; index += 1) {
    deps.signal.throwIfAborted();
    const key = `direct-latency-${index}`;
    const input = prepareRecovery(loaded.runbook, loaded.hash, { service: key, targetUrl: target.url }, { source: 'bench' });
    const alert = { source: 'alertmanager' as const, status: 'firing' as const, labels: { service: key }, annotations: {}, startsAt: new Date().toISOString(), fingerprint: key };
    const arrived = target.arrival(key);
    const sent = performance.now();
    await signalWithStart(deps.client, { ...recoveryStartOptions(input, { taskQueue }), workflowType: 'runRecovery', signal: alertsSignal.name, signalArgs: [[alert]] });
    figures.signalWithStartMs.push(performance.now() - sent);
    figures.toFirstActionMs.push((await arrived) - sent);
    const spans = await firstActionSpans(deps.client, recoveryWorkflowId(loaded.runbook.metadata.name, key));
    figures.toFirstWorkflowTaskMs.push(spans.toFirstWorkflowTaskMs);
    figures.firstWorkflowTaskMs.push(spans.firstWorkflowTaskMs);
    figures.activityDispatchMs.push(spans.activityDispatchMs);
  }
  return figures;
}

/** Signal-with-start straight from a client, one per notification (what the webhook did before it coalesced), without the webhook. */
async function measureTemporalAlone(calls: number, keys: number, deps: WebhookScenarioDeps): Promise<SideFigures> {
  const loaded = parseRunbook(stormRunbook, 'bench-storm-hold.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const inputs = Array.from({ length: keys }, (_unused, index) => prepareRecovery(loaded.runbook, loaded.hash, { service: `direct-${index}` }, { source: 'bench' }));
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const caller = async () => {
    while (next < calls) {
      const index = next;
      next += 1;
      const input = inputs[index % keys]!;
      const alert = { source: 'alertmanager' as const, status: 'firing' as const, labels: { service: input.key }, annotations: {}, startsAt: new Date(0).toISOString(), fingerprint: `direct-${index % keys}` };
      await deps.client.workflow.signalWithStart('runRecovery', { ...recoveryStartOptions(input, { taskQueue }), signal: alertSignal, signalArgs: [alert] }).catch(() => (errors += 1));
    }
  };
  await Promise.all(Array.from({ length: deps.concurrency }, caller));
  const durationMs = performance.now() - started;
  return { calls, concurrency: deps.concurrency, durationMs, perSecond: (calls * 1000) / durationMs, errors };
}

/** The webhook with a Temporal side that accepts everything at once: what parsing, auth, routing and HTTP cost. */
async function measureWebhookAlone(runbooksDir: string, deps: WebhookScenarioDeps): Promise<SideFigures> {
  const { loadRunbooks } = await import('../cli/commands/serve');
  // A client whose service answers every call at once: signal-with-start "joined", signals accepted.
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  Object.defineProperty(connection, 'workflowService', {
    value: { signalWithStartWorkflowExecution: async () => ({ runId: 'bench', started: false }), signalWorkflowExecution: async () => ({}) },
  });
  const accepting = new Client({ connection });
  const app = createWebhookServer({ client: accepting, taskQueue, runbooks: await loadRunbooks(runbooksDir), runbooksDir, auth: { token }, rateLimit: false, logger: createLogger({ level: 'silent' }) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const plan = planStorm({ keys: deps.stormKeys, notifications: deps.stormNotifications, alertname: 'BenchStorm', keyPrefix: 'alone', openingResends: 10 });
    const result = await sendStorm(`${address}/v1/alerts/alertmanager`, token, [...plan.opening, ...plan.rest], deps.concurrency);
    const calls = plan.opening.length + plan.rest.length;
    return { calls, concurrency: deps.concurrency, durationMs: result.durationMs, perSecond: (calls * 1000) / result.durationMs, errors: calls - (result.statuses.get(202) ?? 0) };
  } finally {
    await app.close();
  }
}

export async function measureWebhook(deps: WebhookScenarioDeps): Promise<WebhookMeasurement> {
  const runbooksDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rebound-bench-runbooks-'));
  deps.closers.add('the bench runbooks', () => fs.rm(runbooksDir, { recursive: true, force: true }));
  await fs.writeFile(path.join(runbooksDir, 'bench-first-action.yaml'), latencyRunbook);
  await fs.writeFile(path.join(runbooksDir, 'bench-storm-hold.yaml'), stormRunbook);
  const target = await startArrivalTarget();
  deps.closers.add('the target server', () => target.close());
  const worker = await startBenchWorker(
    { connection: deps.workerConnection, namespace: deps.namespace, taskQueue, logger: deps.logger, execAllowList: [], workflowBundle: deps.workflowBundle },
    deps.signal,
    deps.closers,
    'the webhook worker',
  );
  deps.progress('starting rebound serve');
  const serve = await startServe(runbooksDir, deps);
  const url = `${serve.url}/v1/alerts/alertmanager`;
  return worker.during(
    (async () => {
      deps.progress(`latency: ${deps.latencyAlerts} alerts one at a time after 10 warm-up`);
      const latency = await measureLatency(url, target, deps.latencyAlerts, 10, deps);
      const directAlerts = Math.min(50, deps.latencyAlerts);
      deps.progress(`latency without the webhook: ${directAlerts} signal-with-starts from the bench's client`);
      const direct = await measureDirectLatency(target, directAlerts, deps);
      deps.progress(`storm: ${deps.stormNotifications} notifications for ${deps.stormKeys} keys, ${deps.concurrency} in flight`);
      const storm = await measureStorm(url, serve, deps);
      deps.progress(`webhook alone (no-op Temporal side): ${deps.stormNotifications} notifications`);
      const webhookAlone = await measureWebhookAlone(runbooksDir, deps);
      deps.progress(`Temporal alone: 1000 signal-with-start for ${deps.stormKeys} workflows from a client`);
      const temporalAlone = await measureTemporalAlone(1000, deps.stormKeys, deps);
      return { latency, direct, storm, temporalAlone, webhookAlone };
    })(),
  );
}
