/** The webhook's Prometheus metrics, in a registry of its own (so tests and several servers never share counters). */
import { Counter, Histogram, Registry } from 'prom-client';

export function createWebhookMetrics() {
  const registry = new Registry();
  return {
    registry,
    alertsReceived: new Counter({ name: 'rebound_alerts_received_total', help: 'Alerts received in webhook payloads', labelNames: ['source'], registers: [registry] }),
    alertsAccepted: new Counter({ name: 'rebound_alerts_accepted_total', help: 'Alerts durably handed to Temporal (or matching no runbook)', labelNames: ['source'], registers: [registry] }),
    alertsUnmatched: new Counter({ name: 'rebound_alerts_unmatched_total', help: 'Accepted alerts that matched no runbook', labelNames: ['source'], registers: [registry] }),
    alertsRejected: new Counter({ name: 'rebound_alerts_rejected_total', help: 'Requests refused, by reason (the error code)', labelNames: ['source', 'reason'], registers: [registry] }),
    resolvedWithoutRecovery: new Counter({
      name: 'rebound_alerts_resolved_without_recovery_total',
      help: 'Resolved alerts whose recovery was not running (ended, or never started)',
      labelNames: ['source'],
      registers: [registry],
    }),
    alertsSuppressed: new Counter({
      name: 'rebound_alerts_suppressed_total',
      help: 'Firing alerts that started nothing because the last recovery of their key ended within spec.cooldown',
      labelNames: ['source', 'runbook', 'reason'],
      registers: [registry],
    }),
    recoveriesSignalled: new Counter({
      name: 'rebound_recoveries_signal_with_start_total',
      help: 'Firing alerts delivered with signal-with-start (started or joined a recovery), by runbook',
      labelNames: ['runbook'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'rebound_http_request_duration_seconds',
      help: 'Webhook request duration',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>;
