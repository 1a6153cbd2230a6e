import type { NormalizedAlert } from '../../model/alert-routing';
import { recordAlert, type AlertLog } from '../../workflows/alerts';

const alert = (overrides: Partial<NormalizedAlert> = {}): NormalizedAlert => ({
  source: 'alertmanager',
  status: 'firing',
  labels: { service: 'checkout' },
  annotations: {},
  startsAt: '2026-11-25T12:17:27.754375569Z',
  fingerprint: '7d2d332feada5c59',
  ...overrides,
});

describe('recordAlert', () => {
  it('counts a re-send of the same fingerprint, startsAt and status as seen again, nothing more', () => {
    const log: AlertLog = { alerts: [] };
    recordAlert(log, alert(), '2026-11-25T12:17:28.000Z');
    recordAlert(log, alert({ labels: { service: 'checkout', extra: 'changed' } }), '2026-11-25T12:17:29.000Z');
    expect(log.alerts).toEqual([{ fingerprint: '7d2d332feada5c59', startsAt: '2026-11-25T12:17:27.754375569Z', status: 'firing', timesSeen: 2, lastSeenAt: '2026-11-25T12:17:29.000Z' }]);
  });

  it('records the resolution, a new firing of the same alert and another alert separately', () => {
    const log: AlertLog = { alerts: [] };
    recordAlert(log, alert(), 't1');
    recordAlert(log, alert({ status: 'resolved', endsAt: '2026-11-25T12:17:34.994Z' }), 't2');
    recordAlert(log, alert({ startsAt: '2026-11-25T13:00:00Z' }), 't3');
    recordAlert(log, alert({ fingerprint: 'aaaa' }), 't4');
    expect(log.alerts.map((record) => [record.fingerprint, record.startsAt, record.status, record.timesSeen])).toEqual([
      ['7d2d332feada5c59', '2026-11-25T12:17:27.754375569Z', 'firing', 1],
      ['7d2d332feada5c59', '2026-11-25T12:17:27.754375569Z', 'resolved', 1],
      ['7d2d332feada5c59', '2026-11-25T13:00:00Z', 'firing', 1],
      ['aaaa', '2026-11-25T12:17:27.754375569Z', 'firing', 1],
    ]);
  });

  it('keeps at most the cap of distinct records: the first one and the most recently seen, counting the evicted ones', () => {
    const log: AlertLog = { alerts: [] };
    recordAlert(log, alert({ fingerprint: 'first' }), 't0', 3);
    recordAlert(log, alert({ fingerprint: 'b' }), 't1', 3);
    recordAlert(log, alert({ fingerprint: 'c' }), 't2', 3);
    recordAlert(log, alert({ fingerprint: 'b' }), 't3', 3);
    recordAlert(log, alert({ fingerprint: 'b' }), 't4', 3);
    // Full: 'c' (seen at t2) is the least recently seen after the first, which is never evicted.
    recordAlert(log, alert({ fingerprint: 'd' }), 't5', 3);
    expect(log.alerts.map((record) => [record.fingerprint, record.timesSeen])).toEqual([
      ['first', 1],
      ['b', 3],
      ['d', 1],
    ]);
    expect(log.alertsBeyondCap).toEqual({ records: 1, notifications: 1 });
    recordAlert(log, alert({ fingerprint: 'e' }), 't6', 3);
    expect(log.alerts.map((record) => record.fingerprint)).toEqual(['first', 'd', 'e']);
    expect(log.alertsBeyondCap).toEqual({ records: 2, notifications: 4 });
    // Every notification is still accounted for: in a record or in the counts beyond the cap.
    expect(log.alerts.reduce((sum, record) => sum + record.timesSeen, 0) + log.alertsBeyondCap!.notifications).toBe(7);
  });

  it('leaves alertsBeyondCap unset while under the cap', () => {
    const log: AlertLog = { alerts: [] };
    for (let index = 0; index < 100; index += 1) recordAlert(log, alert({ fingerprint: `f${index}` }), `t${index}`);
    expect(log.alerts).toHaveLength(100);
    expect(log.alertsBeyondCap).toBeUndefined();
    recordAlert(log, alert({ fingerprint: 'one-more' }), 't100');
    expect(log.alerts).toHaveLength(100);
    expect(log.alertsBeyondCap).toEqual({ records: 1, notifications: 1 });
  });
});
