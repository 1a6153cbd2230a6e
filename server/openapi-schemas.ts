/**
 * The JSON Schemas of the webhook's OpenAPI document, converted from zod: the request bodies are
 * the very schemas the routes validate with, the answers are zod schemas of what the routes send.
 */
import { z } from 'zod';
import type { DeliveryOutcome } from './alert-delivery';
import { alertmanagerPayloadSchema } from './alertmanager-payload';
import { codecPayloadsSchema } from './codec-routes';
import { grafanaPayloadSchema } from './grafana-payload';
import type { HttpErrorCode } from './http-errors';

type JsonSchema = Record<string, unknown>;

const timestamp = z.string().describe('RFC 3339');

/** The 202 answer of every alert route (create-server.ts, acceptAlerts). */
export const alertsAcceptedSchema = z.object({
  accepted: z.int().nonnegative().describe('Alerts in the payload (1 for a generic body).'),
  matched: z.int().nonnegative().describe('Deliveries: (alert, runbook) pairs handed to Temporal.'),
  recoveries: z.array(z.string()).describe('Workflow ids (`<runbook>/<key>`) of the recoveries started, joined or signalled.'),
  deliveries: z
    .array(
      z.object({
        runbook: z.string(),
        fingerprint: z.string(),
        status: z.enum(['firing', 'resolved']),
        recovery: z.string().describe('The workflow id.'),
        outcome: z.enum(['started', 'joined', 'signalled', 'not-running', 'suppressed'] satisfies DeliveryOutcome[]),
        runId: z.string().optional().describe('The run a signal-with-start delivered the alert to.'),
      }),
    )
    .optional()
    .describe('What became of each alert for each runbook it matched (absent when nothing matched).'),
  suppressed: z
    .array(
      z.object({
        runbook: z.string(),
        fingerprint: z.string(),
        startsAt: timestamp,
        reason: z.literal('cooldown'),
        recovery: z.string().describe('The ended recovery (workflow id).'),
        runId: z.string(),
        closedAt: timestamp,
        until: timestamp.describe('When a firing alert for this key may start a recovery again.'),
      }),
    )
    .optional()
    .describe('Firing alerts that started nothing because the last recovery of their key ended within `spec.cooldown`.'),
});

/** `{ error: { code, message, details } }`, with the codes one status of one route can carry. */
export function errorBodySchema(codes: readonly [HttpErrorCode, ...HttpErrorCode[]]) {
  return z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string().describe('What was wrong, for a person.'),
      details: z.unknown().optional().describe('Machine-readable particulars (zod issues, the offending field, limits).'),
    }),
  });
}

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({ status: z.literal('ready') });

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema; `input` for request bodies (defaults make fields optional). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...converted } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonSchema;
  return converted;
}

/** The named schemas of `components.schemas`. */
export function componentSchemas(): Record<string, JsonSchema> {
  return {
    AlertmanagerPayload: jsonSchemaOf(alertmanagerPayloadSchema, 'input'),
    GrafanaPayload: jsonSchemaOf(grafanaPayloadSchema, 'input'),
    GenericPayload: { type: 'object', description: 'Any JSON object; runbook triggers read it with CEL (`body.<field>`).' },
    AlertsAccepted: jsonSchemaOf(alertsAcceptedSchema, 'output'),
    CodecPayloads: jsonSchemaOf(codecPayloadsSchema, 'input'),
    Health: jsonSchemaOf(healthSchema, 'output'),
    Ready: jsonSchemaOf(readySchema, 'output'),
  };
}
