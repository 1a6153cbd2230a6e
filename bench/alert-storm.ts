/**
 * An alert storm as Alertmanager makes one: for each key (service) two alerts (two instances), each
 * firing, resolved, firing again from a new startsAt and resolved again, every notification re-sent
 * many times, in a shuffled order. Used by the storm test (exact accounting) and the benchmark
 * (throughput). One notification = one Alertmanager webhook payload (version 4) with one alert.
 */
import { Agent, request } from 'node:http';

/**
 * A runbook an alert starts and that only holds, so every later notification for its key joins the
 * recovery in flight: the recovery of the benchmark's storm, the chaos suite's alerts and the
 * webhook tests (test/fixtures/runbooks-alert-e2e/storm-hold.yaml is the file form).
 */
export function holdingAlertRunbook(options: { name: string; alertname: string; hold: string; description?: string }): string {
  const description = options.description === undefined ? '' : `, description: ${JSON.stringify(options.description)}`;
  return `apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${options.name}${description} }
spec:
  params:
    service: { type: string, required: true }
  key: "{{ params.service }}"
  triggers:
    - source: alertmanager
      match: { alertname: ${options.alertname} }
      params: { service: labels.service }
  steps:
    - id: hold
      wait: { duration: ${options.hold} }
`;
}

/** What a recovery records per notification: re-sends of the same record only count as seen again. */
export interface StormRecord {
  fingerprint: string;
  startsAt: string;
  status: 'firing' | 'resolved';
}

export interface StormNotification {
  key: string;
  record: StormRecord;
  body: string;
}

export interface StormPlan {
  keys: string[];
  /** Sent first and awaited: each key's first firing alert, re-sent, key after key, so that its re-sends race to start it. */
  opening: StormNotification[];
  /** Sent after the opening: every other notification, shuffled (re-sends, resolutions, re-fires). */
  rest: StormNotification[];
  /** Per key, per record (see {@link recordId}), how many notifications carry it. */
  expected: Map<string, Map<string, number>>;
}

export interface StormOptions {
  keys: number;
  notifications: number;
  /** The alertname the storm runbook's trigger matches. */
  alertname: string;
  /** Prefix of the keys (`<prefix>-<n>`), so that several storms on one Temporal do not meet. */
  keyPrefix: string;
  /** Re-sends of each key's first firing alert in the opening. */
  openingResends?: number;
  /** Seed of the shuffle: the same seed sends the same order. */
  seed?: number;
}

export const recordId = (record: StormRecord): string => `${record.fingerprint}|${record.startsAt}|${record.status}`;

/** mulberry32: a small seeded PRNG, so a failing storm can be replayed in the same order. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function payload(alertname: string, key: string, instance: string, record: StormRecord): string {
  const labels = { alertname, service: key, instance, severity: 'critical' };
  const endsAt = record.status === 'firing' ? '0001-01-01T00:00:00Z' : new Date(Date.parse(record.startsAt) + 60_000).toISOString();
  return JSON.stringify({
    version: '4',
    receiver: 'rebound',
    status: record.status,
    groupKey: `{}:{alertname="${alertname}", service="${key}"}`,
    groupLabels: { alertname, service: key },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    truncatedAlerts: 0,
    alerts: [{ status: record.status, labels, annotations: {}, startsAt: record.startsAt, endsAt, generatorURL: '', fingerprint: record.fingerprint }],
  });
}

export function planStorm(options: StormOptions): StormPlan {
  const random = seededRandom(options.seed ?? 42);
  const openingResends = options.openingResends ?? 10;
  const perKey = Math.floor(options.notifications / options.keys);
  if (perKey * options.keys !== options.notifications || perKey <= openingResends) {
    throw new RangeError(`${options.notifications} notifications do not split into ${options.keys} keys of more than ${openingResends}`);
  }
  const base = Date.parse('2026-01-01T00:00:00Z');
  const keys = Array.from({ length: options.keys }, (_unused, index) => `${options.keyPrefix}-${index}`);
  const opening: StormNotification[] = [];
  const rest: StormNotification[] = [];
  const expected = new Map<string, Map<string, number>>();
  keys.forEach((key, keyIndex) => {
    // Two instances × two episodes (startsAt) × firing/resolved: 8 records per key, the first is the opening alert.
    const variants = ['a', 'b'].flatMap((instance, instanceIndex) =>
      [0, 1].flatMap((episode) =>
        (['firing', 'resolved'] as const).map((status) => ({
          instance,
          record: { fingerprint: (keyIndex * 2 + instanceIndex).toString(16).padStart(16, '0'), startsAt: new Date(base + episode * 600_000).toISOString(), status },
        })),
      ),
    );
    const counts = new Map<string, number>();
    const add = (target: StormNotification[], variant: (typeof variants)[number]) => {
      target.push({ key, record: variant.record, body: payload(options.alertname, key, variant.instance, variant.record) });
      counts.set(recordId(variant.record), (counts.get(recordId(variant.record)) ?? 0) + 1);
    };
    for (let sent = 0; sent < openingResends; sent += 1) add(opening, variants[0]!);
    for (let sent = 0; sent < perKey - openingResends; sent += 1) add(rest, variants[sent % variants.length]!);
    expected.set(key, counts);
  });
  const shuffle = (list: StormNotification[]) => {
    for (let index = list.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [list[index], list[other]] = [list[other]!, list[index]!];
    }
  };
  shuffle(rest);
  return { keys, opening, rest, expected };
}

export interface StormResult {
  /** Answers per HTTP status (0: no answer, e.g. connection refused). */
  statuses: Map<number, number>;
  /** Up to 10 answers that were not 202, with their bodies. */
  failures: { status: number; body: string }[];
  durationMs: number;
  /** Each request's time from send to answer, in ms, in completion order. */
  latenciesMs: number[];
  /** Indexes (in the list sent) of the notifications answered 202. */
  acceptedIndexes: number[];
}

/** POSTs every notification to `url` with `concurrency` requests in flight on kept-alive sockets. */
export async function sendStorm(url: string, token: string, notifications: readonly StormNotification[], concurrency: number): Promise<StormResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const statuses = new Map<number, number>();
  const failures: StormResult['failures'] = [];
  const latenciesMs: number[] = [];
  const acceptedIndexes: number[] = [];
  const post = (body: string) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const outgoing = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', (error) => resolve({ status: 0, body: error.message }));
        },
      );
      outgoing.on('error', (error) => resolve({ status: 0, body: error.message }));
      outgoing.end(body);
    });
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < notifications.length) {
      const index = next;
      const notification = notifications[index]!;
      next += 1;
      const sentAt = performance.now();
      const answer = await post(notification.body);
      latenciesMs.push(performance.now() - sentAt);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status === 202) acceptedIndexes.push(index);
      else if (failures.length < 10) failures.push(answer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, notifications.length) }, sender));
  const durationMs = performance.now() - started;
  agent.destroy();
  return { statuses, failures, durationMs, latenciesMs, acceptedIndexes };
}
