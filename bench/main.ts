/**
 * `npm run bench [-- --scenario interpreter|rollback500|webhook|all --rounds N --warmup N --rollback-runs N --json]`
 * on a private Temporal dev server. Scenario `interpreter`: the interpreter against a hand-written
 * workflow; `rollback500`: a staged rollback of 500 fleet targets against its critical path;
 * `webhook`: alert → first action latency and an alert storm through `rebound serve`.
 * See bench/README.md for what is measured. Figures go to stdout, progress to stderr; exit 0
 * whatever the figures, non-zero on errors only.
 */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { startDevServer } from '../runtime/dev-server';
import { createLogger } from '../runtime/logger';
import { installTemporalRuntime } from '../runtime/telemetry';
import { startBenchWorker } from './bench-worker';
import { historyShape, measure, type Measurement } from './measure';
import { buildReport, formatReport, type BenchReport } from './report';
import { buildRollbackReport, formatRollbackReport, type Rollback500Report } from './rollback-report';
import { measureRollback } from './rollback-scenario';
import { buildWebhookReport, formatWebhookReport, type WebhookReport } from './webhook-report';
import { measureWebhook } from './webhook-scenario';

const steps = 20;
const taskQueue = 'rebound-bench';

const scenarios = ['interpreter', 'rollback500', 'webhook', 'all'] as const;
type Scenario = (typeof scenarios)[number];

const usage =
  'usage: node dist/bench/main.js [--scenario interpreter|rollback500|webhook|all] [--rounds N] [--warmup N] [--rollback-runs N] [--latency-alerts N] [--storm N] [--concurrency N] [--json]';

/** Thrown for a bad command line: the message is for the person who typed it. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The reason of the abort on Ctrl-C: the benchmark stops between two runs and cleans up. */
class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

interface BenchOptions {
  scenario: Scenario;
  /** interpreter scenario */
  rounds: number;
  warmupRounds: number;
  /** rollback500 scenario */
  rollbackRuns: number;
  /** webhook scenario */
  latencyAlerts: number;
  stormNotifications: number;
  concurrency: number;
  json: boolean;
}

/** The interpreter report at the top level (as before the rollback scenario existed), the others under their names. */
type BenchOutput = Partial<BenchReport> & { rollback500?: Rollback500Report; webhook?: WebhookReport };

function count(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min) throw new UsageError(`--${flag} expects a whole number ≥ ${min}, got "${text}"\n${usage}`);
  return value;
}

function parseOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        'rollback-runs': { type: 'string' },
        'latency-alerts': { type: 'string' },
        storm: { type: 'string' },
        concurrency: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const scenario = values.scenario ?? 'all';
  if (!(scenarios as readonly string[]).includes(scenario)) throw new UsageError(`--scenario expects one of ${scenarios.join(', ')}, got "${scenario}"\n${usage}`);
  const storm = count(values.storm, 'storm', 5000, 550);
  if (storm % 50 !== 0) throw new UsageError(`--storm expects a multiple of 50 (the storm's keys), got "${values.storm}"\n${usage}`);
  return {
    scenario: scenario as Scenario,
    rounds: count(values.rounds, 'rounds', 10, 1),
    warmupRounds: count(values.warmup, 'warmup', 3, 0),
    rollbackRuns: count(values['rollback-runs'], 'rollback-runs', 3, 1),
    latencyAlerts: count(values['latency-alerts'], 'latency-alerts', 200, 1),
    // Split into 50 keys of at least 11 notifications (10 opening re-sends each, then the rest).
    stormNotifications: storm,
    // Several requests per key in flight, as in a storm: what the webhook coalesces per recovery.
    concurrency: count(values.concurrency, 'concurrency', 500, 1),
    json: values.json === true,
  };
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** Closes what was opened, last first; a failure is reported and the rest still closes. */
class Closers {
  private readonly closers: Array<{ what: string; close: () => Promise<void> }> = [];

  add(what: string, close: () => Promise<void>): void {
    this.closers.push({ what, close });
  }

  async closeAll(): Promise<boolean> {
    let clean = true;
    for (const { what, close } of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        clean = false;
        progress(`could not stop ${what}: ${(error as Error).message}`);
      }
    }
    return clean;
  }
}

const silentBundlerLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

async function runBench(options: BenchOptions, signal: AbortSignal, closers: Closers): Promise<BenchOutput> {
  const logger = createLogger({ level: 'warn', destination: process.stderr, pretty: false });
  installTemporalRuntime(logger);

  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rebound-bench-'));
  closers.add('the state directory', () => fs.rm(stateDir, { recursive: true, force: true }));
  progress(`starting a Temporal dev server (state in ${stateDir})`);
  const server = await startDevServer({ stateDir, port: 0, headless: true });
  closers.add('the Temporal dev server', () => server.stop());
  const connection = await Connection.connect({ address: server.address });
  // Calls still waiting (a result after an interrupt) are cancelled first: closing under a retrying call throws.
  const pendingCalls = new AbortController();
  // The SDK adds an abort listener per call and never removes it: a few hundred per benchmark, harmless.
  setMaxListeners(0, pendingCalls.signal);
  closers.add('the client connection', () => {
    pendingCalls.abort();
    return connection.close();
  });
  const client = new Client({ connection, namespace: server.namespace });
  signal.throwIfAborted();

  progress('bundling bench/workflows (interpreter + hand-written)');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: silentBundlerLogger });
  const workerConnection = await NativeConnection.connect({ address: server.address });
  closers.add('the worker connection', () => workerConnection.close());

  const output: BenchOutput = {};
  if (options.scenario === 'interpreter' || options.scenario === 'all') {
    const worker = await startBenchWorker({ connection: workerConnection, namespace: server.namespace, taskQueue, logger, execAllowList: [], workflowBundle }, signal, closers);
    progress(`running ${options.warmupRounds} warm-up and ${options.rounds} measured rounds of ${steps} steps`);
    const measurement: Measurement = await worker.during(
      connection.withAbortSignal(pendingCalls.signal, () =>
        measure(client, taskQueue, { steps, rounds: options.rounds, warmupRounds: options.warmupRounds, signal, progress }),
      ),
    );
    progress('reading the histories of the measured runs');
    const histories = {
      interpreter: await Promise.all(measurement.workflowIds.interpreter.map((workflowId) => historyShape(client, workflowId))),
      handwritten: await Promise.all(measurement.workflowIds.handwritten.map((workflowId) => historyShape(client, workflowId))),
    };
    // Stopped before the next scenario, so that its worker runs alone in the process.
    await worker.stop();
    Object.assign(output, buildReport(measurement, histories, { steps, rounds: options.rounds, warmupRounds: options.warmupRounds }));
  }
  if (options.scenario === 'rollback500' || options.scenario === 'all') {
    const measurement = await connection.withAbortSignal(pendingCalls.signal, () =>
      measureRollback({ client, workerConnection, namespace: server.namespace, serverPid: server.pid, workflowBundle, logger, signal, progress, closers, runs: options.rollbackRuns }),
    );
    output.rollback500 = buildRollbackReport(measurement);
  }
  if (options.scenario === 'webhook' || options.scenario === 'all') {
    const measurement = await connection.withAbortSignal(pendingCalls.signal, () =>
      measureWebhook({
        client,
        workerConnection,
        namespace: server.namespace,
        serverAddress: server.address,
        serverPid: server.pid,
        workflowBundle,
        logger,
        signal,
        progress,
        closers,
        latencyAlerts: options.latencyAlerts,
        stormNotifications: options.stormNotifications,
        stormKeys: 50,
        concurrency: options.concurrency,
      }),
    );
    output.webhook = buildWebhookReport(measurement);
  }
  return output;
}

function formatOutput(output: BenchOutput): string {
  const { rollback500, webhook, ...interpreter } = output;
  const parts: string[] = [];
  if (interpreter.interpreter !== undefined) parts.push(formatReport(interpreter as BenchReport));
  if (rollback500 !== undefined) parts.push(formatRollbackReport(rollback500));
  if (webhook !== undefined) parts.push(formatWebhookReport(webhook));
  return parts.join('\n');
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const interrupt = new AbortController();
  process.on('SIGINT', () => {
    // A second Ctrl-C does not wait; exiting still kills the dev server (see runtime/dev-server.ts).
    if (interrupt.signal.aborted) process.exit(130);
    progress('interrupted (Ctrl-C again to quit at once)');
    interrupt.abort(new InterruptedError('interrupted'));
  });

  const closers = new Closers();
  let exitCode: number;
  try {
    const output = await runBench(options, interrupt.signal, closers);
    process.stdout.write(options.json ? `${JSON.stringify(output)}\n` : formatOutput(output));
    exitCode = 0;
  } catch (error) {
    if (error instanceof InterruptedError) {
      exitCode = 130;
    } else {
      progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
      exitCode = 1;
    }
  }
  progress('stopping the worker and the dev server');
  const clean = await closers.closeAll();
  return clean ? exitCode : Math.max(exitCode, 1);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
