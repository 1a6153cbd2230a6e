/**
 * The `rollback500` scenario: a staged rollback of 500 fleet targets (waves 50 / 50% / 100%,
 * maxUnavailable 50) against the demo fleet in a child process. See bench/README.md.
 *
 * 1. Warm-up: the same runbook on a 6-replica service (a worker's first workflow tasks are slow).
 * 2. One call at a time, directly: what an observe of 500 and an apply cost alone.
 * 3. Per measured run: fleet reset, the critical path run directly (no Temporal), fleet reset, the
 *    recovery timed start → result with the bench process's RSS sampled every 50 ms and the CPU of
 *    the three processes counted, then its history read.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createDriverActivities } from '../activities/drivers';
import { waveBoundaries } from '../model/rollback-plan';
import { startBenchWorker, type CloserRegistry } from './bench-worker';
import { processCpuMs } from './process-cpu';
import { rollbackInventory, rollbackReplicas, rollbackSeed, rollbackService, startFleetProcess, warmupReplicas, warmupService, type FleetProcess } from './rollback-fleet';
import {
  directRollback,
  loadRollbackRunbook,
  rollbackHistory,
  rollbackPlan,
  runRollbackRecovery,
  sampleRss,
  singleCallTimes,
  type DirectRun,
  type RecoveryRun,
  type RollbackHistory,
  type RssFigures,
  type SingleCallTimes,
} from './rollback-measure';

const taskQueue = 'rebound-bench-rollback';
export const rssEveryMs = 50;
const singleCallSamples = 10;

export interface RollbackScenarioDeps {
  client: Client;
  workerConnection: NativeConnection;
  namespace: string;
  /** The Temporal dev server's process, for its CPU time. */
  serverPid: number;
  workflowBundle: WorkerOptions['workflowBundle'];
  logger: Logger;
  /** Checked between runs. */
  signal: AbortSignal;
  progress(line: string): void;
  closers: CloserRegistry;
  runs: number;
}

/** CPU milliseconds (user + system) per process over one run; server is null where /proc is missing. */
export interface CpuFigures {
  bench: number;
  server: number | null;
  fleet: number;
}

export interface RollbackRun {
  /**
   * Heap still in use right before the run, after a full GC: only with `node --expose-gc`
   * (null otherwise). Shows whether anything is retained from one run to the next.
   */
  retainedHeapBeforeBytes: number | null;
  recovery: { ms: number; timeToRecoverMs: number; stepOutput: unknown; cpu: CpuFigures };
  direct: DirectRun & { cpu: CpuFigures };
  history: RollbackHistory;
  rss: RssFigures;
  fleetPeakRssBytes: number;
}

export interface RollbackMeasurement {
  /** The bench process's RSS right after the rollback worker started (bundle loaded, nothing run yet on it). */
  rssAtWorkerStartBytes: number;
  warmupMs: number;
  /** Bytes of GET /v1/services/api/replicas: what every observe reads. */
  replicaListBytes: number;
  singleCall: SingleCallTimes;
  waveTargets: number[];
  runs: RollbackRun[];
}

/** Counts the CPU time of the bench process, the dev server and the fleet from now on (and the fleet's peak RSS). */
function cpuMeter(serverPid: number, fleet: FleetProcess): () => Promise<{ cpu: CpuFigures; fleetPeakRssBytes: number }> {
  const bench = process.cpuUsage();
  const server = processCpuMs(serverPid);
  const fleetBefore = fleet.stats();
  return async () => {
    const used = process.cpuUsage(bench);
    const serverNow = processCpuMs(serverPid);
    const [before, after] = await Promise.all([fleetBefore, fleet.stats()]);
    const cpu = {
      bench: (used.user + used.system) / 1000,
      server: server === undefined || serverNow === undefined ? null : serverNow - server,
      fleet: after.cpuMs - before.cpuMs,
    };
    return { cpu, fleetPeakRssBytes: after.peakRss };
  };
}

/** heapUsed after a full collection, when `node --expose-gc` made `gc` available. */
function retainedHeapBytes(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  return process.memoryUsage().heapUsed;
}

async function replicas(fleet: FleetProcess, service: string): Promise<{ bytes: number; list: Array<{ actual: { version: string }; healthy: boolean }> }> {
  const text = await (await fetch(`${fleet.url}/v1/services/${service}/replicas`)).text();
  return { bytes: Buffer.byteLength(text), list: JSON.parse(text) as Array<{ actual: { version: string }; healthy: boolean }> };
}

async function checkRolledBack(fleet: FleetProcess, what: string): Promise<void> {
  const { list } = await replicas(fleet, rollbackService);
  const wrong = list.filter((replica) => replica.actual.version !== 'v1' || !replica.healthy).length;
  if (list.length !== rollbackReplicas || wrong > 0) throw new Error(`after the ${what}, ${wrong} of ${list.length} replicas are not v1 and healthy`);
}

export async function measureRollback(deps: RollbackScenarioDeps): Promise<RollbackMeasurement> {
  const { client, logger, progress, signal, closers, serverPid } = deps;
  const loaded = loadRollbackRunbook();

  progress(`starting the demo fleet in a child process (${rollbackReplicas} replicas of ${rollbackService} at v2, v1 recorded before it)`);
  const fleet = await startFleetProcess(rollbackSeed());
  closers.add('the fleet process', () => fleet.close());
  const inventory = rollbackInventory(fleet.url);
  const worker = await startBenchWorker(
    { connection: deps.workerConnection, namespace: deps.namespace, taskQueue, logger, execAllowList: [], inventory, workflowBundle: deps.workflowBundle },
    signal,
    closers,
    'the rollback worker',
  );
  const rssAtWorkerStartBytes = process.memoryUsage().rss;
  // The worker's own driver activities, for the direct runs: the same code, called without Temporal.
  const activities = createDriverActivities({ inventory, logger });

  const warmup = await worker.during(runRollbackRecovery(client, taskQueue, loaded, { run: 'warm-up', service: warmupService }));
  if (warmup.report.outcome !== 'recovered') throw new Error(`the warm-up rollback ended ${warmup.report.outcome}: ${warmup.report.error ?? 'no error recorded'}`);
  progress(`warm-up (${warmupService}, ${warmupReplicas} replicas): ${warmup.ms.toFixed(0)} ms`);

  const replicaListBytes = (await replicas(fleet, rollbackService)).bytes;
  const probeTargets = Array.from({ length: singleCallSamples }, (_, index) => `${rollbackService}-eu-west-${index + 1}`);
  const singleCall = await singleCallTimes(activities, rollbackService, probeTargets, singleCallSamples);
  progress(`one call alone: observe of ${rollbackReplicas} ${singleCall.observeMs.toFixed(1)} ms, apply ${singleCall.applyMs.toFixed(1)} ms (median of ${singleCallSamples})`);

  const waveTargets = waveBoundaries(rollbackPlan.waves, rollbackReplicas).map((end, index, ends) => end - (ends[index - 1] ?? 0));
  const runs: RollbackRun[] = [];
  for (let run = 1; run <= deps.runs; run++) {
    signal.throwIfAborted();
    await fleet.reset();
    let meter = cpuMeter(serverPid, fleet);
    const direct = await directRollback(activities, rollbackService, `run-${run}`);
    const { cpu: directCpu } = await meter();
    await checkRolledBack(fleet, 'direct rollback');
    progress(`run ${run}/${deps.runs}: critical path without Temporal ${direct.totalMs.toFixed(0)} ms`);

    await fleet.reset();
    signal.throwIfAborted();
    const retainedHeapBeforeBytes = retainedHeapBytes();
    meter = cpuMeter(serverPid, fleet);
    const rss = sampleRss(rssEveryMs);
    let recovery: RecoveryRun;
    let rssFigures: RssFigures;
    try {
      recovery = await worker.during(runRollbackRecovery(client, taskQueue, loaded, { run: `run-${run}`, service: rollbackService }));
    } finally {
      rssFigures = rss.stop();
    }
    const { cpu: recoveryCpu, fleetPeakRssBytes } = await meter();
    const { report } = recovery;
    if (report.outcome !== 'recovered') throw new Error(`${recovery.workflowId} ended ${report.outcome}: ${report.error ?? 'no error recorded'}`);
    await checkRolledBack(fleet, 'recovery');
    progress(`run ${run}/${deps.runs}: recovery ${recovery.ms.toFixed(0)} ms, peak RSS ${(rssFigures.peakBytes / 2 ** 20).toFixed(0)} MiB; reading its history`);
    const history = await rollbackHistory(client, recovery.workflowId, waveTargets);
    runs.push({
      retainedHeapBeforeBytes,
      recovery: { ms: recovery.ms, timeToRecoverMs: report.timeToRecoverMs, stepOutput: report.steps[0]?.output, cpu: recoveryCpu },
      direct: { ...direct, cpu: directCpu },
      history,
      rss: rssFigures,
      fleetPeakRssBytes,
    });
  }
  await worker.stop();
  return { rssAtWorkerStartBytes, warmupMs: warmup.ms, replicaListBytes, singleCall, waveTargets, runs };
}
