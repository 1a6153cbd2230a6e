/** The table the chaos suite prints at the end. */
import type { AlertPhaseResult } from './alert-phase';

export interface ChaosSummary {
  seed: number;
  full: boolean;
  kills: number;
  serverRestarts: number;
  killMoments: string[];
  recoveries: number;
  rows: Array<{ service: string; kind: string; expected: string; reference: string; chaos: string; extra: number; missing: number; sameState: boolean }>;
  faults: Array<{ mode: string; outcome: string; seconds: number }>;
  outcomesAsExpected: string;
  duplicateEffects: number;
  lostEffects: number;
  replays: number;
  alerts: AlertPhaseResult;
  chaosSeconds: number;
}

function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_cell, index) => Math.max(...rows.map((row) => (row[index] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatTable(summary: ChaosSummary): string {
  const perRecovery = columns([
    ['service', 'kind', 'expected', 'undisturbed', 'under chaos', 'extra effects', 'lost effects', 'fleet state'],
    ...summary.rows.map((row) => [row.service, row.kind, row.expected, row.reference, row.chaos, String(row.extra), String(row.missing), row.sameState ? 'same' : 'DIFFERENT']),
    ...summary.faults.map((fault) => [`target ${fault.mode}`, 'target fault', 'rolled-back', '-', fault.outcome, '-', '-', `ended in ${fault.seconds.toFixed(1)} s`]),
  ]);
  const totals = columns([
    ['chaos run', summary.full ? 'full (npm run chaos)' : 'short (npm test)', `seed ${summary.seed}`],
    ['worker kills injected', String(summary.kills), `landed in: ${summary.killMoments.join(', ')}`],
    ['Temporal server restarts', String(summary.serverRestarts), ''],
    ['webhook server kills', String(summary.alerts.webhookKills), `${summary.alerts.failedDeliveries} deliveries interrupted and retried by Alertmanager`],
    ['recoveries run', String(summary.recoveries), `${summary.rows.length} under kills in ${summary.chaosSeconds.toFixed(0)} s, ${summary.faults.length} target faults, ${summary.alerts.alertsSent} from alerts`],
    ['outcomes as expected', summary.outcomesAsExpected, ''],
    ['duplicate effects', String(summary.duplicateEffects), `(must be 0; ${summary.replays} re-sent keys answered from the fleet's ledger)`],
    ['lost effects', String(summary.lostEffects), '(must be 0)'],
    ['lost alerts', String(summary.alerts.lost.length), `(must be 0; ${summary.alerts.duplicated.length} alerts started a second recovery, must be 0)`],
  ]);
  return `\n${perRecovery}\n\n${totals}\n`;
}
