/**
 * Finding recoveries through Temporal visibility and Rebound's search attributes (`rebound list`,
 * `rebound history`), the same queries the Temporal UI's list takes.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { outcomes, phases, type Outcome, type RecoveryReport } from '../model/recovery';
import { searchAttributes } from '../model/search-attributes';

/** Thrown for a filter value that cannot be put in a visibility query. */
export class ListFilterError extends Error {
  override readonly name = 'ListFilterError';
}

export interface RecoveryFilter {
  phase?: string;
  runbook?: string;
  /** Only recoveries whose workflow is still running. */
  running?: boolean;
}

/** One recovery as visibility lists it. */
export interface RecoverySummary {
  workflowId: string;
  runId: string;
  runbook?: string;
  key?: string;
  phase?: string;
  /** Temporal's execution status, lower case: running, completed, failed, terminated, ... */
  status: string;
  startedAt: string;
  closedAt?: string;
  /** From start to close, or to now for a running one. */
  durationMs: number;
}

/** One past (or running) recovery of a runbook with its outcome. */
export interface RecoveryHistoryEntry extends RecoverySummary {
  /** The report's outcome; for a workflow that ended without a report, its Temporal status. */
  outcome: Outcome | 'running' | string;
  timeToRecoverMs?: number;
  rto?: string;
  rtoMet?: boolean;
}

// Runbook names are validated (lower-case, digits, -); keys are free text, so quotes are refused.
const safeValue = /^[^"'\\]+$/;

/** The visibility query for `filter`, e.g. `WorkflowType = "runRecovery" AND ReboundPhase = "mitigating"`. */
export function recoveryQuery(filter: RecoveryFilter): string {
  const clauses = ['WorkflowType = "runRecovery"'];
  if (filter.phase !== undefined) {
    if (!(phases as readonly string[]).includes(filter.phase)) throw new ListFilterError(`unknown phase "${filter.phase}"; phases: ${phases.join(', ')}`);
    clauses.push(`${searchAttributes.phase.name} = "${filter.phase}"`);
  }
  if (filter.runbook !== undefined) {
    if (!safeValue.test(filter.runbook)) throw new ListFilterError(`runbook "${filter.runbook}": quotes and backslashes cannot be searched for`);
    clauses.push(`${searchAttributes.runbook.name} = "${filter.runbook}"`);
  }
  if (filter.running) clauses.push('ExecutionStatus = "Running"');
  return clauses.join(' AND ');
}

function summarise(info: WorkflowExecutionInfo, now: number): RecoverySummary {
  const attributes = info.typedSearchAttributes;
  const closed = info.closeTime?.getTime();
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    runbook: attributes.get(searchAttributes.runbook),
    key: attributes.get(searchAttributes.key),
    phase: attributes.get(searchAttributes.phase),
    status: info.status.name.toLowerCase(),
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime === undefined ? {} : { closedAt: info.closeTime.toISOString() }),
    durationMs: (closed ?? now) - info.startTime.getTime(),
  };
}

/** Recoveries matching `filter`, most recently started first, at most `limit`. */
export async function listRecoveries(client: Client, filter: RecoveryFilter, limit: number): Promise<RecoverySummary[]> {
  const query = recoveryQuery(filter);
  const found: RecoverySummary[] = [];
  const now = Date.now();
  for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    found.push(summarise(info, now));
    if (found.length >= limit) break;
  }
  return found.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** A runbook's recoveries, closed ones included, with each one's outcome and time-to-recover from its report. */
export async function recoveryHistory(client: Client, runbook: string, limit: number): Promise<RecoveryHistoryEntry[]> {
  const summaries = await listRecoveries(client, { runbook }, limit);
  return Promise.all(
    summaries.map(async (summary): Promise<RecoveryHistoryEntry> => {
      if (summary.status === 'running') return { ...summary, outcome: 'running' };
      if (summary.status !== 'completed') return { ...summary, outcome: summary.status };
      const report = (await client.workflow.getHandle(summary.workflowId, summary.runId).result()) as RecoveryReport;
      const outcome = (outcomes as readonly string[]).includes(report.outcome) ? report.outcome : summary.status;
      return {
        ...summary,
        outcome,
        timeToRecoverMs: report.timeToRecoverMs,
        ...(report.budget.rto === undefined ? {} : { rto: report.budget.rto }),
        ...(report.rtoMet === undefined ? {} : { rtoMet: report.rtoMet }),
      };
    }),
  );
}
