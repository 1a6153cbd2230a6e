/**
 * The interpreter: runs a validated runbook's steps in order, checkpointed by Temporal.
 * On a failed step, the undos of completed steps run in reverse order.
 */
import { CancellationScope, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../model/duration';
import type { ExpressionContext } from '../model/expressions';
import type { Outcome, RecoveryInput, RecoveryReport } from '../model/recovery';
import type { Step, StepOf } from '../model/steps';
import { stepKind, type StepKind } from '../model/steps/kinds';
import { condition, render } from './expressions';
import { stateQuery } from './queries';
import { RecoveryTracker } from './recovery-state';
import { stepExecutors } from './steps';
import type { Compensation, StepContext } from './steps/step-executor';

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    // An ActivityFailure's own message is generic; its cause says what went wrong.
    return cause instanceof Error && error.message === 'Activity task failed' ? cause.message : error.message;
  }
  return String(error);
}

function runStep<K extends StepKind>(kind: K, step: StepOf<K>, context: StepContext) {
  return stepExecutors[kind].execute(step, context);
}

function describeStep<K extends StepKind>(kind: K, step: StepOf<K>): string {
  return stepExecutors[kind].describe(step);
}

export async function runRecovery(input: RecoveryInput): Promise<RecoveryReport> {
  const info = workflowInfo();
  const tracker = new RecoveryTracker(info.workflowId, input);
  setHandler(stateQuery, () => tracker.snapshot());
  const runbook = input.runbook.metadata.name;
  const outputs: Record<string, unknown> = {};
  const compensations: Compensation[] = [];
  const expressionContext = (): ExpressionContext => ({ params: input.params, key: input.key, steps: outputs });
  // The first run's id keeps keys unique per recovery even when a later recovery reuses the workflow id.
  const idempotencyPrefix = `${info.workflowId}/${info.firstExecutionRunId}`;

  const runSteps = async (): Promise<void> => {
    for (const step of input.runbook.spec.steps as Step[]) {
      const kind = stepKind(step);
      if (step.when && !condition(step.when, expressionContext())) {
        tracker.endStep(step.id, { status: 'skipped' });
        continue;
      }
      const phase = stepExecutors[kind].phase;
      if (phase) tracker.enterPhase(phase);
      const name = step.name === undefined ? undefined : String(render(step.name, expressionContext()));
      tracker.startStep(step.id, name);
      log.info('step started', { runbook, step: step.id, kind });
      const context: StepContext = {
        runbook,
        summary: name ?? describeStep(kind, step as StepOf<typeof kind>),
        idempotencyPrefix,
        expressionContext,
        report: (patch) => Object.assign(tracker.step(step.id), patch),
        pushCompensation: (compensation) => compensations.push(compensation),
      };
      try {
        const outcome = await runStep(kind, step as StepOf<typeof kind>, context);
        outputs[step.id] = { output: outcome.output };
        tracker.endStep(step.id, { status: 'succeeded', attempts: outcome.attempts, output: outcome.output });
        log.info('step succeeded', { runbook, step: step.id, kind });
      } catch (error) {
        const message = isCancellation(error) ? 'cancelled' : describeError(error);
        tracker.endStep(step.id, { status: 'failed', error: message });
        log.warn('step failed', { runbook, step: step.id, kind, error: message });
        throw error;
      }
    }
  };

  let failure: string | undefined;
  try {
    await CancellationScope.withTimeout(durationMs(input.runbook.spec.timeout), runSteps);
  } catch (error) {
    const timedOut = isCancellation(error) && !CancellationScope.current().consideredCancelled;
    failure = timedOut ? `runbook timeout ${input.runbook.spec.timeout} exceeded` : describeError(error);
  }
  if (failure === undefined) return tracker.finish('recovered');
  // Undos must run even when the recovery itself is being cancelled.
  const compensated = await CancellationScope.nonCancellable(() => compensate(compensations, tracker, runbook));
  const outcome: Outcome = CancellationScope.current().consideredCancelled ? 'aborted' : compensated;
  log.warn('recovery did not recover', { runbook, outcome, error: failure });
  return tracker.finish(outcome, failure);
}

/** Runs the undos in reverse order; each is checkpointed and retried. A failed undo makes the outcome `failed`. */
async function compensate(compensations: Compensation[], tracker: RecoveryTracker, runbook: string): Promise<Outcome> {
  if (compensations.length === 0) return 'failed';
  let allUndone = true;
  for (const compensation of [...compensations].reverse()) {
    const record = tracker.startCompensation(compensation.step, compensation.action);
    log.info('compensation started', { runbook, step: compensation.step, action: compensation.action });
    try {
      const { attempts } = await compensation.run();
      tracker.endCompensation(record, { status: 'succeeded', attempts });
    } catch (error) {
      allUndone = false;
      tracker.endCompensation(record, { status: 'failed', attempts: record.attempts, error: describeError(error) });
      log.error('compensation failed', { runbook, step: compensation.step, error: describeError(error) });
    }
  }
  return allUndone ? 'rolled-back' : 'failed';
}
