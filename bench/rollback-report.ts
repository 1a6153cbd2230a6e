/** The figures of the `rollback500` scenario: JSON under `rollback500`, and a table for people. */
import type { CpuFigures, RollbackMeasurement, RollbackRun } from './rollback-scenario';
import type { ActivityTimes } from './rollback-measure';
import { rollbackPlan } from './rollback-measure';
import { rssEveryMs } from './rollback-scenario';
import { rollbackReplicas, rollbackService } from './rollback-fleet';
import { machineInfo, type MachineInfo } from './report';
import { median, round } from './stats';

/** Temporal's default limits (server dynamic config): past `error` the workflow is terminated or the call refused. */
export const temporalLimits = {
  /** limit.historyCount.error / .warn */
  historyEvents: { error: 51_200, warn: 10_240 },
  /** limit.historySize.error / .warn */
  historyBytes: { error: 50 * 2 ** 20, warn: 10 * 2 ** 20 },
  /** limit.blobSize.error / .warn: one payload (an activity's input or result, the workflow's result). */
  payloadBytes: { error: 2 * 2 ** 20, warn: 512 * 2 ** 10 },
};

const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

export interface WaveFigures {
  targets: number;
  chunks: number;
  /** Drift observe scheduled → last converge observe completed, from the recovery's history. */
  recoveryMs: number;
  /** The same wave run directly (no Temporal). */
  criticalPathMs: number;
  ratio: number;
  /** First apply scheduled → last completed (recovery); first sent → last answered (direct). */
  recoveryApplyMs: number;
  criticalPathApplyMs: number;
  /** Median time from a chunk's last apply completed to the next chunk's first apply scheduled. */
  chunkGapMedianMs: number | null;
  convergeObserves: number;
}

export interface Rollback500Report {
  service: string;
  targets: number;
  waves: Array<number | string>;
  waveTargets: number[];
  maxUnavailable: number;
  /** Sequential apply chunks over all waves. */
  chunks: number;
  /** Bytes of the fleet's replica list of the service: what every observe reads. */
  replicaListBytes: number;
  warmupMs: number;
  runs: number;
  /** Median over the runs: client start call → result. */
  totalMs: number;
  /** Median over the runs: the same calls run directly against the fleet, without Temporal (the lower bound). */
  criticalPathMs: number;
  /** Median over the runs of totalMs / criticalPathMs. */
  ratio: number;
  /** totalMs − criticalPathMs: what Temporal and the interpreter add. */
  overheadMs: number;
  /** The run the details below come from: the one with the median ratio. */
  detail: {
    run: number;
    totalMs: number;
    timeToRecoverMs: number;
    criticalPathMs: number;
    initialObserve: { recoveryMs: number; criticalPathMs: number };
    waves: WaveFigures[];
    /** Workflow started → first activity scheduled; last activity completed → workflow completed. */
    outsideActivitiesMs: { before: number; after: number };
    /**
     * CPU milliseconds (user + system) during the recovery and the direct run: the bench process
     * (worker and client; in the direct run the activity code only), the Temporal dev server, the fleet.
     */
    cpuMs: { recovery: CpuFigures; criticalPath: CpuFigures };
    activities: { apply: ActivityTimes; observe: ActivityTimes };
    workflowTasks: { count: number; heldMs: number };
    timers: number;
    rss: {
      sampleEveryMs: number;
      samples: number;
      /** The longest time between two samples (main-thread lag). */
      maxGapMs: number;
      baselineMiB: number;
      peakMiB: number;
      growthMiB: number;
      peakHeapUsedMiB: number;
      /** The fleet runs in its own process; not part of the figures above. */
      fleetPeakMiB: number;
      /** Right after the rollback worker started, before any run (includes what earlier scenarios left). */
      atWorkerStartMiB: number;
      /** The bench process's peak RSS in each measured run, in order. */
      peakPerRunMiB: number[];
      /** Heap in use after a full GC right before each run: only with `node --expose-gc`, else null. */
      retainedHeapBeforeRunMiB: number[] | null;
    };
    history: {
      events: number;
      eventsPerTarget: number;
      sizeBytes: number;
      largestPayloadBytes: number;
      largestPayload: string;
      resultBytes: number;
      activities: Record<string, number>;
      /** Shares of Temporal's default error limits. */
      eventsOfLimit: number;
      sizeOfLimit: number;
      largestPayloadOfLimit: number;
      limits: typeof temporalLimits;
    };
    stepOutput: unknown;
  };
  /** One call at a time (median): an observe of every target, one apply. */
  singleCall: { observeMs: number; applyMs: number; samples: number };
  /** A naive bound from single calls: observes + chunks × one apply, as if 50 applies at once cost one. */
  modelBoundMs: number;
  measuredAt: string;
  machine: MachineInfo;
}

/** CPU of the bench process, the dev server and the fleet together; null when the server's is unknown. */
export const cpuTotal = (cpu: CpuFigures): number | null => (cpu.server === null ? null : cpu.bench + cpu.server + cpu.fleet);

const roundCpu = (cpu: CpuFigures): CpuFigures => ({ bench: round(cpu.bench), server: cpu.server === null ? null : round(cpu.server), fleet: round(cpu.fleet) });

function ratioOf(run: RollbackRun): number {
  return run.recovery.ms / run.direct.totalMs;
}

function waveFigures(run: RollbackRun): WaveFigures[] {
  return run.history.waves.map((wave, index) => {
    const direct = run.direct.waves[index];
    if (!direct) throw new Error(`the direct run has no wave ${index + 1}`);
    return {
      targets: wave.targets,
      chunks: wave.chunks,
      recoveryMs: round(wave.totalMs),
      criticalPathMs: round(direct.totalMs),
      ratio: round(wave.totalMs / direct.totalMs, 3),
      recoveryApplyMs: round(wave.applyMs),
      criticalPathApplyMs: round(direct.applyMs),
      chunkGapMedianMs: wave.chunkGapMs.length === 0 ? null : round(median(wave.chunkGapMs)),
      convergeObserves: wave.convergeObserves,
    };
  });
}

export function buildRollbackReport(measurement: RollbackMeasurement): Rollback500Report {
  const { runs, singleCall, waveTargets } = measurement;
  const ordered = runs.map((run, index) => ({ run, index })).sort((a, b) => ratioOf(a.run) - ratioOf(b.run));
  const middle = ordered[Math.floor((ordered.length - 1) / 2)];
  if (!middle) throw new Error('no measured rollback run');
  const { run, index } = middle;
  const { history, rss } = run;
  const totalMs = median(runs.map((each) => each.recovery.ms));
  const criticalPathMs = median(runs.map((each) => each.direct.totalMs));
  const chunks = waveTargets.reduce((sum, targets) => sum + Math.ceil(targets / rollbackPlan.maxUnavailable), 0);
  const round1 = (times: ActivityTimes): ActivityTimes => ({
    count: times.count,
    scheduleToStartMedianMs: round(times.scheduleToStartMedianMs),
    scheduleToStartMaxMs: round(times.scheduleToStartMaxMs),
    startToCloseMedianMs: round(times.startToCloseMedianMs),
    startToCloseP90Ms: round(times.startToCloseP90Ms),
    startToCloseMaxMs: round(times.startToCloseMaxMs),
  });
  return {
    service: rollbackService,
    targets: rollbackReplicas,
    waves: rollbackPlan.waves,
    waveTargets,
    maxUnavailable: rollbackPlan.maxUnavailable,
    chunks,
    replicaListBytes: measurement.replicaListBytes,
    warmupMs: round(measurement.warmupMs),
    runs: runs.length,
    totalMs: round(totalMs),
    criticalPathMs: round(criticalPathMs),
    ratio: round(median(runs.map(ratioOf)), 3),
    overheadMs: round(totalMs - criticalPathMs),
    detail: {
      run: index + 1,
      totalMs: round(run.recovery.ms),
      timeToRecoverMs: run.recovery.timeToRecoverMs,
      criticalPathMs: round(run.direct.totalMs),
      initialObserve: { recoveryMs: round(history.initialObserveMs), criticalPathMs: round(run.direct.initialObserveMs) },
      waves: waveFigures(run),
      outsideActivitiesMs: { before: round(history.beforeFirstActivityMs), after: round(history.afterLastActivityMs) },
      cpuMs: { recovery: roundCpu(run.recovery.cpu), criticalPath: roundCpu(run.direct.cpu) },
      activities: { apply: round1(history.apply), observe: round1(history.observe) },
      workflowTasks: { count: history.workflowTasks, heldMs: round(history.workflowTaskMs) },
      timers: history.timers,
      rss: {
        sampleEveryMs: rssEveryMs,
        samples: rss.samples,
        maxGapMs: rss.maxGapMs,
        baselineMiB: mib(rss.baselineBytes),
        peakMiB: mib(rss.peakBytes),
        growthMiB: mib(rss.peakBytes - rss.baselineBytes),
        peakHeapUsedMiB: mib(rss.peakHeapUsedBytes),
        fleetPeakMiB: mib(run.fleetPeakRssBytes),
        atWorkerStartMiB: mib(measurement.rssAtWorkerStartBytes),
        peakPerRunMiB: runs.map((each) => mib(each.rss.peakBytes)),
        retainedHeapBeforeRunMiB: runs.every((each) => each.retainedHeapBeforeBytes !== null) ? runs.map((each) => mib(each.retainedHeapBeforeBytes ?? 0)) : null,
      },
      history: {
        events: history.events,
        eventsPerTarget: round(history.events / rollbackReplicas),
        sizeBytes: history.sizeBytes,
        largestPayloadBytes: history.largestPayload.bytes,
        largestPayload: history.largestPayload.what,
        resultBytes: history.resultBytes,
        activities: history.activities,
        eventsOfLimit: round(history.events / temporalLimits.historyEvents.error, 4),
        sizeOfLimit: round(history.sizeBytes / temporalLimits.historyBytes.error, 4),
        largestPayloadOfLimit: round(history.largestPayload.bytes / temporalLimits.payloadBytes.error, 4),
        limits: temporalLimits,
      },
      stepOutput: run.recovery.stepOutput,
    },
    singleCall: { observeMs: round(singleCall.observeMs), applyMs: round(singleCall.applyMs), samples: singleCall.samples },
    // The initial observe, then per wave a drift and a converge observe and its chunks one after another.
    modelBoundMs: round(singleCall.observeMs * (1 + 2 * waveTargets.length) + chunks * singleCall.applyMs),
    measuredAt: new Date().toISOString(),
    machine: machineInfo(),
  };
}

function row(label: string, cells: readonly string[]): string {
  return (label.padEnd(44) + cells.map((cell) => cell.padStart(14)).join('')).trimEnd();
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const percent = (share: number) => `${(share * 100).toFixed(2)} %`;

function formatTimes(times: ActivityTimes): string {
  return (
    `schedule→start median ${times.scheduleToStartMedianMs.toFixed(1)} / max ${times.scheduleToStartMaxMs.toFixed(1)} ms, ` +
    `start→close median ${times.startToCloseMedianMs.toFixed(1)} / p90 ${times.startToCloseP90Ms.toFixed(1)} / max ${times.startToCloseMaxMs.toFixed(1)} ms`
  );
}

export function formatRollbackReport(report: Rollback500Report): string {
  const { detail, machine } = report;
  const ms = (value: number) => value.toFixed(0);
  const cpuMs = (value: number | null) => (value === null ? 'n/a' : ms(value));
  const cpuRatio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '' : (a / b).toFixed(2));
  const { recovery: cpuRecovery, criticalPath: cpuDirect } = detail.cpuMs;
  const waves = report.waves.map((wave) => (typeof wave === 'number' ? String(wave) : `"${wave}"`)).join(', ');
  const lines = [
    `rollback500: staged rollback of ${report.targets} targets of ${report.service}, waves [${waves}] = ${report.waveTargets.join(' + ')} targets, maxUnavailable ${report.maxUnavailable} (${report.chunks} apply chunks in sequence)`,
    `${report.runs} measured run(s) after a warm-up (6 replicas, ${ms(report.warmupMs)} ms); details of run ${detail.run}; the fleet runs in a child process; replica list ${kib(report.replicaListBytes)}`,
    `${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAverage.join(' / ')}, Node ${machine.node}, ${machine.platform}, ${report.measuredAt}`,
    '',
    row('', ['recovery', 'critical path', 'ratio']),
    row('total: start → result (ms)', [ms(detail.totalMs), ms(detail.criticalPathMs), (detail.totalMs / detail.criticalPathMs).toFixed(2)]),
    row('  initial observe (ms)', [ms(detail.initialObserve.recoveryMs), ms(detail.initialObserve.criticalPathMs), '']),
    ...detail.waves.flatMap((wave, index) => [
      row(`  wave ${index + 1}: ${wave.targets} targets, ${wave.chunks} chunk(s) (ms)`, [ms(wave.recoveryMs), ms(wave.criticalPathMs), wave.ratio.toFixed(2)]),
      row('    of which applies (ms)', [ms(wave.recoveryApplyMs), ms(wave.criticalPathApplyMs), (wave.recoveryApplyMs / wave.criticalPathApplyMs).toFixed(2)]),
    ]),
    row('  outside activities: before / after (ms)', [`${ms(detail.outsideActivitiesMs.before)} / ${ms(detail.outsideActivitiesMs.after)}`, '', '']),
    row('overhead: recovery − critical path (ms)', [ms(report.overheadMs), '', '']),
    row('CPU, bench process: worker + client (ms)', [ms(cpuRecovery.bench), ms(cpuDirect.bench), cpuRatio(cpuRecovery.bench, cpuDirect.bench)]),
    row('CPU, Temporal dev server (ms)', [cpuMs(cpuRecovery.server), cpuMs(cpuDirect.server), '']),
    row('CPU, fleet process (ms)', [ms(cpuRecovery.fleet), ms(cpuDirect.fleet), cpuRatio(cpuRecovery.fleet, cpuDirect.fleet)]),
    row('CPU, the three processes (ms)', [cpuMs(cpuTotal(cpuRecovery)), cpuMs(cpuTotal(cpuDirect)), cpuRatio(cpuTotal(cpuRecovery), cpuTotal(cpuDirect))]),
  ];
  if (report.runs > 1) lines.push(row(`median of ${report.runs} runs, each column (ms)`, [ms(report.totalMs), ms(report.criticalPathMs), report.ratio.toFixed(2)]));
  const gaps = detail.waves.map((wave) => wave.chunkGapMedianMs).filter((gap): gap is number => gap !== null);
  lines.push(
    '',
    `one call alone (median of ${report.singleCall.samples}): observe of ${report.targets} ${report.singleCall.observeMs.toFixed(1)} ms, apply ${report.singleCall.applyMs.toFixed(1)} ms` +
      ` → naive bound ${ms(report.modelBoundMs)} ms (${1 + 2 * report.waveTargets.length} observes + ${report.chunks} chunks × one apply)`,
    `apply activities (${detail.activities.apply.count}, server clock): ${formatTimes(detail.activities.apply)}`,
    `observe activities (${detail.activities.observe.count}): ${formatTimes(detail.activities.observe)}`,
    `between chunks (last apply completed → next chunk scheduled), median per wave: ${gaps.length === 0 ? 'no second chunk' : gaps.map((gap) => `${gap.toFixed(0)} ms`).join(', ')}`,
    `workflow tasks: ${detail.workflowTasks.count}, held ${ms(detail.workflowTasks.heldMs)} ms in total; timers: ${detail.timers}; converge observes per wave: ${detail.waves.map((wave) => wave.convergeObserves).join(', ')}`,
    '',
    `bench process RSS (worker + client, every ${detail.rss.sampleEveryMs} ms, ${detail.rss.samples} samples, longest gap ${detail.rss.maxGapMs} ms): ` +
      `${detail.rss.baselineMiB} MiB before, peak ${detail.rss.peakMiB} MiB (+${detail.rss.growthMiB} MiB); peak heap used ${detail.rss.peakHeapUsedMiB} MiB; fleet process peak ${detail.rss.fleetPeakMiB} MiB` +
      `\n  ${detail.rss.atWorkerStartMiB} MiB when the worker had started; peak of each run: ${detail.rss.peakPerRunMiB.map((peak) => `${peak} MiB`).join(', ')}` +
      (detail.rss.retainedHeapBeforeRunMiB === null
        ? ''
        : `\n  heap in use after a full GC before each run (--expose-gc): ${detail.rss.retainedHeapBeforeRunMiB.map((heap) => `${heap} MiB`).join(', ')}`),
    `history: ${detail.history.events} events (${detail.history.eventsPerTarget} per target; ${percent(detail.history.eventsOfLimit)} of the ${temporalLimits.historyEvents.error} limit), ` +
      `${kib(detail.history.sizeBytes)} (${percent(detail.history.sizeOfLimit)} of 50 MiB), largest payload ${kib(detail.history.largestPayloadBytes)} (${detail.history.largestPayload}; ${percent(detail.history.largestPayloadOfLimit)} of 2 MiB); result ${kib(detail.history.resultBytes)}`,
    `step output: ${JSON.stringify(detail.stepOutput)}`,
    '',
  );
  return lines.join('\n');
}
