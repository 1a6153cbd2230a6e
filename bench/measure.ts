/**
 * The measurement: the interpreter and the hand-written workflow run the same `noop` steps on the
 * same worker, interleaved, and each run is timed from the client's start call to its result.
 */
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { prepareRecovery, startRecovery } from '../client/start-recovery';
import { formatProblem, parseRunbook } from '../model/loader';
import type { handwrittenNoops } from './handwritten-workflow';

export const variants = ['interpreter', 'handwritten'] as const;
export type Variant = (typeof variants)[number];

/** A full-length run, and a 1-step run that shows what a workflow costs before its steps. */
const lengths = ['full', 'oneStep'] as const;
type Length = (typeof lengths)[number];

/** One run: start call → result. */
export interface RunSample {
  /** Wall-clock milliseconds. */
  ms: number;
  /** CPU milliseconds of this process meanwhile: client, worker (workflow and activity) and SDK core threads. */
  cpuMs: number;
}

/** Runs one workflow to its result. */
type Runner = (run: string) => Promise<RunSample & { workflowId: string }>;

export type Samples = Record<Variant, Record<Length, RunSample[]>>;

export interface Measurement {
  /** Each measured run (warm-up runs are not kept). */
  samples: Samples;
  /** The measured full-length runs of each variant, in order, for looking at their histories. */
  workflowIds: Record<Variant, string[]>;
}

export interface MeasureOptions {
  steps: number;
  rounds: number;
  warmupRounds: number;
  /** Checked between runs: a run already started is finished first. */
  signal: AbortSignal;
  progress(line: string): void;
}

/** YAML of a runbook of `steps` noop actions, each with the input the hand-written workflow sends. */
export function noopRunbookYaml(steps: number): string {
  const lines = [
    'apiVersion: rebound/v1',
    'kind: Runbook',
    'metadata:',
    `  name: bench-noop-${steps}`,
    `  description: ${steps} noop actions in sequence, for the benchmark`,
    'spec:',
    '  params:',
    '    run: { type: string, required: true }',
    '  key: "{{ params.run }}"',
    '  steps:',
  ];
  for (let index = 1; index <= steps; index++) {
    lines.push(`    - id: step-${index}`, '      action:', '        name: noop', `        with: { output: { step: ${index} } }`);
  }
  return `${lines.join('\n')}\n`;
}

function startTimer(): { stop(): RunSample } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    stop() {
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return { ms, cpuMs: (used.user + used.system) / 1000 };
    },
  };
}

/** The interpreter the way the CLI starts it: YAML validated by the loader, then `startRecovery`. */
function interpreterRunner(client: Client, taskQueue: string, steps: number): Runner {
  const file = `bench-noop-${steps}.yaml`;
  const loaded = parseRunbook(noopRunbookYaml(steps), file);
  if (!loaded.ok) throw new Error(`the benchmark's runbook is invalid: ${loaded.problems.map(formatProblem).join('; ')}`);
  return async (run) => {
    const input = prepareRecovery(loaded.runbook, loaded.hash, { run }, { source: 'bench' });
    const timer = startTimer();
    const handle = await startRecovery(client, input, { taskQueue });
    const report = await handle.result();
    const sample = timer.stop();
    if (report.outcome !== 'recovered') throw new Error(`${handle.workflowId} ended ${report.outcome}: ${report.error ?? 'no error recorded'}`);
    return { ...sample, workflowId: handle.workflowId };
  };
}

function handwrittenRunner(client: Client, taskQueue: string, steps: number): Runner {
  return async (run) => {
    const timer = startTimer();
    const handle = await client.workflow.start<typeof handwrittenNoops>('handwrittenNoops', {
      workflowId: `bench-handwritten-${steps}/${run}`,
      taskQueue,
      args: [steps],
    });
    const outputs = await handle.result();
    const sample = timer.stop();
    if (outputs.length !== steps) throw new Error(`${handle.workflowId} made ${outputs.length} calls instead of ${steps}`);
    return { ...sample, workflowId: handle.workflowId };
  };
}

/**
 * Warm-up rounds, then measured rounds. A round runs interpreter and hand-written alternately
 * (full length, then 1 step), so drift on a shared machine hits both variants alike.
 */
export async function measure(client: Client, taskQueue: string, options: MeasureOptions): Promise<Measurement> {
  const runners: Record<Variant, Record<Length, Runner>> = {
    interpreter: { full: interpreterRunner(client, taskQueue, options.steps), oneStep: interpreterRunner(client, taskQueue, 1) },
    handwritten: { full: handwrittenRunner(client, taskQueue, options.steps), oneStep: handwrittenRunner(client, taskQueue, 1) },
  };
  const samples: Samples = { interpreter: { full: [], oneStep: [] }, handwritten: { full: [], oneStep: [] } };
  const workflowIds: Record<Variant, string[]> = { interpreter: [], handwritten: [] };
  const totalRounds = options.warmupRounds + options.rounds;
  for (let round = 1; round <= totalRounds; round++) {
    const warmup = round <= options.warmupRounds;
    const times: string[] = [];
    for (const length of lengths) {
      for (const variant of variants) {
        options.signal.throwIfAborted();
        const { workflowId, ...sample } = await runners[variant][length](`round-${round}`);
        times.push(`${variant}${length === 'oneStep' ? ' 1-step' : ''} ${sample.ms.toFixed(1)} ms`);
        if (warmup) continue;
        samples[variant][length].push(sample);
        if (length === 'full') workflowIds[variant].push(workflowId);
      }
    }
    const label = warmup ? `warm-up ${round}/${options.warmupRounds}` : `round ${round - options.warmupRounds}/${options.rounds}`;
    options.progress(`${label}: ${times.join(', ')}`);
  }
  return { samples, workflowIds };
}

/** What a run asked of Temporal, read from its history after the timing. */
export interface HistoryShape {
  events: number;
  /** Each one a round trip to the worker. */
  workflowTasks: number;
  /** Sum of workflow task started → completed, by the server's clock: the time the worker held the run's tasks. */
  workflowTaskMs: number;
}

export type HistoryEvent = NonNullable<History['events']>[number];

export function eventMs(event: HistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
}

export async function historyShape(client: Client, workflowId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  let workflowTasks = 0;
  let workflowTaskMs = 0;
  let taskStartedMs = 0;
  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes) taskStartedMs = eventMs(event);
    if (event.workflowTaskCompletedEventAttributes) {
      workflowTasks++;
      workflowTaskMs += eventMs(event) - taskStartedMs;
    }
  }
  return { events: events.length, workflowTasks, workflowTaskMs };
}
