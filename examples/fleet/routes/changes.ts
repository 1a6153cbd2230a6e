/**
 * Changes (what a driver does): each needs an Idempotency-Key; a repeated key is answered from
 * the ledger without applying anything again (API.md "Changes").
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { z } from 'zod';
import { invalidRequest, parseBody } from '../errors';
import type { IdempotencyLedger } from '../ledger';
import { deploymentSchema, grantRefSchema, grantSchema, weightsSchema } from '../model';
import type { FleetContext, ServiceParams } from './context';

const trafficBody = z.strictObject({ weights: weightsSchema });
const grantDiffBody = z.strictObject({ add: z.array(grantSchema).default([]), remove: z.array(grantRefSchema).default([]) });

/** Long enough for `<workflowId>/<runId>/<stepId>/<target>/<purpose>`, short enough to refuse garbage. */
const maxKeyLength = 1000;

/**
 * Wraps a change: key required, replays answered from the ledger, applied changes recorded.
 * `apply` is synchronous, so no other request runs between the ledger lookup and the record.
 */
function idempotent<Route extends RouteGenericInterface>(ledger: IdempotencyLedger, apply: (request: FastifyRequest<Route>) => unknown) {
  return (request: FastifyRequest<Route>, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' ? header.trim() : '';
    const path = request.url.split('?')[0] ?? request.url;
    if (key === '') throw invalidRequest('idempotency_key_missing', `${request.method} ${path} needs an Idempotency-Key header`);
    if (key.length > maxKeyLength) throw invalidRequest('idempotency_key_too_long', `an Idempotency-Key has at most ${maxKeyLength} characters`);
    const change = { method: request.method, path, body: request.body };
    const earlier = ledger.replay(key, change);
    if (earlier !== undefined) return reply.code(earlier.status).header('idempotency-replayed', 'true').send(earlier.response);
    const response = apply(request);
    ledger.record(key, change, 200, response);
    return reply.code(200).send(response);
  };
}

export function registerChangeRoutes(app: FastifyInstance, { fleet, ledger }: FleetContext): void {
  app.put<{ Params: ServiceParams & { id: string } }>(
    '/v1/services/:service/replicas/:id/deployment',
    idempotent(ledger, (request) => fleet.deploy(request.params.service, request.params.id, parseBody(deploymentSchema, request.body))),
  );
  app.put<{ Params: ServiceParams }>(
    '/v1/services/:service/traffic',
    idempotent(ledger, (request) => fleet.setTraffic(request.params.service, parseBody(trafficBody, request.body).weights)),
  );
  app.post<{ Params: ServiceParams }>(
    '/v1/services/:service/grants',
    idempotent(ledger, (request) => fleet.applyGrants(request.params.service, parseBody(grantDiffBody, request.body))),
  );
  app.delete<{ Params: ServiceParams & { principal: string; role: string } }>(
    '/v1/services/:service/grants/:principal/:role',
    idempotent(ledger, ({ params }) => fleet.revokeGrant(params.service, { principal: params.principal, role: params.role })),
  );
}
