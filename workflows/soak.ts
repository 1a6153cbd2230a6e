/**
 * One soak of a `watch` step, as a child workflow of the recovery: polls a check until the soak's
 * deadline has passed on a passing observation, or until more than `toleratedFailures`
 * observations in a row failed. Every poll adds about 11 events to a history, so the soak
 * continues-as-new every `pollsPerRun` polls, carrying what it has seen: a soak of any length keeps
 * both its own history and the recovery's bounded.
 */
import { continueAsNew, defineQuery, setHandler, sleep } from '@temporalio/workflow';
import type { CheckRequest } from '../model/action-contract';
import type { ExpressionContext } from '../model/expressions';
import { checkActivity, judge, type Verdict } from './steps/probe';

/** Polls per run before the soak continues-as-new: about 2,200 events, far under Temporal's 10,240-event warning. */
export const defaultPollsPerRun = 200;

export interface SoakInput {
  /** The check's activity type and its rendered request. */
  check: string;
  request: CheckRequest;
  /** The CEL expectation, evaluated with `observation` over `context`. */
  expect: string;
  context: ExpressionContext;
  intervalMs: number;
  /** How long the expectation must keep holding, from the soak's first poll. */
  durationMs: number;
  toleratedFailures: number;
  /** Shown as the summary of the check activities and timers. */
  summary: string;
  /** Default {@link defaultPollsPerRun}; tests set it low to see the soak continue-as-new. */
  pollsPerRun?: number;
  /** What earlier runs of this soak saw; absent in the first run. */
  carried?: SoakProgress;
}

export interface SoakProgress {
  /** When the first run started (epoch ms, workflow time). */
  startedAt: number;
  /** When the soak may end (epoch ms, workflow time): fixed by the first run. */
  deadline: number;
  /** Polls over all runs. */
  polls: number;
  /** Failed observations in a row, at the end of the last poll. */
  failures: number;
  /** How many times the soak continued-as-new. */
  continuedAsNew: number;
  last?: Verdict;
}

/** How one soak ended: held until the deadline, or regressed after `elapsedMs`. */
export type SoakResult =
  | { stable: true; polls: number; continuedAsNew: number }
  | { stable: false; polls: number; continuedAsNew: number; elapsedMs: number; failures: number; last: Verdict };

/** The soak's progress, for operators (the recovery only learns the result). */
export const soakProgressQuery = defineQuery<SoakProgress & { endsAt: string }>('soakProgress');

export async function soak(input: SoakInput): Promise<SoakResult> {
  const progress: SoakProgress = input.carried ?? { startedAt: Date.now(), deadline: Date.now() + input.durationMs, polls: 0, failures: 0, continuedAsNew: 0 };
  setHandler(soakProgressQuery, () => ({ ...progress, endsAt: new Date(progress.deadline).toISOString() }));
  const probe = checkActivity(input.check, input.summary);
  const pollsPerRun = input.pollsPerRun ?? defaultPollsPerRun;
  for (let polls = 0; ; polls += 1) {
    if (polls === pollsPerRun) {
      return continueAsNew<typeof soak>({ ...input, carried: { ...progress, continuedAsNew: progress.continuedAsNew + 1 } });
    }
    const verdict = await judge(() => probe(input.request), input.expect, input.context);
    progress.polls += 1;
    progress.failures = verdict.passed ? 0 : progress.failures + 1;
    progress.last = verdict;
    const { polls: total, continuedAsNew, failures } = progress;
    if (failures > input.toleratedFailures) return { stable: false, polls: total, continuedAsNew, elapsedMs: Date.now() - progress.startedAt, failures, last: verdict };
    const now = Date.now();
    // A soak ends on a passing observation; a tolerated failure at the end is looked at again.
    if (now >= progress.deadline && failures === 0) return { stable: true, polls: total, continuedAsNew };
    await sleep(failures === 0 ? Math.min(input.intervalMs, progress.deadline - now) : input.intervalMs, { summary: `next poll: ${input.summary}` });
  }
}
