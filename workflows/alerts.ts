/**
 * Alert notifications routed to a recovery, recorded in its state once per fingerprint + startsAt +
 * status. The webhook sends them as the `alerts` signal (a list: every notification it coalesced
 * into one Temporal call); the one-alert `alert` signal stays registered for recoveries started by
 * earlier versions and for their recorded histories.
 */
import { defineSignal, setHandler } from '@temporalio/workflow';
import type { NormalizedAlert } from '../model/alert-routing';
import type { AlertRecord, AlertsBeyondCap } from '../model/recovery';

/** A firing or resolved notification for an alert this recovery is for. */
export const alertSignal = defineSignal<[NormalizedAlert]>('alert');

/** Several notifications, in the order the webhook received them. */
export const alertsSignal = defineSignal<[NormalizedAlert[]]>('alerts');

/**
 * Distinct records a recovery keeps: a storm or an Alertmanager re-sending for days must not grow
 * the state (and every report and query answer) without bound. ~150 bytes each.
 */
export const maxAlertRecords = 100;

/** Where a recovery keeps its alerts: the records and the counts of those evicted beyond the cap. */
export interface AlertLog {
  alerts: AlertRecord[];
  alertsBeyondCap?: AlertsBeyondCap;
}

/**
 * The record to evict for a new one once the log is full: the least recently seen, never the first
 * (the alert that started or first joined the recovery); the earlier one on a tie.
 */
function evictionIndex(alerts: readonly AlertRecord[]): number {
  let oldest = 1;
  for (let index = 2; index < alerts.length; index += 1) {
    if (alerts[index]!.lastSeenAt < alerts[oldest]!.lastSeenAt) oldest = index;
  }
  return oldest;
}

/**
 * Records one notification: a re-send of the same fingerprint + startsAt + status only counts as
 * seen again. Beyond `cap` distinct records, the least recently seen one (not the first) is evicted
 * and counted in `alertsBeyondCap`.
 */
export function recordAlert(log: AlertLog, alert: NormalizedAlert, at: string, cap: number = maxAlertRecords): AlertRecord {
  const { alerts } = log;
  const seen = alerts.find((record) => record.fingerprint === alert.fingerprint && record.startsAt === alert.startsAt && record.status === alert.status);
  if (seen) {
    seen.timesSeen += 1;
    seen.lastSeenAt = at;
    return seen;
  }
  if (alerts.length >= Math.max(cap, 2)) {
    const [evicted] = alerts.splice(evictionIndex(alerts), 1);
    const beyond = (log.alertsBeyondCap ??= { records: 0, notifications: 0 });
    beyond.records += 1;
    beyond.notifications += evicted!.timesSeen;
  }
  const record: AlertRecord = { fingerprint: alert.fingerprint, startsAt: alert.startsAt, status: alert.status, timesSeen: 1, lastSeenAt: at };
  alerts.push(record);
  return record;
}

export function installAlertHandlers(log: AlertLog): void {
  setHandler(alertSignal, (alert) => {
    recordAlert(log, alert, new Date().toISOString());
  });
  setHandler(alertsSignal, (alerts) => {
    const at = new Date().toISOString();
    for (const alert of alerts) recordAlert(log, alert, at);
  });
}
