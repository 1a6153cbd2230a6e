/** The `alert` signal: every notification routed to a recovery is recorded in its state, once per fingerprint + startsAt + status. */
import { defineSignal, setHandler } from '@temporalio/workflow';
import type { NormalizedAlert } from '../model/alert-routing';
import type { AlertRecord } from '../model/recovery';

/** A firing or resolved notification for an alert this recovery is for. */
export const alertSignal = defineSignal<[NormalizedAlert]>('alert');

/** Records one notification: a re-send of the same fingerprint + startsAt + status only counts as seen again. */
export function recordAlert(alerts: AlertRecord[], alert: NormalizedAlert, at: string): AlertRecord {
  const seen = alerts.find((record) => record.fingerprint === alert.fingerprint && record.startsAt === alert.startsAt && record.status === alert.status);
  if (seen) {
    seen.timesSeen += 1;
    seen.lastSeenAt = at;
    return seen;
  }
  const record: AlertRecord = { fingerprint: alert.fingerprint, startsAt: alert.startsAt, status: alert.status, timesSeen: 1, lastSeenAt: at };
  alerts.push(record);
  return record;
}

export function installAlertHandler(alerts: AlertRecord[]): void {
  setHandler(alertSignal, (alert) => {
    recordAlert(alerts, alert, new Date().toISOString());
  });
}
