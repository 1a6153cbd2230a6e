/** Fault injection: "the world" changing things behind the driver's back (API.md "Faults"). No Idempotency-Key. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { durationMs } from '../../../model/duration';
import { durationSchema } from '../../../model/duration-schema';
import { parseBody } from '../errors';
import { grantRefSchema, grantSchema } from '../model';
import type { FleetContext } from './context';

const service = z.string().min(1);
const replica = z.string().min(1);
const site = z.string().min(1);

/** A duration like `15m`, or seconds. */
const ttlMs = z.union([durationSchema.transform(durationMs), z.number().positive().transform((seconds) => seconds * 1000)], {
  error: 'expected a duration like 15m, or seconds',
});

export function registerFaultRoutes(app: FastifyInstance, { fleet, reset }: FleetContext): void {
  const fault = <Schema extends z.ZodType>(kind: string, schema: Schema, inject: (body: z.output<Schema>) => object) => {
    app.post(`/v1/faults/${kind}`, (request) => {
      const answer = inject(parseBody(schema, request.body));
      request.log.info({ fault: kind, body: request.body }, 'fault injected');
      return { fault: kind, ...answer };
    });
  };

  fault('bad-deploy', z.strictObject({ service, version: z.string().min(1), replicas: z.array(replica).min(1).optional() }), (body) => ({
    replicas: fleet.badDeploy(body.service, body.version, body.replicas),
  }));
  fault('config-drift', z.strictObject({ service, replica, config: z.record(z.string(), z.string()) }), (body) => ({
    replica: fleet.driftConfig(body.service, body.replica, body.config),
  }));
  fault('stuck-replica', z.strictObject({ service, replica, stuck: z.boolean().default(true) }), (body) => {
    fleet.setStuck(body.service, body.replica, body.stuck);
    return { service: body.service, replica: body.replica, stuck: body.stuck };
  });
  fault('site-outage', z.strictObject({ site, up: z.boolean().default(false) }), (body) => ({ site: fleet.setSiteUp(body.site, body.up) }));
  fault('dependency-failure', z.strictObject({ dependency: z.string().min(1), failing: z.boolean().default(true) }), (body) => ({
    dependency: body.dependency,
    failing: body.failing,
    sites: fleet.setDependencyFailing(body.dependency, body.failing),
  }));
  fault('permission-desync', z.strictObject({ service, add: z.array(grantSchema).default([]), remove: z.array(grantRefSchema).default([]) }), (body) => ({
    grants: fleet.applyGrants(body.service, { add: body.add, remove: body.remove }),
  }));
  fault('capacity-shortfall', z.strictObject({ site, capacity: z.number().min(0) }), (body) => ({ site: fleet.setCapacity(body.site, body.capacity) }));
  fault('break-glass', z.strictObject({ service, principal: z.string().min(1), role: z.string().min(1), ttl: ttlMs }), (body) => ({
    grant: fleet.openBreakGlass(body.service, { principal: body.principal, role: body.role }, body.ttl),
  }));

  app.post('/v1/reset', (request) => {
    reset();
    request.log.info('fleet reset to its seed');
    return { ok: true };
  });
}
