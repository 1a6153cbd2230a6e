/**
 * Alert routing: which runbooks an alert is for, and the params it gives each. Pure: the webhook
 * server calls it per alert; the params are still checked against the runbook by prepareRecovery.
 */
import { evaluateExpression, ExpressionError } from './expressions';
import type { Runbook } from './runbook';
import type { AlertSource, Trigger } from './triggers';

/** An alert from any source, in one shape: what routing, params and the recovery's state see. */
export interface NormalizedAlert {
  source: AlertSource;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO 8601, as the source sent it. */
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
}

/** One runbook an alert is for, with the params its trigger computed. */
export interface AlertRoute<R extends { runbook: Runbook }> {
  target: R;
  /** Index of the first matching trigger in `spec.triggers`. */
  trigger: number;
  params: Record<string, unknown>;
}

/** Thrown when a matching trigger's params cannot be computed from the alert (e.g. a missing label). */
export class TriggerParamsError extends Error {
  constructor(
    readonly runbook: string,
    readonly param: string,
    readonly reason: string,
  ) {
    super(`runbook ${runbook}: param "${param}": ${reason}`);
    this.name = 'TriggerParamsError';
  }
}

const label = (labels: Record<string, string>, name: string): string => (Object.hasOwn(labels, name) ? (labels[name] ?? '') : '');

/** Whether the trigger's source and label matchers accept the alert (Alertmanager semantics). */
export function triggerMatches(trigger: Trigger, alert: NormalizedAlert): boolean {
  if (trigger.source !== alert.source) return false;
  for (const [name, value] of Object.entries(trigger.match)) {
    if (label(alert.labels, name) !== value) return false;
  }
  for (const [name, pattern] of Object.entries(trigger.matchRe)) {
    if (!new RegExp(`^(?:${pattern})$`).test(label(alert.labels, name))) return false;
  }
  return true;
}

/** Evaluates a trigger's params over the alert; throws TriggerParamsError naming the param. */
export function triggerParams(runbook: string, trigger: Trigger, alert: NormalizedAlert): Record<string, unknown> {
  const context = { labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt, fingerprint: alert.fingerprint, status: alert.status };
  const params: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(trigger.params)) {
    try {
      params[name] = evaluateExpression(expression, context);
    } catch (error) {
      if (error instanceof ExpressionError) throw new TriggerParamsError(runbook, name, error.message);
      throw error;
    }
  }
  return params;
}

/** The targets whose runbook has a trigger matching the alert, with the index of the first such trigger. */
export function matchAlert<R extends { runbook: Runbook }>(targets: readonly R[], alert: NormalizedAlert): { target: R; trigger: number }[] {
  const matches: { target: R; trigger: number }[] = [];
  for (const target of targets) {
    const index = (target.runbook.spec.triggers ?? []).findIndex((trigger) => triggerMatches(trigger, alert));
    if (index >= 0) matches.push({ target, trigger: index });
  }
  return matches;
}

/** The runbooks the alert is for: at most one route per runbook (its first matching trigger). */
export function routeAlert<R extends { runbook: Runbook }>(targets: readonly R[], alert: NormalizedAlert): AlertRoute<R>[] {
  return matchAlert(targets, alert).map(({ target, trigger }) => ({
    target,
    trigger,
    params: triggerParams(target.runbook.metadata.name, target.runbook.spec.triggers![trigger]!, alert),
  }));
}
