/**
 * The demo fleet as a driver: the deployments, traffic and access activities of model/drivers.ts
 * over the fleet's HTTP API, with the inventory saying which services and sites exist and which
 * failure domains the sites are in.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DriverActivities, DriverCall, Grant, SiteObservation, TargetObservation } from '../../model/drivers';
import type { Inventory, InventoryService } from '../../model/inventory';
import { runAttempt } from '../activity-attempt';
import { clientError, invalidInput, parseInput } from '../failures';
import { unexpectedAnswer } from './driver-failures';
import { driverInputs } from './driver-inputs';
import { createFleetClient, type FleetClient, type FleetGrant, type FleetReplica } from './fleet-client';

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

  /** The inventory's entry for a service; a service it does not list is a runbook mistake. */
  function service(activity: DriverActivityName, name: string): InventoryService {
    const found = inventory.spec.services.find((candidate) => candidate.name === name);
    if (found) return found;
    const known = inventory.spec.services.map((candidate) => candidate.name).join(', ');
    throw invalidInput(activity, [{ path: 'service', message: `"${name}" is not in inventory ${inventory.metadata.name} (services: ${known})` }]);
  }

  function checkSites(activity: DriverActivityName, field: string, sites: readonly string[], allowed: readonly string[], whose: string): void {
    const issues = sites
      .filter((site) => !allowed.includes(site))
      .map((site) => ({ path: `${field}.${site}`, message: `not a site of ${whose} (sites: ${allowed.join(', ')})` }));
    if (issues.length > 0) throw invalidInput(activity, issues);
  }

  const inventorySiteNames = inventory.spec.sites.map((site) => site.name);

  return {
    'deployments.observe': read('deployments.observe', async (input, fleet) => {
      service('deployments.observe', input.service);
      checkSites('deployments.observe', 'sites', input.sites ?? [], inventorySiteNames, `inventory ${inventory.metadata.name}`);
      const replicas = await fleet.replicas(input.service);
      const missing = (input.targets ?? []).filter((target) => !replicas.some((replica) => replica.id === target));
      if (missing.length > 0) {
        const message = `${input.service} has no replica ${missing.map((target) => `"${target}"`).join(', ')} (replicas: ${replicas.map((replica) => replica.id).join(', ')})`;
        throw clientError(message, { service: input.service, missing });
      }
      return replicas
        .filter((replica) => input.sites === undefined || input.sites.includes(replica.site))
        .filter((replica) => input.targets === undefined || input.targets.includes(replica.id))
        .map((replica) => targetObservation(input.service, replica));
    }),

    'deployments.apply': change('deployments.apply', async (input, fleet, idempotencyKey, log) => {
      service('deployments.apply', input.service);
      const replica = await fleet.deploy(input.service, input.target, input.desired, idempotencyKey);
      log.info({ target: input.target, version: input.desired.version, observedVersion: replica.actual.version }, 'deployment applied');
      return targetObservation(input.service, replica);
    }),

    'traffic.read': read('traffic.read', async (input, fleet) => {
      service('traffic.read', input.service);
      return fleet.traffic(input.service);
    }),

    'traffic.shift': change('traffic.shift', async (input, fleet, idempotencyKey, log) => {
      const entry = service('traffic.shift', input.service);
      checkSites('traffic.shift', 'weights', Object.keys(input.weights), entry.sites, `${input.service} in the inventory`);
      const traffic = await fleet.setWeights(input.service, input.weights, idempotencyKey);
      log.info({ service: input.service, weights: traffic.weights }, 'traffic shifted');
      return traffic;
    }),

    'traffic.sites': read('traffic.sites', async (input, fleet, log) => {
      const wanted = input.sites ?? inventorySiteNames;
      checkSites('traffic.sites', 'sites', wanted, inventorySiteNames, `inventory ${inventory.metadata.name}`);
      const live = await fleet.sites();
      return inventory.spec.sites
        .filter((site) => wanted.includes(site.name))
        .map((site): SiteObservation => {
          const observed = live.find((candidate) => candidate.name === site.name);
          if (observed === undefined) {
            throw unexpectedAnswer(`the fleet at ${url} has no site "${site.name}", which inventory ${inventory.metadata.name} lists`, { site: site.name });
          }
          const domains = { region: site.region, zone: site.zone, dependencies: [...site.dependencies] };
          if (observed.region !== site.region || observed.zone !== site.zone || !sameMembers(observed.dependencies, site.dependencies)) {
            const seen = { region: observed.region, zone: observed.zone, dependencies: observed.dependencies };
            log.warn({ site: site.name, inventory: domains, fleet: seen }, 'the fleet places a site in other failure domains than the inventory says; using the inventory');
          }
          const { capacity, load, up, healthy, errorRatio } = observed;
          return { site: site.name, ...domains, capacity, load, up, healthy, errorRatio };
        });
    }),

    'access.read': read('access.read', async (input, fleet) => {
      service('access.read', input.service);
      return (await fleet.grants(input.service)).map(grant);
    }),

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

function targetObservation(service: string, replica: FleetReplica): TargetObservation {
  const { id, site, actual, recorded, previous, healthy, errorRatio } = replica;
  return { target: id, service, site, observed: actual, recorded, previous, healthy, errorRatio };
}

function grant({ principal, role, breakGlass, expiresAt }: FleetGrant): Grant {
  return expiresAt === undefined ? { principal, role, breakGlass } : { principal, role, breakGlass, expiresAt };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}
