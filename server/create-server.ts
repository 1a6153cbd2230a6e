/**
 * The webhook server: alert routes (authenticated), health, readiness and metrics. Answers 202
 * only once Temporal accepted every delivery of the payload, 503 when it could not (the sender
 * retries), and a coded 4xx for bad input, before anything is sent.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import type { NormalizedAlert } from '../model/alert-routing';
import type { AuthzPolicy } from '../model/authz-policy';
import type { AlertSource } from '../model/triggers';
import { defaultWebhookRateLimit } from '../runtime/config';
import type { Logger } from '../runtime/logger';
import { parseAlertmanagerPayload } from './alertmanager-payload';
import { planDeliveries, planGenericDeliveries, type AlertDelivery, type LoadedRunbook } from './alert-delivery';
import { createAlertCoalescer, defaultCoalescing, type CoalescingLimits } from './alert-coalescing';
import { createAuthenticator, signatureHeader, type AuthOptions, type Principal } from './auth';
import { parseGrafanaPayload } from './grafana-payload';
import { codecRoutes, type CodecRoutesOptions } from './codec-routes';
import { CoalescerFullError } from './delivery-coalescer';
import { HttpError, toHttpError } from './http-errors';
import { createWebhookMetrics } from './metrics';
import { serveOpenApiDocument } from './openapi';
import { expectObject, parseJsonBodyInto } from './payload-validation';
import { authorizeDeliveries } from './start-authorization';

interface Plan {
  deliveries: AlertDelivery[];
  /** Alerts of the payload that matched no runbook. */
  unmatched: number;
}

export interface WebhookServerOptions {
  client: Client;
  taskQueue: string;
  runbooks: readonly LoadedRunbook[];
  auth: AuthOptions;
  logger: Logger;
  /** Where child runbooks of `run` steps are resolved (see planDeliveries). */
  runbooksDir?: string;
  /** How long Temporal may take to accept a payload's deliveries (queueing included) before the answer is 503. */
  temporalTimeoutMs?: number;
  /** Bounds of the per-recovery group commit (server/alert-coalescing.ts); defaults: defaultCoalescing. */
  coalescing?: Partial<CoalescingLimits>;
  /** Requests per window per alert route and client address (429 beyond); false: no limit. Default 6000 a minute. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** The codec endpoint for the Temporal UI and CLI (server/codec-routes.ts); absent: not served. */
  codec?: CodecRoutesOptions | undefined;
  /** The authorization policy (REBOUND_AUTHZ_FILE): checked for every start and pinned into it; absent: every credential may start what its scope covers. */
  authz?: AuthzPolicy | undefined;
}

/** An error and its cause, one line each: the SDK's ServiceError says what failed, its cause why. */
function firstLines(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: { message?: string } };
  return [message, cause?.message].filter((text) => text !== undefined).map((text) => text.split('\n')[0]).join(': ');
}

/** Largest accepted body: Alertmanager payloads are a few KiB per alert. */
export const bodyLimit = 1024 * 1024;

export function createWebhookServer(options: WebhookServerOptions): FastifyInstance {
  const { client, taskQueue, logger } = options;
  const temporalTimeoutMs = options.temporalTimeoutMs ?? 5000;
  const limits = options.rateLimit ?? { max: defaultWebhookRateLimit, timeWindowMs: 60_000 };
  const runbooks = Object.freeze([...options.runbooks]);
  const authenticator = createAuthenticator(options.auth, new Set(runbooks.map((loaded) => loaded.runbook.metadata.name)));
  if (authenticator.disabled) logger.warn('WEBHOOK AUTHENTICATION IS DISABLED: anyone who can reach this port can start recoveries');
  const coalescing = { ...defaultCoalescing, ...options.coalescing };
  const metrics = createWebhookMetrics(() => coalescer.stats());
  const coalescer = createAlertCoalescer(client, taskQueue, coalescing, metrics);
  const app = Fastify({ bodyLimit, logger: false });
  // Calls still in flight for requests already answered (503 at their deadline) end before the caller closes the client.
  app.addHook('onClose', async () => coalescer.idle());
  // Webhooks send JSON; any other body is refused with 415 rather than parsed as a string.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => parseJsonBodyInto(body as string, done));
  // First, so that it sees every route registered after it.
  serveOpenApiDocument(app, { authenticated: !authenticator.disabled });
  const startedAt = new WeakMap<object, bigint>();
  const receivedAt = new WeakMap<object, string>();
  const principals = new WeakMap<object, Principal>();

  app.addHook('onRequest', async (request) => {
    startedAt.set(request, process.hrtime.bigint());
    receivedAt.set(request, new Date().toISOString());
  });
  app.addHook('onResponse', async (request, reply) => {
    const started = startedAt.get(request);
    if (started === undefined) return;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.requestDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, seconds);
  });

  app.setErrorHandler(async (error, request, reply) => {
    const httpError = toHttpError(error);
    if (httpError.code === 'internal') logger.error({ err: error, url: request.url }, 'webhook request failed');
    if (request.url.startsWith('/v1/alerts/')) metrics.alertsRejected.inc({ source: request.url.slice('/v1/alerts/'.length).split('?')[0] ?? '', reason: httpError.code });
    return reply.code(httpError.status).send(httpError.body());
  });
  app.setNotFoundHandler(async (request, reply) => {
    // A path served under other methods is 405 with those methods in Allow (RFC 9110), not 404.
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = app.supportedMethods.filter((method) => app.hasRoute({ method: method as HTTPMethods, url: path }));
    if (allowed.length > 0) reply.header('allow', allowed.join(', '));
    const refusal =
      allowed.length > 0 ? new HttpError('method_not_allowed', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, { allowed }) : new HttpError('not_found', `no route ${request.method} ${request.url}`);
    return reply.code(refusal.status).send(refusal.body());
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await client.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send(new HttpError('temporal_unavailable', `Temporal is not reachable: ${firstLines(error)}`).body());
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  // Credentials are checked before the body is read: an unauthenticated sender costs no parsing.
  const authenticate = async (request: FastifyRequest) => {
    principals.set(request, authenticator.fromHeaders(request.headers));
  };

  /** The common path of every alert route: plan (routing, scope, params), hand to Temporal, answer. */
  async function acceptAlerts(request: FastifyRequest, reply: FastifyReply, source: AlertSource, received: number, plan: (principal: Principal) => Promise<Plan>) {
    metrics.alertsReceived.inc({ source }, received);
    const principal = principals.get(request) ?? authenticator.fromHeaders(request.headers);
    const planned = await plan(principal);
    const deliveries = authorizeDeliveries(planned.deliveries, options.authz, principal, logger);
    const { unmatched } = planned;
    let results;
    try {
      results = await coalescer.submit(
        deliveries.map((delivery) => ({ lane: delivery.workflowId, item: delivery })),
        temporalTimeoutMs,
      );
    } catch (error) {
      if (error instanceof CoalescerFullError) {
        logger.warn({ source, alerts: received, ...coalescer.stats() }, 'alert queue full; answering 503 so the sender retries');
        throw new HttpError('overloaded', error.message, { queued: coalescer.stats().queued, limit: coalescing.maxQueued });
      }
      logger.error({ err: error, source, alerts: received }, 'Temporal did not accept the alerts; answering 503 so the sender retries');
      throw new HttpError('temporal_unavailable', 'Temporal did not accept the alerts; retry later', { reason: firstLines(error) });
    }
    const suppressed = [];
    for (const result of results) {
      if (result.suppressed) {
        // Rebound keeps no store of its own and an ended workflow takes no signals: the suppressed
        // alert is recorded in the answer, the log and the metric.
        suppressed.push({ runbook: result.delivery.runbook, fingerprint: result.delivery.alert.fingerprint, startsAt: result.delivery.alert.startsAt, ...result.suppressed });
        metrics.alertsSuppressed.inc({ source, runbook: result.delivery.runbook, reason: result.suppressed.reason });
        logger.warn({ source, runbook: result.delivery.runbook, fingerprint: result.delivery.alert.fingerprint, ...result.suppressed }, `alert suppressed: ${result.suppressed.recovery} ended at ${result.suppressed.closedAt}, in cooldown until ${result.suppressed.until}`);
      } else if (result.outcome === 'not-running') metrics.resolvedWithoutRecovery.inc({ source });
    }
    metrics.alertsAccepted.inc({ source }, received);
    metrics.alertsUnmatched.inc({ source }, unmatched);
    const recoveries = [...new Set(results.filter((result) => result.delivered).map((result) => result.delivery.workflowId))];
    const outcomes = results.map(({ delivery, outcome, runId }) => ({ runbook: delivery.runbook, fingerprint: delivery.alert.fingerprint, status: delivery.alert.status, recovery: delivery.workflowId, outcome, ...(runId === undefined ? {} : { runId }) }));
    return reply.code(202).send({ accepted: received, matched: deliveries.length, recoveries, ...(outcomes.length > 0 ? { deliveries: outcomes } : {}), ...(suppressed.length > 0 ? { suppressed } : {}) });
  }

  /** Alertmanager-shaped payloads: several alerts, each routed by its labels. */
  function acceptLabelledAlerts(request: FastifyRequest, reply: FastifyReply, source: AlertSource, alerts: readonly NormalizedAlert[]) {
    return acceptAlerts(request, reply, source, alerts.length, async (principal) => {
      const deliveries = await planDeliveries(alerts, { runbooks, runbooksDir: options.runbooksDir, receivedAt: receivedAt.get(request), principal });
      return { deliveries, unmatched: alerts.length - new Set(deliveries.map((delivery) => delivery.alert)).size };
    });
  }

  if (options.codec) app.register(codecRoutes, options.codec);
  app.register(async (alertRoutes) => {
    // The limit comes first so that floods of bad credentials are limited too.
    if (limits !== false) {
      await alertRoutes.register(rateLimit, { global: false });
      alertRoutes.addHook(
        'onRequest',
        alertRoutes.rateLimit({
          max: limits.max,
          timeWindow: limits.timeWindowMs,
          keyGenerator: (request) => `${request.routeOptions.url ?? request.url}|${request.ip}`,
          errorResponseBuilder: (_request, context) =>
            new HttpError('rate_limited', `more than ${context.max} requests in ${context.after} from this client; retry later`, { max: context.max, retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
        }),
      );
    }
    alertRoutes.post('/v1/alerts/alertmanager', { onRequest: [authenticate] }, async (request, reply) => acceptLabelledAlerts(request, reply, 'alertmanager', parseAlertmanagerPayload(request.body)));
    alertRoutes.post('/v1/alerts/grafana', { onRequest: [authenticate] }, async (request, reply) => acceptLabelledAlerts(request, reply, 'grafana', parseGrafanaPayload(request.body)));

    alertRoutes.register(async (genericRoute) => {
      // HMAC signatures cover the exact bytes sent, so this route keeps the raw body beside the parsed one.
      const rawBodies = new WeakMap<object, Buffer>();
      genericRoute.removeContentTypeParser('application/json');
      genericRoute.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
        rawBodies.set(request, body as Buffer);
        parseJsonBodyInto((body as Buffer).toString('utf8'), done);
      });
      // A signed request (signature header, no Authorization) is checked once its body is read.
      const signed = (request: FastifyRequest) => request.headers[signatureHeader] !== undefined && request.headers.authorization === undefined;
      const authenticateUnlessSigned = async (request: FastifyRequest) => {
        if (!signed(request)) await authenticate(request);
      };
      const verifySignature = async (request: FastifyRequest) => {
        if (signed(request)) principals.set(request, authenticator.fromSignature(request.headers, rawBodies.get(request) ?? Buffer.alloc(0)));
      };
      genericRoute.post('/v1/alerts/generic', { onRequest: [authenticateUnlessSigned], preHandler: [verifySignature] }, async (request, reply) => {
        const body = expectObject(request.body, 'any JSON object');
        const raw = rawBodies.get(request) ?? Buffer.from(JSON.stringify(body));
        const generic = { body, receivedAt: receivedAt.get(request) ?? new Date().toISOString(), bodyHash: createHash('sha256').update(raw).digest('hex') };
        return acceptAlerts(request, reply, 'generic', 1, async (principal) => {
          const deliveries = await planGenericDeliveries(generic, { runbooks, runbooksDir: options.runbooksDir, receivedAt: generic.receivedAt, principal });
          return { deliveries, unmatched: deliveries.length === 0 ? 1 : 0 };
        });
      });
    });
  });

  return app;
}
