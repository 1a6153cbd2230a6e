/**
 * Alert routing: which runbooks an alert is for, and the params it gives each. Pure: the webhook
 * server calls it per alert; the params are still checked against the runbook by prepareRecovery.
 */
import { RE2JS } from 're2js';
import { evaluateCondition, evaluateExpression, ExpressionError } from './expressions';
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

/**
 * A label regex as Alertmanager compiles it: RE2 syntax (Go's regexp: linear time, no lookaround
 * or backreferences), anchored at both ends. Patterns come from loaded runbooks, so the cache is
 * bounded by them; model/triggers.ts refuses patterns RE2 cannot compile.
 */
const labelPatterns = new Map<string, RE2JS>();
function labelRegex(pattern: string): RE2JS {
  let compiled = labelPatterns.get(pattern);
  if (compiled === undefined) labelPatterns.set(pattern, (compiled = RE2JS.compile(`^(?:${pattern})$`)));
  return compiled;
}

/** Whether the trigger's source and label matchers accept the alert (Alertmanager semantics). */
export function triggerMatches(trigger: Trigger, alert: NormalizedAlert): boolean {
  if (trigger.source !== alert.source) return false;
  for (const [name, value] of Object.entries(trigger.match)) {
    if (label(alert.labels, name) !== value) return false;
  }
  for (const [name, pattern] of Object.entries(trigger.matchRe)) {
    if (!labelRegex(pattern).matcher(label(alert.labels, name)).matches()) return false;
  }
  return true;
}

/** Evaluates one trigger expression; throws TriggerParamsError naming the param or field. */
function evaluateField(runbook: string, field: string, evaluate: () => unknown): unknown {
  try {
    return evaluate();
  } catch (error) {
    if (error instanceof ExpressionError) throw new TriggerParamsError(runbook, field, error.message);
    throw error;
  }
}

/** Evaluates a trigger's params over the alert (generic: over the body too); throws TriggerParamsError naming the param. */
export function triggerParams(runbook: string, trigger: Trigger, alert: NormalizedAlert, body?: unknown): Record<string, unknown> {
  const context = { labels: alert.labels, annotations: alert.annotations, startsAt: alert.startsAt, fingerprint: alert.fingerprint, status: alert.status, ...(body === undefined ? {} : { body }) };
  const params: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(trigger.params)) {
    params[name] = evaluateField(runbook, name, () => evaluateExpression(expression, context));
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

/** A generic webhook request: any JSON body, when it arrived and the SHA-256 of its raw bytes. */
export interface GenericRequest {
  body: unknown;
  /** ISO 8601. */
  receivedAt: string;
  /** Hex SHA-256 of the raw body: the default fingerprint, so an exact re-send is the same alert. */
  bodyHash: string;
}

/** Targets whose runbook has a `source: generic` trigger whose `when` holds for the body (first such trigger). */
export function matchGeneric<R extends { runbook: Runbook }>(targets: readonly R[], request: GenericRequest): { target: R; trigger: number }[] {
  const context = { body: request.body, receivedAt: request.receivedAt };
  const matches: { target: R; trigger: number }[] = [];
  for (const target of targets) {
    const name = target.runbook.metadata.name;
    const index = (target.runbook.spec.triggers ?? []).findIndex(
      (trigger) => trigger.source === 'generic' && (trigger.when === undefined || evaluateField(name, 'when', () => evaluateCondition(trigger.when!, context))),
    );
    if (index >= 0) matches.push({ target, trigger: index });
  }
  return matches;
}

/** The alert a generic trigger makes of a body: its fingerprint, status and startsAt expressions, or their defaults. */
export function genericAlert(runbook: string, trigger: Trigger, request: GenericRequest): NormalizedAlert {
  const context = { body: request.body, receivedAt: request.receivedAt };
  const fingerprint = trigger.fingerprint === undefined ? request.bodyHash.slice(0, 16) : evaluateField(runbook, 'fingerprint', () => evaluateExpression(trigger.fingerprint!, context));
  if ((typeof fingerprint !== 'string' && typeof fingerprint !== 'number') || String(fingerprint) === '') {
    throw new TriggerParamsError(runbook, 'fingerprint', `expected a non-empty string or number, got ${JSON.stringify(fingerprint)}`);
  }
  const status = trigger.status === undefined ? 'firing' : evaluateField(runbook, 'status', () => evaluateExpression(trigger.status!, context));
  if (status !== 'firing' && status !== 'resolved') throw new TriggerParamsError(runbook, 'status', `expected 'firing' or 'resolved', got ${JSON.stringify(status)}`);
  const startsAt = trigger.startsAt === undefined ? request.receivedAt : evaluateField(runbook, 'startsAt', () => evaluateExpression(trigger.startsAt!, context));
  if (typeof startsAt !== 'string' || !rfc3339.test(startsAt) || Number.isNaN(Date.parse(startsAt))) {
    throw new TriggerParamsError(runbook, 'startsAt', `expected an RFC 3339 timestamp string, got ${JSON.stringify(startsAt)}`);
  }
  return { source: 'generic', status, labels: {}, annotations: {}, startsAt, fingerprint: String(fingerprint) };
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The runbooks a generic body is for, each with the alert its trigger made and the params. */
export function routeGeneric<R extends { runbook: Runbook }>(targets: readonly R[], request: GenericRequest): (AlertRoute<R> & { alert: NormalizedAlert })[] {
  return matchGeneric(targets, request).map(({ target, trigger }) => {
    const name = target.runbook.metadata.name;
    const definition = target.runbook.spec.triggers![trigger]!;
    const alert = genericAlert(name, definition, request);
    return { target, trigger, alert, params: triggerParams(name, definition, alert, request.body) };
  });
}
