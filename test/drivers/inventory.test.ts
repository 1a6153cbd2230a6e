/** The inventory: its file format (errors at file:line:col), the demo inventory, failure domains and selectors. */
import * as path from 'node:path';
import { loadInventoryFile, parseInventory, readInventoryFile } from '../../activities/drivers/inventory-file';
import { loadSeedFile } from '../../examples/fleet/seed';
import { selectServices, sharedDomains, sharedFailureDomains, UnknownSiteError, type Inventory } from '../../model/inventory';
import { formatProblem } from '../../model/yaml-document';
import { ConfigError, loadConfig } from '../../runtime/config';

const exampleFile = path.join('examples', 'inventory.yaml');

async function exampleInventory(): Promise<Inventory> {
  return readInventoryFile(exampleFile);
}

function problemsOf(text: string): string[] {
  const result = parseInventory(text, 'inventory.yaml');
  if (result.ok) throw new Error('the inventory unexpectedly loaded');
  return result.problems.map(formatProblem);
}

const valid = `apiVersion: rebound/v1
kind: Inventory
metadata: { name: two-sites }
spec:
  driver: { kind: fleet, url: "http://127.0.0.1:9400" }
  sites:
    - { name: a, region: eu, zone: eu-a, dependencies: [dns-eu] }
    - { name: b, region: us, zone: us-b }
  services:
    - { name: web, sites: [a, b] }
`;

describe('inventory files', () => {
  it('loads a valid inventory, filling in defaults', () => {
    const result = parseInventory(valid, 'inventory.yaml');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.inventory.spec.sites[1]).toEqual({ name: 'b', region: 'us', zone: 'us-b', dependencies: [] });
    expect(result.inventory.spec.services).toEqual([{ name: 'web', sites: ['a', 'b'] }]);
  });

  it.each([
    ['an unknown field', valid.replace('kind: fleet,', 'kind: fleet, token: x,'), 'inventory.yaml:5:26: driver.token: unknown field'],
    ['a driver that does not exist', valid.replace('kind: fleet', 'kind: kubernetes'), 'inventory.yaml:5:19: driver.kind: expected driver kind: fleet (the demo fleet is the only driver so far)'],
    ['a URL that is not http(s)', valid.replace('"http://127.0.0.1:9400"', 'ftp://fleet'), 'inventory.yaml:5:31: driver.url: expected an http(s) URL'],
    ['a service on a site not listed', valid.replace('sites: [a, b]', 'sites: [a, c]'), 'inventory.yaml:10:31: services[0].sites[1]: unknown site "c"; sites: a, b'],
    ['a missing zone', valid.replace(' zone: us-b', ''), 'inventory.yaml:8:7: sites[1].zone: missing required field (expected string)'],
    ['a negative capacity floor', valid.replace('sites: [a, b] }', 'sites: [a, b], minHealthyCapacity: -1 }'), 'inventory.yaml:10:55: services[0].minHealthyCapacity: expected requests per second, at least 0'],
    ['invalid YAML', valid.replace('metadata: { name: two-sites }', 'metadata: { name: two-sites'), 'inventory.yaml:4:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }'],
  ])('reports %s at file:line:col', (_case, text, expected) => {
    expect(problemsOf(text)).toEqual([expected]);
  });

  it('reports every problem, in line order', () => {
    const text = valid.replace('zone: us-b', 'zone: ""').replace('apiVersion: rebound/v1', 'apiVersion: rebound/v2');
    expect(problemsOf(text)).toEqual(['inventory.yaml:1:13: apiVersion: expected apiVersion: rebound/v1', 'inventory.yaml:8:36: sites[1].zone: expected a zone name']);
  });

  it('checks that sites are named once and services run on listed sites', () => {
    const text = valid.replace('name: b,', 'name: a,').replace('sites: [a, b]', 'sites: [a, a]');
    expect(problemsOf(text)).toEqual([
      'inventory.yaml:8:15: sites[1].name: duplicate site "a"',
      'inventory.yaml:10:31: services[0].sites[1]: site "a" listed twice',
    ]);
  });

  it('says so when the file does not exist', async () => {
    const result = await loadInventoryFile('no-such-inventory.yaml');
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['no-such-inventory.yaml:1:1: cannot read inventory: no such file']);
  });

  it('fails worker start with a configuration error that lists every problem', async () => {
    const failure = await readInventoryFile('no-such-inventory.yaml').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toBe('REBOUND_INVENTORY: invalid inventory\nno-such-inventory.yaml:1:1: cannot read inventory: no such file');
  });

  it('is configured by REBOUND_INVENTORY, resolved against the working directory', () => {
    expect(loadConfig({ REBOUND_INVENTORY: 'examples/inventory.yaml' }, '/srv/rebound').inventoryFile).toBe('/srv/rebound/examples/inventory.yaml');
    expect(loadConfig({ REBOUND_INVENTORY: ' ' }, '/srv/rebound').inventoryFile).toBeUndefined();
    expect(loadConfig({}, '/srv/rebound').inventoryFile).toBeUndefined();
  });
});

describe('the demo inventory (examples/inventory.yaml)', () => {
  it('describes the sites of the demo fleet, in the same failure domains', async () => {
    const inventory = await exampleInventory();
    const seed = loadSeedFile(path.join('examples', 'fleet', 'seed.yaml'));
    expect(inventory.spec.sites).toEqual(seed.sites.map(({ name, region, zone, dependencies }) => ({ name, region, zone, dependencies })));
  });

  it('lists every service of the demo fleet on the sites it has replicas on', async () => {
    const inventory = await exampleInventory();
    const seed = loadSeedFile(path.join('examples', 'fleet', 'seed.yaml'));
    const fromSeed = seed.services.map((service) => ({ name: service.name, sites: Object.keys(service.replicas) }));
    expect(inventory.spec.services.map(({ name, sites }) => ({ name, sites }))).toEqual(fromSeed);
  });
});

describe('sharedFailureDomains', () => {
  it('names the region and dependencies eu-west shares with eu-central', async () => {
    expect(sharedFailureDomains(await exampleInventory(), 'eu-west', 'eu-central')).toEqual(['region eu', 'dependency dns-eu', 'dependency db-eu']);
  });

  it('finds nothing shared between eu-west and us-east', async () => {
    expect(sharedFailureDomains(await exampleInventory(), 'eu-west', 'us-east')).toEqual([]);
  });

  it('counts a shared zone', () => {
    expect(sharedDomains({ region: 'eu', zone: 'eu-a', dependencies: [] }, { region: 'us', zone: 'eu-a', dependencies: ['dns'] })).toEqual(['zone eu-a']);
  });

  it('refuses a site the inventory does not list', async () => {
    const inventory = await exampleInventory();
    expect(() => sharedFailureDomains(inventory, 'eu-west', 'ap-south')).toThrow(UnknownSiteError);
    expect(() => sharedFailureDomains(inventory, 'eu-west', 'ap-south')).toThrow('unknown site "ap-south"; sites: eu-west, eu-central, us-east');
  });
});

describe('selectServices', () => {
  const names = (services: { name: string }[]) => services.map((service) => service.name);

  it('selects every service for an empty selector', async () => {
    expect(names(selectServices(await exampleInventory(), {}))).toEqual(['checkout', 'payments', 'search']);
  });

  it('selects by name', async () => {
    expect(names(selectServices(await exampleInventory(), { service: 'payments' }))).toEqual(['payments']);
    expect(selectServices(await exampleInventory(), { service: 'billing' })).toEqual([]);
  });

  it('selects by labels, all of which must match', async () => {
    const inventory = await exampleInventory();
    expect(names(selectServices(inventory, { labels: { tier: 'critical' } }))).toEqual(['checkout', 'payments']);
    expect(names(selectServices(inventory, { labels: { tier: 'critical', team: 'shop' } }))).toEqual(['checkout']);
    expect(names(selectServices(inventory, { service: 'search', labels: { tier: 'critical' } }))).toEqual([]);
  });
});
