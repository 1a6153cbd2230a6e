/** `rebound start <runbook> [--param k=v]... [--wait|--watch] [--json]` */
import { userInfo } from 'node:os';
import { AuthzPolicyError, StartNotAuthorizedError, authorizedStart, loadAuthzPolicy } from '../../client/authorization';
import { RecoveryAlreadyRunningError, startRecovery } from '../../client/start-recovery';
import type { RecoveryInput, RecoveryReport } from '../../model/recovery';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { recoveryInput } from '../recovery-input';
import { formatReport } from '../report-format';
import { connectClient } from '../temporal-client';
import { watchRecovery } from '../watch';

export interface StartCommandOptions {
  param: Record<string, string>;
  wait?: boolean;
  watch?: boolean;
  json?: boolean;
  runbooks: string;
  as?: string;
}

/** The input with the authorization policy pinned, once it allows `identity` to start it; a refusal is one CLI error and nothing starts. */
async function startInput(prepared: RecoveryInput, authzFile: string | undefined, identity: string): Promise<RecoveryInput> {
  try {
    return authorizedStart(prepared, await loadAuthzPolicy(authzFile), identity);
  } catch (error) {
    if (error instanceof StartNotAuthorizedError) throw new CliError(`start refused: ${error.message}`, ExitCode.failed, undefined, 'refused');
    if (error instanceof AuthzPolicyError) throw new CliError(error.message, ExitCode.usage, 'fix the file REBOUND_AUTHZ_FILE points at (see the README, "Authorization")');
    throw error;
  }
}

export async function startCommand(reference: string, options: StartCommandOptions): Promise<number> {
  const identity = options.as ?? userInfo().username;
  const prepared = await recoveryInput(reference, options.runbooks, options.param, { source: 'cli', by: identity });
  const config = loadConfig();
  const input = await startInput(prepared, config.authzFile, identity);
  const client = await connectClient(config);
  try {
    const handle = await startRecovery(client, input, { taskQueue: config.taskQueue }).catch((error: unknown) => {
      if (error instanceof RecoveryAlreadyRunningError) throw new CliError(error.message, ExitCode.failed, `watch it with: rebound status ${error.workflowId}`);
      throw error;
    });
    if (options.watch) {
      if (!options.json) process.stderr.write(`started ${handle.workflowId}\n`);
      return await watchRecovery(client, handle.workflowId, { json: options.json });
    }
    if (!options.wait) {
      process.stdout.write(options.json ? `${JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}\n` : `${handle.workflowId}\n`);
      return ExitCode.ok;
    }
    if (!options.json) process.stderr.write(`started ${handle.workflowId}; waiting for the outcome...\n`);
    const report: RecoveryReport = await handle.result();
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return report.outcome === 'recovered' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await client.connection.close();
  }
}
