/**
 * How the fleet driver classifies what goes wrong on the wire, against a stand-in server that
 * answers as each test says: refusals are final, outages and overload are retried.
 */
import path from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { createActivities } from '../../activities';
import { DriverFailureTypes } from '../../activities/drivers/driver-failures';
import { readInventoryFile } from '../../activities/drivers/inventory-file';
import { ActivityFailureTypes } from '../../model/action-contract';
import type { DriverActivities, DriverCall } from '../../model/drivers';
import type { Inventory } from '../../model/inventory';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { activityEnvironment, applicationFailureOf, refusedUrl, runIn, silentLogger } from '../activities/support';

let server: TargetServer;
let inventory: Inventory;

beforeAll(async () => {
  server = await startTargetServer();
  inventory = await readInventoryFile(path.join('examples', 'inventory.yaml'));
});
afterAll(() => server.close());

function driverAt(url: string): DriverActivities {
  return createActivities({ execAllowList: [], logger: silentLogger, inventory: { ...inventory, spec: { ...inventory.spec, driver: { kind: 'fleet', url } } } });
}

const readTraffic: DriverCall<{ service: string }> = { input: { service: 'checkout' }, runbook: 'checkout-recovery', step: 'read' };

describe('fleet failures', () => {
  it.each([
    [503, ActivityFailureTypes.unexpectedStatus, false],
    [500, ActivityFailureTypes.unexpectedStatus, false],
    [429, ActivityFailureTypes.unexpectedStatus, false],
    [400, ActivityFailureTypes.clientError, true],
    [403, ActivityFailureTypes.clientError, true],
  ])('an answer %i fails as %s (non-retryable: %s)', async (status, type, nonRetryable) => {
    server.route('/v1/services/checkout/traffic', () => ({ status, json: { error: { code: 'as_asked', message: 'the test said so' } } }));

    const failure = await applicationFailureOf(runIn(activityEnvironment(), driverAt(server.url)['traffic.read'], readTraffic));

    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(failure.message).toBe(`GET ${server.url}/v1/services/checkout/traffic answered ${status}: as_asked: the test said so`);
  });

  it('fails retryably when the fleet cannot be reached', async () => {
    const url = await refusedUrl();

    const failure = await applicationFailureOf(runIn(activityEnvironment(), driverAt(url)['traffic.read'], readTraffic));

    expect(failure.type).toBe(ActivityFailureTypes.unreachable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/v1\/services\/checkout\/traffic unreachable: connect ECONNREFUSED/);
  });

  it('fails non-retryably on a success it does not understand', async () => {
    server.route('/v1/services/checkout/traffic', () => ({ status: 200, json: { service: 'checkout', weights: 'all to eu-west' } }));

    const failure = await applicationFailureOf(runIn(activityEnvironment(), driverAt(server.url)['traffic.read'], readTraffic));

    expect(failure.type).toBe(DriverFailureTypes.unexpectedAnswer);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`GET ${server.url}/v1/services/checkout/traffic answered 200 with JSON the fleet API does not define (load: Invalid input: expected number, received undefined)`);
  });

  it('sends the idempotency key of a change, and none with a read', async () => {
    server.route('/v1/services/checkout/traffic', (request) =>
      request.method === 'PUT'
        ? { status: 200, json: { service: 'checkout', load: 150, ...(request.body as object) } }
        : { status: 200, json: { service: 'checkout', load: 150, weights: { 'eu-west': 100 } } },
    );
    const driver = driverAt(server.url);

    await runIn(activityEnvironment(), driver['traffic.read'], readTraffic);
    await runIn(activityEnvironment(), driver['traffic.shift'], { ...readTraffic, input: { service: 'checkout', weights: { 'us-east': 100 } }, idempotencyKey: 'wf-1/run-1/shift' });

    const [read, shift] = server.to('/v1/services/checkout/traffic').slice(-2);
    expect(read).toMatchObject({ method: 'GET', idempotencyKey: undefined });
    expect(shift).toMatchObject({ method: 'PUT', idempotencyKey: 'wf-1/run-1/shift', body: { weights: { 'us-east': 100 } } });
  });

  it('heartbeats while the fleet is slow to answer', async () => {
    server.route('/v1/services/checkout/traffic', async () => {
      await pause(1_300);
      return { status: 200, json: { service: 'checkout', load: 150, weights: { 'eu-west': 100 } } };
    });
    const environment = activityEnvironment();
    let heartbeats = 0;
    environment.on('heartbeat', () => heartbeats++);

    await runIn(environment, driverAt(server.url)['traffic.read'], readTraffic);

    expect(heartbeats).toBeGreaterThanOrEqual(1);
  });
});
