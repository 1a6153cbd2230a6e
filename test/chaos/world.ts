/**
 * The world the chaos suite acts on: a fleet with one service per recovery (so concurrent
 * recoveries never touch each other's state and every outcome can be compared with an undisturbed
 * run), and the inventory the worker reads for it.
 */
import type { FleetSeed } from '../../examples/fleet/server';
import type { Inventory } from '../../model/inventory';

const sites = [
  { name: 'eu-west', region: 'eu', zone: 'eu-west-a', dependencies: ['dns-eu', 'kms-eu', 'db-eu'] },
  { name: 'eu-central', region: 'eu', zone: 'eu-central-a', dependencies: ['dns-eu', 'kms-eu-central', 'db-eu'] },
  { name: 'us-east', region: 'us', zone: 'us-east-a', dependencies: ['dns-us', 'kms-us', 'db-us'] },
];

export const policyGrants = [
  { principal: 'deployer', role: 'deploy' },
  { principal: 'oncall', role: 'admin' },
  { principal: 'auditor', role: 'read' },
];

const load = 10;

export function chaosSeed(services: readonly string[]): FleetSeed {
  return {
    // Capacity far above the load: a failover's preflight must pass in every run.
    sites: sites.map((site) => ({ ...site, capacity: 100_000, up: true })),
    services: services.map((name) => ({
      name,
      load,
      deployment: { version: 'v1', config: { mode: 'normal' } },
      previous: null,
      replicas: { 'eu-west': 2, 'us-east': 2 },
      traffic: { 'eu-west': 100 },
      grants: policyGrants.map((grant) => ({ ...grant, breakGlass: false })),
      badVersions: [],
    })),
  } as FleetSeed;
}

export function chaosInventory(services: readonly string[], fleetUrl: string): Inventory {
  return {
    apiVersion: 'rebound/v1',
    kind: 'Inventory',
    metadata: { name: 'chaos-fleet' },
    spec: {
      driver: { kind: 'fleet', url: fleetUrl },
      sites,
      services: services.map((name) => ({ name, sites: ['eu-west', 'us-east'], minHealthyCapacity: load, labels: {} })),
    },
  } as Inventory;
}
