/** Read routes: every answer is recomputed from the current state (API.md "Reads"). */
import type { FastifyInstance } from 'fastify';
import type { FleetContext, ServiceParams } from './context';

export function registerReadRoutes(app: FastifyInstance, { fleet, ledger }: FleetContext): void {
  app.get('/healthz', () => ({ ok: true }));
  app.get('/v1/state', () => ({ ...fleet.snapshot(), ledger: ledger.list() }));
  app.get('/v1/sites', () => fleet.sites());
  app.get('/v1/services', () => fleet.serviceNames().map((service) => fleet.health(service)));
  app.get<{ Params: ServiceParams }>('/v1/services/:service/replicas', (request) => fleet.replicas(request.params.service));
  app.get<{ Params: ServiceParams }>('/v1/services/:service/traffic', (request) => fleet.traffic(request.params.service));
  app.get<{ Params: ServiceParams }>('/v1/services/:service/grants', (request) => fleet.grants(request.params.service));
  app.get<{ Params: ServiceParams }>('/v1/services/:service/health', (request) => fleet.health(request.params.service));
  app.get('/v1/ledger', () => ledger.list());
}
