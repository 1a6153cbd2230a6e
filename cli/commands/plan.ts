/** `rebound plan <runbook> [--param k=v]... [--inventory file] [--json]`: a dry run with the read-only preflights. */
import * as path from 'node:path';
import { readInventoryFile } from '../../activities/drivers/inventory-file';
import { createFleetReader } from '../../activities/drivers/fleet-reads';
import { needsDriver, planRecovery } from '../../client/recovery-plan';
import { createLogger } from '../../runtime/logger';
import { CliError, ExitCode } from '../cli-error';
import { recoveryInput } from '../recovery-input';
import { formatPlan } from '../plan-format';

export interface PlanCommandOptions {
  param: Record<string, string>;
  json?: boolean;
  runbooks: string;
  inventory?: string;
}

/** A preflight that hangs must not hang the operator's terminal. */
const planTimeoutMs = 60_000;

export async function planCommand(reference: string, options: PlanCommandOptions): Promise<number> {
  const input = await recoveryInput(reference, options.runbooks, options.param, { source: 'plan' });
  let reader;
  if (needsDriver(input.runbook.spec.steps, input.children)) {
    if (options.inventory === undefined) {
      throw new CliError(
        `${input.runbook.metadata.name}: its preflights read the systems through an inventory, and none is set`,
        ExitCode.usage,
        'set REBOUND_INVENTORY or pass --inventory, e.g. --inventory examples/inventory.yaml',
      );
    }
    const inventory = await readInventoryFile(path.resolve(options.inventory)).catch((error: unknown) => {
      throw new CliError((error as Error).message.split('\n').slice(0, 2).join(': ').replace('REBOUND_INVENTORY: ', ''), ExitCode.usage);
    });
    reader = createFleetReader(inventory, createLogger({ level: 'warn', destination: process.stderr }), AbortSignal.timeout(planTimeoutMs));
  }
  const plan = await planRecovery(input, reader);
  process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : `${formatPlan(plan)}\n`);
  return plan.refused ? ExitCode.failed : ExitCode.ok;
}
