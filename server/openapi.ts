/**
 * The webhook's OpenAPI 3.1 document at GET /openapi.json. Request bodies are the zod schemas the
 * routes validate with (openapi-schemas.ts); every answer a route gives is listed by status, and
 * error answers name the codes of http-errors.ts they carry. The document is built from the
 * routes the server registered (so the codec routes appear only when they are served), and a
 * route without an operation below fails the server's start: the two cannot drift apart.
 */
import type { FastifyInstance } from 'fastify';
import { signatureMaxSkewMs } from './auth';
import { componentSchemas, errorBodySchema, jsonSchemaOf } from './openapi-schemas';
import { httpErrorStatus, type HttpErrorCode } from './http-errors';

type JsonObject = Record<string, unknown>;
type SecurityRequirement = Record<string, string[]>;

interface OperationSpec {
  summary: string;
  description?: string;
  tag: 'alerts' | 'health' | 'codec';
  /** Alternatives, any one of which is enough; absent: the route takes no credentials. */
  security?: SecurityRequirement[];
  /** The webhook credentials guard it, so `--no-auth` opens it (the codec token is separate). */
  webhookAuth?: true;
  body?: { schema: string; example?: unknown };
  /** Path parameters (`:name` in the route, `{name}` in the document) and what each holds. */
  pathParameters?: Record<string, string>;
  success: { status: number; description: string; content?: { type: string; schema: JsonObject } };
  errors: readonly HttpErrorCode[];
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const bodyErrors = ['malformed_json', 'empty_body', 'forbidden_key', 'bad_request', 'payload_too_large', 'unsupported_media_type'] as const;
const alertErrors = [...bodyErrors, 'unauthenticated', 'invalid_credentials', 'forbidden', 'invalid_payload', 'invalid_params', 'runbook_unresolvable', 'rate_limited', 'temporal_unavailable', 'overloaded'] as const;
const authErrors = new Set<HttpErrorCode>(['unauthenticated', 'invalid_credentials', 'invalid_signature', 'stale_signature', 'forbidden']);
const headerCredentials: SecurityRequirement[] = [{ bearerToken: [] }, { basicAuth: [] }];

const accepted = {
  status: 202,
  description: 'Temporal accepted every delivery of the payload (or nothing matched: `matched: 0`).',
  content: { type: 'application/json', schema: ref('AlertsAccepted') },
};

const alertmanagerExample = {
  version: '4',
  receiver: 'rebound',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
      annotations: { summary: '5xx > 5%' },
      startsAt: '2026-11-25T12:17:27.754Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: '7d2d332feada5c59',
    },
  ],
  groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
  commonLabels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
  commonAnnotations: { summary: '5xx > 5%' },
};

/** Every operation the server may register, by `METHOD path`. */
const operations: Record<string, OperationSpec> = {
  'POST /v1/alerts/alertmanager': {
    summary: 'Alertmanager webhook (payload version 4)',
    description: 'Each alert is routed by its labels to the runbooks whose triggers match; a firing alert starts or joins `<runbook>/<key>`, a resolved one is signalled to the recovery in flight.',
    tag: 'alerts',
    security: headerCredentials,
    webhookAuth: true,
    body: { schema: 'AlertmanagerPayload', example: alertmanagerExample },
    success: accepted,
    errors: [...alertErrors, 'unsupported_version'],
  },
  'POST /v1/alerts/grafana': {
    summary: 'Grafana unified alerting webhook (payload version 1)',
    description: 'Routed like Alertmanager alerts, by labels.',
    tag: 'alerts',
    security: headerCredentials,
    webhookAuth: true,
    body: { schema: 'GrafanaPayload' },
    success: accepted,
    errors: [...alertErrors, 'unsupported_version'],
  },
  'POST /v1/alerts/generic': {
    summary: 'Any JSON object; `source: generic` triggers map it to params with CEL',
    description: `Signed (X-Rebound-Timestamp and X-Rebound-Signature, no Authorization header) or with Bearer/Basic credentials. A signature older or newer than ${signatureMaxSkewMs / 1000} s is refused.`,
    tag: 'alerts',
    security: [...headerCredentials, { hmacTimestamp: [], hmacSignature: [] }],
    webhookAuth: true,
    body: { schema: 'GenericPayload', example: { event: 'deploy.failed', deployment: 'dep-42', service: 'cart', version: '1.4.2', at: '2026-11-25T14:00:00Z' } },
    success: accepted,
    errors: [...alertErrors, 'invalid_signature', 'stale_signature'],
  },
  'GET /healthz': {
    summary: 'The process is up',
    tag: 'health',
    success: { status: 200, description: 'Up.', content: { type: 'application/json', schema: ref('Health') } },
    errors: [],
  },
  'GET /readyz': {
    summary: 'Temporal is reachable',
    tag: 'health',
    success: { status: 200, description: 'Temporal answered.', content: { type: 'application/json', schema: ref('Ready') } },
    errors: ['temporal_unavailable'],
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (text exposition format)',
    tag: 'health',
    success: { status: 200, description: 'The metrics.', content: { type: 'text/plain', schema: { type: 'string' } } },
    errors: [],
  },
  'GET /openapi.json': {
    summary: 'This document',
    tag: 'health',
    success: { status: 200, description: 'The OpenAPI document.', content: { type: 'application/json', schema: { type: 'object' } } },
    errors: [],
  },
  ...codecOperations('decode'),
  ...codecOperations('encode'),
};

function codecOperations(name: 'decode' | 'encode'): Record<string, OperationSpec> {
  const bearer = bearerCodecOperations(name);
  const inPath = (spec: OperationSpec): OperationSpec => ({
    ...spec,
    description: `${spec.description ?? spec.summary}. The codec token is the path segment {token} (for the Temporal UI's codec endpoint setting, a bare URL).`,
    pathParameters: { token: 'REBOUND_CODEC_TOKEN.' },
    ...(spec.security === undefined ? {} : { security: [] }),
  });
  return {
    ...bearer,
    [`POST /codec/:token/${name}`]: inPath(bearer[`POST /codec/${name}`]!),
    [`OPTIONS /codec/:token/${name}`]: inPath(bearer[`OPTIONS /codec/${name}`]!),
  };
}

function bearerCodecOperations(name: 'decode' | 'encode'): Record<string, OperationSpec> {
  return {
    [`POST /codec/${name}`]: {
      summary: `Temporal remote codec: ${name} payloads`,
      description: 'Served when codec keys and REBOUND_CODEC_TOKEN are configured. A browser may call it only from REBOUND_CODEC_UI_ORIGIN (any other Origin: 403).',
      tag: 'codec',
      security: [{ codecToken: [] }],
      body: { schema: 'CodecPayloads' },
      success: { status: 200, description: `The payloads, ${name}d, in the same order.`, content: { type: 'application/json', schema: ref('CodecPayloads') } },
      errors: [...bodyErrors, 'unauthenticated', 'invalid_credentials', 'forbidden', 'invalid_payload'],
    },
    [`OPTIONS /codec/${name}`]: {
      summary: 'CORS preflight of the Temporal UI',
      tag: 'codec',
      success: { status: 204, description: 'The request the UI origin may send (CORS headers only for that origin).' },
      // A preflight has no body, but one sent anyway is parsed like any other.
      errors: [...bodyErrors, 'forbidden'],
    },
  };
}

const securitySchemes = {
  bearerToken: { type: 'http', scheme: 'bearer', description: 'REBOUND_WEBHOOK_TOKEN, or a `tokens:` entry of the credentials file (REBOUND_WEBHOOK_CONFIG).' },
  basicAuth: { type: 'http', scheme: 'basic', description: 'A `basic:` user of the credentials file.' },
  hmacTimestamp: { type: 'apiKey', in: 'header', name: 'X-Rebound-Timestamp', description: 'Unix time in seconds when the request was signed.' },
  hmacSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Rebound-Signature',
    description: '`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>` with a secret of the credentials file’s `hmac:` list.',
  },
  codecToken: { type: 'http', scheme: 'bearer', description: 'REBOUND_CODEC_TOKEN.' },
};

/** The answers of one operation: its success, then one entry per error status with the codes it carries. */
function responsesOf(spec: OperationSpec, open: boolean, bodyLimit: number): JsonObject {
  const { success } = spec;
  const responses: JsonObject = { [success.status]: { description: success.description, ...(success.content ? { content: { [success.content.type]: { schema: success.content.schema } } } : {}) } };
  // Without authentication every sender is the anonymous principal of every runbook: no 401, no 403.
  const codes = spec.errors.filter((code) => !open || !authErrors.has(code));
  const byStatus = new Map<number, HttpErrorCode[]>();
  for (const code of codes) byStatus.set(httpErrorStatus[code], [...(byStatus.get(httpErrorStatus[code]) ?? []), code]);
  for (const [status, [first, ...rest]] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (first === undefined) continue;
    const limit = status === 413 ? ` (bodies over ${bodyLimit} bytes)` : '';
    responses[status] = {
      description: `Refused${limit}: ${[first, ...rest].map((code) => `\`${code}\``).join(', ')}.`,
      content: { 'application/json': { schema: jsonSchemaOf(errorBodySchema([first, ...rest]), 'output') } },
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'integer' } } } } : {}),
    };
  }
  return responses;
}

/** A HEAD answer: the status and headers of the GET answer, without a body. */
const withoutBodies = (responses: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(responses).map(([status, response]) => [status, { description: (response as { description: string }).description }]));

function operationObject(spec: OperationSpec, head: boolean, options: OpenApiOptions & { bodyLimit: number }): JsonObject {
  const open = spec.webhookAuth === true && !options.authenticated;
  const responses = responsesOf(spec, open, options.bodyLimit);
  return {
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [spec.tag],
    security: open ? [] : (spec.security ?? []),
    ...(spec.pathParameters
      ? { parameters: Object.entries(spec.pathParameters).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })) }
      : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.body.schema), ...(spec.body.example === undefined ? {} : { example: spec.body.example }) } } } }
      : {}),
    responses: head ? withoutBodies(responses) : responses,
  };
}

export interface OpenApiOptions {
  /** False when the server runs with auth disabled (`--no-auth`): the alert routes then take no credentials. */
  authenticated: boolean;
}

/** The document for these registered routes (`METHOD path`); throws naming any route without an operation. */
export function openApiDocument(routes: readonly string[], options: OpenApiOptions & { bodyLimit: number }): JsonObject {
  const paths: Record<string, JsonObject> = {};
  const undocumented: string[] = [];
  for (const route of routes) {
    const [method = '', path = ''] = route.split(' ');
    // fastify answers HEAD for every GET route: the GET answer without its body.
    const head = method === 'HEAD';
    const spec = operations[head ? `GET ${path}` : route];
    if (spec === undefined) undocumented.push(route);
    else {
      const documented = path.replace(/:(\w+)/g, '{$1}');
      paths[documented] = { ...paths[documented], [method.toLowerCase()]: operationObject(spec, head, options) };
    }
  }
  if (undocumented.length > 0) throw new Error(`routes without an OpenAPI operation (server/openapi.ts): ${undocumented.join(', ')}`);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rebound webhook',
      version: '1',
      description:
        'Alerts in, recoveries started or joined. Every refusal is `{ error: { code, message, details } }` with the status of its code; a method a path does not serve is 405 `method_not_allowed` with `Allow`, an unknown path 404 `not_found`. JSON bodies with a `__proto__` key, or a `constructor` key holding a `prototype`, are refused anywhere (400 `forbidden_key`).',
    },
    tags: [
      { name: 'alerts', description: 'Alert routes: authenticated, rate limited per route and client address.' },
      { name: 'health', description: 'Liveness, readiness, metrics and this document.' },
      { name: 'codec', description: 'Temporal remote codec endpoint (payload encryption).' },
    ],
    paths,
    components: { schemas: componentSchemas(), securitySchemes },
  };
}

/** Serves GET /openapi.json for the routes registered on `app`; call before any route is added. */
export function serveOpenApiDocument(app: FastifyInstance, options: OpenApiOptions): void {
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  let document: JsonObject | undefined;
  app.addHook('onReady', async () => {
    document = openApiDocument(routes, { ...options, bodyLimit: app.initialConfig.bodyLimit ?? 1024 * 1024 });
  });
  app.get('/openapi.json', async () => document);
}
