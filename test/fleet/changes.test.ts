import type { ReplicaView, TrafficView } from '../../examples/fleet/figures';
import type { Grant } from '../../examples/fleet/model';
import { startTestFleet, type FleetUnderTest } from './fleet-client';

let now = Date.parse('2030-01-01T12:00:00.000Z');
let fleet: FleetUnderTest;
beforeAll(async () => {
  fleet = await startTestFleet({ now: () => now });
});
afterAll(() => fleet.close());
beforeEach(() => {
  fleet.reset();
  now = Date.parse('2030-01-01T12:00:00.000Z');
});

const v41 = { version: 'v41', config: { mode: 'normal', pool: '32' } };
const v42 = { version: 'v42', config: { mode: 'normal', pool: '64' } };
const replica = async (id: string) => (await fleet.get<ReplicaView[]>('/v1/services/checkout/replicas')).body.find((candidate) => candidate.id === id);
const deploy = (id: string, key: string, body: unknown) => fleet.change<ReplicaView>('PUT', `/v1/services/checkout/replicas/${id}/deployment`, key, body);

describe('the demo fleet: deployments', () => {
  it('seeds replicas with actual = recorded and no previous deployment', async () => {
    expect(await replica('checkout-eu-west-1')).toEqual({ id: 'checkout-eu-west-1', site: 'eu-west', actual: v41, recorded: v41, previous: null, healthy: true, errorRatio: 0.001 });
  });

  it('moves previous ← recorded, recorded and actual ← the body', async () => {
    const answer = await deploy('checkout-eu-west-1', 'deploy-v42', v42);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: 'checkout-eu-west-1', previous: v41, recorded: v42, actual: v42 });
    expect(await replica('checkout-eu-west-1')).toMatchObject({ previous: v41, recorded: v42, actual: v42 });
    expect(await replica('checkout-eu-west-2')).toMatchObject({ previous: null, recorded: v41, actual: v41 });
  });

  it('moves only recorded and previous on a stuck replica: what runs stays put', async () => {
    await fleet.fault('stuck-replica', { service: 'checkout', replica: 'checkout-eu-west-1' });
    expect((await deploy('checkout-eu-west-1', 'deploy-v42', v42)).body).toMatchObject({ previous: v41, recorded: v42, actual: v41 });
    expect(await replica('checkout-eu-west-1')).not.toHaveProperty('stuck');
  });

  it('drifts actual only when the config drifts behind the deployment system', async () => {
    const answer = await fleet.fault('config-drift', { service: 'checkout', replica: 'checkout-us-east-2', config: { pool: '8' } });
    expect(answer.body).toMatchObject({ fault: 'config-drift', replica: { id: 'checkout-us-east-2' } });
    expect(await replica('checkout-us-east-2')).toMatchObject({ recorded: v41, previous: null, actual: { version: 'v41', config: { mode: 'normal', pool: '8' } } });
  });

  it('rolls a bad deploy out through the normal path and marks the version bad', async () => {
    const answer = await fleet.fault<{ replicas: ReplicaView[] }>('bad-deploy', { service: 'checkout', version: 'v42' });
    expect(answer.body.replicas).toHaveLength(8);
    expect(await replica('checkout-eu-central-1')).toMatchObject({
      previous: v41,
      recorded: { version: 'v42', config: v41.config },
      actual: { version: 'v42', config: v41.config },
      errorRatio: 0.3,
      healthy: false,
    });
    const rollback = await deploy('checkout-eu-central-1', 'rollback', v41);
    expect(rollback.body).toMatchObject({ previous: { version: 'v42' }, recorded: v41, actual: v41, healthy: true });
  });

  it('refuses bad input with a 4xx naming the problem', async () => {
    const missingConfig = await deploy('checkout-eu-west-1', 'bad-body', { version: 'v42' });
    expect(missingConfig.status).toBe(400);
    expect(missingConfig.body).toEqual({ error: { code: 'invalid_body', message: expect.stringContaining('config') } });
    const numberConfig = await deploy('checkout-eu-west-1', 'number-config', { version: 'v42', config: { pool: 32 } });
    expect(numberConfig.status).toBe(400);
    const unknownReplica = await deploy('checkout-mars-1', 'unknown', v42);
    expect(unknownReplica.status).toBe(404);
    expect(unknownReplica.body).toEqual({ error: { code: 'replica_not_found', message: expect.stringContaining('checkout-mars-1') } });
    const unknownService = await fleet.get('/v1/services/billing/replicas');
    expect(unknownService.status).toBe(404);
    expect(unknownService.body).toEqual({ error: { code: 'service_not_found', message: expect.stringContaining('"billing"') } });
    const notJson = await fetch(`${fleet.url}/v1/services/checkout/traffic`, { method: 'PUT', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, body: '{' });
    expect(notJson.status).toBe(400);
  });
});

describe('the demo fleet: traffic', () => {
  const shift = (key: string, weights: unknown) => fleet.change<TrafficView>('PUT', '/v1/services/payments/traffic', key, { weights });

  it('sets the weights and reports them with the load', async () => {
    const answer = await shift('shift', { 'eu-west': 0, 'us-east': 100 });
    expect(answer.body).toEqual({ service: 'payments', load: 100, weights: { 'eu-west': 0, 'us-east': 100 } });
    expect((await fleet.get('/v1/services/payments/traffic')).body).toEqual(answer.body);
  });

  it('refuses weights that do not sum to 100, name an unknown site, or are negative', async () => {
    const wrongSum = await shift('wrong-sum', { 'eu-west': 50, 'us-east': 40 });
    expect(wrongSum.status).toBe(400);
    expect(wrongSum.body).toEqual({ error: { code: 'weights_sum', message: 'weights sum to 90, expected 100' } });
    const unknownSite = await shift('unknown-site', { 'eu-west': 50, 'ap-south': 50 });
    expect(unknownSite.status).toBe(400);
    expect(unknownSite.body).toEqual({ error: { code: 'unknown_site', message: expect.stringContaining('"ap-south"') } });
    expect((await shift('negative', { 'eu-west': 150, 'us-east': -50 })).status).toBe(400);
    expect((await fleet.get('/v1/services/payments/traffic')).body).toMatchObject({ weights: { 'eu-west': 50, 'us-east': 50 } });
  });
});

describe('the demo fleet: access grants', () => {
  const grants = async (service = 'checkout') => (await fleet.get<Grant[]>(`/v1/services/${service}/grants`)).body;

  it('applies a diff: removes, then adds', async () => {
    const answer = await fleet.change<Grant[]>('POST', '/v1/services/checkout/grants', 'diff', {
      add: [{ principal: 'sre', role: 'admin' }],
      remove: [{ principal: 'auditor', role: 'read' }, { principal: 'nobody', role: 'read' }],
    });
    expect(answer.status).toBe(200);
    const expected = [
      { principal: 'deployer', role: 'deploy', breakGlass: false },
      { principal: 'oncall', role: 'admin', breakGlass: false },
      { principal: 'sre', role: 'admin', breakGlass: false },
    ];
    expect(answer.body).toEqual(expected);
    expect(await grants()).toEqual(expected);
  });

  it('revokes one grant, and answers 404 for a grant that is not there', async () => {
    const revoked = await fleet.change<Grant[]>('DELETE', '/v1/services/checkout/grants/oncall/admin', 'revoke');
    expect(revoked.status).toBe(200);
    expect(revoked.body.map((grant) => grant.principal)).toEqual(['deployer', 'auditor']);
    const absent = await fleet.change('DELETE', '/v1/services/checkout/grants/oncall/admin', 'revoke-again');
    expect(absent.status).toBe(404);
    expect(absent.body).toEqual({ error: { code: 'grant_not_found', message: 'service "checkout" has no grant oncall/admin' } });
  });

  it('changes grants behind our back on a permission desync', async () => {
    await fleet.fault('permission-desync', { service: 'payments', add: [{ principal: 'intruder', role: 'admin' }], remove: [{ principal: 'oncall', role: 'admin' }] });
    expect((await grants('payments')).map((grant) => `${grant.principal}/${grant.role}`)).toEqual(['deployer/deploy', 'auditor/read', 'payments-team/deploy', 'intruder/admin']);
  });

  it('opens a break-glass grant that lasts its ttl, then is gone', async () => {
    const opened = await fleet.fault('break-glass', { service: 'checkout', principal: 'alice', role: 'admin', ttl: '15m' });
    const grant = { principal: 'alice', role: 'admin', breakGlass: true, expiresAt: '2030-01-01T12:15:00.000Z' };
    expect(opened.body).toEqual({ fault: 'break-glass', grant });
    expect(await grants()).toContainEqual(grant);
    now += 14 * 60_000;
    expect(await grants()).toContainEqual(grant);
    now += 60_000;
    expect(await grants()).not.toContainEqual(expect.objectContaining({ principal: 'alice' }));
    expect((await fleet.change('DELETE', '/v1/services/checkout/grants/alice/admin', 'too-late')).status).toBe(404);
  });

  it('revokes a break-glass grant before it expires', async () => {
    await fleet.fault('break-glass', { service: 'checkout', principal: 'alice', role: 'admin', ttl: 3600 });
    const revoked = await fleet.change<Grant[]>('DELETE', '/v1/services/checkout/grants/alice/admin', 'close-break-glass');
    expect(revoked.body.some((grant) => grant.breakGlass)).toBe(false);
  });

  it('refuses a break-glass fault without a usable ttl', async () => {
    const answer = await fleet.fault('break-glass', { service: 'checkout', principal: 'alice', role: 'admin', ttl: 'soon' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_body' } });
  });
});
