/** `rebound report <workflow-id> [--format md|json]`: the recovery report, partial while it runs. */
import { RecoveryNotFoundError, readRecovery } from '../../client/recovery-status';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { formatReportMarkdown } from '../report-markdown';
import { recoveryNotFoundHint } from './status';
import { connectClient } from '../temporal-client';

export async function reportCommand(workflowId: string, options: { format: 'md' | 'json'; json?: boolean }): Promise<number> {
  const client = await connectClient(loadConfig());
  try {
    const view = await readRecovery(client, workflowId).catch((error: unknown) => {
      if (error instanceof RecoveryNotFoundError) throw new CliError(error.message, ExitCode.failed, recoveryNotFoundHint, 'not-found');
      throw error;
    });
    const content = view.running ? view.state : view.report;
    if (content === undefined) throw new CliError(`recovery ${workflowId} has no report: ${(!view.running && view.error) || 'it ended without one'}`, ExitCode.failed);
    const json = options.json || options.format === 'json';
    process.stdout.write(json ? `${JSON.stringify(content, null, 2)}\n` : `${formatReportMarkdown(content)}\n`);
    return ExitCode.ok;
  } finally {
    await client.connection.close();
  }
}
