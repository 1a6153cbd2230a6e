/**
 * The demo fleet as a driver: the deployments, traffic and access activities of model/drivers.ts
 * over the fleet's HTTP API, with the inventory saying which services and sites exist and which
 * failure domains the sites are in.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DriverActivities, DriverCall } from '../../model/drivers';
import type { Inventory } from '../../model/inventory';
import { runAttempt } from '../activity-attempt';
import { invalidInput, parseInput } from '../failures';
import { driverInputs } from './driver-inputs';
import { createFleetClient, type FleetClient } from './fleet-client';
import { checkSites, createFleetReads, grant, inventoryService, targetObservation } from './fleet-reads';

export interface FleetDriverDeps {
  readonly inventory: Inventory;
  readonly logger: Logger;
}

type DriverActivityName = keyof DriverActivities;
type InputOf<Name extends DriverActivityName> = z.output<(typeof driverInputs)[Name]>;

export function createFleetDriver({ inventory, logger }: FleetDriverDeps): DriverActivities {
  const { url } = inventory.spec.driver;

  /** A read: validated input, logged at debug when it completes (gates poll reads often). */
  function read<Name extends DriverActivityName, Result>(
    activity: Name,
    work: (input: InputOf<Name>, fleet: FleetClient, log: Logger) => Promise<Result>,
  ): (call: DriverCall<unknown>) => Promise<Result> {
    return (call) =>
      runAttempt(logger, activity, call, 'debug', async (log) => {
        const input = parseInput(activity, driverInputs[activity], call.input) as InputOf<Name>;
        return work(input, createFleetClient(url, activity), log);
      });
  }

  /** A change: validated input and an idempotency key the fleet applies it once under. */
  function change<Name extends DriverActivityName, Result>(
    activity: Name,
    work: (input: InputOf<Name>, fleet: FleetClient, idempotencyKey: string, log: Logger) => Promise<Result>,
  ): (call: DriverCall<unknown>) => Promise<Result> {
    return (call) =>
      runAttempt(logger, activity, call, 'info', async (log) => {
        const input = parseInput(activity, driverInputs[activity], call.input) as InputOf<Name>;
        if (typeof call.idempotencyKey !== 'string' || call.idempotencyKey.trim() === '') {
          throw invalidInput(activity, [{ path: 'idempotencyKey', message: 'a change needs an idempotency key so that a retry cannot apply it twice' }]);
        }
        return work(input, createFleetClient(url, activity), call.idempotencyKey, log);
      });
  }

  const reads = createFleetReads(inventory);
  const service = (activity: DriverActivityName, name: string) => inventoryService(inventory, activity, name);

  return {
    'deployments.observe': read('deployments.observe', reads['deployments.observe']),

    'deployments.apply': change('deployments.apply', async (input, fleet, idempotencyKey, log) => {
      service('deployments.apply', input.service);
      const replica = await fleet.deploy(input.service, input.target, input.desired, idempotencyKey);
      log.info({ target: input.target, version: input.desired.version, observedVersion: replica.actual.version }, 'deployment applied');
      return targetObservation(input.service, replica);
    }),

    'traffic.read': read('traffic.read', reads['traffic.read']),

    'traffic.shift': change('traffic.shift', async (input, fleet, idempotencyKey, log) => {
      const entry = service('traffic.shift', input.service);
      checkSites('traffic.shift', 'weights', Object.keys(input.weights), entry.sites, `${input.service} in the inventory`);
      const traffic = await fleet.setWeights(input.service, input.weights, idempotencyKey);
      log.info({ service: input.service, weights: traffic.weights }, 'traffic shifted');
      return traffic;
    }),

    'traffic.sites': read('traffic.sites', reads['traffic.sites']),

    'access.read': read('access.read', reads['access.read']),

    'access.apply': change('access.apply', async (input, fleet, idempotencyKey, log) => {
      service('access.apply', input.service);
      const diff = { add: input.diff.add.map((added) => ({ ...added, breakGlass: added.breakGlass ?? false })), remove: input.diff.remove };
      const grants = await fleet.changeGrants(input.service, diff, idempotencyKey);
      log.info({ service: input.service, added: diff.add.length, removed: diff.remove.length }, 'grants changed');
      return grants.map(grant);
    }),

    'access.revoke': change('access.revoke', async (input, fleet, idempotencyKey, log) => {
      service('access.revoke', input.service);
      const { revoked, grants } = await fleet.revokeGrant(input.service, input.principal, input.role, idempotencyKey);
      // Already gone (expired, or revoked by someone else) is the state a revoke wants: no failure.
      log.info({ service: input.service, principal: input.principal, role: input.role }, revoked ? 'grant revoked' : 'grant was already absent');
      return grants.map(grant);
    }),
  };
}
