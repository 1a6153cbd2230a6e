/** `rebound status <workflow-id> [--json]` */
import { RecoveryNotFoundError, readRecovery } from '../../client/recovery-status';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { formatReport, formatState } from '../report-format';
import { connectClient } from '../temporal-client';

export async function statusCommand(workflowId: string, options: { json?: boolean }): Promise<number> {
  const client = await connectClient(loadConfig());
  try {
    const view = await readRecovery(client, workflowId).catch((error: unknown) => {
      if (error instanceof RecoveryNotFoundError) throw new CliError(error.message, ExitCode.failed, 'list recoveries in the Temporal UI or with `temporal workflow list`');
      throw error;
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    } else if (view.running) {
      process.stdout.write(`${formatState(view.state)}\n`);
    } else if (view.report) {
      process.stdout.write(`${formatReport(view.report)}\n`);
    } else {
      process.stdout.write(`recovery ${workflowId}: ${view.error}\n`);
    }
    return ExitCode.ok;
  } finally {
    await client.connection.close();
  }
}
