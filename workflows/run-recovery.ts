/**
 * The interpreter: runs a validated runbook's steps in order, checkpointed by Temporal.
 * On a failed step, the undos of completed steps run in reverse order; finalizers (e.g. revoking
 * break-glass access) run at the end whatever the outcome.
 */
import { ApplicationFailure, CancellationScope, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../model/duration';
import type { ExpressionContext } from '../model/expressions';
import type { Outcome, RecoveryInput, RecoveryReport } from '../model/recovery';
import type { Step, StepOf } from '../model/steps';
import { stepKind, type StepKind } from '../model/steps/kinds';
import { installAlertHandlers } from './alerts';
import { ApprovalFailureTypes } from './approvals';
import { ActAuthorization } from './authorization';
import { ControlDesk } from './control-desk';
import { describeError } from './describe-error';
import { condition, render } from './expressions';
import { stateQuery } from './queries';
import { measuredStep } from './metrics';
import { RecoveryTracker } from './recovery-state';
import { settleWithParent } from './settlement';
import { stepExecutors } from './steps';
import { installApprovalHandlers } from './steps/approval';
import type { Compensation, Finalizer, NestedScope, StepContext, StepTracking } from './steps/step-executor';

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
  compensations: Compensation[];
  finalizers: Finalizer[];
  unverified: Set<string>;
  /** Operator acts: pause, skip, retry, abort. */
  desk: ControlDesk;
}

/** Where steps run: the runbook's own list, or nested (one item of a `foreach`). */
interface StepScope {
  /** The steps of this scope, in order (what a step may re-run). */
  steps: readonly Step[];
  /** Prefix of the idempotency keys of the steps in this scope. */
  prefix: string;
  /** Outputs of the steps of this scope, by id (`steps.<id>.output` in expressions). */
  outputs: Record<string, unknown>;
  /** Extra expression variables, e.g. `item`. */
  variables: ExpressionContext;
  /** Where completed steps push their undos. */
  compensations: Compensation[];
  track: StepTracking;
  /** Outputs visible from the enclosing scope. */
  parentOutputs?: Record<string, unknown>;
  /** The runbook's own list: the steps operators can skip and retry, and that move the timeline's verification. */
  topLevel: boolean;
}

function scopeExpressions(run: RecoveryRun, scope: StepScope): ExpressionContext {
  return { params: run.input.params, key: run.input.key, alerts: run.tracker.state.alerts, ...scope.variables, steps: { ...scope.parentOutputs, ...scope.outputs } };
}

function topLevelTracking(tracker: RecoveryTracker): StepTracking {
  return {
    skipped: (id) => tracker.endStep(id, { status: 'skipped' }),
    started: (id, name) => tracker.startStep(id, name),
    report: (id, patch) => Object.assign(tracker.step(id), patch),
    succeeded: (id, attempts, output) => tracker.endStep(id, { status: 'succeeded', attempts, output }),
    failed: (id, error) => tracker.endStep(id, { status: 'failed', error }),
  };
}

/** Kinds an operator may skip without leaving anything unverified: the rest verify what the recovery did. */
const skippableUnverified: ReadonlySet<StepKind> = new Set(['action', 'wait']);

/** Marks a step an operator skipped; skipping one that verifies leaves the recovery `degraded`. */
function skippedByOperator(run: RecoveryRun, step: Step, kind: StepKind): void {
  run.tracker.endStep(step.id, { status: 'skipped' });
  if (!skippableUnverified.has(kind)) run.unverified.add(step.id);
  log.warn('step skipped by an operator', { runbook: run.runbook, step: step.id, kind });
}

/**
 * Runs one step of the runbook's own list. Under `onFailure: hold`, a failed step holds the
 * recovery until an operator retries it (run again with fresh idempotency keys), skips it, or
 * aborts; a rejected approval is a decision already taken and is not held.
 */
async function runTopLevelStep(run: RecoveryRun, scope: StepScope, step: Step): Promise<void> {
  for (let retry = 0; ; retry += 1) {
    try {
      await runOneStep(run, scope, step, retry);
      return;
    } catch (error) {
      const rejected = error instanceof ApplicationFailure && error.type === ApprovalFailureTypes.rejected;
      if (run.input.runbook.spec.onFailure !== 'hold' || isCancellation(error) || rejected) throw error;
      log.warn('step failed: holding for an operator', { runbook: run.runbook, step: step.id });
      if ((await run.desk.hold(step.id, describeError(error))) === 'skip') {
        skippedByOperator(run, step, stepKind(step));
        return;
      }
    }
  }
}

async function runOneStep(run: RecoveryRun, scope: StepScope, step: Step, retry = 0): Promise<void> {
  const { tracker, runbook } = run;
  const kind = stepKind(step);
  const expressionContext = () => scopeExpressions(run, scope);
  await run.desk.whilePaused();
  if (scope.topLevel && run.desk.skipRequested(step.id)) {
    skippedByOperator(run, step, kind);
    return;
  }
  if (step.when && !condition(step.when, expressionContext())) {
    scope.track.skipped(step.id);
    return;
  }
  const phase = stepExecutors[kind].phase;
  if (phase) tracker.enterPhase(phase);
  const name = step.name === undefined ? undefined : String(render(step.name, expressionContext()));
  scope.track.started(step.id, name);
  log.info('step started', { runbook, step: step.id, kind, scope: scope.prefix });
  // An operator's retry runs the step with new keys: the systems it calls must not take it for a repeat.
  const prefix = retry === 0 ? scope.prefix : `${scope.prefix}/retry-${retry}`;
  const keyOf = (...parts: string[]) => [prefix, step.id, ...parts].join('/');
  const context: StepContext = {
    step: step.id,
    runbook,
    recovery: run.input,
    summary: name ?? describeStep(kind, step as StepOf<typeof kind>),
    idempotencyPrefix: prefix,
    expressionContext,
    report: (patch) => scope.track.report(step.id, patch),
    pushCompensation: (compensation) => scope.compensations.push(compensation),
    pushFinalizer: (finalizer) => run.finalizers.push({ ...finalizer, step: step.id }),
    idempotencyKey: keyOf,
    target: (target, patch) => tracker.target(step.id, target, patch),
    finding: (finding) => tracker.addFinding({ ...finding, step: step.id }),
    unverified: (targets) => targets.forEach((target) => run.unverified.add(target)),
    runNested: (steps, nested) => runNestedSteps(run, scope, steps, { ...nested, prefix: keyOf(nested.key) }),
    rerunnable: (ids) => {
      const steps = earlierSteps(scope, step, ids);
      return async (nested) => {
        await runNestedSteps(run, scope, steps, { ...nested, prefix: keyOf(nested.key) });
        if (phase) tracker.enterPhase(phase);
      };
    },
  };
  try {
    const execute = () => measuredStep(kind, () => runStep(kind, step as StepOf<typeof kind>, context));
    const outcome = await (scope.topLevel ? run.desk.run(step.id, kind, execute) : execute());
    scope.outputs[step.id] = { output: outcome.output };
    scope.track.succeeded(step.id, outcome.attempts, outcome.output);
    tracker.stepCompleted(kind, scope.topLevel, outcome.output);
    log.info('step succeeded', { runbook, step: step.id, kind, scope: scope.prefix });
  } catch (error) {
    if (scope.topLevel && run.desk.skippedWhileRunning(step.id, error)) {
      skippedByOperator(run, step, kind);
      return;
    }
    const aborted = run.desk.aborted;
    const message = isCancellation(error) ? (aborted ? `cancelled: aborted by ${aborted.identity}` : 'cancelled') : describeError(error);
    scope.track.failed(step.id, message);
    log.warn('step failed', { runbook, step: step.id, kind, scope: scope.prefix, error: message });
    throw error;
  }
}

/** The steps of `scope` named by `ids`, each of which must come before `step`. */
function earlierSteps(scope: StepScope, step: Step, ids: string[]): Step[] {
  const earlier = scope.steps.slice(0, scope.steps.indexOf(step));
  return ids.map((id) => {
    const found = earlier.find((candidate) => candidate.id === id);
    if (!found) throw ApplicationFailure.nonRetryable(`step "${step.id}" cannot re-run "${id}": not an earlier step of its list`, 'UnknownRerunStep');
    return found;
  });
}

/**
 * Runs nested steps (one item of a `foreach`) in their own scope. When one fails, the item's own
 * completed steps are undone at once and the error is rethrown; when all succeed, their undos join
 * the enclosing scope's stack, so a later failure of the recovery undoes them too.
 */
async function runNestedSteps(run: RecoveryRun, parent: StepScope, steps: Step[], nested: NestedScope & { prefix: string }): Promise<void> {
  const scope: StepScope = {
    steps,
    prefix: nested.prefix,
    outputs: {},
    variables: { ...parent.variables, ...nested.variables },
    compensations: [],
    track: nested.track,
    parentOutputs: { ...parent.parentOutputs, ...parent.outputs },
    topLevel: false,
  };
  try {
    for (const step of steps) await runOneStep(run, scope, step);
  } catch (error) {
    await CancellationScope.nonCancellable(() => undo(scope.compensations, run, nested.key));
    throw error;
  }
  parent.compensations.push(...scope.compensations);
}

export async function runRecovery(input: RecoveryInput): Promise<RecoveryReport> {
  const info = workflowInfo();
  const tracker = new RecoveryTracker(info.workflowId, input);
  setHandler(stateQuery, () => tracker.snapshot());
  const authorization = new ActAuthorization(input, tracker.state);
  installApprovalHandlers(tracker.state, authorization);
  installAlertHandlers(tracker.state);
  const desk = new ControlDesk(tracker.state, authorization);
  desk.install();
  const run: RecoveryRun = {
    input,
    tracker,
    runbook: input.runbook.metadata.name,
    compensations: [],
    finalizers: [],
    unverified: new Set(),
    desk,
  };
  const scope: StepScope = {
    steps: input.runbook.spec.steps,
    // The first run's id keeps keys unique per recovery even when a later recovery reuses the workflow id.
    prefix: `${info.workflowId}/${info.firstExecutionRunId}`,
    outputs: {},
    variables: {},
    compensations: run.compensations,
    track: topLevelTracking(tracker),
    topLevel: true,
  };

  let failure: string | undefined;
  // Abort cancels this scope; so does the runbook timeout.
  const stepsScope = new CancellationScope({ cancellable: true, timeout: durationMs(input.runbook.spec.timeout) });
  desk.attach(stepsScope);
  try {
    await stepsScope.run(async () => {
      for (const step of input.runbook.spec.steps as Step[]) await runTopLevelStep(run, scope, step);
    });
  } catch (error) {
    const timedOut = isCancellation(error) && !CancellationScope.current().consideredCancelled;
    failure = timedOut ? `runbook timeout ${input.runbook.spec.timeout} exceeded` : describeError(error);
  }
  desk.close();
  // An accepted abort is carried out even when the last step completed in the same instant.
  if (desk.aborted) failure = `aborted by ${desk.aborted.identity}${desk.aborted.reason ? `: ${desk.aborted.reason}` : ''}`;
  // Undos and finalizers must run even when the recovery itself is being cancelled.
  let outcome: Outcome = run.unverified.size > 0 ? 'degraded' : 'recovered';
  if (failure === undefined && input.settledByParent) failure = await settleWithParent(tracker, outcome, [...run.unverified]);
  if (failure !== undefined) {
    const compensated = await CancellationScope.nonCancellable(() => compensate(run));
    outcome = CancellationScope.current().consideredCancelled || desk.aborted ? 'aborted' : compensated;
    log.warn('recovery did not recover', { runbook: run.runbook, outcome, error: failure });
  }
  const finalized = await CancellationScope.nonCancellable(() => finalize(run));
  if (!finalized && outcome !== 'aborted') outcome = 'failed';
  return tracker.finish(outcome, failure, [...run.unverified]);
}

/** Runs the undos in reverse order; each is checkpointed and retried. A failed undo makes the outcome `failed`. */
async function compensate(run: RecoveryRun): Promise<Outcome> {
  if (run.compensations.length === 0) return 'failed';
  return (await undo(run.compensations, run)) ? 'rolled-back' : 'failed';
}

/** Runs `compensations` in reverse order, recording each; false when any undo failed. */
async function undo(compensations: Compensation[], { tracker, runbook }: RecoveryRun, label?: string): Promise<boolean> {
  let allUndone = true;
  for (const compensation of [...compensations].reverse()) {
    const step = label === undefined ? compensation.step : `${label}/${compensation.step}`;
    const record = tracker.startCompensation(step, compensation.action);
    log.info('compensation started', { runbook, step, action: compensation.action });
    try {
      const { attempts } = await compensation.run();
      tracker.endCompensation(record, { status: 'succeeded', attempts });
    } catch (error) {
      allUndone = false;
      tracker.endCompensation(record, { status: 'failed', attempts: record.attempts, error: describeError(error) });
      log.error('compensation failed', { runbook, step, error: describeError(error) });
    }
  }
  return allUndone;
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
