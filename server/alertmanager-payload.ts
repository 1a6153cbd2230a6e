/** Alertmanager's webhook payload (version 4), validated at the edge and turned into normalized alerts. */
import { z } from 'zod';
import type { NormalizedAlert } from '../model/alert-routing';
import { HttpError } from './http-errors';

const labels = z.record(z.string(), z.string());
const timestamp = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 timestamp' });

const alertSchema = z.object({
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
  alerts: z.array(alertSchema),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

// Alertmanager's "not ended yet" endsAt: Go's zero time.
const zeroTime = '0001-01-01T00:00:00Z';

/** Validates a parsed body; throws HttpError (unsupported_version 400, invalid_payload 422). */
export function parseAlertmanagerPayload(body: unknown): NormalizedAlert[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError('invalid_payload', 'expected a JSON object (an Alertmanager webhook payload)');
  const version = (body as { version?: unknown }).version;
  if (version !== '4') {
    throw new HttpError('unsupported_version', `unsupported Alertmanager payload version ${JSON.stringify(version)}; this endpoint takes version "4"`, { version: version ?? null, supported: ['4'] });
  }
  const parsed = alertmanagerPayloadSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new HttpError('invalid_payload', `invalid Alertmanager payload: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { issues });
  }
  return parsed.data.alerts.map((alert) => ({
    source: 'alertmanager',
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    ...(alert.endsAt === undefined || alert.endsAt === zeroTime ? {} : { endsAt: alert.endsAt }),
    fingerprint: alert.fingerprint,
  }));
}
