/**
 * Rebound's metrics from workflow code. The SDK's workflow metric meter does not emit while a
 * workflow replays, so a recovery counts once however often a worker replays its history, and
 * emitting adds nothing to the history (replay and determinism are unaffected).
 */
import { isCancellation, metricMeter } from '@temporalio/workflow';
import { reboundMetrics } from '../model/metrics';
import type { FindingKind, Phase, RecoveryReport } from '../model/recovery';

// Instruments are created per use: the meter may only be touched inside a workflow context.
const counter = (name: string, description: string) => metricMeter.createCounter(name, undefined, description);
const histogram = (name: string, description: string) => metricMeter.createHistogram(name, 'float', 's', description);

const progressed = (runbook: string) =>
  metricMeter.createGauge(reboundMetrics.lastPhaseChange, 'int', 's', 'Unix time of the latest start or phase change of a recovery').set(Math.floor(Date.now() / 1000), { runbook });

export function recoveryStarted(runbook: string, trigger: string | undefined): void {
  counter(reboundMetrics.recoveriesStarted, 'Recoveries started').add(1, { runbook, trigger: trigger ?? 'unknown' });
  progressed(runbook);
}

export function recoveryFinished(report: RecoveryReport): void {
  const runbook = report.runbook.name;
  const rtoMet = report.rtoMet === undefined ? 'none' : String(report.rtoMet);
  counter(reboundMetrics.recoveriesFinished, 'Recoveries ended, by outcome').add(1, { runbook, outcome: report.outcome, rto_met: rtoMet });
  histogram(reboundMetrics.timeToRecover, 'Seconds from start to end of a recovery').record(report.timeToRecoverMs / 1000, { runbook, outcome: report.outcome });
}

export function phaseEntered(runbook: string, phase: Phase): void {
  counter(reboundMetrics.phaseTransitions, 'Phase changes of recoveries').add(1, { runbook, phase });
  progressed(runbook);
}

export function compensationEnded(runbook: string, status: 'succeeded' | 'failed'): void {
  counter(reboundMetrics.compensations, 'Undos run during compensation').add(1, { runbook, status });
}

export function findingRecorded(runbook: string, kind: FindingKind): void {
  counter(reboundMetrics.findings, 'Findings recorded by recoveries').add(1, { runbook, kind });
}

/** Runs one step, recording its duration and outcome (and attempts when it succeeds) under its kind. */
export async function measuredStep<T extends { attempts: number }>(kind: string, execute: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const record = (status: string) =>
    histogram(reboundMetrics.stepDuration, 'Seconds a step took').record((Date.now() - started) / 1000, { step_kind: kind, status });
  try {
    const outcome = await execute();
    record('succeeded');
    counter(reboundMetrics.stepAttempts, 'Activity attempts or polls of succeeded steps').add(outcome.attempts, { step_kind: kind });
    return outcome;
  } catch (error) {
    record(isCancellation(error) ? 'cancelled' : 'failed');
    throw error;
  }
}
