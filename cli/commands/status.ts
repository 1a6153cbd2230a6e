/** `rebound status <workflow-id> [--watch] [--json]` */
import { RecoveryNotFoundError, readRecovery } from '../../client/recovery-status';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { formatReport, formatState } from '../report-format';
import { connectClient } from '../temporal-client';
import { watchRecovery } from '../watch';

export const recoveryNotFoundHint = 'find recoveries with: rebound list';

export async function statusCommand(workflowId: string, options: { json?: boolean; watch?: boolean }): Promise<number> {
  const client = await connectClient(loadConfig());
  try {
    const notFound = (error: unknown): never => {
      if (error instanceof RecoveryNotFoundError) throw new CliError(error.message, ExitCode.failed, recoveryNotFoundHint, 'not-found');
      throw error;
    };
    if (options.watch) return await watchRecovery(client, workflowId, { json: options.json }).catch(notFound);
    const view = await readRecovery(client, workflowId).catch(notFound);
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
