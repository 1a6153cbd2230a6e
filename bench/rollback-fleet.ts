/**
 * The fleet of the `rollback500` scenario: a seed with one service of 500 replicas over the demo's
 * three sites, all running a bad version (v2) with the good one (v1) recorded as `previous`, the
 * inventory a worker needs to reach it, and the fleet itself in a child process (fleet-process.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { FleetSeed } from '../examples/fleet/server';
import { inventorySchema, type Inventory } from '../model/inventory';
import type { FleetProcessAnswer } from './fleet-process';

/** The service the measured rollback acts on. */
export const rollbackService = 'api';
export const rollbackReplicas = 500;
/** A small service for the warm-up recovery (the first workflow tasks of a worker are slow). */
export const warmupService = 'warmup';
export const warmupReplicas = 6;

export const goodDeployment = { version: 'v1', config: { mode: 'normal' } };
export const badDeployment = { version: 'v2', config: { mode: 'normal' } };

/** The demo fleet's sites and failure domains (examples/fleet/seed.yaml), with room for every load. */
const sites = [
  { name: 'eu-west', region: 'eu', zone: 'eu-west-a', dependencies: ['dns-eu', 'kms-eu', 'db-eu'] },
  { name: 'eu-central', region: 'eu', zone: 'eu-central-a', dependencies: ['dns-eu', 'kms-eu-central', 'db-eu'] },
  { name: 'us-east', region: 'us', zone: 'us-east-a', dependencies: ['dns-us', 'kms-us', 'db-us'] },
];
const siteNames = sites.map((site) => site.name);

/** `total` replicas spread over the sites as evenly as they go (500 → 167, 167, 166). */
function spread(total: number): Record<string, number> {
  return Object.fromEntries(siteNames.map((site, index) => [site, Math.floor(total / siteNames.length) + (index < total % siteNames.length ? 1 : 0)]));
}

function badlyDeployedService(name: string, replicas: number) {
  return {
    name,
    load: 300,
    deployment: badDeployment,
    // What a bad deploy leaves behind: v2 recorded and running, v1 recorded before it (the rollback's goal).
    previous: goodDeployment,
    replicas: spread(replicas),
    traffic: { 'eu-west': 34, 'eu-central': 33, 'us-east': 33 },
    // Replicas running v2 fail (error ratio 0.3: unhealthy); after the rollback they are healthy.
    badVersions: [badDeployment.version],
  };
}

export function rollbackSeed(): FleetSeed {
  return {
    // Capacity 1000 rps per site: no site is overloaded, so health depends on the version only.
    sites: sites.map((site) => ({ ...site, capacity: 1000 })),
    services: [badlyDeployedService(rollbackService, rollbackReplicas), badlyDeployedService(warmupService, warmupReplicas)],
  };
}

/** The inventory of that fleet, validated like a file given with REBOUND_INVENTORY. */
export function rollbackInventory(url: string): Inventory {
  return inventorySchema.parse({
    apiVersion: 'rebound/v1',
    kind: 'Inventory',
    metadata: { name: 'bench-fleet', description: 'The rollback500 benchmark fleet (bench/rollback-fleet.ts).' },
    spec: {
      driver: { kind: 'fleet', url },
      sites,
      services: [rollbackService, warmupService].map((name) => ({ name, sites: siteNames })),
    },
  });
}

export interface FleetProcess {
  url: string;
  pid: number;
  /** POST /v1/reset: the seed again, an empty ledger. */
  reset(): Promise<void>;
  /** The child's peak RSS in bytes since the previous call (or its start), and its CPU milliseconds since it started. */
  stats(): Promise<{ peakRss: number; cpuMs: number }>;
  close(): Promise<void>;
}

function answerOf(child: ChildProcess, what: string): Promise<FleetProcessAnswer> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FleetProcessAnswer) => {
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null) => {
      child.off('message', onMessage);
      reject(new Error(`the fleet process exited (${signal ?? `code ${code}`}) before answering ${what}`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Forks bench/fleet-process.js with `seed` and waits until it listens. */
export async function startFleetProcess(seed: FleetSeed): Promise<FleetProcess> {
  const child = fork(require.resolve('./fleet-process'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const started = answerOf(child, 'its address');
  child.send(seed);
  const answer = await started.catch(async (error: unknown) => {
    await close();
    throw error;
  });
  if (!('url' in answer)) {
    await close();
    throw new Error(`the fleet process did not start: ${'error' in answer ? answer.error : JSON.stringify(answer)}`);
  }
  const { url } = answer;
  return {
    url,
    pid: child.pid ?? 0,
    async reset() {
      const response = await fetch(`${url}/v1/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`POST ${url}/v1/reset answered ${response.status}`);
    },
    async stats() {
      const asked = answerOf(child, 'its figures');
      child.send('stats');
      const reply = await asked;
      if (!('peakRss' in reply)) throw new Error(`the fleet process answered ${JSON.stringify(reply)} instead of its figures`);
      return reply;
    },
    close,
  };
}
