/**
 * The demo fleet's model: the zod schema of a seed file (the single source of its types) and the
 * in-memory state the fleet mutates. Pure: no I/O.
 */
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase name like eu-west (letters, digits, . _ -)');

export const deploymentSchema = z.strictObject({
  version: z.string().min(1, 'expected a version like v41'),
  config: z.record(z.string(), z.string({ error: 'config values are strings (quote numbers: pool: "32")' })),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const grantSchema = z.strictObject({
  principal: z.string().min(1),
  role: z.string().min(1),
  breakGlass: z.boolean().default(false),
  expiresAt: z.iso.datetime({ offset: true, error: 'expected an ISO date-time like 2030-01-01T00:00:00Z' }).optional(),
});
export type Grant = z.infer<typeof grantSchema>;

export const grantRefSchema = z.strictObject({ principal: z.string().min(1), role: z.string().min(1) });
export type GrantRef = z.infer<typeof grantRefSchema>;

/** Percent of a service's traffic per site. */
export const weightsSchema = z.record(z.string(), z.number().min(0, 'a weight is a percentage ≥ 0').max(100, 'a weight is a percentage ≤ 100'));

const siteSeedSchema = z.strictObject({
  name,
  region: name,
  zone: name,
  dependencies: z.array(name).default([]),
  capacity: z.number().min(0, 'capacity is requests per second, ≥ 0'),
  up: z.boolean().default(true),
});

const serviceSeedSchema = z.strictObject({
  name,
  load: z.number().min(0, 'load is requests per second, ≥ 0'),
  /** What every replica runs (actual = recorded). */
  deployment: deploymentSchema,
  /** What was recorded before it; omitted = null (no earlier change known). */
  previous: deploymentSchema.nullable().default(null),
  /** Replicas per site; ids are `<service>-<site>-<n>`. */
  replicas: z.record(z.string(), z.number().int('a replica count is a whole number').min(1, 'at least one replica per listed site')),
  traffic: weightsSchema,
  grants: z.array(grantSchema).default([]),
  badVersions: z.array(z.string()).default([]),
});

/** Sums within this of 100 count as 100 (weights like 33.3/33.3/33.4). */
export const weightTolerance = 1e-6;

function duplicates(names: readonly string[]): string[] {
  return names.filter((value, index) => names.indexOf(value) !== index);
}

export const fleetSeedSchema = z
  .strictObject({
    sites: z.array(siteSeedSchema).min(1, 'a fleet needs at least one site'),
    services: z.array(serviceSeedSchema).default([]),
  })
  .superRefine((seed, ctx) => {
    const siteNames = seed.sites.map((site) => site.name);
    for (const duplicate of duplicates(siteNames)) ctx.addIssue({ code: 'custom', path: ['sites'], message: `site "${duplicate}" is listed twice` });
    for (const duplicate of duplicates(seed.services.map((service) => service.name))) {
      ctx.addIssue({ code: 'custom', path: ['services'], message: `service "${duplicate}" is listed twice` });
    }
    const known = `known sites: ${siteNames.join(', ')}`;
    seed.services.forEach((service, index) => {
      for (const site of Object.keys(service.replicas)) {
        if (!siteNames.includes(site)) ctx.addIssue({ code: 'custom', path: ['services', index, 'replicas', site], message: `unknown site "${site}" (${known})` });
      }
      for (const site of Object.keys(service.traffic)) {
        if (!siteNames.includes(site)) ctx.addIssue({ code: 'custom', path: ['services', index, 'traffic', site], message: `unknown site "${site}" (${known})` });
      }
      const sum = Object.values(service.traffic).reduce((total, weight) => total + weight, 0);
      if (Math.abs(sum - 100) > weightTolerance) ctx.addIssue({ code: 'custom', path: ['services', index, 'traffic'], message: `weights sum to ${sum}, expected 100` });
      for (const duplicate of duplicates(service.grants.map((grant) => `${grant.principal}/${grant.role}`))) {
        ctx.addIssue({ code: 'custom', path: ['services', index, 'grants'], message: `grant ${duplicate} is listed twice` });
      }
    });
  });

/** A seed as written (defaults optional): what a seed file or a test gives. */
export type FleetSeed = z.input<typeof fleetSeedSchema>;
/** A validated seed, defaults filled in. */
export type ValidFleetSeed = z.output<typeof fleetSeedSchema>;

export interface SiteState {
  name: string;
  region: string;
  zone: string;
  dependencies: string[];
  capacity: number;
  up: boolean;
}

export interface ReplicaState {
  id: string;
  site: string;
  /** What really runs. */
  actual: Deployment;
  /** What the deployment system last applied. */
  recorded: Deployment;
  /** What was recorded before the last change. */
  previous: Deployment | null;
  /** Accepts changes (recorded moves) but actual does not. */
  stuck: boolean;
}

export interface ServiceState {
  name: string;
  load: number;
  badVersions: string[];
  replicas: ReplicaState[];
  weights: Record<string, number>;
  grants: Grant[];
}

export interface FleetState {
  sites: SiteState[];
  services: ServiceState[];
  /** Every dependency some site lists, and whether it is failing. */
  dependencies: Record<string, { failing: boolean }>;
}

/** Fresh, independent state from a validated seed (reset calls it again). */
export function stateFromSeed(seed: ValidFleetSeed): FleetState {
  const copy = <T>(value: T): T => structuredClone(value);
  const dependencies: FleetState['dependencies'] = {};
  for (const dependency of seed.sites.flatMap((site) => site.dependencies).sort()) dependencies[dependency] = { failing: false };
  return {
    sites: seed.sites.map((site) => copy(site)),
    dependencies,
    services: seed.services.map((service) => ({
      name: service.name,
      load: service.load,
      badVersions: [...service.badVersions],
      weights: { ...service.traffic },
      grants: service.grants.map((grant) => copy(grant)),
      replicas: seed.sites.flatMap((site) =>
        Array.from({ length: service.replicas[site.name] ?? 0 }, (_, index) => ({
          id: `${service.name}-${site.name}-${index + 1}`,
          site: site.name,
          actual: copy(service.deployment),
          recorded: copy(service.deployment),
          previous: copy(service.previous),
          stuck: false,
        })),
      ),
    })),
  };
}
