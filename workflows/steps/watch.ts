/**
 * `watch` steps (soak): poll a check every interval for a duration. Each soak runs as a child
 * workflow (workflows/soak.ts) that continues-as-new as it goes, so a long soak does not grow the
 * recovery's history. More than `toleratedFailures` failed observations in a row is a regression:
 * the listed earlier steps run again once (with new idempotency keys) and the soak starts over; a
 * regression after that, or with nothing to re-run, escalates and leaves the recovery `degraded`.
 * The step itself does not fail on a regression: the mitigation stays in place for the people it
 * escalates to.
 */
import { ApplicationFailure, ChildWorkflowFailure, executeChild, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { durationMs, formatDuration } from '../../model/duration';
import type { WatchSpec } from '../../model/steps/watch';
import { renderCallArguments } from '../expressions';
import type { soak, SoakResult } from '../soak';
import { childWorkflowId } from './child-workflow-id';
import type { StepContext, StepExecutor, StepTracking } from './step-executor';

/** The idempotency-key part of the one re-run of a watch's steps. */
const rerunKey = 'rerun-1';

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
    // Resolved before soaking: a watch that could not re-run its steps fails now, not at a regression.
    const rerun = spec.rerun.length > 0 ? context.rerunnable(spec.rerun) : undefined;
    context.target(context.step, { status: 'in-progress', detail: `soaking for ${spec.duration}` });
    let polls = 0;
    let regressions = 0;
    for (let soak = 1; ; soak += 1) {
      const result = await soakInChild(spec, context, soak);
      context.target(context.step, { status: 'in-progress', observed: result.stable ? undefined : result.last.observation, detail: `soak ${soak} ${result.stable ? 'held' : 'regressed'}` });
      polls += result.polls;
      context.report({ attempts: polls, output: { soak, polls, regressions, stable: result.stable } });
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
 * Runs soak number `round` as a child workflow and returns how it ended. Its id is derived from the
 * step; an aborted or closed recovery ends it (a soak only reads, there is nothing to undo).
 */
async function soakInChild(spec: WatchSpec, context: StepContext, round: number): Promise<SoakResult> {
  const workflowId = childWorkflowId(context, `soak-${round}`);
  context.report({ output: { soak: round, workflowId, duration: spec.duration, toleratedFailures: spec.toleratedFailures } });
  try {
    return await executeChild<typeof soak>('soak', {
      workflowId,
      args: [
        {
          check: spec.check,
          // Rendered per soak: a re-run may have changed the outputs the check refers to.
          request: { ...renderCallArguments(spec.with, context.expressionContext()), runbook: context.runbook, step: context.step },
          expect: spec.expect,
          context: context.expressionContext(),
          intervalMs: durationMs(spec.interval),
          durationMs: durationMs(spec.duration),
          toleratedFailures: spec.toleratedFailures,
          summary: context.summary,
          pollsPerRun: spec.pollsPerRun,
        },
      ],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      staticSummary: `Soak ${round} of ${context.step} in ${workflowInfo().workflowId}: ${spec.check} while ${spec.expect} for ${spec.duration}`,
    });
  } catch (error) {
    // A soak fails only on input it can never pass with (e.g. the check refused it): the step fails the same way.
    if (error instanceof ChildWorkflowFailure && error.cause instanceof ApplicationFailure) throw error.cause;
    throw error;
  }
}
