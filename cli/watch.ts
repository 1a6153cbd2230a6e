/**
 * `--watch`: follows a recovery until it ends by polling its `state` query. On a terminal the
 * progress is redrawn in place; otherwise (a pipe, a CI log) a line is printed only when it
 * changed. `--json` prints one JSON state per change (JSON lines), then the report. Resolves with
 * the exit code of the outcome: 0 only for `recovered`.
 */
import { setTimeout as pause } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { readRecovery, type RecoveryView } from '../client/recovery-status';
import { formatDuration } from '../model/duration';
import type { RecoveryReport } from '../model/recovery';
import { ExitCode } from './cli-error';
import { progressLines } from './progress-format';
import { formatReport } from './report-format';

/** Often enough to feel live, rarely enough that many watchers do not load the server. */
export const watchIntervalMs = 1000;

export interface WatchOptions {
  json?: boolean;
  out?: NodeJS.WriteStream;
  intervalMs?: number;
}

function outcomeLine(report: RecoveryReport): string {
  const rto = report.rtoMet === undefined ? '' : report.rtoMet ? ` (within RTO ${report.budget.rto})` : ` (RTO ${report.budget.rto} missed)`;
  return `outcome: ${report.outcome} after ${formatDuration(report.timeToRecoverMs)}${rto}${report.error ? `: ${report.error}` : ''}`;
}

export async function watchRecovery(client: Client, workflowId: string, options: WatchOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const tty = out.isTTY === true && !options.json;
  const printed = new Map<string, string>();
  let lastJson = '';
  let frameHeight = 0;

  const printChanged = (lines: { slot: string; text: string }[]) => {
    for (const line of lines) {
      if (printed.get(line.slot) === line.text) continue;
      printed.set(line.slot, line.text);
      out.write(`${line.text}\n`);
    }
  };
  const redraw = (lines: string[]) => {
    const width = out.columns > 0 ? out.columns : 120;
    // Lines are cut to the terminal width so that each takes one row and the cursor moves back exactly.
    const frame = lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    out.write(`${frameHeight > 0 ? `\x1b[${frameHeight}A\x1b[0J` : ''}${frame.map((line) => `${line}\n`).join('')}`);
    frameHeight = frame.length;
  };

  for (;;) {
    const view: RecoveryView = await readRecovery(client, workflowId);
    if (view.running) {
      if (options.json) {
        const json = JSON.stringify(view.state);
        if (json !== lastJson) out.write(`${json}\n`);
        lastJson = json;
      } else if (tty) {
        redraw(progressLines(view.state, { live: true }).map((line) => line.text));
      } else {
        printChanged(progressLines(view.state, { live: false }));
      }
      await pause(options.intervalMs ?? watchIntervalMs);
      continue;
    }
    const { report } = view;
    if (options.json) {
      out.write(`${JSON.stringify(report ?? { workflowId, temporalStatus: view.temporalStatus, error: view.error })}\n`);
    } else if (!report) {
      out.write(`recovery ${workflowId}: ${view.error}\n`);
    } else if (tty) {
      redraw([]);
      out.write(`${formatReport(report)}\n`);
    } else {
      printChanged(progressLines(report, { live: false }));
      out.write(`${outcomeLine(report)}\n`);
    }
    return report?.outcome === 'recovered' ? ExitCode.ok : ExitCode.failed;
  }
}
