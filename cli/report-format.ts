/** Human output of recovery state and reports (the `--json` output is the objects themselves). */
import { formatDuration } from '../model/duration';
import type { RecoveryReport, RecoveryState, StepStatus } from '../model/recovery';

const symbols: Record<StepStatus, string> = { pending: '·', running: '▶', succeeded: '✔', failed: '✘', skipped: '↷' };

function stepLines(state: RecoveryState): string[] {
  return state.steps.map((step) => {
    const took = step.durationMs === undefined ? '' : ` ${formatDuration(step.durationMs)}`;
    const attempts = step.attempts > 1 ? ` (${step.attempts} ${step.kind === 'gate' ? 'polls' : 'attempts'})` : '';
    const error = step.error ? `  — ${step.error}` : '';
    return `  ${symbols[step.status]} ${step.id.padEnd(20)} ${step.kind.padEnd(11)} ${step.status}${took}${attempts}${error}`;
  });
}

function compensationLines(state: RecoveryState): string[] {
  if (state.compensations.length === 0) return [];
  return [
    'compensations (reverse order):',
    ...state.compensations.map((undo) => `  ${undo.status === 'succeeded' ? '✔' : undo.status === 'failed' ? '✘' : '▶'} undo ${undo.step} (${undo.action}) ${undo.status}${undo.error ? `  — ${undo.error}` : ''}`),
  ];
}

function budgetLine(state: RecoveryState): string {
  const { budget } = state;
  const elapsed = `elapsed ${formatDuration(budget.elapsedMs)}`;
  if (budget.rtoMs === undefined) return `time: ${elapsed} (no RTO set)`;
  return `time: ${elapsed} of RTO ${budget.rto}, ${formatDuration(budget.remainingMs ?? 0)} left`;
}

export function formatState(state: RecoveryState): string {
  return [
    `recovery ${state.workflowId}  runbook ${state.runbook.name}  key ${state.key}`,
    `phase: ${state.phase}`,
    budgetLine(state),
    'steps:',
    ...stepLines(state),
    ...compensationLines(state),
  ].join('\n');
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
