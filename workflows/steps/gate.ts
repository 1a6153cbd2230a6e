/** `gate` steps: poll a check on durable timers until `expect` holds `consecutive` times in a row. */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import { durationMs } from '../../model/duration';
import { RecoveryFailureTypes } from '../failures';
import { renderCallArguments } from '../expressions';
import type { GateSpec } from '../../model/steps/gate';
import type { ExpressionContext } from '../../model/expressions';
import { checkProbe, judge } from './probe';
import type { StepContext, StepExecutor, StepOutcome } from './step-executor';

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
  const probe = checkProbe(spec.check, context, label === 'gate' ? context.summary : label);
  const expressionContext = () => ({ ...context.expressionContext(), ...extra });
  const args = renderCallArguments(spec.with, expressionContext());
  const deadline = Date.now() + durationMs(spec.timeout);
  const intervalMs = durationMs(spec.interval);
  let consecutive = 0;
  let polls = 0;
  for (;;) {
    polls += 1;
    const verdict = await judge(() => probe({ ...args, runbook: context.runbook, step: context.step }), spec.expect, expressionContext());
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
    await sleep(intervalMs, { summary: `next ${spec.check} poll: ${label === 'gate' ? context.step : label} (${consecutive}/${spec.consecutive} passed in a row)` });
  }
}
