/** The `webhook` scenario's figures, judged against the issue's targets, as JSON and as a table. */
import os from 'node:os';
import { median, percentile, round } from './stats';
import type { SideFigures, WebhookMeasurement } from './webhook-scenario';

export const latencyTargetMs = 50;
export const stormTargetPerSecond = 2000;

export interface WebhookReport {
  machine: { cpus: string; load: number[]; node: string; at: string };
  latency: { alerts: number; firstActionP50Ms: number; firstActionP99Ms: number; accepted202P50Ms: number; accepted202P99Ms: number; targetMet: boolean };
  /** The same path from the bench's client, no webhook: medians (ms) of each span. */
  direct: { alerts: number; firstActionP50Ms: number; firstActionP99Ms: number; signalWithStartP50Ms: number; toFirstWorkflowTaskP50Ms: number; firstWorkflowTaskP50Ms: number; activityDispatchP50Ms: number };
  storm: {
    notifications: number;
    keys: number;
    concurrency: number;
    durationMs: number;
    acceptedPerSecond: number;
    statuses: Record<string, number>;
    requestP50Ms: number;
    requestP99Ms: number;
    lost: number;
    extra: number;
    recoveries: number;
    duplicateRecoveries: number;
    settleMs: number;
    temporalCalls: number;
    alertsPerCall: number;
    recoveriesStarted: number;
    cpuMs: { serve: number | null; temporal: number | null; bench: number };
    failures: { status: number; body: string }[];
    targetMet: boolean;
  };
  temporalAlone: SideFigures;
  webhookAlone: SideFigures;
}

export function buildWebhookReport(measurement: WebhookMeasurement): WebhookReport {
  const { latency, direct, storm } = measurement;
  const accepted = storm.statuses['202'] ?? 0;
  const acceptedPerSecond = (accepted * 1000) / storm.durationMs;
  const firstActionP50Ms = median(latency.toFirstActionMs);
  return {
    machine: { cpus: `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'})`, load: os.loadavg().map((value) => round(value)), node: process.version, at: new Date().toISOString() },
    latency: {
      alerts: latency.alerts,
      firstActionP50Ms: round(firstActionP50Ms),
      firstActionP99Ms: round(percentile(latency.toFirstActionMs, 99)),
      accepted202P50Ms: round(median(latency.to202Ms)),
      accepted202P99Ms: round(percentile(latency.to202Ms, 99)),
      targetMet: firstActionP50Ms < latencyTargetMs,
    },
    direct: {
      alerts: direct.alerts,
      firstActionP50Ms: round(median(direct.toFirstActionMs)),
      firstActionP99Ms: round(percentile(direct.toFirstActionMs, 99)),
      signalWithStartP50Ms: round(median(direct.signalWithStartMs)),
      toFirstWorkflowTaskP50Ms: round(median(direct.toFirstWorkflowTaskMs)),
      firstWorkflowTaskP50Ms: round(median(direct.firstWorkflowTaskMs)),
      activityDispatchP50Ms: round(median(direct.activityDispatchMs)),
    },
    storm: {
      notifications: storm.notifications,
      keys: storm.keys,
      concurrency: storm.concurrency,
      durationMs: round(storm.durationMs),
      acceptedPerSecond: round(acceptedPerSecond),
      statuses: storm.statuses,
      requestP50Ms: round(median(storm.latenciesMs)),
      requestP99Ms: round(percentile(storm.latenciesMs, 99)),
      lost: storm.lost,
      extra: storm.extra,
      recoveries: storm.recoveries,
      duplicateRecoveries: storm.duplicateRecoveries,
      settleMs: round(storm.settleMs),
      temporalCalls: storm.temporalCalls,
      alertsPerCall: round(storm.notifications / storm.temporalCalls),
      recoveriesStarted: storm.recoveriesStarted,
      cpuMs: storm.cpuMs,
      failures: storm.failures,
      targetMet: acceptedPerSecond >= stormTargetPerSecond && storm.lost === 0 && storm.duplicateRecoveries === 0,
    },
    temporalAlone: { ...measurement.temporalAlone, durationMs: round(measurement.temporalAlone.durationMs), perSecond: round(measurement.temporalAlone.perSecond) },
    webhookAlone: { ...measurement.webhookAlone, durationMs: round(measurement.webhookAlone.durationMs), perSecond: round(measurement.webhookAlone.perSecond) },
  };
}

const row = (label: string, value: string | number) => `${label.padEnd(58)}${String(value).padStart(14)}`;

export function formatWebhookReport(report: WebhookReport): string {
  const { latency, direct, storm } = report;
  const cpu = (ms: number | null) => (ms === null ? 'n/a' : String(Math.round(ms)));
  return [
    `webhook: rebound serve (own process) → Temporal dev server → worker; ${report.machine.cpus}, load ${report.machine.load.join(' / ')}, Node ${report.machine.node}, ${report.machine.at}`,
    '',
    `latency: ${latency.alerts} alerts one at a time, each a new recovery whose first step is an http.request`,
    row('POST → first action arrived at the target, p50 (ms)', latency.firstActionP50Ms),
    row('POST → first action arrived at the target, p99 (ms)', latency.firstActionP99Ms),
    row('POST → 202, p50 / p99 (ms)', `${latency.accepted202P50Ms} / ${latency.accepted202P99Ms}`),
    `target: p50 < ${latencyTargetMs} ms: ${latency.targetMet ? 'met' : 'missed'} (${latency.firstActionP50Ms})`,
    `the same from the bench's client, no webhook (${direct.alerts} recoveries), p50 unless said:`,
    row('signal-with-start sent → first action arrived, p50 / p99 (ms)', `${direct.firstActionP50Ms} / ${direct.firstActionP99Ms}`),
    row('signal-with-start answered (ms)', direct.signalWithStartP50Ms),
    row('history: started → first workflow task started (ms)', direct.toFirstWorkflowTaskP50Ms),
    row('history: first workflow task started → completed (ms)', direct.firstWorkflowTaskP50Ms),
    row('history: activity scheduled → started (ms)', direct.activityDispatchP50Ms),
    '',
    `storm: ${storm.notifications} notifications for ${storm.keys} keys (re-sends, resolutions, re-fires), ${storm.concurrency} in flight`,
    row('accepted (202) per second', storm.acceptedPerSecond),
    row('answers by status', Object.entries(storm.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')),
    row('request send → answer, p50 / p99 (ms)', `${storm.requestP50Ms} / ${storm.requestP99Ms}`),
    row('lost (answered 202, not in any recovery state)', storm.lost),
    row('applied beyond the 202s (answered 503, applied later)', storm.extra),
    row('recoveries (runs) / duplicates', `${storm.recoveries} / ${storm.duplicateRecoveries}`),
    row('last 202 → every accepted notification applied (ms)', storm.settleMs),
    row('Temporal calls / alerts per call (coalesced per recovery)', `${storm.temporalCalls} / ${storm.alertsPerCall}`),
    row('recoveries started (server metric, from Temporal answers)', storm.recoveriesStarted),
    row('CPU while sending (ms): serve / Temporal / bench', `${cpu(storm.cpuMs.serve)} / ${cpu(storm.cpuMs.temporal)} / ${cpu(storm.cpuMs.bench)}`),
    `target: ≥ ${stormTargetPerSecond}/s accepted, 0 lost, 0 duplicate recoveries: ${storm.targetMet ? 'met' : 'missed'} (${storm.acceptedPerSecond}/s, ${storm.lost} lost, ${storm.duplicateRecoveries} duplicates)`,
    '',
    'what limits it, at the same concurrency:',
    row(`Temporal alone: one signal-with-start per alert (${report.temporalAlone.calls}), per second`, `${report.temporalAlone.perSecond}${report.temporalAlone.errors ? ` (${report.temporalAlone.errors} errors)` : ''}`),
    row(`webhook alone: no-op Temporal side (${report.webhookAlone.calls}), per second`, `${report.webhookAlone.perSecond}${report.webhookAlone.errors ? ` (${report.webhookAlone.errors} not 202)` : ''}`),
    ...(storm.failures.length > 0 ? ['', 'first answers other than 202:', ...storm.failures.map((failure) => `  ${failure.status} ${failure.body.slice(0, 200)}`)] : []),
    '',
  ].join('\n');
}
