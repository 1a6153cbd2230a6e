/** The input of a recovery from a runbook reference and `--param`s, as `start` and `plan` build it; every refusal is one CLI error. */
import * as path from 'node:path';
import { RunbookReferenceError, withChildRunbooks } from '../client/child-runbooks';
import { prepareRecovery } from '../client/start-recovery';
import { formatProblem, resolveRunbook } from '../model/loader';
import { ParamsError } from '../model/params';
import type { RecoveryInput, RecoveryTrigger } from '../model/recovery';
import { CliError, ExitCode } from './cli-error';

export async function recoveryInput(reference: string, runbooksDir: string, params: Record<string, string>, trigger: RecoveryTrigger): Promise<RecoveryInput> {
  const loaded = await resolveRunbook(reference, path.resolve(runbooksDir));
  if (!loaded.ok) {
    for (const problem of loaded.problems.slice(1)) process.stderr.write(`${formatProblem(problem)}\n`);
    throw new CliError(loaded.problems[0] ? formatProblem(loaded.problems[0]) : `invalid runbook ${reference}`);
  }
  try {
    return await withChildRunbooks(prepareRecovery(loaded.runbook, loaded.hash, params, trigger), path.resolve(runbooksDir));
  } catch (error) {
    if (error instanceof ParamsError) throw new CliError(`${loaded.runbook.metadata.name}: ${error.message}`, ExitCode.failed, 'pass params as --param name=value');
    if (error instanceof RunbookReferenceError) throw new CliError(error.message, ExitCode.failed, `fix the runbooks in ${runbooksDir}, then check them with: rebound validate ${runbooksDir}`);
    throw error;
  }
}
