/** The demo fleet's HTTP server (API.md): `startFleet` for tests, demos and benchmarks; main.ts for a process. */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { FleetError, invalidRequest } from './errors';
import { IdempotencyLedger } from './ledger';
import { registerMetrics } from './metrics';
import type { FleetSeed } from './model';
import { registerChangeRoutes } from './routes/changes';
import type { FleetContext } from './routes/context';
import { registerFaultRoutes } from './routes/faults';
import { registerReadRoutes } from './routes/reads';
import { defaultSeedFile, loadSeedFile, validateSeed } from './seed';
import { Fleet } from './state';

export type { FleetSeed } from './model';

export interface FleetOptions {
  /** A seed YAML file; default examples/fleet/seed.yaml. Ignored when `seed` is given. */
  seedFile?: string;
  seed?: FleetSeed;
  /** 0 = a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: no logs. */
  logger?: Logger;
  /** Milliseconds since the epoch (break-glass expiry); tests move it instead of sleeping. Default Date.now. */
  now?: () => number;
}

export interface RunningFleet {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Same as POST /v1/reset: the seed again, no faults, an empty ledger. */
  reset(): void;
}

/** Turns fastify's own errors (bad JSON, wrong content type, …) and ours into `{ error: { code, message } }`. */
function answerErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FleetError, request, reply) => {
    if (error instanceof FleetError) return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'fleet request failed');
      return reply.code(500).send({ error: { code: 'internal_error', message: error.message } });
    }
    const code = typeof error.code === 'string' ? error.code.toLowerCase() : 'bad_request';
    return reply.code(status).send({ error: { code, message: error.message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''} (see examples/fleet/API.md)` } }),
  );
  // An empty body with a JSON content type is "no body" (DELETE, POST /v1/reset), not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(invalidRequest('invalid_json', `the body is not JSON: ${(error as Error).message}`), undefined);
    }
  });
}

export async function startFleet(options: FleetOptions = {}): Promise<RunningFleet> {
  const seed = options.seed !== undefined ? validateSeed(options.seed) : loadSeedFile(options.seedFile ?? defaultSeedFile());
  const now = options.now ?? Date.now;
  const fleet = new Fleet(seed, now);
  const ledger = new IdempotencyLedger(now);
  const reset = () => {
    fleet.reset();
    ledger.clear();
  };
  const context: FleetContext = { fleet, ledger, reset };

  const loggerInstance: FastifyBaseLogger | undefined = options.logger;
  // Per-request lines would drown a demo or a benchmark: faults and resets log instead.
  const app = Fastify({ loggerInstance, disableRequestLogging: true });
  answerErrors(app);
  registerMetrics(app, fleet);
  registerReadRoutes(app, context);
  registerChangeRoutes(app, context);
  registerFaultRoutes(app, context);

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`the fleet listens on an unexpected address: ${String(address)}`);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, port: address.port, close: () => app.close(), reset };
}
