/** Human output of recovery state and reports (the `--json` output is the objects themselves). */
import { formatDuration } from '../model/duration';
import type { RecoveryReport, RecoveryState } from '../model/recovery';
import { progressLines, stepSymbols } from './progress-format';

function stepLines(state: RecoveryState): string[] {
  return state.steps.map((step) => {
    const took = step.durationMs === undefined ? '' : ` ${formatDuration(step.durationMs)}`;
    const attempts = step.attempts > 1 ? ` (${step.attempts} ${step.kind === 'gate' ? 'polls' : 'attempts'})` : '';
    const error = step.error ? `  — ${step.error}` : '';
    return `  ${stepSymbols[step.status]} ${step.id.padEnd(20)} ${step.kind.padEnd(11)} ${step.status}${took}${attempts}${error}`;
  });
}

function compensationLines(state: RecoveryState): string[] {
  if (state.compensations.length === 0) return [];
  return [
    'compensations (reverse order):',
    ...state.compensations.map((undo) => `  ${undo.status === 'succeeded' ? '✔' : undo.status === 'failed' ? '✘' : '▶'} undo ${undo.step} (${undo.action}) ${undo.status}${undo.error ? `  — ${undo.error}` : ''}`),
  ];
}

/** A running recovery as of its last `state` answer: the live progress view (see progress-format.ts). */
export function formatState(state: RecoveryState): string {
  return progressLines(state, { live: true }).map((line) => line.text).join('\n');
}

export function formatReport(report: RecoveryReport): string {
  const rto = report.rtoMet === undefined ? '' : report.rtoMet ? ` (within RTO ${report.budget.rto})` : ` (RTO ${report.budget.rto} missed)`;
  return [
    `recovery ${report.workflowId}  runbook ${report.runbook.name}  key ${report.key}`,
    `outcome: ${report.outcome}${report.error ? `: ${report.error}` : ''}`,
    `time to recover: ${formatDuration(report.timeToRecoverMs)}${rto}`,
    'steps:',
    ...stepLines(report),
    ...compensationLines(report),
  ].join('\n');
}
