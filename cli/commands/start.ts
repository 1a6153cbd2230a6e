/** `rebound start <runbook> [--param k=v]... [--wait] [--json]` */
import * as path from 'node:path';
import { RunbookReferenceError, withChildRunbooks } from '../../client/child-runbooks';
import { RecoveryAlreadyRunningError, prepareRecovery, startRecovery } from '../../client/start-recovery';
import { formatProblem, resolveRunbook } from '../../model/loader';
import { ParamsError } from '../../model/params';
import type { RecoveryReport } from '../../model/recovery';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { formatReport } from '../report-format';
import { connectClient } from '../temporal-client';

export interface StartCommandOptions {
  param: Record<string, string>;
  wait?: boolean;
  json?: boolean;
  runbooks: string;
  as?: string;
}

export async function startCommand(reference: string, options: StartCommandOptions): Promise<number> {
  const loaded = await resolveRunbook(reference, path.resolve(options.runbooks));
  if (!loaded.ok) {
    for (const problem of loaded.problems.slice(1)) process.stderr.write(`${formatProblem(problem)}\n`);
    throw new CliError(loaded.problems.length ? formatProblem(loaded.problems[0]!) : `invalid runbook ${reference}`);
  }
  let input;
  try {
    input = await withChildRunbooks(prepareRecovery(loaded.runbook, loaded.hash, options.param, { source: 'cli', by: options.as }), path.resolve(options.runbooks));
  } catch (error) {
    if (error instanceof ParamsError) throw new CliError(`${loaded.runbook.metadata.name}: ${error.message}`, ExitCode.failed, 'pass params as --param name=value');
    if (error instanceof RunbookReferenceError) throw new CliError(error.message, ExitCode.failed, `fix the runbooks in ${options.runbooks}, then check them with: rebound validate ${options.runbooks}`);
    throw error;
  }
  const config = loadConfig();
  const client = await connectClient(config);
  try {
    const handle = await startRecovery(client, input, { taskQueue: config.taskQueue }).catch((error: unknown) => {
      if (error instanceof RecoveryAlreadyRunningError) throw new CliError(error.message, ExitCode.failed, `watch it with: rebound status ${error.workflowId}`);
      throw error;
    });
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
