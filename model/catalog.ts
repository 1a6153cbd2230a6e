/**
 * The built-in actions and checks: their names and the zod schemas of their (rendered) inputs.
 * The loader uses the names to reject unknown actions before anything runs; the activities use
 * the schemas to validate the rendered input before they touch anything.
 */
import { z } from 'zod';
import { durationSchema } from './duration-schema';

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const headers = z.record(z.string(), z.string());
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

export const httpRequestInput = z.strictObject({
  method: httpMethod.default('POST'),
  url: httpUrl,
  headers: headers.optional(),
  json: z.unknown().optional(),
  /** Expected status codes; any other status fails the action (4xx never retried). */
  expectStatus: z.array(z.int().min(100).max(599)).nonempty().optional(),
  timeout: durationSchema.optional(),
});
export type HttpRequestInput = z.infer<typeof httpRequestInput>;

export const execInput = z.strictObject({
  /** argv: the command and its arguments, never interpreted by a shell. */
  command: z.array(z.string().min(1)).nonempty(),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout: durationSchema.optional(),
});
export type ExecInput = z.infer<typeof execInput>;

export const httpCheckInput = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  url: httpUrl,
  headers: headers.optional(),
  json: z.unknown().optional(),
  timeout: durationSchema.optional(),
});
export type HttpCheckInput = z.infer<typeof httpCheckInput>;

/** Does nothing and returns `output`: a placeholder while a runbook is written, and the benchmark's step. */
export const noopInput = z.strictObject({
  output: z.unknown().optional(),
});
export type NoopInput = z.infer<typeof noopInput>;

export const actionInputSchemas = {
  'http.request': httpRequestInput,
  exec: execInput,
  noop: noopInput,
} as const;

/** An instant PromQL query against the Prometheus HTTP API (`GET /api/v1/query`). */
export const prometheusQueryInput = z.strictObject({
  /** Base URL of Prometheus, e.g. http://127.0.0.1:9090 */
  url: httpUrl,
  query: z.string().min(1),
  timeout: durationSchema.optional(),
});
export type PrometheusQueryInput = z.infer<typeof prometheusQueryInput>;

export const checkInputSchemas = {
  'http.check': httpCheckInput,
  'prometheus.query': prometheusQueryInput,
} as const;

export type ActionName = keyof typeof actionInputSchemas;
export type CheckName = keyof typeof checkInputSchemas;
export const actionNames = Object.keys(actionInputSchemas) as ActionName[];
export const checkNames = Object.keys(checkInputSchemas) as CheckName[];
