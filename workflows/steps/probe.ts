/** Checks as gates and soaks use them: one probe, judged against an expectation. */
import { ActivityFailure, ApplicationFailure, isCancellation, patched, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import { ActivityFailureTypes, type CheckRequest, type Observation } from '../../model/action-contract';
import { ExpressionError, evaluateCondition, type ExpressionContext } from '../../model/expressions';
import { describeError } from '../describe-error';
import type { StepContext } from './step-executor';

export type CheckActivity = (request: CheckRequest) => Promise<Observation>;

export interface Verdict {
  passed: boolean;
  observation?: Observation;
  reason?: string;
}

/** The check activity, tried once per poll: the caller's polling is the retry. `purpose` goes into its summary. */
export function checkProbe(check: string, context: StepContext, purpose = context.summary): CheckActivity {
  return checkActivity(check, purpose);
}

/** {@link checkProbe} outside a step (a soak's child workflow); `purpose` names the step. */
export function checkActivity(check: string, purpose: string): CheckActivity {
  const probe = proxyActivities<Record<string, CheckActivity>>({
    // One probe must answer within this; a slow probe counts as a failed observation.
    startToCloseTimeout: '1m',
    // A probe on a killed worker counts as a failed observation after this, not after a minute.
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: 1 },
    summary: purpose.startsWith(check) ? purpose : `${check}: ${purpose}`,
  })[check];
  if (!probe) throw new TypeError(`no activity for check ${check}`);
  return probe;
}

/**
 * A probe lost with its worker (heartbeat timeout) observed nothing about the target: it is asked
 * again, up to this many times, instead of counting as a failed observation. Otherwise a worker
 * crash during a soak with `toleratedFailures: 0` reads as a regression (found by the chaos suite).
 */
const maxLostProbes = 3;

function lostWithItsWorker(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && error.cause.timeoutType === 'HEARTBEAT';
}

/**
 * One observation judged against `expect`. Bad input fails at once (it can never pass); any other
 * probe failure, or an observation without the expected shape (e.g. no JSON on a 503), does not pass.
 */
export async function judge(probe: () => Promise<Observation>, expect: string, context: ExpressionContext): Promise<Verdict> {
  let observation: Observation | undefined;
  for (let lost = 0; observation === undefined; lost += 1) {
    try {
      observation = await probe();
    } catch (error) {
      // A probe cancelled with its step (skip, abort) observed nothing: the cancellation goes on, and a
      // soak's child ends cancelled instead of reporting a regression. patched(): see below.
      if (isCancellation(error) && patched('cancelled-probe-is-not-an-observation')) throw error;
      // patched(): histories recorded before this counted a lost probe as a failed observation.
      if (lost < maxLostProbes && lostWithItsWorker(error) && patched('probe-lost-with-worker-is-asked-again')) continue;
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === ActivityFailureTypes.invalidInput) {
        throw ApplicationFailure.nonRetryable(cause.message, ActivityFailureTypes.invalidInput);
      }
      return { passed: false, reason: `check failed: ${describeError(cause ?? error)}` };
    }
  }
  try {
    const passed = evaluateCondition(expect, { ...context, observation });
    return { passed, observation, reason: passed ? undefined : `expect ${expect} was false` };
  } catch (error) {
    if (error instanceof ExpressionError) return { passed: false, observation, reason: error.message };
    throw error;
  }
}
