/**
 * The webhook's group commit: deliveries are coalesced per recovery (workflow id) by
 * server/delivery-coalescer.ts, and each call is one deliverBatch under Temporal's deadline. The
 * calls' outcomes (recoveries started, deliveries by outcome, alerts per call) are counted here,
 * once per call, whichever requests its alerts came from. A call's deadline is the latest of its
 * requests' (`temporalTimeoutMs` after each arrived).
 */
import type { Client } from '@temporalio/client';
import { deliverBatch, type AlertDelivery, type DeliveryResult } from './alert-delivery';
import { createCoalescer, type Coalescer } from './delivery-coalescer';
import type { WebhookMetrics } from './metrics';

export interface CoalescingLimits {
  /** Alerts waiting for a call, across all recoveries; a request that would pass it is answered 503 whole. */
  maxQueued: number;
  /** Alerts per call (one `alerts` signal). */
  maxBatchAlerts: number;
  /** JSON bytes of the alerts per call: one signal payload stays far under Temporal's 2 MiB payload limit (warning at 512 KiB). */
  maxBatchBytes: number;
}

// 10,000 queued alerts of a few KiB each are tens of MiB at most: a storm's worth (the benchmark's
// is 5,000), far from exhausting the process, and each waits at most the Temporal timeout.
export const defaultCoalescing: CoalescingLimits = { maxQueued: 10_000, maxBatchAlerts: 500, maxBatchBytes: 256 * 1024 };

export function createAlertCoalescer(client: Client, taskQueue: string, limits: CoalescingLimits, metrics: WebhookMetrics): Coalescer<AlertDelivery, DeliveryResult> {
  return createCoalescer<AlertDelivery, DeliveryResult>({
    send: async (_workflowId, deliveries, deadline) => {
      metrics.alertsPerCall.observe(deliveries.length);
      const results = await client.withDeadline(deadline, () => deliverBatch(client, taskQueue, deliveries));
      // One call starts at most one run; every result of it says so.
      if (results[0]?.outcome === 'started') metrics.recoveriesStarted.inc({ runbook: results[0].delivery.runbook });
      for (const result of results) metrics.deliveries.inc({ runbook: result.delivery.runbook, outcome: result.outcome });
      return results;
    },
    maxQueued: limits.maxQueued,
    maxBatchItems: limits.maxBatchAlerts,
    maxBatchWeight: limits.maxBatchBytes,
    weigh: (delivery) => JSON.stringify(delivery.alert).length,
  });
}
