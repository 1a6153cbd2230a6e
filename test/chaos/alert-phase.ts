/**
 * The webhook server is SIGKILLed while a real Alertmanager delivers to it, and restarted on the
 * same port. To be sure the kill lands mid-delivery, the server is frozen (SIGSTOP) before the
 * alerts are posted and killed once Alertmanager has sent every notification of the batch. Every alert Alertmanager was given must end up in exactly one recovery: Alertmanager
 * retries what was not answered 2xx, and Rebound answers 2xx only once Temporal has the alert.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { holdingAlertRunbook } from '../../bench/alert-storm';
import type { RecoveryState } from '../../model/recovery';
import { findFreePort } from '../../runtime/free-port';
import { stateQuery } from '../../workflows/queries';
import { startTestAlertmanager } from '../helpers/alertmanager';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { waitFor } from '../helpers/wait-for';

const token = 'chaos-token-0123456789abcdef';

const alertRunbook = holdingAlertRunbook({ name: 'chaos-alert', alertname: 'ChaosAlert', hold: '10m', description: 'Started by the ChaosAlert alert; holds so that re-sends join it.' });

export interface AlertPhaseResult {
  alertsSent: number;
  webhookKills: number;
  /** Notification requests Alertmanager counted as failed (and retried): deliveries the kills interrupted. */
  failedDeliveries: number;
  /** Alerts in no recovery after Alertmanager's retries. */
  lost: string[];
  /** Alerts whose recovery started more than once. */
  duplicated: string[];
}

async function countRuns(client: Client, workflowId: string): Promise<number> {
  let runs = 0;
  for await (const _execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs += 1;
  return runs;
}

/** Alertmanager's own count of webhook notification requests (`failed`: those that got no 2xx). */
async function notificationRequests(alertmanagerUrl: string, which: 'total' | 'failed'): Promise<number> {
  const text = await (await fetch(`${alertmanagerUrl}/metrics`)).text();
  const name = which === 'total' ? 'alertmanager_notification_requests_total' : 'alertmanager_notification_requests_failed_total';
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{integration="webhook"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

export async function runAlertPhase(options: { client: Client; temporalAddress: string; taskQueue: string; batches: number; alertsPerBatch: number }): Promise<AlertPhaseResult> {
  const { client } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'rebound-chaos-alerts-'));
  await writeFile(path.join(dir, 'chaos-alert.yaml'), alertRunbook);
  const port = String(await findFreePort());
  const env = { REBOUND_HTTP_PORT: port, REBOUND_WEBHOOK_TOKEN: token, TEMPORAL_ADDRESS: options.temporalAddress, REBOUND_TASK_QUEUE: options.taskQueue };
  let serve: ServeProcess = await startServeProcess(['--runbooks', dir], env);
  const alertmanager = await startTestAlertmanager(`${serve.url}/v1/alerts/alertmanager`, token);
  const services: string[] = [];
  let webhookKills = 0;
  try {
    for (let batch = 0; batch < options.batches; batch += 1) {
      const batchServices = Array.from({ length: options.alertsPerBatch }, (_unused, index) => `alert-${batch}-${String(index).padStart(2, '0')}`);
      services.push(...batchServices);
      const sentBefore = await notificationRequests(alertmanager.url, 'total');
      serve.freeze();
      await Promise.all(batchServices.map((service) => alertmanager.postAlert({ alertname: 'ChaosAlert', service, severity: 'critical' })));
      // One group (one notification) per service: all of them are now waiting on the frozen server.
      await waitFor(async () => (await notificationRequests(alertmanager.url, 'total')) >= sentBefore + batchServices.length, 'Alertmanager to send the batch', 60_000, 50);
      await serve.kill();
      webhookKills += 1;
      serve = await startServeProcess(['--runbooks', dir], env);
    }
    const lost: string[] = [];
    const recorded = async (service: string) => {
      try {
        const state: RecoveryState = await client.workflow.getHandle(`chaos-alert/${service}`).query(stateQuery);
        return state.alerts.some((alert) => alert.status === 'firing');
      } catch {
        return false;
      }
    };
    // Alertmanager's retries back off up to its group interval; give them time, then count what is missing.
    await waitFor(async () => (await Promise.all(services.map(recorded))).every(Boolean), 'every alert to be in a recovery', 90_000, 250).catch(() => undefined);
    for (const service of services) if (!(await recorded(service))) lost.push(service);
    const duplicated: string[] = [];
    for (const service of services) if ((await countRuns(client, `chaos-alert/${service}`)) > 1) duplicated.push(service);
    const failedDeliveries = await notificationRequests(alertmanager.url, 'failed');
    // The holding recoveries are not part of the outcome: end them.
    await Promise.all(services.map((service) => client.workflow.getHandle(`chaos-alert/${service}`).terminate('chaos suite done').catch(() => undefined)));
    return { alertsSent: services.length, webhookKills, failedDeliveries, lost, duplicated };
  } finally {
    await alertmanager.stop();
    await serve.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
