/** Starting recoveries from the shipped runbooks in tests, exactly as `rebound start` does. */
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { withChildRunbooks } from '../../client/child-runbooks';
import { prepareRecovery, startRecovery } from '../../client/start-recovery';
import { formatProblem, loadRunbookFile } from '../../model/loader';
import type { RecoveryTrigger } from '../../model/recovery';

export const runbooksDir = path.join(__dirname, '..', '..', 'runbooks');

export async function startShippedRunbook(client: Client, taskQueue: string, name: string, params: Record<string, unknown>, trigger: RecoveryTrigger = { source: 'test' }) {
  const loaded = await loadRunbookFile(path.join(runbooksDir, `${name}.yaml`));
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return startRecovery(client, await withChildRunbooks(prepareRecovery(loaded.runbook, loaded.hash, params, trigger), runbooksDir), { taskQueue });
}
