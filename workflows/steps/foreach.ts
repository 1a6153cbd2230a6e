/**
 * `foreach` steps: the nested steps once per item, at most `maxConcurrency` at a time. A failed
 * item's own completed steps are undone at once; more failures than `maxFailures` stop the launch
 * of new items and fail the step. Fewer failures leave the recovery `degraded`, naming the items.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ForeachSpec } from '../../model/steps/foreach';
import { describeError } from '../describe-error';
import { render } from '../expressions';
import { driverCall, driverFor } from './drivers';
import type { StepContext, StepExecutor, StepTracking } from './step-executor';

/** Failures tolerated among `total` items: a count as given, a share rounded down. */
export function toleratedFailures(maxFailures: ForeachSpec['maxFailures'], total: number): number {
  if (typeof maxFailures === 'number') return maxFailures;
  return Math.floor((Number(maxFailures.slice(0, -1)) / 100) * total);
}

async function resolveItems(spec: ForeachSpec, context: StepContext): Promise<string[]> {
  if (spec.targets) {
    const targets = render(spec.targets, context.expressionContext()) as NonNullable<ForeachSpec['targets']>;
    const observed = await driverFor(context, `${context.summary}: list the targets of ${targets.service}`)['deployments.observe'](driverCall(context, targets));
    return observed.map((target) => target.target);
  }
  const items = render(spec.items, context.expressionContext());
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' && typeof item !== 'number')) {
    throw ApplicationFailure.nonRetryable(`foreach items must be a list of strings or numbers, got ${JSON.stringify(items)}`, 'InvalidItems');
  }
  return items.map(String);
}

/** Nested steps report to their item's target state. */
function itemTracking(context: StepContext, item: string): StepTracking {
  return {
    skipped: (step) => context.target(item, { detail: `${step} skipped` }),
    started: (step) => context.target(item, { status: 'in-progress', detail: `${step} running` }),
    report: () => undefined,
    succeeded: (step) => context.target(item, { detail: `${step} done` }),
    failed: (step, error) => context.target(item, { detail: `${step} failed: ${error}` }),
  };
}

export const foreachExecutor: StepExecutor<'foreach'> = {
  describe: (step) => `foreach ${step.foreach.targets ? `target of ${step.foreach.targets.service}` : step.foreach.as} (${step.id})`,
  async execute(step, context) {
    const spec = step.foreach;
    const items = await resolveItems(spec, context);
    const tolerated = toleratedFailures(spec.maxFailures, items.length);
    const failed: string[] = [];
    const succeeded: string[] = [];
    const running = new Map<string, Promise<void>>();
    const queue = [...items];
    let stopped = false;
    for (const item of items) context.target(item, { status: 'pending' });
    const progress = () => ({ items: items.length, succeeded: succeeded.length, failed, running: running.size, notStarted: queue.length });

    const launch = (item: string) => {
      const run = context
        .runNested(spec.steps, { key: item, variables: { [spec.as]: item }, track: itemTracking(context, item) })
        .then(
          () => {
            succeeded.push(item);
            context.target(item, { status: 'verified' });
          },
          (error: unknown) => {
            failed.push(item);
            context.target(item, { status: 'failed', detail: describeError(error) });
            if (failed.length > tolerated) stopped = true;
          },
        )
        .finally(() => {
          running.delete(item);
          context.report({ output: progress() });
        });
      running.set(item, run);
    };

    while (queue.length > 0 || running.size > 0) {
      while (!stopped && running.size < spec.maxConcurrency && queue.length > 0) launch(queue.shift() as string);
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    for (const item of queue) context.target(item, { status: 'skipped', detail: 'not started: failure threshold exceeded' });
    if (stopped) {
      throw ApplicationFailure.nonRetryable(
        `${failed.length} of ${items.length} items failed, more than maxFailures ${spec.maxFailures} allows (${failed.join(', ')}); ${queue.length} not started`,
        'FailureThresholdExceeded',
        progress(),
      );
    }
    context.unverified(failed);
    return { output: progress(), attempts: 1 };
  },
};
