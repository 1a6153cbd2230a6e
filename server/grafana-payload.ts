/** Grafana unified alerting's webhook payload (version 1), validated at the edge and turned into normalized alerts. */
import { z } from 'zod';
import type { NormalizedAlert } from '../model/alert-routing';
import { alertmanagerAlertSchema, alertmanagerPayloadSchema, normalizeAlert } from './alertmanager-payload';
import { HttpError } from './http-errors';
import { expectObject, parsePayload } from './payload-validation';

// Grafana's notifier is Alertmanager's with extra fields; the extras are optional so that a
// Grafana release that drops one of them still gets through.
const alertSchema = alertmanagerAlertSchema.extend({
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  values: z.record(z.string(), z.number().nullable()).nullable().optional(),
  valueString: z.string().optional(),
});

export const grafanaPayloadSchema = alertmanagerPayloadSchema.extend({
  version: z.literal('1'),
  orgId: z.number().int().optional(),
  alerts: z.array(alertSchema),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
});
export type GrafanaPayload = z.infer<typeof grafanaPayloadSchema>;

/** Validates a parsed body; throws HttpError (unsupported_version 400, invalid_payload 422). */
export function parseGrafanaPayload(body: unknown): NormalizedAlert[] {
  const version = expectObject(body, 'a Grafana webhook payload').version;
  if (version !== '1') {
    throw new HttpError('unsupported_version', `unsupported Grafana webhook payload version ${JSON.stringify(version)}; this endpoint takes version "1"`, { version: version ?? null, supported: ['1'] });
  }
  return parsePayload(grafanaPayloadSchema, body, 'Grafana webhook payload').alerts.map((alert) => normalizeAlert('grafana', alert));
}
