/** Human output of `rebound plan`: the steps in order, what each would do and touch, and its preflight checks. */
import { planChecks, type CheckStatus, type PlannedStep, type RecoveryPlan } from '../client/recovery-plan';

const checkSymbols: Record<CheckStatus, string> = { ok: '✔', warn: '!', refuse: '✘' };

const targetsShown = 10;

/** A few short targets on one line; longer lists one per line, cut at ten (the JSON has all). */
function targetLines(targets: string[], indent: string): string[] {
  if (targets.length === 0) return [];
  const oneLine = `${indent}targets (${targets.length}): ${targets.join(', ')}`;
  if (oneLine.length <= 120) return [oneLine];
  const more = targets.length > targetsShown ? [`${indent}  … and ${targets.length - targetsShown} more`] : [];
  return [`${indent}targets (${targets.length}):`, ...targets.slice(0, targetsShown).map((target) => `${indent}  ${target}`), ...more];
}

function stepLines(step: PlannedStep, label: string, indent: string): string[] {
  const lines = [`${indent}${label} ${step.id} (${step.kind})${step.name && step.name !== step.id ? `: ${step.name}` : ''}`];
  const inner = `${indent}   `;
  if (step.when) lines.push(`${inner}when ${step.when.expression}: ${step.when.value === 'unknown' ? 'known only when it runs' : String(step.when.value)}`);
  lines.push(`${inner}${step.does}`);
  lines.push(...targetLines(step.targets, inner));
  for (const check of step.checks) lines.push(`${inner}${checkSymbols[check.status]} ${check.message}${check.kind ? `  [${check.kind}]` : ''}`);
  if (step.unresolved.length > 0) lines.push(`${inner}resolved when it runs: ${[...new Set(step.unresolved)].join(', ')}`);
  (step.steps ?? []).forEach((nested, index) => lines.push(...stepLines(nested, `${label}${index + 1}.`, inner)));
  for (const { item, steps } of step.items ?? []) {
    lines.push(`${inner}item ${item}:`);
    steps.forEach((nested, index) => lines.push(...stepLines(nested, `${label}${index + 1}.`, `${inner}   `)));
  }
  return lines;
}

export function formatPlan(plan: RecoveryPlan): string {
  const params = Object.entries(plan.params).map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const refusals = planChecks(plan.steps)
    .filter(({ check }) => check.status === 'refuse')
    .map(({ path, check }) => `${path}: ${check.message}`);
  const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more above)` : '';
  return [
    `plan of runbook ${plan.runbook.name} for key ${plan.key} (recovery id ${plan.workflowId})`,
    `params: ${params.join(', ') || 'none'}`,
    `RTO ${plan.rto ?? 'not set'}, timeout ${plan.timeout ?? 'not set'}`,
    '',
    ...plan.steps.flatMap((step, index) => stepLines(step, `${index + 1}.`, '')),
    '',
    plan.refused
      ? `refused: ${refusals[0] ?? ''}${more}. Nothing was changed.`
      : 'ok: every preflight check passed. Nothing was changed; start it with `rebound start`.',
  ].join('\n');
}
