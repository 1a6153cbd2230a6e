/** `gate` steps: poll a check on durable timers until `expect` holds `consecutive` times in a row. */
import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import { ActivityFailureTypes, type CheckRequest, type Observation } from '../../model/action-contract';
import { durationMs } from '../../model/duration';
import { ExpressionError, evaluateCondition } from '../../model/expressions';
import { RecoveryFailureTypes } from '../failures';
import { render } from '../expressions';
import type { GateSpec } from '../../model/steps/gate';
import type { ExpressionContext } from '../../model/expressions';
import type { StepContext, StepExecutor, StepOutcome } from './step-executor';

type CheckActivity = (request: CheckRequest) => Promise<Observation>;

/** One probe must answer within this; a slow probe counts as a failed observation. */
const checkTimeout = '1m';

interface Verdict {
  passed: boolean;
  observation?: Observation;
  reason?: string;
}

function errorMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function isInvalidInput(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === ActivityFailureTypes.invalidInput;
}

export const gateExecutor: StepExecutor<'gate'> = {
  phase: 'verifying',
  describe: (step) => `${step.gate.check} until ${step.gate.expect} (${step.id})`,
  execute: (step, context) => pollGate(step.gate, context),
};

/**
 * Polls `spec.check` on durable timers until `spec.expect` holds `consecutive` times in a row.
 * Used by gate steps and by the verify gates of other steps (waves, traffic shifts), which pass
 * extra variables for the expression (e.g. `wave`) and a label for the timeout message.
 */
export async function pollGate(spec: GateSpec, context: StepContext, extra: ExpressionContext = {}, label = 'gate'): Promise<StepOutcome> {
  const probe = proxyActivities<Record<string, CheckActivity>>({
    startToCloseTimeout: checkTimeout,
    // A probe on a killed worker counts as a failed observation after this, not after a minute.
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: 1 },
    summary: `${spec.check}: ${context.summary}`,
  })[spec.check];
  if (!probe) throw new TypeError(`no activity for check ${spec.check}`);
  const expressionContext = () => ({ ...context.expressionContext(), ...extra });
  const input = render(spec.with, expressionContext());
  const deadline = Date.now() + durationMs(spec.timeout);
  const intervalMs = durationMs(spec.interval);
  let consecutive = 0;
  let polls = 0;
  for (;;) {
    polls += 1;
    const verdict = await judge(() => probe({ input, runbook: context.runbook, step: context.step }), spec.expect, expressionContext());
    consecutive = verdict.passed ? consecutive + 1 : 0;
    const output = { observation: verdict.observation, consecutive, required: spec.consecutive, reason: verdict.reason };
    context.report({ attempts: polls, output });
    if (consecutive >= spec.consecutive) return { output, attempts: polls };
    if (Date.now() + intervalMs > deadline) {
      const last = verdict.reason ?? `expect ${spec.expect} was false`;
      throw ApplicationFailure.nonRetryable(
        `${label} did not pass ${spec.consecutive} time(s) in a row within ${spec.timeout} (${polls} polls; last: ${last})`,
        RecoveryFailureTypes.gateTimeout,
        output,
      );
    }
    await sleep(intervalMs, { summary: `next ${spec.check} poll for ${context.step}` });
  }
}

async function judge(probe: () => Promise<Observation>, expect: string, context: Record<string, unknown>): Promise<Verdict> {
  let observation: Observation;
  try {
    observation = await probe();
  } catch (error) {
    // Bad input fails the gate at once; any other probe failure is an observation that did not pass.
    if (isInvalidInput(error)) throw ApplicationFailure.nonRetryable(errorMessage(error), ActivityFailureTypes.invalidInput);
    return { passed: false, reason: `check failed: ${errorMessage(error)}` };
  }
  try {
    const passed = evaluateCondition(expect, { ...context, observation });
    return { passed, observation, reason: passed ? undefined : `expect ${expect} was false` };
  } catch (error) {
    // An observation without the expected shape (e.g. no JSON on a 503) does not pass, and is not fatal.
    if (error instanceof ExpressionError) return { passed: false, observation, reason: error.message };
    throw error;
  }
}
