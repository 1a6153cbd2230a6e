/**
 * The `rollback500` measurement: a staged rollback of 500 fleet targets run by the interpreter,
 * timed start → result while the bench process's RSS is sampled, then read back from its history
 * (per wave, per chunk, per activity); and the same rollback's critical path run directly against
 * the fleet, without Temporal, as the lower bound. See bench/README.md.
 */
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { prepareRecovery, startRecovery } from '../client/start-recovery';
import type { DeploymentsDriver, DriverCall, TargetObservation } from '../model/drivers';
import { durationMs } from '../model/duration';
import { formatProblem, parseRunbook, type LoadResult } from '../model/loader';
import type { RecoveryReport } from '../model/recovery';
import { sameDeployment, waveBoundaries } from '../model/rollback-plan';
import { eventMs, type HistoryEvent } from './measure';
import { median, percentile } from './stats';

/** The rollback step of the scenario: what the runbook says and what the direct run repeats. */
export const rollbackPlan = {
  /** Cumulative: a canary wave of one full chunk, then half the targets, then all of them. */
  waves: [50, '50%', '100%'] as Array<number | string>,
  /** Targets of a wave changed at once: the apply chunk size. */
  maxUnavailable: 50,
  convergeTimeout: '1m',
};

export function rollbackRunbookYaml(): string {
  const waves = rollbackPlan.waves.map((wave) => (typeof wave === 'number' ? String(wave) : `"${wave}"`)).join(', ');
  return [
    'apiVersion: rebound/v1',
    'kind: Runbook',
    'metadata:',
    '  name: bench-rollback',
    '  description: A staged rollback of every replica of a service, for the benchmark',
    'spec:',
    '  params:',
    '    run: { type: string, required: true }',
    '    service: { type: string, required: true }',
    '  key: "{{ params.service }}-{{ params.run }}"',
    '  timeout: 30m',
    '  steps:',
    '    - id: rollback',
    '      rollback:',
    '        service: "{{ params.service }}"',
    `        waves: [${waves}]`,
    `        maxUnavailable: ${rollbackPlan.maxUnavailable}`,
    '        onDrift: halt',
    `        convergeTimeout: ${rollbackPlan.convergeTimeout}`,
    '',
  ].join('\n');
}

export function loadRollbackRunbook(): Extract<LoadResult, { ok: true }> {
  const loaded = parseRunbook(rollbackRunbookYaml(), 'bench-rollback.yaml');
  if (!loaded.ok) throw new Error(`the benchmark's rollback runbook is invalid: ${loaded.problems.map(formatProblem).join('; ')}`);
  return loaded;
}

// --- the bench process's memory while a recovery runs ------------------------------------------

export interface RssFigures {
  /** RSS right before the start call. */
  baselineBytes: number;
  peakBytes: number;
  peakHeapUsedBytes: number;
  samples: number;
  /** The longest time between two samples: how long the main thread was busy at most (timer lag). */
  maxGapMs: number;
}

/** `process.memoryUsage()` every `everyMs`: the worker, its workflow threads, the client and SDK core all count. */
export function sampleRss(everyMs: number): { stop(): RssFigures } {
  const first = process.memoryUsage();
  const figures: RssFigures = { baselineBytes: first.rss, peakBytes: first.rss, peakHeapUsedBytes: first.heapUsed, samples: 1, maxGapMs: 0 };
  let last = performance.now();
  const sample = () => {
    const now = performance.now();
    figures.maxGapMs = Math.max(figures.maxGapMs, now - last);
    last = now;
    const usage = process.memoryUsage();
    figures.peakBytes = Math.max(figures.peakBytes, usage.rss);
    figures.peakHeapUsedBytes = Math.max(figures.peakHeapUsedBytes, usage.heapUsed);
    figures.samples += 1;
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { ...figures, maxGapMs: Math.round(figures.maxGapMs) };
    },
  };
}

// --- the recovery --------------------------------------------------------------------------------

export interface RecoveryRun {
  workflowId: string;
  /** Client start call → result, wall clock. */
  ms: number;
  report: RecoveryReport;
}

export async function runRollbackRecovery(
  client: Client,
  taskQueue: string,
  loaded: Extract<LoadResult, { ok: true }>,
  params: { run: string; service: string },
): Promise<RecoveryRun> {
  const input = prepareRecovery(loaded.runbook, loaded.hash, params, { source: 'bench' });
  const started = performance.now();
  const handle = await startRecovery(client, input, { taskQueue });
  const report = await handle.result();
  return { workflowId: handle.workflowId, ms: performance.now() - started, report };
}

// --- the critical path, without Temporal ---------------------------------------------------------

export type DeploymentActivities = Pick<DeploymentsDriver, 'deployments.observe' | 'deployments.apply'>;

export interface DirectWave {
  targets: number;
  chunks: number;
  /** The drift check's observe. */
  driftObserveMs: number;
  /** First apply sent → last apply answered, chunks one after another. */
  applyMs: number;
  chunkMs: number[];
  /** Observes until every target runs the goal and is healthy (1 when the fleet converges at once). */
  convergeObserves: number;
  convergeMs: number;
  totalMs: number;
}

export interface DirectRun {
  /** The first observe (every target, to find the goals and what is pending). */
  initialObserveMs: number;
  waves: DirectWave[];
  /** initialObserveMs + the waves: the lower bound. */
  totalMs: number;
}

/**
 * The rollback executor's calls (workflows/steps/rollback.ts) made directly: the same activity
 * functions, in the same order, with the same concurrency (a chunk's applies at once, chunks and
 * waves one after another), run in a mock activity context instead of by a worker. No workflow
 * tasks, no activity scheduling, no history: what the waves take if Temporal's actions were free.
 */
export async function directRollback(activities: DeploymentActivities, service: string, run: string): Promise<DirectRun> {
  const environment = new MockActivityEnvironment({ activityType: 'bench-direct' });
  const call = <Input>(input: Input, idempotencyKey?: string): DriverCall<Input> => ({ input, idempotencyKey, runbook: 'bench-direct', step: 'rollback' });
  const observe = (targets?: string[]): Promise<TargetObservation[]> => environment.run(activities['deployments.observe'], call({ service, targets }));
  const timed = async <T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> => {
    const started = performance.now();
    const result = await work();
    return { ms: performance.now() - started, result };
  };

  const initial = await timed(() => observe());
  const all = initial.result;
  const desired = new Map(all.map((target) => [target.target, target.previous]));
  const done = (target: TargetObservation) => sameDeployment(target.observed, desired.get(target.target)) && target.healthy;
  const pending = all.filter((target) => !done(target));
  const boundaries = waveBoundaries(rollbackPlan.waves, pending.length);
  const waves: DirectWave[] = [];
  for (const [index, end] of boundaries.entries()) {
    const wave = pending.slice(boundaries[index - 1] ?? 0, end);
    const ids = wave.map((target) => target.target);
    const waveStarted = performance.now();
    const drift = await timed(() => observe(ids));
    const drifted = drift.result.filter((target) => !sameDeployment(target.observed, target.recorded));
    if (drifted.length > 0) throw new Error(`direct rollback: drift on ${drifted.length} target(s) before wave ${index + 1}`);
    const chunkMs: number[] = [];
    const applyStarted = performance.now();
    for (let start = 0; start < wave.length; start += rollbackPlan.maxUnavailable) {
      const chunk = await timed(() =>
        Promise.all(
          wave.slice(start, start + rollbackPlan.maxUnavailable).map((target) => {
            const input = { service, target: target.target, desired: desired.get(target.target) as NonNullable<TargetObservation['previous']> };
            return environment.run(activities['deployments.apply'], call(input, `bench-direct/${run}/${target.target}/apply`));
          }),
        ),
      );
      chunkMs.push(chunk.ms);
    }
    const applyMs = performance.now() - applyStarted;
    const convergeStarted = performance.now();
    const deadline = Date.now() + durationMs(rollbackPlan.convergeTimeout);
    let convergeObserves = 0;
    for (;;) {
      convergeObserves += 1;
      const observed = await observe(ids);
      if (observed.every(done)) break;
      if (Date.now() + 1000 > deadline) throw new Error(`direct rollback: wave ${index + 1} did not converge`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const convergeMs = performance.now() - convergeStarted;
    waves.push({ targets: wave.length, chunks: chunkMs.length, driftObserveMs: drift.ms, applyMs, chunkMs, convergeObserves, convergeMs, totalMs: performance.now() - waveStarted });
  }
  return { initialObserveMs: initial.ms, waves, totalMs: initial.ms + waves.reduce((sum, wave) => sum + wave.totalMs, 0) };
}

export interface SingleCallTimes {
  /** One observe of every target, alone (median). */
  observeMs: number;
  /** One apply, alone (median). */
  applyMs: number;
  samples: number;
}

/** One call at a time, `samples` of each: what a call costs when nothing else runs (changes the fleet: reset after). */
export async function singleCallTimes(activities: DeploymentActivities, service: string, targets: string[], samples: number): Promise<SingleCallTimes> {
  const environment = new MockActivityEnvironment({ activityType: 'bench-probe' });
  const call = <Input>(input: Input, idempotencyKey?: string): DriverCall<Input> => ({ input, idempotencyKey, runbook: 'bench-probe', step: 'probe' });
  const observeMs: number[] = [];
  const applyMs: number[] = [];
  for (let index = 0; index < samples; index++) {
    let started = performance.now();
    await environment.run(activities['deployments.observe'], call({ service }));
    observeMs.push(performance.now() - started);
    const target = targets[index % targets.length] as string;
    started = performance.now();
    await environment.run(activities['deployments.apply'], call({ service, target, desired: { version: 'v1', config: { mode: 'normal' } } }, `bench-probe/${index}`));
    applyMs.push(performance.now() - started);
  }
  return { observeMs: median(observeMs), applyMs: median(applyMs), samples };
}

// --- the recovery's history ----------------------------------------------------------------------

export interface HistoryWave {
  targets: number;
  chunks: number;
  /** Drift observe scheduled → last converge observe completed (server clock). */
  totalMs: number;
  /** Scheduled → completed. */
  driftObserveMs: number;
  /** First apply scheduled → last apply completed. */
  applyMs: number;
  /** Per chunk (maxUnavailable applies in schedule order): first scheduled → last completed. */
  chunkMs: number[];
  /** Last apply of a chunk completed → first apply of the next scheduled: the workflow task in between. */
  chunkGapMs: number[];
  convergeObserves: number;
  /** First converge observe scheduled → last completed. */
  convergeMs: number;
}

export interface ActivityTimes {
  count: number;
  /** Scheduled → started: waiting for the server to hand the task to the worker (and for a free slot). */
  scheduleToStartMedianMs: number;
  scheduleToStartMaxMs: number;
  /** Started → completed: the activity running in the worker, plus reporting its result. */
  startToCloseMedianMs: number;
  startToCloseP90Ms: number;
  startToCloseMaxMs: number;
}

export interface RollbackHistory {
  events: number;
  /** The server's figure (DescribeWorkflowExecution): what the 50 MB limit is checked against. */
  sizeBytes: number;
  workflowTasks: number;
  /** Sum of workflow task started → completed. */
  workflowTaskMs: number;
  timers: number;
  activities: Record<string, number>;
  /** Workflow started → first activity scheduled. */
  beforeFirstActivityMs: number;
  initialObserveMs: number;
  waves: HistoryWave[];
  /** Last activity completed → workflow completed (building and returning the report). */
  afterLastActivityMs: number;
  apply: ActivityTimes;
  observe: ActivityTimes;
  /** The largest single payload (activity input or result, workflow input or result), and which it is. */
  largestPayload: { bytes: number; what: string };
  /** The workflow's result: the report, with the state of every target. */
  resultBytes: number;
}

interface ActivityCall {
  type: string;
  scheduledMs: number;
  startedMs: number;
  completedMs: number;
}

function payloadBytes(payloads: { payloads?: Array<{ data?: Uint8Array | null }> | null } | null | undefined): number {
  return (payloads?.payloads ?? []).reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);
}

function activityTimes(calls: readonly ActivityCall[]): ActivityTimes {
  const toStart = calls.map((call) => call.startedMs - call.scheduledMs);
  const toClose = calls.map((call) => call.completedMs - call.startedMs);
  return {
    count: calls.length,
    scheduleToStartMedianMs: median(toStart),
    scheduleToStartMaxMs: Math.max(...toStart),
    startToCloseMedianMs: median(toClose),
    startToCloseP90Ms: percentile(toClose, 90),
    startToCloseMaxMs: Math.max(...toClose),
  };
}

const span = (calls: readonly ActivityCall[]) => Math.max(...calls.map((call) => call.completedMs)) - Math.min(...calls.map((call) => call.scheduledMs));

/**
 * Reads a successful rollback's history. The activities in schedule order are: the initial
 * observe; then per wave a drift observe, the wave's applies, and one or more converge observes
 * (a timer between two). `waveTargets` (from waveBoundaries) says how many applies each wave has.
 */
export async function rollbackHistory(client: Client, workflowId: string, waveTargets: readonly number[]): Promise<RollbackHistory> {
  const handle = client.workflow.getHandle(workflowId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  const events: HistoryEvent[] = history.events ?? [];
  const byId = new Map<number, ActivityCall>();
  const calls: ActivityCall[] = [];
  const activities: Record<string, number> = {};
  let workflowTasks = 0;
  let workflowTaskMs = 0;
  let taskStartedMs = 0;
  let timers = 0;
  let resultBytes = 0;
  const largestPayload = { bytes: 0, what: 'none' };
  const note = (bytes: number, what: string) => {
    if (bytes > largestPayload.bytes) Object.assign(largestPayload, { bytes, what });
  };
  for (const event of events) {
    const at = eventMs(event);
    const id = Number(event.eventId ?? 0);
    if (event.workflowTaskStartedEventAttributes) taskStartedMs = at;
    if (event.workflowTaskCompletedEventAttributes) {
      workflowTasks++;
      workflowTaskMs += at - taskStartedMs;
    }
    if (event.timerStartedEventAttributes) timers++;
    if (event.workflowExecutionStartedEventAttributes) note(payloadBytes(event.workflowExecutionStartedEventAttributes.input), 'the workflow input');
    if (event.workflowExecutionCompletedEventAttributes) {
      resultBytes = payloadBytes(event.workflowExecutionCompletedEventAttributes.result);
      note(resultBytes, 'the workflow result (the report)');
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? 'unknown';
      activities[type] = (activities[type] ?? 0) + 1;
      note(payloadBytes(scheduled.input), `a ${type} input`);
      const call = { type, scheduledMs: at, startedMs: Number.NaN, completedMs: Number.NaN };
      byId.set(id, call);
      calls.push(call);
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const call = byId.get(Number(started.scheduledEventId ?? 0));
      if (call) call.startedMs = at;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const call = byId.get(Number(completed.scheduledEventId ?? 0));
      note(payloadBytes(completed.result), `a ${call?.type ?? 'activity'} result`);
      if (call) call.completedMs = at;
    }
  }
  if (calls.some((call) => Number.isNaN(call.completedMs))) throw new Error(`${workflowId}: an activity did not complete`);

  // Segment: [initial observe] then per wave [drift observe, applies..., converge observes...].
  const [initial, ...rest] = calls;
  if (initial?.type !== 'deployments.observe') throw new Error(`${workflowId}: the first activity is not an observe`);
  const waves: HistoryWave[] = [];
  let cursor = 0;
  for (const [index, targets] of waveTargets.entries()) {
    const drift = rest[cursor];
    const applies = rest.slice(cursor + 1, cursor + 1 + targets);
    cursor += 1 + targets;
    // Every observe up to the next wave's drift observe (the one right before its applies) converges this one.
    const isLast = index === waveTargets.length - 1;
    let convergeEnd = cursor;
    while (convergeEnd < rest.length && rest[convergeEnd]?.type === 'deployments.observe') convergeEnd++;
    if (!isLast) convergeEnd--;
    const converge = rest.slice(cursor, convergeEnd);
    cursor = convergeEnd;
    if (drift?.type !== 'deployments.observe' || applies.length !== targets || applies.some((call) => call.type !== 'deployments.apply') || converge.length === 0) {
      throw new Error(`${workflowId}: wave ${index + 1}'s activities are not observe, ${targets} applies, observe(s)`);
    }
    const chunks: ActivityCall[][] = [];
    for (let start = 0; start < applies.length; start += rollbackPlan.maxUnavailable) chunks.push(applies.slice(start, start + rollbackPlan.maxUnavailable));
    const lastConverge = converge.at(-1) as ActivityCall;
    waves.push({
      targets,
      chunks: chunks.length,
      totalMs: lastConverge.completedMs - drift.scheduledMs,
      driftObserveMs: drift.completedMs - drift.scheduledMs,
      applyMs: span(applies),
      chunkMs: chunks.map(span),
      chunkGapMs: chunks.slice(1).map((chunk, at) => Math.min(...chunk.map((call) => call.scheduledMs)) - Math.max(...(chunks[at] as ActivityCall[]).map((call) => call.completedMs))),
      convergeObserves: converge.length,
      convergeMs: span(converge),
    });
  }
  if (cursor !== rest.length) throw new Error(`${workflowId}: ${rest.length - cursor} activities after the last wave`);

  const firstMs = eventMs(events[0] as HistoryEvent);
  const lastMs = eventMs(events.at(-1) as HistoryEvent);
  return {
    events: events.length,
    sizeBytes: description.historySize ?? 0,
    workflowTasks,
    workflowTaskMs,
    timers,
    activities,
    beforeFirstActivityMs: initial.scheduledMs - firstMs,
    initialObserveMs: initial.completedMs - initial.scheduledMs,
    waves,
    afterLastActivityMs: lastMs - Math.max(...calls.map((call) => call.completedMs)),
    apply: activityTimes(calls.filter((call) => call.type === 'deployments.apply')),
    observe: activityTimes(calls.filter((call) => call.type === 'deployments.observe')),
    largestPayload,
    resultBytes,
  };
}
