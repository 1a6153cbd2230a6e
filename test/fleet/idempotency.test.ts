import type { ReplicaView } from '../../examples/fleet/figures';
import { startTestFleet, type FleetUnderTest } from './fleet-client';

let fleet: FleetUnderTest;
beforeAll(async () => {
  fleet = await startTestFleet();
});
afterAll(() => fleet.close());
beforeEach(() => fleet.reset());

interface LedgerLine {
  key: string;
  method: string;
  path: string;
  status: number;
  at: string;
  replays: number;
}

const deployment = '/v1/services/checkout/replicas/checkout-eu-west-1/deployment';
const v42 = { version: 'v42', config: { mode: 'normal', pool: '32' } };
const v43 = { version: 'v43', config: { mode: 'normal', pool: '32' } };
const ledger = async () => (await fleet.get<LedgerLine[]>('/v1/ledger')).body;

describe('the demo fleet: idempotency', () => {
  it('applies a change once however often its key comes back, and answers the same each time', async () => {
    const first = await fleet.change<ReplicaView>('PUT', deployment, 'wf-1/run/rollback/checkout-eu-west-1', v42);
    // Same body, keys in another order: the same request.
    const again = await fleet.change<ReplicaView>('PUT', deployment, 'wf-1/run/rollback/checkout-eu-west-1', { config: v42.config, version: v42.version });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    // Applied once: had it run twice, previous would be v42 too.
    const replica = (await fleet.get<ReplicaView[]>('/v1/services/checkout/replicas')).body.find((candidate) => candidate.id === 'checkout-eu-west-1');
    expect(replica).toMatchObject({ previous: { version: 'v41' }, recorded: v42 });
    expect(await ledger()).toEqual([{ key: 'wf-1/run/rollback/checkout-eu-west-1', method: 'PUT', path: deployment, status: 200, at: expect.any(String), replays: 1 }]);
  });

  it('answers a replay from the ledger even after the state moved on', async () => {
    await fleet.change('PUT', '/v1/services/payments/traffic', 'shift-1', { weights: { 'us-east': 100 } });
    await fleet.change('PUT', '/v1/services/payments/traffic', 'shift-2', { weights: { 'eu-west': 100 } });
    const replay = await fleet.change('PUT', '/v1/services/payments/traffic', 'shift-1', { weights: { 'us-east': 100 } });
    expect(replay.body).toMatchObject({ weights: { 'us-east': 100 } });
    expect((await fleet.get('/v1/services/payments/traffic')).body).toMatchObject({ weights: { 'eu-west': 100 } });
  });

  it('refuses the same key for a different request with 409, applying nothing', async () => {
    await fleet.change('PUT', deployment, 'key-1', v42);
    const otherBody = await fleet.change('PUT', deployment, 'key-1', v43);
    expect(otherBody.status).toBe(409);
    expect(otherBody.body).toEqual({ error: { code: 'idempotency_key_reused', message: expect.stringContaining('key-1') } });
    const otherPath = await fleet.change('PUT', '/v1/services/checkout/replicas/checkout-eu-west-2/deployment', 'key-1', v42);
    expect(otherPath.status).toBe(409);
    const otherMethod = await fleet.change('POST', '/v1/services/checkout/grants', 'key-1', { add: [], remove: [] });
    expect(otherMethod.status).toBe(409);
    expect((await fleet.get<ReplicaView[]>('/v1/services/checkout/replicas')).body.slice(0, 2).map((replica) => replica.recorded.version)).toEqual(['v42', 'v41']);
    expect((await ledger())[0]?.replays).toBe(0);
  });

  it('refuses a change without an Idempotency-Key with 400', async () => {
    for (const [method, path, body] of [
      ['PUT', deployment, v42],
      ['PUT', '/v1/services/checkout/traffic', { weights: { 'us-east': 100 } }],
      ['POST', '/v1/services/checkout/grants', { add: [{ principal: 'x', role: 'admin' }] }],
      ['DELETE', '/v1/services/checkout/grants/oncall/admin', undefined],
    ] as const) {
      const answer = await fleet.change(method, path, null, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: { code: 'idempotency_key_missing', message: `${method} ${path} needs an Idempotency-Key header` } });
    }
    expect((await fleet.get<{ grants: unknown[] }[]>('/v1/state')).body).toMatchObject({ ledger: [] });
  });

  it('does not record a refused change, so its key can carry the corrected request', async () => {
    expect((await fleet.change('PUT', '/v1/services/payments/traffic', 'shift', { weights: { 'us-east': 90 } })).status).toBe(400);
    expect(await ledger()).toEqual([]);
    expect((await fleet.change('PUT', '/v1/services/payments/traffic', 'shift', { weights: { 'us-east': 100 } })).status).toBe(200);
  });

  it('needs no key for faults, and keeps them out of the ledger', async () => {
    expect((await fleet.fault('site-outage', { site: 'eu-west' })).status).toBe(200);
    expect(await ledger()).toEqual([]);
  });
});
