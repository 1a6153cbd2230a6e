/** The demo fleet for tests: a real fleet server on a free port, and an inventory pointing at it. */
import * as path from 'node:path';
import { readInventoryFile } from '../../activities/drivers/inventory-file';
import { startFleet, type RunningFleet } from '../../examples/fleet/server';
import type { Inventory } from '../../model/inventory';

export interface TestFleet extends RunningFleet {
  inventory: Inventory;
  /** POST /v1/faults/<kind>: the world changing things. */
  fault(kind: string, body: unknown): Promise<unknown>;
  get<T = unknown>(route: string): Promise<T>;
}

export async function startTestFleet(): Promise<TestFleet> {
  const fleet = await startFleet({ port: 0 });
  const shipped = await readInventoryFile(path.join(__dirname, '..', '..', 'examples', 'inventory.yaml'));
  const inventory: Inventory = { ...shipped, spec: { ...shipped.spec, driver: { ...shipped.spec.driver, url: fleet.url } } };
  const request = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${fleet.url}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`${method} ${route} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    ...fleet,
    inventory,
    fault: (kind, body) => request('POST', `/v1/faults/${kind}`, body),
    get: async <T>(route: string) => (await request('GET', route)) as T,
  };
}
