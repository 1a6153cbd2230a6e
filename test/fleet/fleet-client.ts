/** A small HTTP client for the demo fleet in tests: real sockets, JSON in and out. */
import { startFleet, type FleetOptions, type RunningFleet } from '../../examples/fleet/server';

export interface Answer<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
}

export interface FleetUnderTest extends RunningFleet {
  get<Body = unknown>(path: string): Promise<Answer<Body>>;
  /** A change: `key` goes into the Idempotency-Key header (omit it with `null`). */
  change<Body = unknown>(method: 'PUT' | 'POST' | 'DELETE', path: string, key: string | null, body?: unknown): Promise<Answer<Body>>;
  fault<Body = unknown>(kind: string, body: unknown): Promise<Answer<Body>>;
  text(path: string): Promise<string>;
}

async function send<Body>(url: string, init: RequestInit): Promise<Answer<Body>> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as Body, headers: response.headers };
}

export async function startTestFleet(options: FleetOptions = {}): Promise<FleetUnderTest> {
  const fleet = await startFleet({ port: 0, ...options });
  const json = (body: unknown) => (body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return {
    ...fleet,
    get: (path) => send(`${fleet.url}${path}`, {}),
    change: (method, path, key, body) => {
      const init = json(body);
      const headers: Record<string, string> = { ...init.headers, ...(key === null ? {} : { 'idempotency-key': key }) };
      return send(`${fleet.url}${path}`, { method, ...init, headers });
    },
    fault: (kind, body) => send(`${fleet.url}/v1/faults/${kind}`, { method: 'POST', ...json(body) }),
    text: async (path) => (await fetch(`${fleet.url}${path}`)).text(),
  };
}
