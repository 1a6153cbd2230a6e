/** `rebound approve|reject|pause|resume|abort|skip|retry <workflow-id>`: operator acts on a running recovery. */
import { answerApproval } from '../../client/approvals';
import { NoWorkerAnsweredError, RecoveryRefusedError, controlRecovery, type ControlResult } from '../../client/control';
import { RecoveryNotFoundError } from '../../client/recovery-status';
import type { ApprovalState, OperatorActKind } from '../../model/recovery';
import { loadConfig } from '../../runtime/config';
import { CliError, ExitCode } from '../cli-error';
import { connectClient } from '../temporal-client';

export interface ControlCommandOptions {
  /** Who acts (recorded): --as, else REBOUND_USER, else the OS user. */
  as: string;
  reason?: string;
  step?: string;
  json?: boolean;
}

function approvalLine(workflowId: string, who: string, approval: ApprovalState, decision: 'approve' | 'reject'): string {
  if (decision === 'reject') return `rejected step ${approval.step} of ${workflowId} as ${who}: the step fails and the recovery undoes its completed steps`;
  const approvals = approval.answers.filter((answer) => answer.decision === 'approve').length;
  const where = approval.status === 'approved' ? 'approved, the recovery goes on' : 'waiting for more approvals';
  return `approved step ${approval.step} of ${workflowId} as ${who}: ${approvals} of ${approval.quorum} approval(s), ${where}`;
}

function controlLine(workflowId: string, who: string, result: ControlResult): string {
  const { act, step } = result;
  switch (act.act) {
    case 'pause':
      return `paused ${workflowId} as ${who}: the running step finishes, no new step starts until \`rebound resume ${workflowId}\``;
    case 'resume':
      return `resumed ${workflowId} as ${who}`;
    case 'abort':
      return `aborting ${workflowId} as ${who}: the running step is cancelled and completed steps are undone; follow it with \`rebound status ${workflowId}\``;
    case 'retry':
      return `retrying step ${act.step} of ${workflowId} as ${who} (operator retry ${step?.operatorRetries ?? 1})`;
    default: {
      const what = step?.status === 'pending' ? 'is skipped when it is reached' : step?.status === 'running' ? 'is cancelled and skipped' : 'is skipped, the recovery goes on';
      return `step ${act.step} of ${workflowId} ${what} (skip by ${who})`;
    }
  }
}

export async function controlCommand(act: OperatorActKind, workflowId: string, options: ControlCommandOptions): Promise<number> {
  const who = options.as;
  if (who.trim() === '') throw new CliError('--as needs an identity (or set REBOUND_USER)', ExitCode.usage);
  const client = await connectClient(loadConfig());
  try {
    const args = { identity: who, reason: options.reason, step: options.step };
    let line: string;
    let json: unknown;
    if (act === 'approve' || act === 'reject') {
      const approval = await answerApproval(client, workflowId, { decision: act, ...args });
      line = approvalLine(workflowId, who, approval, act);
      json = { workflowId, act, identity: who, approval };
    } else {
      const result = await controlRecovery(client, workflowId, act, args);
      line = controlLine(workflowId, who, result);
      json = { workflowId, ...result };
    }
    process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${line}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof RecoveryRefusedError) throw new CliError(`${act} refused: ${error.message}`, ExitCode.failed, undefined, 'refused');
    if (error instanceof RecoveryNotFoundError) throw new CliError(error.message, ExitCode.failed, 'the id is what `rebound start` printed, e.g. restart-service/checkout', 'not-found');
    if (error instanceof NoWorkerAnsweredError) throw new CliError(error.message, ExitCode.failed, 'start a worker on this task queue: `rebound worker` (or `npm start`)');
    throw error;
  } finally {
    await client.connection.close();
  }
}
