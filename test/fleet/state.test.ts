import { bodyHash, IdempotencyLedger } from '../../examples/fleet/ledger';
import { loadSeedFile, defaultSeedFile } from '../../examples/fleet/seed';
import { Fleet } from '../../examples/fleet/state';

const seed = loadSeedFile(defaultSeedFile());

describe('the demo fleet state (no server)', () => {
  it('seeds three sites, two of them sharing a failure domain, and 24 replicas', () => {
    const fleet = new Fleet(seed);
    expect(fleet.sites().map(({ name, region, dependencies }) => ({ name, region, dependencies }))).toEqual([
      { name: 'eu-west', region: 'eu', dependencies: ['dns-eu', 'kms-eu', 'db-eu'] },
      { name: 'eu-central', region: 'eu', dependencies: ['dns-eu', 'kms-eu-central', 'db-eu'] },
      { name: 'us-east', region: 'us', dependencies: ['dns-us', 'kms-us', 'db-us'] },
    ]);
    expect(fleet.serviceNames().map((service) => fleet.replicas(service).length)).toEqual([8, 4, 12]);
  });

  it('applies a bad deploy to all named replicas or to none (an unknown id changes nothing)', () => {
    const fleet = new Fleet(seed);
    expect(() => fleet.badDeploy('checkout', 'v42', ['checkout-eu-west-1', 'checkout-mars-1'])).toThrow('service "checkout" has no replica "checkout-mars-1"');
    expect(fleet.replicas('checkout').every((replica) => replica.recorded.version === 'v41')).toBe(true);
    expect(fleet.snapshot().services[0]?.badVersions).toEqual([]);
  });

  it('keeps the seed untouched: a reset after changes is the seed again', () => {
    const fleet = new Fleet(seed);
    const pristine = fleet.snapshot();
    fleet.deploy('search', 'search-us-east-1', { version: 'v8', config: {} });
    fleet.setDependencyFailing('dns-us', true);
    fleet.reset();
    expect(fleet.snapshot()).toEqual(pristine);
    expect(new Fleet(seed).snapshot()).toEqual(pristine);
  });
});

describe('the idempotency ledger', () => {
  it('hashes equal bodies equally whatever their key order', () => {
    expect(bodyHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(bodyHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
    expect(bodyHash({ a: 1 })).not.toBe(bodyHash({ a: '1' }));
  });

  it('counts replays and refuses a reused key for another request', () => {
    const ledger = new IdempotencyLedger(() => 0);
    const request = { method: 'PUT', path: '/v1/services/checkout/traffic', body: { weights: { 'us-east': 100 } } };
    expect(ledger.replay('k', request)).toBeUndefined();
    ledger.record('k', request, 200, { ok: true });
    expect(ledger.replay('k', request)?.response).toEqual({ ok: true });
    expect(() => ledger.replay('k', { ...request, body: { weights: { 'eu-west': 100 } } })).toThrow(/different request/);
    expect(ledger.list()).toEqual([{ key: 'k', method: 'PUT', path: '/v1/services/checkout/traffic', status: 200, at: '1970-01-01T00:00:00.000Z', replays: 1 }]);
  });
});
