/**
 * The inventory: the targets recoveries act on (services, the sites they run on) and the failure
 * domains of those sites (region, zone, shared dependencies such as DNS, KMS, a database).
 * Failover preflight and fan-out read it. Pure: the schema, its types, and selectors.
 */
import { sharedDomains, type FailureDomains } from './failure-domains';
import { z } from 'zod';

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected a name: lower-case letters, digits and -, at most 63 characters' });

const siteSchema = z.strictObject({
  name,
  region: z.string().min(1, { error: 'expected a region name' }),
  zone: z.string().min(1, { error: 'expected a zone name' }),
  /** Shared services the site cannot serve without (`dns-eu`, `kms-eu`, `db-main`): failure domains too. */
  dependencies: z.array(z.string().min(1, { error: 'expected a dependency name' })).default([]),
});

const serviceSchema = z.strictObject({
  name,
  /** The sites the service runs on (and may take traffic). */
  sites: z.array(name).min(1, { error: 'a service runs on at least one site' }),
  /** Requests per second that must stay servable by healthy sites at every step of a failover. */
  minHealthyCapacity: z.number().nonnegative({ error: 'expected requests per second, at least 0' }).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const driverSchema = z.strictObject({
  kind: z.literal('fleet', { error: 'expected driver kind: fleet (the demo fleet is the only driver so far)' }),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
});

export const inventorySchema = z
  .strictObject({
    apiVersion: z.literal('rebound/v1', { error: 'expected apiVersion: rebound/v1' }),
    kind: z.literal('Inventory', { error: 'expected kind: Inventory' }),
    metadata: z.strictObject({
      name,
      description: z.string().optional(),
    }),
    spec: z.strictObject({
      driver: driverSchema,
      sites: z.array(siteSchema).min(1, { error: 'an inventory needs at least one site' }),
      services: z.array(serviceSchema).default([]),
    }),
  })
  .superRefine((inventory, ctx) => {
    const { sites, services } = inventory.spec;
    const siteNames = new Set<string>();
    sites.forEach((site, index) => {
      if (siteNames.has(site.name)) ctx.addIssue({ code: 'custom', path: ['spec', 'sites', index, 'name'], message: `duplicate site "${site.name}"` });
      siteNames.add(site.name);
    });
    const known = [...siteNames].join(', ');
    const serviceNames = new Set<string>();
    services.forEach((service, index) => {
      if (serviceNames.has(service.name)) {
        ctx.addIssue({ code: 'custom', path: ['spec', 'services', index, 'name'], message: `duplicate service "${service.name}"` });
      }
      serviceNames.add(service.name);
      service.sites.forEach((site, siteIndex) => {
        const path = ['spec', 'services', index, 'sites', siteIndex];
        if (!siteNames.has(site)) ctx.addIssue({ code: 'custom', path, message: `unknown site "${site}"; sites: ${known}` });
        else if (service.sites.indexOf(site) !== siteIndex) ctx.addIssue({ code: 'custom', path, message: `site "${site}" listed twice` });
      });
    });
  });

export type Inventory = z.infer<typeof inventorySchema>;
export type InventorySite = Inventory['spec']['sites'][number];
export type InventoryService = Inventory['spec']['services'][number];

/** Thrown by {@link sharedFailureDomains} for a site the inventory does not list. */
export class UnknownSiteError extends Error {
  override readonly name = 'UnknownSiteError';
}

/**
 * The failure domains sites `siteA` and `siteB` of the inventory share: a failover destination
 * must share none with the failed site. Throws {@link UnknownSiteError} for a site not listed.
 */
export function sharedFailureDomains(inventory: Inventory, siteA: string, siteB: string): string[] {
  return sharedDomains(inventorySite(inventory, siteA), inventorySite(inventory, siteB));
}

function inventorySite(inventory: Inventory, site: string): InventorySite {
  const found = inventory.spec.sites.find((candidate) => candidate.name === site);
  if (found) return found;
  throw new UnknownSiteError(`unknown site "${site}"; sites: ${inventory.spec.sites.map((known) => known.name).join(', ')}`);
}

export interface ServiceSelector {
  /** Only the service of this name. */
  service?: string;
  /** Only services carrying every one of these labels with these values. */
  labels?: Record<string, string>;
}

/** The inventory's services that match every part of `selector` (all of them for `{}`), in inventory order. */
export function selectServices(inventory: Inventory, selector: ServiceSelector): InventoryService[] {
  const wantedLabels = Object.entries(selector.labels ?? {});
  return inventory.spec.services.filter(
    (service) =>
      (selector.service === undefined || service.name === selector.service) &&
      wantedLabels.every(([label, value]) => service.labels?.[label] === value),
  );
}

export { sharedDomains, type FailureDomains };
