import { FleetSeedError, parseSeed } from '../../examples/fleet/seed';
import { startTestFleet, type FleetUnderTest } from './fleet-client';

let fleet: FleetUnderTest;
beforeAll(async () => {
  fleet = await startTestFleet();
});
afterAll(() => fleet.close());
beforeEach(() => fleet.reset());

/** `name{a="x",b="y"} value` lines of the exposition text, as a lookup by name and labels. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{.*\})? (\S+)$/.exec(line);
    if (match) found.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return found;
}

describe('the demo fleet: /metrics', () => {
  it('exposes the figures, refreshed at every scrape', async () => {
    let metrics = samples(await fleet.text('/metrics'));
    expect(metrics.get('fleet_site_capacity{site="eu-west"}')).toBe(300);
    expect(metrics.get('fleet_site_load{site="eu-west"}')).toBe(248);
    expect(metrics.get('fleet_site_up{site="us-east"}')).toBe(1);
    expect(metrics.get('fleet_traffic_weight{service="payments",site="us-east"}')).toBe(50);
    expect(metrics.get('fleet_replica_healthy{service="checkout",site="eu-west",replica="checkout-eu-west-1"}')).toBe(1);
    expect(metrics.get('fleet_service_error_ratio{service="checkout"}')).toBe(0.001);

    await fleet.fault('site-outage', { site: 'eu-west' });
    metrics = samples(await fleet.text('/metrics'));
    expect(metrics.get('fleet_site_up{site="eu-west"}')).toBe(0);
    expect(metrics.get('fleet_replica_healthy{service="checkout",site="eu-west",replica="checkout-eu-west-1"}')).toBe(0);
    expect(metrics.get('fleet_replica_error_ratio{service="checkout",site="eu-west",replica="checkout-eu-west-1"}')).toBe(1);
    expect(metrics.get('fleet_service_error_ratio{service="checkout"}')).toBe(1);
  });

  it('counts requests by method, route pattern and status', async () => {
    await fleet.get('/v1/services/checkout/traffic');
    await fleet.get('/v1/services/nope/traffic');
    const metrics = samples(await fleet.text('/metrics'));
    expect(metrics.get('fleet_requests_total{method="GET",route="/v1/services/:service/traffic",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(metrics.get('fleet_requests_total{method="GET",route="/v1/services/:service/traffic",status="404"}')).toBeGreaterThanOrEqual(1);
  });

  it('drops series that no longer exist (a weight removed by a traffic change)', async () => {
    await fleet.change('PUT', '/v1/services/checkout/traffic', 'shift', { weights: { 'us-east': 100 } });
    const metrics = samples(await fleet.text('/metrics'));
    expect(metrics.get('fleet_traffic_weight{service="checkout",site="us-east"}')).toBe(100);
    expect(metrics.has('fleet_traffic_weight{service="checkout",site="eu-west"}')).toBe(false);
  });
});

describe('the demo fleet: reset and seeds', () => {
  it('restores the seed and clears faults and the ledger (POST /v1/reset and reset())', async () => {
    const pristine = (await fleet.get('/v1/state')).body;
    await fleet.fault('dependency-failure', { dependency: 'dns-eu' });
    await fleet.fault('stuck-replica', { service: 'search', replica: 'search-us-east-4' });
    await fleet.fault('break-glass', { service: 'search', principal: 'bob', role: 'admin', ttl: '1h' });
    await fleet.change('PUT', '/v1/services/search/traffic', 'shift', { weights: { 'us-east': 100 } });
    expect((await fleet.get('/v1/state')).body).not.toEqual(pristine);
    const reset = await fetch(`${fleet.url}/v1/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect((await fleet.get('/v1/state')).body).toEqual(pristine);

    await fleet.fault('site-outage', { site: 'us-east' });
    fleet.reset();
    expect((await fleet.get('/v1/state')).body).toEqual(pristine);
  });

  it('starts from a seed given as an object', async () => {
    const small = await startTestFleet({
      seed: {
        sites: [{ name: 'a', region: 'r', zone: 'r-1', capacity: 10 }],
        services: [{ name: 'web', load: 20, deployment: { version: 'v1', config: {} }, replicas: { a: 1 }, traffic: { a: 100 } }],
      },
    });
    try {
      expect((await small.get('/v1/sites')).body).toEqual([{ name: 'a', region: 'r', zone: 'r-1', dependencies: [], capacity: 10, up: true, load: 20, errorRatio: 0.5, healthy: false }]);
    } finally {
      await small.close();
    }
  });

  const problemsIn = (text: string): string[] => {
    try {
      parseSeed(text, 'seed.yaml');
    } catch (error) {
      if (error instanceof FleetSeedError) return error.problems;
      throw error;
    }
    throw new Error('the seed was accepted');
  };

  it('names file:line:col and the field for every problem in a seed file', () => {
    const seed = (config: string, replicas: string, traffic: string) =>
      ['sites:', '  - { name: a, region: r, zone: z, capacity: 10 }', 'services:', '  - name: web', '    load: 5', `    deployment: { version: v1, config: ${config} }`, `    replicas: ${replicas}`, `    traffic: ${traffic}`].join('\n');
    expect(problemsIn(seed('{ pool: 32 }', '{ a: 0 }', '{ a: 100 }'))).toEqual([
      'seed.yaml:6:48: services[0].deployment.config.pool: config values are strings (quote numbers: pool: "32")',
      'seed.yaml:7:20: services[0].replicas.a: at least one replica per listed site',
    ]);
    // References between sites and services are checked once each part is well formed.
    expect(problemsIn(seed('{ pool: "32" }', '{ a: 1, b: 2 }', '{ a: 90 }'))).toEqual([
      'seed.yaml:7:26: services[0].replicas.b: unknown site "b" (known sites: a)',
      'seed.yaml:8:14: services[0].traffic: weights sum to 90, expected 100',
    ]);
    expect(problemsIn('sites: [\n')).toEqual([expect.stringMatching(/^seed\.yaml:\d+:\d+: invalid YAML: /)]);
  });

  it('refuses an invalid seed object before listening', async () => {
    await expect(startTestFleet({ seed: { sites: [] } })).rejects.toThrow(/sites: a fleet needs at least one site/);
  });
});
