/** Starting recoveries in tests the way the CLI does: YAML text → validated runbook → workflow. */
import type { Client } from '@temporalio/client';
import { withChildRunbooks } from '../../client/child-runbooks';
import { prepareRecovery, startRecovery } from '../../client/start-recovery';
import { runbooksDir } from './runbook-files';
import { formatProblem, parseRunbook } from '../../model/loader';
import type { RecoveryTrigger } from '../../model/recovery';

/** Validates `yaml` (failing loudly with file:line:col problems) and starts a recovery from it. */
export async function startRecoveryFromYaml(client: Client, taskQueue: string, yaml: string, params: Record<string, unknown> = {}, trigger: RecoveryTrigger = { source: 'test' }) {
  const loaded = parseRunbook(yaml, 'test.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const input = await withChildRunbooks(prepareRecovery(loaded.runbook, loaded.hash, params, trigger), runbooksDir);
  return startRecovery(client, input, { taskQueue });
}
