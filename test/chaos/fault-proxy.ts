/**
 * A misbehaving target in front of the fleet. The first path segment picks the behaviour:
 *   /slow/...     forwards to the fleet after 3 s (a long compensation, so kills land in it)
 *   /5xx/...      answers 503 at once
 *   /timeout/...  answers 504 after 3 s (longer than the calling action's attempt timeout)
 *   /hang/...     never answers (until the proxy stops)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface FaultProxy {
  url: string;
  /** Requests seen per mode. */
  seen: Record<string, number>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(fleetUrl: string): Promise<FaultProxy> {
  const seen: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const closing = new AbortController();

  const forward = async (request: IncomingMessage, response: ServerResponse, rest: string) => {
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'idempotency-key']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(`${fleetUrl}${rest}`, { method: request.method, headers, body: body.length > 0 ? body : undefined });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  };

  const server = createServer((request, response) => {
    const [, mode = '', ...restParts] = (request.url ?? '/').split('/');
    const rest = `/${restParts.join('/')}`;
    seen[mode] = (seen[mode] ?? 0) + 1;
    const handle = async () => {
      switch (mode) {
        case 'slow':
          await delay(3000, undefined, { signal: closing.signal });
          return forward(request, response, rest);
        case '5xx':
          response.writeHead(503, { 'content-type': 'application/json' });
          return response.end(JSON.stringify({ error: { code: 'unavailable', message: 'injected 5xx' } }));
        case 'timeout':
          await delay(3000, undefined, { signal: closing.signal });
          response.writeHead(504, { 'content-type': 'application/json' });
          return response.end(JSON.stringify({ error: { code: 'timeout', message: 'injected timeout' } }));
        case 'hang':
          return; // never answers
        default:
          response.writeHead(404, { 'content-type': 'application/json' });
          return response.end(JSON.stringify({ error: { code: 'unknown_mode', message: `unknown fault mode "${mode}"` } }));
      }
    };
    handle().catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    close: async () => {
      closing.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
