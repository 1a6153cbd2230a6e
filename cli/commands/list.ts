/** `rebound list [--phase P] [--runbook R] [--running] [--limit N] [--json]` */
import { ListFilterError, listRecoveries, type RecoveryFilter } from '../../client/recovery-list';
import { formatDuration } from '../../model/duration';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { formatTable, formatTimestamp } from '../table';
import { connectClient } from '../temporal-client';

export interface ListCommandOptions extends RecoveryFilter {
  limit: number;
  json?: boolean;
}

export async function listCommand(options: ListCommandOptions): Promise<number> {
  const filter: RecoveryFilter = { phase: options.phase, runbook: options.runbook, running: options.running };
  const client = await connectClient(loadConfig());
  try {
    const recoveries = await listRecoveries(client, filter, options.limit).catch((error: unknown) => {
      if (error instanceof ListFilterError) throw new CliError(error.message, ExitCode.usage);
      throw error;
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(recoveries, null, 2)}\n`);
      return ExitCode.ok;
    }
    if (recoveries.length === 0) {
      process.stdout.write('no recoveries match\n');
      return ExitCode.ok;
    }
    const rows = recoveries.map((recovery) => [
      recovery.workflowId,
      recovery.runbook ?? '-',
      recovery.key ?? '-',
      recovery.status === 'running' || recovery.status === 'completed' ? (recovery.phase ?? '-') : `${recovery.phase ?? '-'} (${recovery.status})`,
      formatTimestamp(recovery.startedAt),
      `${formatDuration(recovery.durationMs)}${recovery.status === 'running' ? ' so far' : ''}`,
    ]);
    process.stdout.write(`${formatTable(['ID', 'RUNBOOK', 'KEY', 'PHASE', 'STARTED (UTC)', 'DURATION'], rows)}\n`);
    return ExitCode.ok;
  } finally {
    await client.connection.close();
  }
}
