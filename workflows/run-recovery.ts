/**
 * The interpreter: runs a validated runbook's steps in order, checkpointed by Temporal.
 * On a failed step, the undos of completed steps run in reverse order; finalizers (e.g. revoking
 * break-glass access) run at the end whatever the outcome.
 */
import { CancellationScope, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../model/duration';
import type { ExpressionContext } from '../model/expressions';
import type { Outcome, RecoveryInput, RecoveryReport } from '../model/recovery';
import type { Step, StepOf } from '../model/steps';
import { stepKind, type StepKind } from '../model/steps/kinds';
import { describeError } from './describe-error';
import { condition, render } from './expressions';
import { stateQuery } from './queries';
import { RecoveryTracker } from './recovery-state';
import { stepExecutors } from './steps';
import { installApprovalHandlers } from './steps/approval';
import type { Compensation, Finalizer, StepContext } from './steps/step-executor';

function runStep<K extends StepKind>(kind: K, step: StepOf<K>, context: StepContext) {
  return stepExecutors[kind].execute(step, context);
}

function describeStep<K extends StepKind>(kind: K, step: StepOf<K>): string {
  return stepExecutors[kind].describe(step);
}

/** Everything one recovery's steps share. */
interface RecoveryRun {
  input: RecoveryInput;
  tracker: RecoveryTracker;
  runbook: string;
  outputs: Record<string, unknown>;
  compensations: Compensation[];
  finalizers: Finalizer[];
  unverified: Set<string>;
  idempotencyPrefix: string;
  expressionContext(): ExpressionContext;
}

async function runOneStep(run: RecoveryRun, step: Step): Promise<void> {
  const { tracker, runbook } = run;
  const kind = stepKind(step);
  if (step.when && !condition(step.when, run.expressionContext())) {
    tracker.endStep(step.id, { status: 'skipped' });
    return;
  }
  const phase = stepExecutors[kind].phase;
  if (phase) tracker.enterPhase(phase);
  const name = step.name === undefined ? undefined : String(render(step.name, run.expressionContext()));
  tracker.startStep(step.id, name);
  log.info('step started', { runbook, step: step.id, kind });
  const context: StepContext = {
    step: step.id,
    runbook,
    summary: name ?? describeStep(kind, step as StepOf<typeof kind>),
    idempotencyPrefix: run.idempotencyPrefix,
    expressionContext: run.expressionContext,
    report: (patch) => Object.assign(tracker.step(step.id), patch),
    pushCompensation: (compensation) => run.compensations.push(compensation),
    pushFinalizer: (finalizer) => run.finalizers.push({ ...finalizer, step: step.id }),
    idempotencyKey: (...parts) => [run.idempotencyPrefix, step.id, ...parts].join('/'),
    target: (target, patch) => tracker.target(step.id, target, patch),
    finding: (finding) => tracker.addFinding({ ...finding, step: step.id }),
    unverified: (targets) => targets.forEach((target) => run.unverified.add(target)),
  };
  try {
    const outcome = await runStep(kind, step as StepOf<typeof kind>, context);
    run.outputs[step.id] = { output: outcome.output };
    tracker.endStep(step.id, { status: 'succeeded', attempts: outcome.attempts, output: outcome.output });
    log.info('step succeeded', { runbook, step: step.id, kind });
  } catch (error) {
    const message = isCancellation(error) ? 'cancelled' : describeError(error);
    tracker.endStep(step.id, { status: 'failed', error: message });
    log.warn('step failed', { runbook, step: step.id, kind, error: message });
    throw error;
  }
}

export async function runRecovery(input: RecoveryInput): Promise<RecoveryReport> {
  const info = workflowInfo();
  const tracker = new RecoveryTracker(info.workflowId, input);
  setHandler(stateQuery, () => tracker.snapshot());
  installApprovalHandlers(tracker.state);
  const outputs: Record<string, unknown> = {};
  const run: RecoveryRun = {
    input,
    tracker,
    runbook: input.runbook.metadata.name,
    outputs,
    compensations: [],
    finalizers: [],
    unverified: new Set(),
    // The first run's id keeps keys unique per recovery even when a later recovery reuses the workflow id.
    idempotencyPrefix: `${info.workflowId}/${info.firstExecutionRunId}`,
    expressionContext: () => ({ params: input.params, key: input.key, steps: outputs }),
  };

  let failure: string | undefined;
  try {
    await CancellationScope.withTimeout(durationMs(input.runbook.spec.timeout), async () => {
      for (const step of input.runbook.spec.steps as Step[]) await runOneStep(run, step);
    });
  } catch (error) {
    const timedOut = isCancellation(error) && !CancellationScope.current().consideredCancelled;
    failure = timedOut ? `runbook timeout ${input.runbook.spec.timeout} exceeded` : describeError(error);
  }
  // Undos and finalizers must run even when the recovery itself is being cancelled.
  let outcome: Outcome = run.unverified.size > 0 ? 'degraded' : 'recovered';
  if (failure !== undefined) {
    const compensated = await CancellationScope.nonCancellable(() => compensate(run));
    outcome = CancellationScope.current().consideredCancelled ? 'aborted' : compensated;
    log.warn('recovery did not recover', { runbook: run.runbook, outcome, error: failure });
  }
  const finalized = await CancellationScope.nonCancellable(() => finalize(run));
  if (!finalized && outcome !== 'aborted') outcome = 'failed';
  return tracker.finish(outcome, failure, [...run.unverified]);
}

/** Runs the undos in reverse order; each is checkpointed and retried. A failed undo makes the outcome `failed`. */
async function compensate({ compensations, tracker, runbook }: RecoveryRun): Promise<Outcome> {
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

/** Runs every finalizer, in reverse order of registration; a failure is an escalation finding. */
async function finalize({ finalizers, tracker, runbook }: RecoveryRun): Promise<boolean> {
  let allDone = true;
  for (const finalizer of [...finalizers].reverse()) {
    try {
      await finalizer.run();
    } catch (error) {
      allDone = false;
      const message = `${finalizer.description} failed: ${describeError(error)}`;
      tracker.addFinding({ kind: 'escalation', step: finalizer.step, message });
      log.error('finalizer failed', { runbook, step: finalizer.step, error: message });
    }
  }
  return allDone;
}
