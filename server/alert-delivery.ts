/**
 * Hands routed alerts to Temporal. Planning (routing, params, keys) happens first and may refuse
 * the whole payload before anything is sent; then the deliveries of one `<runbook>/<key>` go to
 * Temporal together (server/delivery-coalescer.ts decides which travel in one call): with a firing
 * alert, one signal-with-start (joining the recovery in flight or starting one); resolved alerts
 * alone, a plain signal to the recovery in flight (a resolved alert never starts one).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { RunbookReferenceError, withChildRunbooks } from '../client/child-runbooks';
import { prepareRecovery, recoveryStartOptions } from '../client/start-recovery';
import { matchAlert, matchGeneric, routeAlert, routeGeneric, TriggerParamsError, type GenericRequest, type NormalizedAlert } from '../model/alert-routing';
import { durationMs } from '../model/duration';
import { ParamsError } from '../model/params';
import { recoveryWorkflowId, type RecoveryInput } from '../model/recovery';
import type { Runbook } from '../model/runbook';
import { alertsSignal } from '../workflows/alerts';
import type { Principal } from './auth';
import { covers } from './credentials';
import { HttpError } from './http-errors';
import { signalWithStart } from './signal-with-start';

/** A validated runbook and the hash of its file. */
export interface LoadedRunbook {
  runbook: Runbook;
  hash: string;
}

export type AlertDelivery =
  | { kind: 'start-or-join'; runbook: string; workflowId: string; alert: NormalizedAlert; input: RecoveryInput }
  | { kind: 'resolved'; runbook: string; workflowId: string; alert: NormalizedAlert };

export interface DeliveryOptions {
  runbooks: readonly LoadedRunbook[];
  /** Where `run` steps' child runbooks are resolved; without it, runbooks with `run` steps are refused. */
  runbooksDir?: string;
  /** When the request carrying the alerts arrived (ISO 8601): the recovery's `trigger.receivedAt`. */
  receivedAt?: string;
  /** The sender: a payload routed to a runbook outside its scope is refused (403) before params are even computed. */
  principal?: Principal;
}

/** Everything the payload asks for, or an HttpError (403, 422) before anything is sent. */
export async function planDeliveries(alerts: readonly NormalizedAlert[], options: DeliveryOptions): Promise<AlertDelivery[]> {
  if (options.principal !== undefined) checkScope(alerts.flatMap((alert) => matchAlert(options.runbooks, alert).map(({ target }) => target.runbook.metadata.name)), options.principal);
  const deliveries: AlertDelivery[] = [];
  for (const alert of alerts) {
    const routes = triggerOutcome(() => routeAlert(options.runbooks, alert), alert.fingerprint);
    for (const { target, params } of routes) deliveries.push(await deliveryOf(target, params, alert, options));
  }
  return deliveries;
}

/** What a generic body asks for: one alert per runbook whose generic trigger takes it (403, 422 as above). */
export async function planGenericDeliveries(request: GenericRequest, options: DeliveryOptions): Promise<AlertDelivery[]> {
  if (options.principal !== undefined) checkScope(triggerOutcome(() => matchGeneric(options.runbooks, request)).map(({ target }) => target.runbook.metadata.name), options.principal);
  const deliveries: AlertDelivery[] = [];
  for (const { target, params, alert } of triggerOutcome(() => routeGeneric(options.runbooks, request))) deliveries.push(await deliveryOf(target, params, alert, options));
  return deliveries;
}

/** A trigger evaluation, its failure as a 422 naming the runbook and the param or field. */
function triggerOutcome<T>(evaluate: () => T, fingerprint?: string): T {
  try {
    return evaluate();
  } catch (error) {
    if (error instanceof TriggerParamsError) throw new HttpError('invalid_params', error.message, { runbook: error.runbook, param: error.param, ...(fingerprint === undefined ? {} : { fingerprint }) });
    throw error;
  }
}

async function deliveryOf(target: LoadedRunbook, params: Record<string, unknown>, alert: NormalizedAlert, options: DeliveryOptions): Promise<AlertDelivery> {
  const name = target.runbook.metadata.name;
  let input: RecoveryInput;
  try {
    input = prepareRecovery(target.runbook, target.hash, params, {
      source: alert.source,
      by: alert.fingerprint,
      detectedAt: alert.startsAt,
      ...(options.receivedAt === undefined ? {} : { receivedAt: options.receivedAt }),
    });
    if (options.runbooksDir !== undefined) input = await withChildRunbooks(input, options.runbooksDir);
  } catch (error) {
    if (error instanceof ParamsError) throw new HttpError('invalid_params', `runbook ${name}: ${error.message}`, { runbook: name, problems: error.problems, fingerprint: alert.fingerprint });
    if (error instanceof RunbookReferenceError) throw new HttpError('runbook_unresolvable', `runbook ${name}: ${error.message}`, { runbook: name, problems: error.problems });
    throw error;
  }
  const workflowId = recoveryWorkflowId(name, input.key);
  return alert.status === 'firing' ? { kind: 'start-or-join', runbook: name, workflowId, alert, input } : { kind: 'resolved', runbook: name, workflowId, alert };
}

/** Refuses (403) a payload routed to a runbook the sender's credentials do not cover. */
function checkScope(routed: readonly string[], principal: Principal): void {
  const outside = [...new Set(routed)].filter((runbook) => !covers(principal.runbooks, runbook));
  if (outside.length > 0) {
    throw new HttpError('forbidden', `credentials "${principal.name}" may not start or join recoveries of ${outside.join(', ')}; nothing was started`, { credential: principal.name, runbooks: outside });
  }
}

/** A firing alert that did not start a recovery because the last one of its key ended within `spec.cooldown`. */
export interface Suppression {
  reason: 'cooldown';
  /** The recovery that ended (workflow id) and its last run. */
  recovery: string;
  runId: string;
  closedAt: string;
  /** When a firing alert for this key may start a recovery again. */
  until: string;
}

/** What became of one delivery: `started` and `joined` rode a signal-with-start (which started the run, or found it open). */
export type DeliveryOutcome = 'started' | 'joined' | 'signalled' | 'not-running' | 'suppressed';

export interface DeliveryResult {
  delivery: AlertDelivery;
  /** `started`/`joined`: a firing alert (and any resolved one in the same call) signal-with-start'ed; `signalled`: resolved alerts to a running recovery; `not-running`: resolved alerts whose recovery is not running; `suppressed`: cooldown. */
  outcome: DeliveryOutcome;
  /** False for a resolved alert whose recovery is not running, and for a suppressed firing alert. */
  delivered: boolean;
  /** The run the alert was delivered to, when a signal-with-start carried it. */
  runId?: string;
  suppressed?: Suppression;
}

/**
 * Whether the last recovery of the delivery's key ended less than `spec.cooldown` ago. One
 * describe call, only for runbooks with a cooldown; a recovery still running is joined as usual.
 */
async function cooldownOf(client: Client, delivery: AlertDelivery & { kind: 'start-or-join' }, now: number): Promise<Suppression | undefined> {
  const cooldown = delivery.input.runbook.spec.cooldown;
  if (cooldown === undefined) return undefined;
  let description;
  try {
    description = await client.workflow.getHandle(delivery.workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  if (description.status.name === 'RUNNING' || description.closeTime === undefined) return undefined;
  const until = description.closeTime.getTime() + durationMs(cooldown);
  if (until <= now) return undefined;
  return { reason: 'cooldown', recovery: delivery.workflowId, runId: description.runId, closedAt: description.closeTime.toISOString(), until: new Date(until).toISOString() };
}

/**
 * Sends the deliveries of one workflow id (all with that id, in arrival order) in one Temporal call:
 * with a firing alert among them, one signal-with-start carrying every alert as one `alerts` signal
 * (the first firing delivery's input starts the recovery when none is open); resolved alerts only,
 * one signal to the recovery in flight (resolved alerts never start one). Rejects when Temporal did
 * not accept the call (the requests carrying them are answered 503).
 */
export async function deliverBatch(client: Client, taskQueue: string, deliveries: readonly AlertDelivery[], now: number = Date.now()): Promise<DeliveryResult[]> {
  const alerts = deliveries.map((delivery) => delivery.alert);
  const firing = deliveries.find((delivery): delivery is AlertDelivery & { kind: 'start-or-join' } => delivery.kind === 'start-or-join');
  if (firing !== undefined) {
    const suppressed = await cooldownOf(client, firing, now);
    if (suppressed) return deliveries.map((delivery) => (delivery.kind === 'start-or-join' ? { delivery, outcome: 'suppressed', delivered: false, suppressed } : { delivery, outcome: 'not-running', delivered: false }));
    const { runId, started } = await signalWithStart(client, { ...recoveryStartOptions(firing.input, { taskQueue }), workflowType: 'runRecovery', signal: alertsSignal.name, signalArgs: [alerts] });
    return deliveries.map((delivery) => ({ delivery, outcome: started ? 'started' : 'joined', delivered: true, runId }));
  }
  try {
    await client.workflow.getHandle(deliveries[0]!.workflowId).signal(alertsSignal, alerts);
    return deliveries.map((delivery) => ({ delivery, outcome: 'signalled', delivered: true }));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return deliveries.map((delivery) => ({ delivery, outcome: 'not-running', delivered: false }));
    throw error;
  }
}
