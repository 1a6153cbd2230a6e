/**
 * `watch` steps (soak): poll a check every interval for a duration on durable timers. More than
 * `toleratedFailures` failed observations in a row is a regression: the listed earlier steps run
 * again once (with new idempotency keys) and the soak starts over; a regression after that, or
 * with nothing to re-run, escalates and leaves the recovery `degraded`. The step itself does not
 * fail on a regression: the mitigation stays in place for the people it escalates to.
 */
import { sleep } from '@temporalio/workflow';
import type { CheckRequest } from '../../model/action-contract';
import { durationMs, formatDuration } from '../../model/duration';
import type { WatchSpec } from '../../model/steps/watch';
import { render } from '../expressions';
import { checkProbe, judge, type Verdict } from './probe';
import type { StepContext, StepExecutor, StepTracking } from './step-executor';

/** The idempotency-key part of the one re-run of a watch's steps. */
const rerunKey = 'rerun-1';

/** How one soak ended: held for the whole duration, or regressed after `elapsedMs`. */
type SoakResult = { stable: true } | { stable: false; elapsedMs: number; failures: number; last: Verdict };

/** Re-run steps report to the watch's own target, like a foreach item's steps to the item. */
function rerunTracking(context: StepContext): StepTracking {
  const detail = (text: string) => context.target(context.step, { status: 'in-progress', detail: `${rerunKey}: ${text}` });
  return {
    skipped: (step) => detail(`${step} skipped`),
    started: (step) => detail(`${step} running`),
    report: () => undefined,
    succeeded: (step) => detail(`${step} done`),
    failed: (step, error) => detail(`${step} failed: ${error}`),
  };
}

export const watchExecutor: StepExecutor<'watch'> = {
  phase: 'soaking',
  describe: (step) => `soak ${step.watch.duration}: ${step.watch.check} while ${step.watch.expect} (${step.id})`,
  async execute(step, context) {
    const spec = step.watch;
    const probe = checkProbe(spec.check, context);
    // Resolved before soaking: a watch that could not re-run its steps fails now, not at a regression.
    const rerun = spec.rerun.length > 0 ? context.rerunnable(spec.rerun) : undefined;
    context.target(context.step, { status: 'in-progress', detail: `soaking for ${spec.duration}` });
    let polls = 0;
    let regressions = 0;
    for (let soak = 1; ; soak += 1) {
      // Rendered per soak: a re-run may have changed the outputs the check refers to.
      const request: CheckRequest = { input: render(spec.with, context.expressionContext()), runbook: context.runbook, step: context.step };
      const result = await soakOnce(spec, context, () => judge(() => probe(request), spec.expect, context.expressionContext()), (verdict, failures, endsAt) => {
        polls += 1;
        context.report({ attempts: polls, output: { soak, polls, regressions, failures, toleratedFailures: spec.toleratedFailures, endsAt, reason: verdict.reason } });
        context.target(context.step, { status: 'in-progress', observed: verdict.observation, detail: `soak ${soak}: ${failures} failed observation(s) in a row` });
      });
      if (result.stable) {
        context.target(context.step, { status: 'verified', detail: `held for ${spec.duration}` });
        return { output: { soaks: soak, polls, regressions, stable: true }, attempts: polls };
      }
      regressions += 1;
      const after = `${result.failures} failed observation(s) in a row, ${formatDuration(result.elapsedMs)} into soak ${soak}`;
      context.finding({
        kind: 'regression',
        target: context.step,
        message: `${spec.check} regressed: ${after} (last: ${result.last.reason ?? 'no reason'})`,
        details: { observation: result.last.observation, failures: result.failures, toleratedFailures: spec.toleratedFailures },
      });
      if (soak > 1 || !rerun) {
        const why = spec.rerun.length === 0 ? 'no steps to re-run' : `it regressed again after re-running ${spec.rerun.join(', ')}`;
        context.finding({ kind: 'escalation', target: context.step, message: `soak of ${spec.duration} did not hold (${why}): escalated, the recovery is degraded` });
        context.target(context.step, { status: 'failed', observed: result.last.observation, detail: `regressed: ${why}` });
        context.unverified([context.step]);
        return { output: { soaks: soak, polls, regressions, stable: false }, attempts: polls };
      }
      await rerun({ key: rerunKey, variables: {}, track: rerunTracking(context) });
    }
  },
};

/**
 * Polls until the duration has passed with the last observation passing, or until more than
 * `toleratedFailures` observations in a row failed. One activity and one timer per poll.
 */
async function soakOnce(
  spec: WatchSpec,
  context: StepContext,
  poll: () => Promise<Verdict>,
  onPoll: (verdict: Verdict, failures: number, endsAt: string) => void,
): Promise<SoakResult> {
  const started = Date.now();
  const deadline = started + durationMs(spec.duration);
  const endsAt = new Date(deadline).toISOString();
  const intervalMs = durationMs(spec.interval);
  let failures = 0;
  for (;;) {
    const verdict = await poll();
    failures = verdict.passed ? 0 : failures + 1;
    onPoll(verdict, failures, endsAt);
    if (failures > spec.toleratedFailures) return { stable: false, elapsedMs: Date.now() - started, failures, last: verdict };
    const now = Date.now();
    // A soak ends on a passing observation; a tolerated failure at the end is looked at again.
    if (now >= deadline && failures === 0) return { stable: true };
    await sleep(failures === 0 ? Math.min(intervalMs, deadline - now) : intervalMs, { summary: `next ${spec.check} poll of the soak ${context.step}` });
  }
}
