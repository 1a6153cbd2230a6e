/**
 * The demo fleet's HTTP API (examples/fleet/API.md) as typed calls, for use inside an activity.
 * Every answer is validated; every change carries an `Idempotency-Key`. A refusal (4xx) fails
 * non-retryably, a 5xx, a timeout or a network error retryably.
 */
import { z } from 'zod';
import { clientError, unexpectedStatus, unreachable } from '../failures';
import { describeTarget, exchangeHttp, type ResponseSummary } from '../http-exchange';
import { unexpectedAnswer } from './driver-failures';

/** Per request; an activity's own timeout bounds the retries. */
const defaultTimeoutMs = 10_000;

const deploymentAnswer = z.object({ version: z.string(), config: z.record(z.string(), z.string()) });

const replicaAnswer = z.object({
  id: z.string(),
  site: z.string(),
  actual: deploymentAnswer,
  recorded: deploymentAnswer,
  previous: deploymentAnswer.nullable(),
  healthy: z.boolean(),
  errorRatio: z.number(),
});

const siteAnswer = z.object({
  name: z.string(),
  region: z.string(),
  zone: z.string(),
  dependencies: z.array(z.string()),
  capacity: z.number(),
  up: z.boolean(),
  load: z.number(),
  errorRatio: z.number(),
  healthy: z.boolean(),
});

const trafficAnswer = z.object({ service: z.string(), load: z.number(), weights: z.record(z.string(), z.number()) });

const grantAnswer = z.object({
  principal: z.string(),
  role: z.string(),
  breakGlass: z.boolean(),
  expiresAt: z.string().optional(),
});

const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export type FleetDeployment = z.infer<typeof deploymentAnswer>;
export type FleetReplica = z.infer<typeof replicaAnswer>;
export type FleetSite = z.infer<typeof siteAnswer>;
export type FleetTraffic = z.infer<typeof trafficAnswer>;
export type FleetGrant = z.infer<typeof grantAnswer>;

export interface FleetGrantDiff {
  add: { principal: string; role: string; breakGlass?: boolean; expiresAt?: string }[];
  remove: { principal: string; role: string }[];
}

export interface FleetClient {
  sites(): Promise<FleetSite[]>;
  replicas(service: string): Promise<FleetReplica[]>;
  traffic(service: string): Promise<FleetTraffic>;
  grants(service: string): Promise<FleetGrant[]>;
  /** Sets the replica's recorded deployment (and its actual one, unless the replica is stuck). */
  deploy(service: string, replica: string, deployment: FleetDeployment, idempotencyKey: string): Promise<FleetReplica>;
  setWeights(service: string, weights: Record<string, number>, idempotencyKey: string): Promise<FleetTraffic>;
  changeGrants(service: string, diff: FleetGrantDiff, idempotencyKey: string): Promise<FleetGrant[]>;
  /** Revokes one grant; a grant already gone (revoked or expired) is no failure: `revoked` says which it was. */
  revokeGrant(service: string, principal: string, role: string, idempotencyKey: string): Promise<{ revoked: boolean; grants: FleetGrant[] }>;
}

interface FleetRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path segments after the base URL; each is URL-encoded. */
  segments: string[];
  json?: unknown;
  idempotencyKey?: string;
}

/** A client of the fleet at `baseUrl`; `activity` names the calling activity in failures. */
/** Whole replica lists of large services (500 replicas ≈ 120 KiB); well under Temporal's 2 MiB payload limit. */
const maxAnswerBytes = 1024 * 1024;

export function createFleetClient(baseUrl: string, activity: string, timeoutMs = defaultTimeoutMs, signal?: AbortSignal): FleetClient {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;

  /** Sends the request; an unanswered one fails (retryably) here, any answer is returned. */
  async function exchange(request: FleetRequest): Promise<{ target: string; response: ResponseSummary }> {
    const url = new URL(request.segments.map(encodeURIComponent).join('/'), base).href;
    const target = describeTarget(request.method, url);
    const headers = request.idempotencyKey === undefined ? {} : { headers: { 'Idempotency-Key': request.idempotencyKey } };
    const answer = await exchangeHttp({ method: request.method, url, json: request.json }, { activity, defaultTimeoutMs: timeoutMs, maxJsonBytes: maxAnswerBytes, ...headers, ...(signal === undefined ? {} : { signal }) });
    if (!answer.answered) {
      const { error, code } = answer;
      throw unreachable(`${target} unreachable: ${error}`, code === undefined ? { error } : { error, code });
    }
    return { target, response: answer.response };
  }

  async function send<Schema extends z.ZodType>(request: FleetRequest, answer: Schema): Promise<z.output<Schema>> {
    const { target, response } = await exchange(request);
    if (isSuccess(response)) return parseAnswer(target, response, answer);
    throw refusal(target, response);
  }

  const service = (name: string) => ['v1', 'services', name];
  return {
    sites: () => send({ method: 'GET', segments: ['v1', 'sites'] }, z.array(siteAnswer)),
    replicas: (name) => send({ method: 'GET', segments: [...service(name), 'replicas'] }, z.array(replicaAnswer)),
    traffic: (name) => send({ method: 'GET', segments: [...service(name), 'traffic'] }, trafficAnswer),
    grants: (name) => send({ method: 'GET', segments: [...service(name), 'grants'] }, z.array(grantAnswer)),
    deploy: (name, replica, deployment, idempotencyKey) =>
      send({ method: 'PUT', segments: [...service(name), 'replicas', replica, 'deployment'], json: deployment, idempotencyKey }, replicaAnswer),
    setWeights: (name, weights, idempotencyKey) =>
      send({ method: 'PUT', segments: [...service(name), 'traffic'], json: { weights }, idempotencyKey }, trafficAnswer),
    changeGrants: (name, diff, idempotencyKey) =>
      send({ method: 'POST', segments: [...service(name), 'grants'], json: diff, idempotencyKey }, z.array(grantAnswer)),
    revokeGrant: async (name, principal, role, idempotencyKey) => {
      const { target, response } = await exchange({ method: 'DELETE', segments: [...service(name), 'grants', principal, role], idempotencyKey });
      if (isSuccess(response)) return { revoked: true, grants: parseAnswer(target, response, z.array(grantAnswer)) };
      if (response.status === 404 && errorAnswer.safeParse(response.json).data?.error.code === 'grant_not_found') {
        return { revoked: false, grants: await send({ method: 'GET', segments: [...service(name), 'grants'] }, z.array(grantAnswer)) };
      }
      throw refusal(target, response);
    },
  };
}

function isSuccess(response: ResponseSummary): boolean {
  return response.status >= 200 && response.status < 300;
}

function parseAnswer<Schema extends z.ZodType>(target: string, response: ResponseSummary, answer: Schema): z.output<Schema> {
  const parsed = answer.safeParse(response.json);
  if (parsed.success) return parsed.data;
  const what = response.json === undefined ? 'a body that is not JSON of at most 16 KiB' : 'JSON the fleet API does not define';
  const issue = parsed.error.issues[0];
  const detail = response.json === undefined || issue === undefined ? '' : ` (${issue.path.join('.') || 'body'}: ${issue.message})`;
  throw unexpectedAnswer(`${target} answered ${response.status} with ${what}${detail}`, { status: response.status });
}

/** 4xx: the same request will be refused again, except a timeout (408) or throttling (429). */
function refusal(target: string, response: ResponseSummary) {
  const parsed = errorAnswer.safeParse(response.json);
  const reason = parsed.success ? `${parsed.data.error.code}: ${parsed.data.error.message}` : (response.preview ?? 'no explanation');
  const message = `${target} answered ${response.status}: ${reason}`;
  const details = parsed.success ? { status: response.status, ...parsed.data.error } : { status: response.status };
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429 || response.status < 400;
  return retryable ? unexpectedStatus(message, details) : clientError(message, details);
}
