/**
 * The demo fleet driver's reads (deployments, traffic, sites, grants) over the fleet's HTTP API,
 * with the inventory saying which services and sites exist and their failure domains. Used by the
 * driver activities (fleet-driver.ts) and, outside any activity, by `rebound plan`'s preflights
 * (createFleetReader), so a plan reads the systems exactly as a recovery does.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DriverActivities, Grant, SiteObservation, TargetObservation } from '../../model/drivers';
import type { Inventory, InventoryService } from '../../model/inventory';
import { clientError, invalidInput, parseInput } from '../failures';
import { unexpectedAnswer } from './driver-failures';
import { driverInputs } from './driver-inputs';
import { createFleetClient, type FleetClient, type FleetGrant, type FleetReplica } from './fleet-client';

type DriverActivityName = keyof DriverActivities;
type InputOf<Name extends DriverActivityName> = z.output<(typeof driverInputs)[Name]>;
type ResultOf<Name extends DriverActivityName> = Awaited<ReturnType<DriverActivities[Name]>>;

export const readActivities = ['deployments.observe', 'traffic.read', 'traffic.sites', 'access.read'] as const;
export type ReadActivity = (typeof readActivities)[number];

/** A read's work, given its validated input and a fleet client. */
export type FleetReads = { [Name in ReadActivity]: (input: InputOf<Name>, fleet: FleetClient, log: Logger) => Promise<ResultOf<Name>> };

/** The reads with their inputs validated, callable anywhere (no activity context needed). */
export type DriverReader = { [Name in ReadActivity]: (input: Parameters<DriverActivities[Name]>[0]['input']) => Promise<ResultOf<Name>> };

/** The inventory's entry for a service; a service it does not list is a runbook mistake. */
export function inventoryService(inventory: Inventory, activity: DriverActivityName, name: string): InventoryService {
  const found = inventory.spec.services.find((candidate) => candidate.name === name);
  if (found) return found;
  const known = inventory.spec.services.map((candidate) => candidate.name).join(', ');
  throw invalidInput(activity, [{ path: 'service', message: `"${name}" is not in inventory ${inventory.metadata.name} (services: ${known})` }]);
}

export function checkSites(activity: DriverActivityName, field: string, sites: readonly string[], allowed: readonly string[], whose: string): void {
  const issues = sites
    .filter((site) => !allowed.includes(site))
    .map((site) => ({ path: `${field}.${site}`, message: `not a site of ${whose} (sites: ${allowed.join(', ')})` }));
  if (issues.length > 0) throw invalidInput(activity, issues);
}

export function createFleetReads(inventory: Inventory): FleetReads {
  const { url } = inventory.spec.driver;
  const inventorySiteNames = inventory.spec.sites.map((site) => site.name);
  return {
    'deployments.observe': async (input, fleet) => {
      inventoryService(inventory, 'deployments.observe', input.service);
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
    },

    'traffic.read': async (input, fleet) => {
      inventoryService(inventory, 'traffic.read', input.service);
      return fleet.traffic(input.service);
    },

    'traffic.sites': async (input, fleet, log) => {
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
    },

    'access.read': async (input, fleet) => {
      inventoryService(inventory, 'access.read', input.service);
      return (await fleet.grants(input.service)).map(grant);
    },
  };
}

/** The reads against the inventory's fleet outside any activity; `signal` aborts requests in flight. */
export function createFleetReader(inventory: Inventory, logger: Logger, signal: AbortSignal): DriverReader {
  const reads = createFleetReads(inventory);
  const reader = <Name extends ReadActivity>(activity: Name) => {
    const work = reads[activity] as (input: InputOf<Name>, fleet: FleetClient, log: Logger) => Promise<ResultOf<Name>>;
    return (input: unknown) => work(parseInput(activity, driverInputs[activity], input) as InputOf<Name>, createFleetClient(inventory.spec.driver.url, activity, undefined, signal), logger);
  };
  return {
    'deployments.observe': reader('deployments.observe'),
    'traffic.read': reader('traffic.read'),
    'traffic.sites': reader('traffic.sites'),
    'access.read': reader('access.read'),
  };
}

export function targetObservation(service: string, replica: FleetReplica): TargetObservation {
  const { id, site, actual, recorded, previous, healthy, errorRatio } = replica;
  return { target: id, service, site, observed: actual, recorded, previous, healthy, errorRatio };
}

export function grant({ principal, role, breakGlass, expiresAt }: FleetGrant): Grant {
  return expiresAt === undefined ? { principal, role, breakGlass } : { principal, role, breakGlass, expiresAt };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}
