/** Alertmanager's webhook payload (version 4), validated at the edge and turned into normalized alerts. */
import { z } from 'zod';
import type { NormalizedAlert } from '../model/alert-routing';
import type { AlertSource } from '../model/triggers';
import { HttpError } from './http-errors';
import { expectObject, parsePayload } from './payload-validation';

const labels = z.record(z.string(), z.string());
// RFC 3339 (the OpenAPI document's `date-time`) requires seconds, which zod's datetime alone leaves optional.
const timestamp = z.iso.datetime({ offset: true, abort: true, error: 'expected an RFC 3339 timestamp' }).refine((text) => /T\d{2}:\d{2}:\d{2}/.test(text), { error: 'expected an RFC 3339 timestamp (with seconds)' });

export const alertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4'),
  receiver: z.string(),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(alertmanagerAlertSchema),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

// The "not ended yet" endsAt of Alertmanager and Grafana: Go's zero time.
const zeroTime = '0001-01-01T00:00:00Z';

/** Validates a parsed body; throws HttpError (unsupported_version 400, invalid_payload 422). */
export function parseAlertmanagerPayload(body: unknown): NormalizedAlert[] {
  const version = expectObject(body, 'an Alertmanager webhook payload').version;
  if (version !== '4') {
    throw new HttpError('unsupported_version', `unsupported Alertmanager payload version ${JSON.stringify(version)}; this endpoint takes version "4"`, { version: version ?? null, supported: ['4'] });
  }
  return parsePayload(alertmanagerPayloadSchema, body, 'Alertmanager payload').alerts.map((alert) => normalizeAlert('alertmanager', alert));
}

/** An Alertmanager-shaped alert (Alertmanager's, Grafana's) as a NormalizedAlert. */
export function normalizeAlert(source: AlertSource, alert: z.infer<typeof alertmanagerAlertSchema>): NormalizedAlert {
  return {
    source,
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    ...(alert.endsAt === undefined || alert.endsAt === zeroTime ? {} : { endsAt: alert.endsAt }),
    fingerprint: alert.fingerprint,
  };
}
