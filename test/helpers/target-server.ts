/**
 * A real HTTP server standing in for the system a runbook acts on: it records every request
 * (with its Idempotency-Key) and answers as each test tells it to.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: unknown;
}

export type Responder = (request: RecordedRequest) => Promise<{ status: number; json?: unknown }> | { status: number; json?: unknown };

export interface TargetServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Sets how `path` answers (default: 200 `{ ok: true }`). */
  route(path: string, responder: Responder): void;
  /** Resolves when a request for `path` has arrived `count` times. */
  received(path: string, count?: number): Promise<void>;
  /** Requests for `path`, in arrival order. */
  to(path: string): RecordedRequest[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startTargetServer(): Promise<TargetServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Responder>();
  const waiters: { path: string; count: number; resolve: () => void }[] = [];
  const countFor = (path: string) => requests.filter((request) => request.path === path).length;

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const header = request.headers['idempotency-key'];
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path, idempotencyKey: Array.isArray(header) ? header[0] : header, body: await readBody(request) };
      requests.push(recorded);
      for (const waiter of waiters.filter((candidate) => candidate.path === path && countFor(path) >= candidate.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const responder = routes.get(path) ?? (() => ({ status: 200, json: { ok: true } }));
      const answer = await responder(recorded);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.json ?? {}));
    })().catch(() => {
      // The client went away (e.g. a killed worker): nothing to answer.
      response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, responder) => routes.set(path, responder),
    received: (path, count = 1) =>
      countFor(path) >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ path, count, resolve })),
    to: (path) => requests.filter((request) => request.path === path),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
