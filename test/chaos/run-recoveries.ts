/**
 * Runs the scenarios concurrently to their end: starts them, answers their approvals, and — in a
 * chaos run — SIGKILLs the worker at random moments (and restarts the Temporal server at chosen
 * kills), recording what each kill interrupted.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { answerApproval } from '../../client/approvals';
import type { RecoveryReport, RecoveryState } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import type { RecoveryRef } from './fleet-snapshot';
import type { Scenario, ScenarioContext } from './scenarios';
import type { WorkerSupervisor } from './worker-supervisor';

/** What was in progress, in any recovery, when a kill landed. */
export type Moment = 'rollback-wave' | 'failover-shift' | 'permissions' | 'approval' | 'compensation' | 'soak' | 'action' | 'gate';

export interface ChaosPlan {
  supervisor: WorkerSupervisor;
  /** Worker kills to inject (the run fails if the recoveries end sooner). */
  kills: number;
  /** Seeded: the same seed gives the same gaps. */
  random: () => number;
  minGapMs: number;
  maxGapMs: number;
  /** After these kill counts, the Temporal server is killed and restarted too. */
  serverRestartsAfterKill: readonly number[];
  restartServer(): Promise<void>;
  /** Moments a kill should land in when one is seen (a kill is made as soon as one shows up). */
  wanted: readonly Moment[];
}

export interface Kill {
  atMs: number;
  moments: Moment[];
}

export interface RunResult {
  recoveries: Array<RecoveryRef & { kind: string; expected: string; outcome: string; report: RecoveryReport }>;
  kills: Kill[];
  serverRestarts: number;
  durationMs: number;
}

const runningStep = (state: RecoveryState, kind: string) => state.steps.some((step) => step.kind === kind && step.status === 'running');

function momentsOf(state: RecoveryState): Moment[] {
  const moments: Moment[] = [];
  if (state.compensations.some((compensation) => compensation.status === 'running')) moments.push('compensation');
  if (state.approvals.some((approval) => approval.status === 'pending')) moments.push('approval');
  if (runningStep(state, 'rollback')) moments.push('rollback-wave');
  if (runningStep(state, 'failover')) moments.push('failover-shift');
  if (runningStep(state, 'permissions')) moments.push('permissions');
  if (runningStep(state, 'watch')) moments.push('soak');
  if (runningStep(state, 'action')) moments.push('action');
  if (runningStep(state, 'gate')) moments.push('gate');
  return moments;
}

async function queryState(client: Client, ref: RecoveryRef): Promise<RecoveryState | undefined> {
  try {
    return await client.withDeadline(Date.now() + 1000, () => client.workflow.getHandle(ref.workflowId).query(stateQuery));
  } catch {
    return undefined; // no worker at this instant, or the server is restarting
  }
}

/** The recovery's report; rides out a restarting server (the result long-poll is simply asked again). */
async function awaitReport(client: Client, ref: RecoveryRef): Promise<RecoveryReport> {
  for (;;) {
    try {
      return (await client.workflow.getHandle(ref.workflowId, undefined, { firstExecutionRunId: ref.firstExecutionRunId }).result()) as RecoveryReport;
    } catch (error) {
      if (error instanceof WorkflowFailedError) throw error;
      await delay(500);
    }
  }
}

export async function runScenarios(context: ScenarioContext, scenarios: readonly Scenario[], chaos?: ChaosPlan): Promise<RunResult> {
  const started = Date.now();
  for (const scenario of scenarios) await scenario.prepare(context);
  const refs = await Promise.all(
    scenarios.map(async (scenario) => {
      const handle = await scenario.start(context);
      return { scenario, ref: { service: scenario.service, workflowId: handle.workflowId, firstExecutionRunId: handle.firstExecutionRunId } };
    }),
  );
  const kills: Kill[] = [];
  let serverRestarts = 0;
  const done = new Set<string>();
  const reports = refs.map(async ({ ref }) => {
    const report = await awaitReport(context.client, ref);
    done.add(ref.workflowId);
    return report;
  });
  const allReports = Promise.all(reports);
  allReports.catch(() => undefined);
  // In a chaos run the approvers answer only once every kill was made: the waiting approval keeps the
  // run going until then, however fast the other recoveries end.
  const mayApprove = () => !chaos || kills.length >= chaos.kills;

  const drive = async () => {
    const covered = new Set<Moment>();
    let lastKill = Date.now();
    let gap = chaos ? chaos.minGapMs + chaos.random() * (chaos.maxGapMs - chaos.minGapMs) : 0;
    while (done.size < refs.length) {
      const running = refs.filter(({ ref }) => !done.has(ref.workflowId));
      const states = await Promise.all(running.map(async ({ scenario, ref }) => ({ scenario, ref, state: await queryState(context.client, ref) })));
      for (const { scenario, ref, state } of states) {
        const pending = state?.approvals.find((approval) => approval.status === 'pending');
        if (!pending || !scenario.approvers || !mayApprove()) continue;
        for (const identity of scenario.approvers) {
          if (pending.answers.some((answer) => answer.identity === identity)) continue;
          // A refusal or a lost answer (worker killed mid-update) is retried at the next round.
          await answerApproval(context.client, ref.workflowId, { decision: 'approve', identity, step: pending.step }).catch(() => undefined);
        }
      }
      if (chaos && kills.length < chaos.kills) {
        const moments = [...new Set(states.flatMap(({ state }) => (state ? momentsOf(state) : [])))];
        const since = Date.now() - lastKill;
        const wantedNow = moments.some((moment) => chaos.wanted.includes(moment) && !covered.has(moment));
        // Random kills leave enough of the budget for the wanted moments not hit yet, while other
        // recoveries than the one waiting for approval can still produce them.
        const reserved = running.length > 1 ? chaos.wanted.filter((moment) => !covered.has(moment)).length : 0;
        const randomKillDue = since >= gap && kills.length < chaos.kills - reserved;
        if (randomKillDue || (wantedNow && since >= chaos.minGapMs)) {
          kills.push({ atMs: Date.now() - started, moments });
          moments.forEach((moment) => covered.add(moment));
          await chaos.supervisor.kill();
          if (chaos.serverRestartsAfterKill.includes(kills.length)) {
            await chaos.restartServer();
            serverRestarts += 1;
          }
          lastKill = Date.now();
          gap = chaos.minGapMs + chaos.random() * (chaos.maxGapMs - chaos.minGapMs);
        }
      }
      // The observation cadence; progress is detected by the queries above, not by this pause.
      await Promise.race([delay(250), allReports]);
    }
  };
  await Promise.all([drive(), allReports]);
  const finished = await allReports;
  return {
    recoveries: refs.map(({ scenario, ref }, index) => {
      const report = finished[index] as RecoveryReport;
      return { ...ref, kind: scenario.kind, expected: scenario.expected, outcome: report.outcome, report };
    }),
    kills,
    serverRestarts,
    durationMs: Date.now() - started,
  };
}
