/** The webhook's Prometheus metrics, in a registry of its own (so tests and several servers never share counters). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CoalescerStats } from './delivery-coalescer';

export function createWebhookMetrics(coalescerStats: () => CoalescerStats) {
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
    recoveriesStarted: new Counter({
      name: 'rebound_alert_recoveries_started_total',
      help: 'Recoveries started by alerts (signal-with-start calls that started a run), by runbook',
      labelNames: ['runbook'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'rebound_alert_deliveries_total',
      help: 'Alerts delivered to recoveries, by runbook and outcome: started (in the call that started the recovery), joined, signalled (resolved, to a running recovery), not-running, suppressed',
      labelNames: ['runbook', 'outcome'],
      registers: [registry],
    }),
    alertsPerCall: new Histogram({
      name: 'rebound_alerts_per_temporal_call',
      help: 'Alerts carried by one Temporal call (coalesced per recovery while an earlier call for it was in flight)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    alertsQueued: new Gauge({
      name: 'rebound_alerts_queued',
      help: 'Alerts waiting for a Temporal call (an earlier call for their recovery is in flight)',
      registers: [registry],
      collect() {
        this.set(coalescerStats().queued);
      },
    }),
    callsInFlight: new Gauge({
      name: 'rebound_temporal_calls_in_flight',
      help: 'Temporal calls carrying alerts, in flight (at most one per recovery)',
      registers: [registry],
      collect() {
        this.set(coalescerStats().inFlight);
      },
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
