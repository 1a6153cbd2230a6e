/**
 * The fleet driver's activities against a real demo fleet (examples/fleet, seeded from seed.yaml),
 * each run in an activity context as a worker would run it.
 */
import path from 'node:path';
import { createActivities } from '../../activities';
import { DriverFailureTypes } from '../../activities/drivers/driver-failures';
import { readInventoryFile } from '../../activities/drivers/inventory-file';
import { startFleet, type RunningFleet } from '../../examples/fleet/server';
import { ActivityFailureTypes } from '../../model/action-contract';
import type { DriverActivities, DriverCall } from '../../model/drivers';
import type { Inventory } from '../../model/inventory';
import { activityEnvironment, applicationFailureOf, recordingLogger, runIn, silentLogger } from '../activities/support';

const start = Date.parse('2030-01-01T00:00:00Z');
let now = start;
let fleet: RunningFleet;
let inventory: Inventory;
let driver: DriverActivities;

beforeAll(async () => {
  fleet = await startFleet({ port: 0, now: () => now });
  inventory = withUrl(await readInventoryFile(path.join('examples', 'inventory.yaml')), fleet.url);
  driver = createActivities({ execAllowList: [], logger: silentLogger, inventory });
});
afterAll(() => fleet.close());
beforeEach(() => {
  fleet.reset();
  now = start;
});

function withUrl(base: Inventory, url: string): Inventory {
  return { ...base, spec: { ...base.spec, driver: { kind: 'fleet', url } } };
}

function call<Input>(input: Input, idempotencyKey?: string): DriverCall<Input> {
  return { input, runbook: 'checkout-recovery', step: 'shift', ...(idempotencyKey === undefined ? {} : { idempotencyKey }) };
}

type ResultOf<Name extends keyof DriverActivities> = Awaited<ReturnType<DriverActivities[Name]>>;

/** Runs one driver activity with an untyped input, as the interpreter sends rendered YAML. */
function run<Name extends keyof DriverActivities>(name: Name, input: unknown, idempotencyKey?: string, activities: DriverActivities = driver): Promise<ResultOf<Name>> {
  const activity = activities[name] as unknown as (request: DriverCall<unknown>) => Promise<ResultOf<Name>>;
  return runIn(activityEnvironment(), activity, call(input, idempotencyKey));
}

async function fleetGet(route: string): Promise<unknown> {
  return (await fetch(`${fleet.url}${route}`)).json();
}

async function fault(kind: string, body: object): Promise<void> {
  const response = await fetch(`${fleet.url}/v1/faults/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`fault ${kind} refused: ${await response.text()}`);
}

describe('deployments.observe', () => {
  it('observes every replica of a service', async () => {
    const replicas = await run('deployments.observe', { service: 'checkout' });

    expect(replicas).toHaveLength(8);
    expect(replicas[0]).toEqual({
      target: 'checkout-eu-west-1',
      service: 'checkout',
      site: 'eu-west',
      observed: { version: 'v41', config: { mode: 'normal', pool: '32' } },
      recorded: { version: 'v41', config: { mode: 'normal', pool: '32' } },
      previous: null,
      healthy: true,
      errorRatio: 0.001,
    });
  });

  it('observes only the replicas on some sites or with some ids', async () => {
    const onUsEast = await run('deployments.observe', { service: 'search', sites: ['us-east'] });
    const chosen = await run('deployments.observe', { service: 'search', targets: ['search-eu-west-2', 'search-us-east-4'] });

    expect(onUsEast.map((replica) => replica.target)).toEqual(['search-us-east-1', 'search-us-east-2', 'search-us-east-3', 'search-us-east-4']);
    expect(chosen.map((replica) => replica.target)).toEqual(['search-eu-west-2', 'search-us-east-4']);
  });

  it('shows drift: what runs differs from what was recorded', async () => {
    await fault('config-drift', { service: 'payments', replica: 'payments-us-east-1', config: { mode: 'broken' } });

    const [replica] = await run('deployments.observe', { service: 'payments', targets: ['payments-us-east-1'] });

    expect(replica?.observed.config).toEqual({ mode: 'broken', retries: '3' });
    expect(replica?.recorded.config).toEqual({ mode: 'normal', retries: '3' });
    expect(replica?.healthy).toBe(false);
  });

  it('fails non-retryably for a replica the service does not have', async () => {
    const failure = await applicationFailureOf(run('deployments.observe', { service: 'checkout', targets: ['checkout-eu-west-9'] }));

    expect(failure.type).toBe(ActivityFailureTypes.clientError);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^checkout has no replica "checkout-eu-west-9" \(replicas: checkout-eu-west-1, /);
  });
});

describe('deployments.apply', () => {
  it('deploys a version to one replica and returns what it observes afterwards', async () => {
    const desired = { version: 'v42', config: { mode: 'normal', pool: '64' } };

    const replica = await run('deployments.apply', { service: 'checkout', target: 'checkout-us-east-2', desired }, 'wf-1/run-1/deploy/checkout-us-east-2');

    expect(replica).toMatchObject({ target: 'checkout-us-east-2', site: 'us-east', observed: desired, recorded: desired, previous: { version: 'v41' } });
  });

  it('shows that a stuck replica did not change', async () => {
    await fault('stuck-replica', { service: 'checkout', replica: 'checkout-eu-west-1' });

    const replica = await run('deployments.apply', { service: 'checkout', target: 'checkout-eu-west-1', desired: { version: 'v40', config: {} } }, 'wf-1/run-1/rollback');

    expect(replica.recorded.version).toBe('v40');
    expect(replica.observed.version).toBe('v41');
  });

  it('applies a change once however often it is retried with the same key', async () => {
    const input = { service: 'payments', target: 'payments-eu-west-1', desired: { version: 'v13', config: { mode: 'normal' } } };

    const first = await run('deployments.apply', input, 'wf-1/run-1/deploy/payments-eu-west-1');
    const second = await run('deployments.apply', input, 'wf-1/run-1/deploy/payments-eu-west-1');

    expect(second).toEqual(first);
    expect(await fleetGet('/v1/ledger')).toEqual([
      expect.objectContaining({ key: 'wf-1/run-1/deploy/payments-eu-west-1', method: 'PUT', path: '/v1/services/payments/replicas/payments-eu-west-1/deployment', status: 200, replays: 1 }),
    ]);
  });

  it('refuses a change without an idempotency key before it reaches the fleet', async () => {
    const failure = await applicationFailureOf(run('deployments.apply', { service: 'checkout', target: 'checkout-eu-west-1', desired: { version: 'v42' } }));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('invalid input for deployments.apply: idempotencyKey: a change needs an idempotency key so that a retry cannot apply it twice');
    expect(await fleetGet('/v1/ledger')).toEqual([]);
  });

  it('fails non-retryably when a key is reused for a different change', async () => {
    const key = 'wf-1/run-1/deploy';
    await run('deployments.apply', { service: 'checkout', target: 'checkout-eu-west-1', desired: { version: 'v42' } }, key);

    const failure = await applicationFailureOf(run('deployments.apply', { service: 'checkout', target: 'checkout-eu-west-2', desired: { version: 'v42' } }, key));

    expect(failure.type).toBe(ActivityFailureTypes.clientError);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/answered 409: idempotency_key_reused: /);
  });

  it('passes on the fleet refusing an unknown replica, non-retryably', async () => {
    const failure = await applicationFailureOf(run('deployments.apply', { service: 'checkout', target: 'checkout-mars-1', desired: { version: 'v42' } }, 'k-1'));

    expect(failure.type).toBe(ActivityFailureTypes.clientError);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`PUT ${fleet.url}/v1/services/checkout/replicas/checkout-mars-1/deployment answered 404: replica_not_found: service "checkout" has no replica "checkout-mars-1"`);
    expect(failure.details).toEqual([{ status: 404, code: 'replica_not_found', message: 'service "checkout" has no replica "checkout-mars-1"' }]);
  });
});

describe('traffic', () => {
  it('reads the weights and load of a service', async () => {
    expect(await run('traffic.read', { service: 'payments' })).toEqual({ service: 'payments', load: 100, weights: { 'eu-west': 50, 'us-east': 50 } });
  });

  it('shifts traffic and returns the new weights', async () => {
    const traffic = await run('traffic.shift', { service: 'checkout', weights: { 'eu-west': 50, 'us-east': 50 } }, 'wf-1/run-1/failover/50');

    expect(traffic.weights).toEqual({ 'eu-west': 50, 'us-east': 50 });
    expect(await run('traffic.read', { service: 'checkout' })).toEqual(traffic);
  });

  it('refuses weights that do not sum to 100', async () => {
    const failure = await applicationFailureOf(run('traffic.shift', { service: 'checkout', weights: { 'eu-west': 50, 'us-east': 40 } }, 'k-1'));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.message).toBe('invalid input for traffic.shift: weights: weights sum to 90, expected 100');
  });

  it('refuses to send traffic to a site the inventory does not list for the service', async () => {
    const failure = await applicationFailureOf(run('traffic.shift', { service: 'payments', weights: { 'eu-central': 100 } }, 'k-1'));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.message).toBe('invalid input for traffic.shift: weights.eu-central: not a site of payments in the inventory (sites: eu-west, us-east)');
    expect(await fleetGet('/v1/ledger')).toEqual([]);
  });

  it('observes sites with failure domains from the inventory and live figures from the fleet', async () => {
    await fault('site-outage', { site: 'us-east' });

    const sites = await run('traffic.sites', {});

    expect(sites).toEqual([
      { site: 'eu-west', region: 'eu', zone: 'eu-west-a', dependencies: ['dns-eu', 'kms-eu', 'db-eu'], capacity: 300, load: 248, up: true, healthy: true, errorRatio: 0.001 },
      { site: 'eu-central', region: 'eu', zone: 'eu-central-a', dependencies: ['dns-eu', 'kms-eu-central', 'db-eu'], capacity: 200, load: 36, up: true, healthy: true, errorRatio: 0.001 },
      { site: 'us-east', region: 'us', zone: 'us-east-a', dependencies: ['dns-us', 'kms-us', 'db-us'], capacity: 300, load: 86, up: false, healthy: false, errorRatio: 1 },
    ]);
  });

  it('observes only the sites asked for, and refuses a site the inventory does not list', async () => {
    expect((await run('traffic.sites', { sites: ['us-east'] })).map((site) => site.site)).toEqual(['us-east']);

    const failure = await applicationFailureOf(run('traffic.sites', { sites: ['ap-south'] }));
    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.message).toBe('invalid input for traffic.sites: sites.ap-south: not a site of inventory demo-fleet (sites: eu-west, eu-central, us-east)');
  });

  it('fails non-retryably when the inventory lists a site the fleet does not have', async () => {
    const extra = { ...inventory, spec: { ...inventory.spec, sites: [...inventory.spec.sites, { name: 'ap-south', region: 'ap', zone: 'ap-south-a', dependencies: [] }] } };
    const activities = createActivities({ execAllowList: [], logger: silentLogger, inventory: extra });

    const failure = await applicationFailureOf(run('traffic.sites', {}, undefined, activities));

    expect(failure.type).toBe(DriverFailureTypes.unexpectedAnswer);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`the fleet at ${fleet.url} has no site "ap-south", which inventory demo-fleet lists`);
  });
});

describe('access', () => {
  it('reads the grants of a service', async () => {
    expect(await run('access.read', { service: 'search' })).toEqual([
      { principal: 'deployer', role: 'deploy', breakGlass: false },
      { principal: 'oncall', role: 'admin', breakGlass: false },
    ]);
  });

  it('applies a diff of grants', async () => {
    const diff = { add: [{ principal: 'sre', role: 'admin' }], remove: [{ principal: 'oncall', role: 'admin' }] };

    const grants = await run('access.apply', { service: 'search', diff }, 'wf-1/run-1/permissions');

    expect(grants).toEqual([
      { principal: 'deployer', role: 'deploy', breakGlass: false },
      { principal: 'sre', role: 'admin', breakGlass: false },
    ]);
  });

  it('revokes a break-glass grant', async () => {
    await fault('break-glass', { service: 'search', principal: 'alice', role: 'admin', ttl: '15m' });
    expect(await run('access.read', { service: 'search' })).toContainEqual({ principal: 'alice', role: 'admin', breakGlass: true, expiresAt: '2030-01-01T00:15:00.000Z' });

    const grants = await run('access.revoke', { service: 'search', principal: 'alice', role: 'admin' }, 'wf-1/run-1/permissions/revoke/alice');

    expect(grants.map((grant) => grant.principal)).toEqual(['deployer', 'oncall']);
  });

  it('counts a grant that is already gone as revoked', async () => {
    await fault('break-glass', { service: 'search', principal: 'alice', role: 'admin', ttl: '15m' });
    now = start + 16 * 60_000;

    const grants = await run('access.revoke', { service: 'search', principal: 'alice', role: 'admin' }, 'wf-1/run-1/permissions/revoke/alice');

    expect(grants.map((grant) => grant.principal)).toEqual(['deployer', 'oncall']);
  });

  it('still fails for a service the inventory does not list', async () => {
    const failure = await applicationFailureOf(run('access.revoke', { service: 'billing', principal: 'alice', role: 'admin' }, 'k-1'));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.message).toBe('invalid input for access.revoke: service: "billing" is not in inventory demo-fleet (services: checkout, payments, search)');
  });
});

describe('every driver activity', () => {
  it.each([
    ['deployments.observe', { service: 'checkout', replicas: 3 }, 'replicas: unknown field'],
    ['deployments.apply', { service: 'checkout', target: 'checkout-eu-west-1', desired: { config: {} } }, 'desired.version: Invalid input: expected string, received undefined'],
    ['traffic.read', {}, 'service: Invalid input: expected string, received undefined'],
    ['traffic.shift', { service: 'checkout', weights: { 'eu-west': -1, 'us-east': 101 } }, 'weights.eu-west: a weight is a percentage ≥ 0; weights.us-east: a weight is a percentage ≤ 100'],
    ['traffic.sites', { sites: 'eu-west' }, 'sites: Invalid input: expected array, received string'],
    ['access.read', { service: '' }, 'service: expected a service name'],
    ['access.apply', { service: 'search', diff: { add: [{ principal: 'x', role: 'y', expiresAt: 'tomorrow' }] } }, 'diff.add[0].expiresAt: expected an ISO date-time like 2030-01-01T00:00:00Z'],
    ['access.revoke', { service: 'search', principal: 'alice' }, 'role: Invalid input: expected string, received undefined'],
  ] as const)('%s refuses bad input non-retryably', async (name, input, message) => {
    const failure = await applicationFailureOf(run(name, input, 'k-1'));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`invalid input for ${name}: ${message}`);
  });

  it('logs with the workflow, runbook and step it runs for', async () => {
    const { logger, lines } = recordingLogger();
    const activities = createActivities({ execAllowList: [], logger, inventory });

    await run('traffic.shift', { service: 'checkout', weights: { 'us-east': 100 } }, 'wf-1/run-1/shift', activities);

    expect(lines).toContainEqual(expect.objectContaining({ msg: 'traffic shifted', workflowId: 'wf-1', runbook: 'checkout-recovery', step: 'shift', activity: 'traffic.shift' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'activity completed', activity: 'traffic.shift' }));
  });

  it.each(['deployments.observe', 'deployments.apply', 'traffic.read', 'traffic.shift', 'traffic.sites', 'access.read', 'access.apply', 'access.revoke'] as const)(
    '%s fails with NoInventory when the worker has no inventory',
    async (name) => {
      const activities = createActivities({ execAllowList: [], logger: silentLogger });

      const failure = await applicationFailureOf(run(name, { service: 'checkout' }, 'k-1', activities));

      expect(failure.type).toBe(DriverFailureTypes.noInventory);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(`${name} needs an inventory: set REBOUND_INVENTORY to an inventory YAML file (see examples/inventory.yaml) and restart the worker`);
    },
  );
});
