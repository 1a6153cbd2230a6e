/** The figures of a benchmark run: one JSON object for scripts, a small table for people. */
import os from 'node:os';
import type { HistoryShape, Measurement, Variant } from './measure';
import { median, percentile, round } from './stats';

/** The goal: the interpreter costs at most 1.2× a hand-written workflow per step. */
export const target = 1.2;

export interface VariantFigures {
  /** Median time of a full-length run, client start call → result. */
  medianMs: number;
  p90Ms: number;
  /** medianMs / steps: everything the run cost, spread over its steps. */
  perStepMs: number;
  /** Median time of a 1-step run. */
  oneStepMedianMs: number;
  /** (medianMs − oneStepMedianMs) / (steps − 1): the cost of one more step, without the fixed start and end. */
  marginalPerStepMs: number;
  /** Median CPU time of this process (client + worker) during a full-length run, over steps: the worker's side of the cost. */
  cpuPerStepMs: number;
  /** Median over the measured full-length runs of the time the worker held workflow tasks, over steps (server clock). */
  workflowTaskPerStepMs: number;
  /** Events and workflow tasks of a full-length run (the same for every run of a variant). */
  history: Omit<HistoryShape, 'workflowTaskMs'>;
}

export interface BenchReport {
  steps: number;
  rounds: number;
  interpreter: VariantFigures;
  handwritten: VariantFigures;
  /** interpreter.medianMs / handwritten.medianMs (the same as the ratio of perStepMs). */
  ratio: number;
  target: number;
  withinTarget: boolean;
  /** The median over rounds of each round's interpreter / hand-written run: drift that hits one round cancels out. */
  pairedRatio: number;
  /** interpreter.marginalPerStepMs / handwritten.marginalPerStepMs. */
  marginalRatio: number;
  /** interpreter.cpuPerStepMs / handwritten.cpuPerStepMs. */
  cpuRatio: number;
  /** interpreter.workflowTaskPerStepMs / handwritten.workflowTaskPerStepMs. */
  workflowTaskRatio: number;
  warmupRounds: number;
  measuredAt: string;
  /** loadAverage: 1, 5 and 15 minutes, when the last run ended (other work on the machine slows the server). */
  machine: MachineInfo;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  loadAverage: number[];
}

/** The machine, and its load now. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((load) => round(load)),
  };
}

function figures(measurement: Measurement, variant: Variant, steps: number, histories: readonly HistoryShape[]): VariantFigures {
  const { full, oneStep } = measurement.samples[variant];
  const fullMs = full.map((sample) => sample.ms);
  const medianMs = median(fullMs);
  const oneStepMedianMs = median(oneStep.map((sample) => sample.ms));
  const cpuMedianMs = median(full.map((sample) => sample.cpuMs));
  return {
    medianMs: round(medianMs),
    p90Ms: round(percentile(fullMs, 90)),
    perStepMs: round(medianMs / steps),
    oneStepMedianMs: round(oneStepMedianMs),
    marginalPerStepMs: round((medianMs - oneStepMedianMs) / (steps - 1)),
    cpuPerStepMs: round(cpuMedianMs / steps),
    workflowTaskPerStepMs: round(median(histories.map((history) => history.workflowTaskMs)) / steps),
    history: { events: histories[0]?.events ?? 0, workflowTasks: histories[0]?.workflowTasks ?? 0 },
  };
}

export function buildReport(
  measurement: Measurement,
  histories: Record<Variant, readonly HistoryShape[]>,
  settings: { steps: number; rounds: number; warmupRounds: number },
): BenchReport {
  const { steps, rounds, warmupRounds } = settings;
  const interpreter = figures(measurement, 'interpreter', steps, histories.interpreter);
  const handwritten = figures(measurement, 'handwritten', steps, histories.handwritten);
  const runsMs = (variant: Variant) => measurement.samples[variant].full.map((sample) => sample.ms);
  const handwrittenMs = runsMs('handwritten');
  const ratio = median(runsMs('interpreter')) / median(handwrittenMs);
  // Both variants ran once in every measured round, so index i of each is the same round.
  const roundRatios = runsMs('interpreter').map((ms, index) => ms / (handwrittenMs[index] ?? Number.NaN));
  return {
    steps,
    rounds,
    interpreter,
    handwritten,
    ratio: round(ratio, 3),
    target,
    withinTarget: ratio <= target,
    pairedRatio: round(median(roundRatios), 3),
    marginalRatio: round(interpreter.marginalPerStepMs / handwritten.marginalPerStepMs, 3),
    cpuRatio: round(interpreter.cpuPerStepMs / handwritten.cpuPerStepMs, 3),
    workflowTaskRatio: round(interpreter.workflowTaskPerStepMs / handwritten.workflowTaskPerStepMs, 3),
    warmupRounds,
    measuredAt: new Date().toISOString(),
    machine: machineInfo(),
  };
}

function row(label: string, cells: readonly string[]): string {
  return (label.padEnd(40) + cells.map((cell) => cell.padStart(14)).join('')).trimEnd();
}

export function formatReport(report: BenchReport): string {
  const { machine, interpreter: i, handwritten: h } = report;
  const ms = (value: number) => value.toFixed(2);
  const ratio = (value: number) => value.toFixed(3);
  return [
    `${report.steps} noop steps per run; ${report.rounds} measured rounds after ${report.warmupRounds} warm-up, interpreter and hand-written interleaved`,
    `${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAverage.join(' / ')}, Node ${machine.node}, ${machine.platform}, ${report.measuredAt}`,
    '',
    row('', ['interpreter', 'hand-written', 'ratio']),
    row('run, median (ms)', [ms(i.medianMs), ms(h.medianMs), ratio(report.ratio)]),
    row('run, p90 (ms)', [ms(i.p90Ms), ms(h.p90Ms), '']),
    row(`per step: median run / ${report.steps} (ms)`, [ms(i.perStepMs), ms(h.perStepMs), ratio(report.ratio)]),
    row('1-step run, median (ms)', [ms(i.oneStepMedianMs), ms(h.oneStepMedianMs), '']),
    row('marginal step (ms)', [ms(i.marginalPerStepMs), ms(h.marginalPerStepMs), ratio(report.marginalRatio)]),
    row('CPU per step, client + worker (ms)', [ms(i.cpuPerStepMs), ms(h.cpuPerStepMs), ratio(report.cpuRatio)]),
    row('workflow task time per step (ms)', [ms(i.workflowTaskPerStepMs), ms(h.workflowTaskPerStepMs), ratio(report.workflowTaskRatio)]),
    row('history events', [String(i.history.events), String(h.history.events), '']),
    row('workflow tasks', [String(i.history.workflowTasks), String(h.history.workflowTasks), '']),
    row("median of the rounds' run ratios", ['', '', ratio(report.pairedRatio)]),
    '',
    `target: interpreter ≤ ${report.target}× hand-written per step (median run): ${report.withinTarget ? 'met' : 'NOT met'} (${ratio(report.ratio)})`,
    '',
  ].join('\n');
}
