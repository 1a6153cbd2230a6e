import type { SiteView, ServiceHealth, ReplicaView } from '../../examples/fleet/figures';
import { startTestFleet, type FleetUnderTest } from './fleet-client';

let fleet: FleetUnderTest;
beforeAll(async () => {
  fleet = await startTestFleet();
});
afterAll(() => fleet.close());
beforeEach(() => fleet.reset());

const sites = async () => new Map((await fleet.get<SiteView[]>('/v1/sites')).body.map((site) => [site.name, site]));
const health = async (service: string) => (await fleet.get<ServiceHealth>(`/v1/services/${service}/health`)).body;
const replicas = async (service: string) => (await fleet.get<ReplicaView[]>(`/v1/services/${service}/replicas`)).body;

describe('the demo fleet: derived figures', () => {
  it('starts healthy, with site load summed from every service routed there', async () => {
    const bySite = await sites();
    expect([...bySite.values()].map(({ name, load, capacity, healthy }) => ({ name, load, capacity, healthy }))).toEqual([
      { name: 'eu-west', load: 248, capacity: 300, healthy: true },
      { name: 'eu-central', load: 36, capacity: 200, healthy: true },
      { name: 'us-east', load: 86, capacity: 300, healthy: true },
    ]);
    expect(await health('checkout')).toEqual({ service: 'checkout', errorRatio: 0.001, healthy: true, replicas: { healthy: 8, total: 8 } });
  });

  it('degrades an overloaded site: error ratio (load − capacity) / load on its site and every replica there', async () => {
    await fleet.fault('capacity-shortfall', { site: 'eu-west', capacity: 124 });
    const euWest = (await sites()).get('eu-west');
    expect(euWest).toMatchObject({ load: 248, capacity: 124, up: true, errorRatio: 0.5, healthy: false });
    const checkout = await replicas('checkout');
    expect(checkout.filter((replica) => replica.site === 'eu-west').map((replica) => replica.errorRatio)).toEqual([0.5, 0.5, 0.5]);
    expect(checkout.filter((replica) => replica.site !== 'eu-west').every((replica) => replica.healthy)).toBe(true);
    expect(await health('checkout')).toMatchObject({ errorRatio: 0.5, healthy: false, replicas: { healthy: 5, total: 8 } });
  });

  it('overloads the destination when traffic moves onto a site without the capacity for it', async () => {
    await fleet.fault('capacity-shortfall', { site: 'us-east', capacity: 200 });
    expect((await sites()).get('us-east')?.healthy).toBe(true);
    await fleet.change('PUT', '/v1/services/checkout/traffic', 'move-checkout', { weights: { 'us-east': 100 } });
    const usEast = (await sites()).get('us-east');
    expect(usEast?.load).toBe(236);
    expect(usEast?.errorRatio).toBeCloseTo(36 / 236);
    expect(usEast?.healthy).toBe(false);
    expect((await sites()).get('eu-west')).toMatchObject({ load: 98, healthy: true });
  });

  it('degrades both sites that share a failing dependency, and not the independent one', async () => {
    const answer = await fleet.fault('dependency-failure', { dependency: 'db-eu' });
    expect(answer.body).toEqual({ fault: 'dependency-failure', dependency: 'db-eu', failing: true, sites: ['eu-west', 'eu-central'] });
    const bySite = await sites();
    expect(bySite.get('eu-west')).toMatchObject({ errorRatio: 0.5, healthy: false });
    expect(bySite.get('eu-central')).toMatchObject({ errorRatio: 0.5, healthy: false });
    expect(bySite.get('us-east')).toMatchObject({ errorRatio: 0.001, healthy: true });
    // search is split 40/30/30: 70% of its traffic lands on the failing sites.
    expect((await health('search')).errorRatio).toBeCloseTo(0.7 * 0.5 + 0.3 * 0.001);

    await fleet.fault('dependency-failure', { dependency: 'db-eu', failing: false });
    expect((await sites()).get('eu-west')?.healthy).toBe(true);
  });

  it('fails every request at a site that is down', async () => {
    await fleet.fault('site-outage', { site: 'eu-west' });
    expect((await sites()).get('eu-west')).toMatchObject({ up: false, errorRatio: 1, healthy: false });
    const atEuWest = (await replicas('checkout')).filter((replica) => replica.site === 'eu-west');
    expect(atEuWest.map(({ errorRatio, healthy }) => ({ errorRatio, healthy }))).toEqual(Array(3).fill({ errorRatio: 1, healthy: false }));
    expect(await health('checkout')).toMatchObject({ errorRatio: 1, healthy: false });
    expect((await health('payments')).errorRatio).toBeCloseTo(0.5 * 1 + 0.5 * 0.001);

    await fleet.change('PUT', '/v1/services/checkout/traffic', 'failover', { weights: { 'us-east': 100 } });
    expect(await health('checkout')).toMatchObject({ errorRatio: 0.001, healthy: true });
  });

  it('rates a bad version and a broken config at 0.3, on the replicas that run them', async () => {
    await fleet.fault('bad-deploy', { service: 'checkout', version: 'v42', replicas: ['checkout-eu-west-1'] });
    await fleet.fault('config-drift', { service: 'checkout', replica: 'checkout-eu-west-2', config: { mode: 'broken' } });
    const ratios = (await replicas('checkout')).filter((replica) => replica.site === 'eu-west').map((replica) => replica.errorRatio);
    expect(ratios).toEqual([0.3, 0.3, 0.001]);
    expect((await health('checkout')).errorRatio).toBeCloseTo((0.3 + 0.3 + 0.001) / 3);
  });

  it('counts traffic sent to a site without replicas of the service as failing', async () => {
    await fleet.change('PUT', '/v1/services/payments/traffic', 'to-eu-central', { weights: { 'eu-west': 50, 'eu-central': 50 } });
    expect((await health('payments')).errorRatio).toBeCloseTo(0.5 * 0.001 + 0.5 * 1);
  });
});
