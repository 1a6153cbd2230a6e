import type { NormalizedAlert } from '../../model/alert-routing';
import type { AlertRecord } from '../../model/recovery';
import { recordAlert } from '../../workflows/alerts';

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
    const alerts: AlertRecord[] = [];
    recordAlert(alerts, alert(), '2026-11-25T12:17:28.000Z');
    recordAlert(alerts, alert({ labels: { service: 'checkout', extra: 'changed' } }), '2026-11-25T12:17:29.000Z');
    expect(alerts).toEqual([{ fingerprint: '7d2d332feada5c59', startsAt: '2026-11-25T12:17:27.754375569Z', status: 'firing', timesSeen: 2, lastSeenAt: '2026-11-25T12:17:29.000Z' }]);
  });

  it('records the resolution, a new firing of the same alert and another alert separately', () => {
    const alerts: AlertRecord[] = [];
    recordAlert(alerts, alert(), 't1');
    recordAlert(alerts, alert({ status: 'resolved', endsAt: '2026-11-25T12:17:34.994Z' }), 't2');
    recordAlert(alerts, alert({ startsAt: '2026-11-25T13:00:00Z' }), 't3');
    recordAlert(alerts, alert({ fingerprint: 'aaaa' }), 't4');
    expect(alerts.map((record) => [record.fingerprint, record.startsAt, record.status, record.timesSeen])).toEqual([
      ['7d2d332feada5c59', '2026-11-25T12:17:27.754375569Z', 'firing', 1],
      ['7d2d332feada5c59', '2026-11-25T12:17:27.754375569Z', 'resolved', 1],
      ['7d2d332feada5c59', '2026-11-25T13:00:00Z', 'firing', 1],
      ['aaaa', '2026-11-25T12:17:27.754375569Z', 'firing', 1],
    ]);
  });
});
