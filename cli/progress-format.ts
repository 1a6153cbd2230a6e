/**
 * Live progress of a running recovery (`--watch`): phase, steps with status symbols and
 * durations, per-target counts, findings, the RTO budget left. Each line has a slot, so the plain
 * (non-TTY) output can print a line only when its slot changed.
 */
import { formatDuration } from '../model/duration';
import type { ApprovalState, RecoveryState, StepState, TargetState } from '../model/recovery';

export const stepSymbols: Record<StepState['status'], string> = { pending: '·', running: '▶', succeeded: '✔', failed: '✘', skipped: '↷' };

export interface ProgressLine {
  /** What the line is about (`phase`, `step:<id>`, `targets:<step>`, `finding:<n>`, `budget`). */
  slot: string;
  text: string;
  /** Changes with the clock alone (a running duration, the budget): redrawn in a TTY, not re-printed as a plain line. */
  live?: boolean;
}

interface WaveProgress {
  wave: number;
  waves: number;
}

function waveOf(step: StepState): WaveProgress | undefined {
  const output = step.output as Partial<WaveProgress> | undefined;
  return typeof output?.wave === 'number' && typeof output.waves === 'number' ? { wave: output.wave, waves: output.waves } : undefined;
}

/** `rollback wave 2/3: 12/25 targets verified, 1 stuck` for a step acting on targets. */
function targetCountLine(step: StepState, targets: TargetState[]): string {
  const verified = targets.filter((target) => target.status === 'verified').length;
  const others = new Map<string, number>();
  for (const target of targets) {
    if (target.status !== 'verified' && target.status !== 'pending') others.set(target.status, (others.get(target.status) ?? 0) + 1);
  }
  const wave = waveOf(step);
  const where = wave ? `${step.id} wave ${wave.wave}/${wave.waves}` : step.id;
  const rest = [...others].map(([status, count]) => `, ${count} ${status}`).join('');
  return `${where}: ${verified}/${targets.length} targets verified${rest}`;
}

function stepText(step: StepState, now: number, live: boolean): string {
  const name = step.name && step.name !== step.id ? ` (${step.name})` : '';
  let took = '';
  if (step.durationMs !== undefined) took = ` ${formatDuration(step.durationMs)}`;
  else if (live && step.status === 'running' && step.startedAt !== undefined) took = ` ${formatDuration(now - Date.parse(step.startedAt))}`;
  const attempts = step.attempts > 1 ? ` (${step.attempts} ${step.kind === 'gate' ? 'polls' : 'attempts'})` : '';
  const error = step.error ? `  — ${step.error}` : '';
  const skip = step.skipRequest && step.status !== 'skipped' ? ` (skip requested by ${step.skipRequest.identity})` : '';
  return `${stepSymbols[step.status]} ${step.id} ${step.kind} ${step.status}${took}${attempts}${name}${skip}${error}`;
}

/** What a pending approval waits for: the operator should not need the runbook open to answer it. */
function approvalText(approval: ApprovalState): string {
  const approved = approval.answers.filter((answer) => answer.decision === 'approve').map((answer) => answer.identity);
  const soFar = approved.length > 0 ? ` (${approved.join(', ')})` : '';
  const message = approval.message ? `: ${approval.message}` : '';
  return `waiting for approval: ${approved.length} of ${approval.quorum}${soFar} from ${approval.approvers.join(', ')}, until ${approval.deadline.replace(/\.\d+Z$/, 'Z')}${message}`;
}

function budgetText(state: RecoveryState, now: number): string {
  // The workflow computes its budget at its own task times; between tasks the clock moves on, so count from the anchor.
  const anchor = Date.parse(state.timeline?.detectedAt ?? state.startedAt);
  const elapsed = Math.max(state.budget.elapsedMs, now - anchor);
  if (state.budget.rtoMs === undefined) return `elapsed ${formatDuration(elapsed)} (no RTO set)`;
  const left = Math.max(0, state.budget.rtoMs - elapsed);
  return `elapsed ${formatDuration(elapsed)}, RTO ${state.budget.rto}: ${left > 0 ? `${formatDuration(left)} left` : 'exceeded'}`;
}

/**
 * The progress lines of `state`. `live` adds clock-driven parts (running durations, budget) for
 * a TTY redraw; without it every line only changes when the recovery's state does.
 */
export function progressLines(state: RecoveryState, options: { live: boolean; now?: number }): ProgressLine[] {
  const now = options.now ?? Date.now();
  const lines: ProgressLine[] = [
    { slot: 'header', text: `recovery ${state.workflowId}  runbook ${state.runbook.name}  key ${state.key}` },
    { slot: 'phase', text: `phase: ${state.phase}${state.paused ? ' (paused: no new step starts until resumed)' : ''}` },
  ];
  if (options.live) lines.push({ slot: 'budget', text: budgetText(state, now), live: true });
  if (state.awaitingOperator) {
    const { step, error } = state.awaitingOperator;
    lines.push({ slot: 'held', text: `held: step ${step} failed (${error}); rebound retry|skip --step ${step}, or abort` });
  }
  for (const step of state.steps) {
    if (!options.live && step.status === 'pending') continue;
    lines.push({ slot: `step:${step.id}`, text: `  ${stepText(step, now, options.live)}`, live: step.status === 'running' });
    const approval = state.approvals.find((candidate) => candidate.step === step.id && candidate.status === 'pending');
    if (approval) {
      lines.push({ slot: `approval:${step.id}`, text: `      ${approvalText(approval)}` });
      lines.push({ slot: `answer:${step.id}`, text: `      answer: rebound approve|reject ${state.workflowId} --step ${approval.step}` });
    }
    const targets = state.targets.filter((target) => target.step === step.id);
    if (targets.length > 0) lines.push({ slot: `targets:${step.id}`, text: `      ${targetCountLine(step, targets)}` });
  }
  state.findings.forEach((finding, index) => {
    lines.push({ slot: `finding:${index}`, text: `  finding: ${finding.kind}${finding.target ? ` ${finding.target}` : ''}: ${finding.message}` });
  });
  state.compensations.forEach((undo, index) => {
    lines.push({ slot: `undo:${index}`, text: `  undo ${undo.step} (${undo.action}) ${undo.status}${undo.error ? `  — ${undo.error}` : ''}` });
  });
  return lines;
}
