/** `rebound history <runbook> [--limit N] [--json]`: past recoveries of a runbook with outcome and time-to-recover. */
import { ListFilterError, recoveryHistory, type RecoveryHistoryEntry } from '../../client/recovery-list';
import { formatDuration } from '../../model/duration';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { formatTable, formatTimestamp } from '../table';
import { connectClient } from '../temporal-client';

function rtoColumn(entry: RecoveryHistoryEntry): string {
  if (entry.rto === undefined) return '-';
  return `${entry.rtoMet ? 'met' : 'missed'} (${entry.rto})`;
}

export async function historyCommand(runbook: string, options: { limit: number; json?: boolean }): Promise<number> {
  const client = await connectClient(loadConfig());
  try {
    const entries = await recoveryHistory(client, runbook, options.limit).catch((error: unknown) => {
      if (error instanceof ListFilterError) throw new CliError(error.message, ExitCode.usage);
      throw error;
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return ExitCode.ok;
    }
    if (entries.length === 0) {
      process.stdout.write(`no recoveries of runbook ${runbook}\n`);
      return ExitCode.ok;
    }
    const rows = entries.map((entry) => [
      formatTimestamp(entry.startedAt),
      entry.key ?? '-',
      entry.outcome,
      entry.timeToRecoverMs === undefined ? '-' : formatDuration(entry.timeToRecoverMs),
      rtoColumn(entry),
      entry.workflowId,
    ]);
    process.stdout.write(`${formatTable(['STARTED (UTC)', 'KEY', 'OUTCOME', 'TIME TO RECOVER', 'RTO', 'ID'], rows)}\n`);
    return ExitCode.ok;
  } finally {
    await client.connection.close();
  }
}
