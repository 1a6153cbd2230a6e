/**
 * `rebound report`: a recovery as Markdown, for a postmortem or a ticket. Works on a running
 * recovery's state (a partial report) and on a finished one's report; renders whatever parts the
 * recovery recorded.
 */
import { formatDuration } from '../model/duration';
import type { OperatorAct, RecoveryReport, RecoveryState, RecoveryTimeline } from '../model/recovery';
import { formatTimestamp } from './table';

const moments: { field: keyof RecoveryTimeline; label: string }[] = [
  { field: 'detectedAt', label: 'detected' },
  { field: 'receivedAt', label: 'alert received' },
  { field: 'startedAt', label: 'recovery started' },
  { field: 'firstMitigationAt', label: 'first mitigation' },
  { field: 'verifiedAt', label: 'verified' },
  { field: 'soakedAt', label: 'soaked' },
  { field: 'endedAt', label: 'ended' },
];

/** The compact text timeline: one moment per line with the interval since the previous one. */
export function timelineLines(timeline: RecoveryTimeline | undefined, startedAt: string): string[] {
  const recorded = { startedAt, ...timeline };
  const present = moments.filter(({ field }) => recorded[field] !== undefined);
  const width = Math.max(...present.map(({ label }) => label.length));
  return present.map(({ field, label }, index) => {
    const at = recorded[field] as string;
    const previous = index === 0 ? undefined : (recorded[present[index - 1]!.field] as string);
    const interval = previous === undefined ? '' : `  +${formatDuration(Math.max(0, Date.parse(at) - Date.parse(previous)))}`;
    return `${formatTimestamp(at)}  ${label.padEnd(width)}${interval}`;
  });
}

/** Markdown table cell text: no pipes or newlines break the row. */
function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: string[], rows: unknown[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function section(title: string, body: string[], empty: string): string[] {
  return ['', `## ${title}`, '', ...(body.length > 0 ? body : [empty])];
}

const spanWords = { detectedAt: 'from detection', startedAt: 'from start', verifiedAt: 'verification', endedAt: 'the end' } as const;

function isReport(view: RecoveryState | RecoveryReport): view is RecoveryReport {
  return 'outcome' in view;
}

function summaryRows(view: RecoveryState | RecoveryReport): unknown[][] {
  const trigger = view.trigger ? `${view.trigger.source}${view.trigger.by ? ` (${view.trigger.by})` : ''}` : '';
  const rows: unknown[][] = [
    ['runbook', `${view.runbook.name} (${view.runbook.hash})`],
    ['key', view.key],
    ['started by', trigger],
    ['started', formatTimestamp(view.startedAt)],
  ];
  if (isReport(view)) {
    const rto = view.budget.rto === undefined ? 'no RTO set' : `RTO ${view.budget.rto} ${view.rtoMet ? 'met' : 'missed'}`;
    const span = view.timeToRecoverSpan ? `${spanWords[view.timeToRecoverSpan.from]} to ${spanWords[view.timeToRecoverSpan.to]}, ` : '';
    rows.push(['outcome', view.outcome], ['ended', formatTimestamp(view.endedAt)], ['time to recover', `${formatDuration(view.timeToRecoverMs)} (${span}${rto})`]);
    if (view.unverifiedTargets.length > 0) rows.push(['unverified targets', view.unverifiedTargets.join(', ')]);
  } else {
    const { budget } = view;
    const left = budget.rtoMs === undefined ? 'no RTO set' : `RTO ${budget.rto}, ${formatDuration(budget.remainingMs ?? 0)} left`;
    rows.push(['phase', `${view.phase}${view.paused ? ' (paused)' : ''}`], ['elapsed', `${formatDuration(budget.elapsedMs)} (${left})`]);
    if (view.awaitingOperator) rows.push(['held', `step ${view.awaitingOperator.step} failed: ${view.awaitingOperator.error}; waiting for retry, skip or abort`]);
  }
  if (view.error) rows.push(['error', view.error]);
  rows.push(['params', Object.entries(view.params).map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ')]);
  return rows;
}

/** Operator acts, plus approval answers a recovery recorded only in its approvals (as older recoveries did). */
function operatorActs(view: RecoveryState | RecoveryReport): OperatorAct[] {
  const acts = [...(view.operatorActs ?? [])];
  for (const approval of view.approvals) {
    for (const answer of approval.answers) {
      const recorded = acts.some((act) => act.act === answer.decision && act.identity === answer.identity && act.step === approval.step);
      if (!recorded) acts.push({ act: answer.decision, identity: answer.identity, step: approval.step, reason: answer.reason, at: answer.at });
    }
  }
  return acts.sort((a, b) => a.at.localeCompare(b.at));
}

export function formatReportMarkdown(view: RecoveryState | RecoveryReport): string {
  const status = isReport(view) ? view.outcome : `running (${view.phase}${view.paused ? ', paused' : ''})`;
  const lines = [`# Recovery ${view.workflowId}: ${status}`];
  if (!isReport(view)) lines.push('', '_The recovery is still running: this report is partial._');
  lines.push('', ...table(['', ''], summaryRows(view)));
  lines.push(...section('Timeline', ['```', ...timelineLines(view.timeline, view.startedAt), '```'], ''));
  lines.push(
    ...section(
      'Steps',
      table(
        ['step', 'kind', 'status', 'attempts', 'started', 'duration', 'error'],
        view.steps.map((step) => [
          step.name && step.name !== step.id ? `${step.id}: ${step.name}` : step.id,
          step.kind,
          step.status,
          step.attempts,
          step.startedAt === undefined ? '' : formatTimestamp(step.startedAt),
          step.durationMs === undefined ? '' : formatDuration(step.durationMs),
          step.error,
        ]),
      ),
      'No steps.',
    ),
  );
  lines.push(
    ...section(
      'Targets',
      view.targets.length === 0
        ? []
        : table(
            ['target', 'step', 'final state', 'expected', 'observed', 'detail'],
            view.targets.map((target) => [target.target, target.step, target.status, target.expected, target.observed, target.detail]),
          ),
      'No step acted on individual targets.',
    ),
  );
  lines.push(
    ...section(
      'Findings',
      view.findings.map((finding) => `- **${finding.kind}** (${finding.step}${finding.target ? `, ${finding.target}` : ''}, ${formatTimestamp(finding.at)}): ${finding.message}`),
      'None.',
    ),
  );
  lines.push(
    ...section(
      'Compensations',
      view.compensations.length === 0
        ? []
        : table(
            ['undo of', 'action', 'status', 'attempts', 'started', 'error'],
            view.compensations.map((undo) => [undo.step, undo.action, undo.status, undo.attempts, formatTimestamp(undo.startedAt), undo.error]),
          ),
      'None ran.',
    ),
  );
  const acts = operatorActs(view);
  lines.push(
    ...section(
      'Operator acts',
      acts.length === 0 ? [] : table(['when', 'who', 'act', 'step', 'reason'], acts.map((act) => [formatTimestamp(act.at), act.identity, act.act, act.step, act.reason])),
      'None.',
    ),
  );
  // Only when there were some: most recoveries run without an authorization policy.
  const refusals = view.refusals ?? [];
  if (refusals.length > 0) {
    lines.push(...section('Refused acts', table(['when', 'who', 'act', 'step', 'why'], refusals.map((refused) => [formatTimestamp(refused.at), refused.identity, refused.act, refused.step, refused.refusal])), 'None.'));
  }
  return lines.join('\n');
}
