/**
 * `run` steps: a child runbook as a child recovery (`runRecovery` on the same task queue), with
 * the runbook pinned in this recovery's input at start. The child compensates its own steps when
 * it fails; this step then fails, and the parent undoes its earlier steps. A child that succeeded
 * stays open until this recovery settles it (workflows/settlement.ts): undone when a later step
 * fails, like any step with an undo, committed when the recovery ends otherwise.
 */
import { ApplicationFailure, CancellationScope, ChildWorkflowFailure, condition, getExternalWorkflowHandle, isCancellation, ParentClosePolicy, setHandler, startChild, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import { ParamsError, resolveParams, type ParamValue } from '../../model/param-values';
import type { ParamSpec } from '../../model/params';
import type { RecoveryInput, RecoveryReport } from '../../model/recovery';
import { searchAttributes } from '../../model/search-attributes';
import { describeError } from '../describe-error';
import { render } from '../expressions';
import type { runRecovery } from '../run-recovery';
import { childSucceededSignal, settleSignal, type ChildSucceeded, type Settlement } from '../settlement';
import { childWorkflowId } from './child-workflow-id';
import type { StepContext, StepExecutor } from './step-executor';

export const RunFailureTypes = {
  /** The runbook was not pinned when the recovery started (started by a client that does not resolve children). */
  notPinned: 'ChildRunbookNotPinned',
  /** The rendered params do not fit the child's declarations. */
  invalidParams: 'InvalidChildParams',
  /** The child recovery ended rolled-back, failed or aborted. */
  childFailed: 'ChildRecoveryFailed',
  /** A succeeded child, asked to undo its steps, did not undo all of them. */
  undoFailed: 'ChildUndoFailed',
} as const;

/**
 * The child's complete params from the rendered ones, with its defaults; a failure when they do
 * not fit. The start already refused unknown names, missing params and static values of the wrong
 * type, so what fails here is a template's value.
 */
export function childParams(runbook: string, declared: Record<string, ParamSpec>, rendered: Record<string, unknown>): Record<string, ParamValue> {
  try {
    return resolveParams(declared, rendered);
  } catch (error) {
    if (!(error instanceof ParamsError)) throw error;
    throw ApplicationFailure.nonRetryable(`params for runbook ${runbook}: ${error.message}`, RunFailureTypes.invalidParams);
  }
}

/** How a child recovery ended: its report, or the failure of its workflow. */
type ChildEnd = { report: RecoveryReport } | { error: unknown };

/** The report of a child that ended without succeeding first; its workflow's failure as this step's. */
function childReport(name: string, end: ChildEnd | undefined): RecoveryReport {
  if (end === undefined) throw new TypeError('the child neither succeeded nor ended');
  if ('report' in end) return end.report;
  if (end.error instanceof ChildWorkflowFailure && !isCancellation(end.error)) {
    throw ApplicationFailure.nonRetryable(`child recovery ${name} failed: ${describeError(end.error.cause ?? end.error)}`, RunFailureTypes.childFailed);
  }
  throw end.error;
}

/**
 * A succeeded child waits for this recovery to settle it: undo as this step's compensation (so in
 * reverse order with the other steps' undos), commit at the end otherwise (a finalizer, which runs
 * after the compensations and does nothing once the child was undone).
 */
function registerSettlement(context: StepContext, name: string, child: ChildWorkflowHandle<typeof runRecovery>, ended: Promise<ChildEnd>): void {
  let settled = false;
  const settle = async (settlement: Settlement): Promise<RecoveryReport> => {
    if (!settled) {
      settled = true;
      // A child that already ended (e.g. an operator aborted it) cannot be signalled: its report says what happened.
      await child.signal(settleSignal, settlement).catch(() => undefined);
    }
    const end = await ended;
    if ('error' in end) throw end.error;
    return end.report;
  };
  context.pushCompensation({
    step: context.step,
    action: `undo child recovery ${name}`,
    async run() {
      const report = await settle('undo');
      const failed = report.compensations.filter((undo) => undo.status === 'failed');
      if (report.outcome === 'recovered' || report.outcome === 'degraded') {
        throw ApplicationFailure.nonRetryable(`child recovery ${name} was committed before it could be undone`, RunFailureTypes.undoFailed);
      }
      if (failed.length > 0) {
        throw ApplicationFailure.nonRetryable(`child recovery ${name}: undo of ${failed.map((undo) => undo.step).join(', ')} failed`, RunFailureTypes.undoFailed);
      }
      return { attempts: 1 };
    },
  });
  context.pushFinalizer({
    description: `committing child recovery ${name}`,
    async run() {
      if (!settled) await settle('commit');
    },
  });
}

/** What the parent keeps of the child's report: enough to find it and to judge it. */
function reportSummary(report: ChildSucceeded, runId: string) {
  return {
    workflowId: report.workflowId,
    runId,
    runbook: report.runbook.name,
    outcome: report.outcome,
    timeToRecoverMs: report.timeToRecoverMs,
    steps: report.steps.map((step) => `${step.id}: ${step.status}`),
    unverifiedTargets: report.unverifiedTargets,
  };
}

export const runExecutor: StepExecutor<'run'> = {
  describe: (step) => `run runbook ${step.run.runbook} (${step.id})`,
  async execute(step, context) {
    const name = step.run.runbook;
    const pinned = context.recovery.children?.[name];
    if (!pinned) {
      throw ApplicationFailure.nonRetryable(`runbook ${name} was not pinned when this recovery started; start it with \`rebound start\`, which resolves child runbooks`, RunFailureTypes.notPinned);
    }
    const rendered = render(step.run.params, context.expressionContext()) as Record<string, unknown>;
    const params = childParams(name, pinned.runbook.spec.params, rendered);
    const renderedKey = pinned.runbook.spec.key ? render(pinned.runbook.spec.key, { params }) : name;
    const key = typeof renderedKey === 'string' ? renderedKey : JSON.stringify(renderedKey);
    // The parent's policy governs the child's operator acts too.
    const authz = context.recovery.authz;
    const input: RecoveryInput = { ...pinned, params, key, trigger: context.recovery.trigger, children: context.recovery.children, ...(authz === undefined ? {} : { authz }) };

    const parent = workflowInfo();
    const workflowId = childWorkflowId(context);
    let succeeded: ChildSucceeded | undefined;
    setHandler(childSucceededSignal(workflowId), (message) => {
      succeeded = message;
    });
    // Started outside the step's cancellation scope, so that an abort reaches the child only while
    // it runs its steps (below); a child that succeeded is undone through `settle`, in this recovery's order.
    const child = await CancellationScope.nonCancellable(() =>
      startChild<typeof runRecovery>('runRecovery', {
        workflowId,
        args: [{ ...input, settledByParent: true }],
        // A parent that closes (terminated, timed out) cancels the child, so the child still
        // undoes its own steps and runs its finalizers (e.g. revoking break-glass access).
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: searchAttributes.runbook, value: name },
          { key: searchAttributes.key, value: key },
          { key: searchAttributes.phase, value: 'preflight' },
        ],
        staticSummary: `Recovery: ${name} for ${key} (step ${context.step} of ${parent.workflowId})`,
      }),
    );
    const runId = child.firstExecutionRunId;
    context.report({ output: { workflowId, runId } });
    let end: ChildEnd | undefined;
    const ended = child.result().then(
      (report): ChildEnd => (end = { report }),
      (error: unknown): ChildEnd => (end = { error }),
    );
    try {
      await condition(() => succeeded !== undefined || end !== undefined);
    } catch (error) {
      if (!isCancellation(error)) throw error;
      // Aborted while the child runs its steps: it undoes its own before this recovery undoes its earlier ones.
      await CancellationScope.nonCancellable(async () => {
        await getExternalWorkflowHandle(workflowId).cancel().catch(() => undefined);
        await ended;
      });
      throw error;
    }
    const report = succeeded ?? childReport(name, end);
    // The child's findings belong to this recovery too: an operator reads one report.
    for (const finding of report.findings) {
      context.finding({ kind: finding.kind, target: finding.target, message: `${name}: ${finding.message}`, details: finding.details });
    }
    const summary = reportSummary(report, runId);
    if (report.outcome !== 'recovered' && report.outcome !== 'degraded') {
      throw ApplicationFailure.nonRetryable(`child recovery ${name} ended ${report.outcome}: ${'error' in report ? (report.error ?? 'no error recorded') : 'no error recorded'}`, RunFailureTypes.childFailed, summary);
    }
    if (report.outcome === 'degraded') {
      context.unverified(report.unverifiedTargets.length > 0 ? report.unverifiedTargets.map((target) => `${context.step}/${target}`) : [context.step]);
    }
    if (succeeded) registerSettlement(context, name, child, ended);
    return { output: summary, attempts: 1 };
  },
};
