/**
 * GET /metrics: the fleet's figures in Prometheus text, from a registry of its own (never the
 * process-global one, so several fleets and other code in one process do not collide).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Fleet } from './state';

export function registerMetrics(app: FastifyInstance, fleet: Fleet): Registry {
  const registry = new Registry();
  const gauge = <Label extends string>(name: string, help: string, labelNames: readonly Label[]) =>
    new Gauge<Label>({ name, help, labelNames, registers: [registry] });

  const replicaHealthy = gauge('fleet_replica_healthy', '1 when the replica is healthy (site up, error ratio < 0.05)', ['service', 'site', 'replica']);
  const replicaErrorRatio = gauge('fleet_replica_error_ratio', 'Share of failing requests at the replica', ['service', 'site', 'replica']);
  const serviceErrorRatio = gauge('fleet_service_error_ratio', 'Share of failing requests of the service, weighted by traffic', ['service']);
  const trafficWeight = gauge('fleet_traffic_weight', "Percent of the service's traffic sent to the site", ['service', 'site']);
  const siteCapacity = gauge('fleet_site_capacity', 'Requests per second the site can serve', ['site']);
  const siteLoad = gauge('fleet_site_load', 'Requests per second routed to the site', ['site']);
  const siteUp = gauge('fleet_site_up', '1 when the site is up', ['site']);
  const siteErrorRatio = gauge('fleet_site_error_ratio', "The site's own share of failing requests (down, failing dependency, overload)", ['site']);
  const dependencyFailing = gauge('fleet_dependency_failing', '1 while the shared dependency fails', ['dependency']);
  const requests = new Counter({ name: 'fleet_requests_total', help: 'HTTP requests answered by the fleet', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const gauges = [replicaHealthy, replicaErrorRatio, serviceErrorRatio, trafficWeight, siteCapacity, siteLoad, siteUp, siteErrorRatio, dependencyFailing];

  // Reset first: a replica or weight that no longer exists (after a reset) must not linger.
  const refresh = () => {
    for (const metric of gauges) metric.reset();
    const state = fleet.snapshot();
    for (const site of state.sites) {
      siteCapacity.set({ site: site.name }, site.capacity);
      siteLoad.set({ site: site.name }, site.load);
      siteUp.set({ site: site.name }, site.up ? 1 : 0);
      siteErrorRatio.set({ site: site.name }, site.errorRatio);
    }
    for (const [dependency, { failing }] of Object.entries(state.dependencies)) dependencyFailing.set({ dependency }, failing ? 1 : 0);
    for (const service of state.services) {
      serviceErrorRatio.set({ service: service.name }, service.health.errorRatio);
      for (const [site, weight] of Object.entries(service.weights)) trafficWeight.set({ service: service.name, site }, weight);
      for (const replica of service.replicas) {
        const labels = { service: service.name, site: replica.site, replica: replica.id };
        replicaHealthy.set(labels, replica.healthy ? 1 : 0);
        replicaErrorRatio.set(labels, replica.errorRatio);
      }
    }
  };

  app.addHook('onResponse', async (request, reply) => {
    requests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  app.get('/metrics', async (_request, reply) => {
    refresh();
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return registry;
}
