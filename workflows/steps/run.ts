/**
 * `run` steps: a child runbook as a child recovery (`runRecovery` on the same task queue), with
 * the runbook pinned in this recovery's input at start. The child compensates its own steps when
 * it fails; this step then fails, and the parent undoes its earlier steps.
 */
import { ApplicationFailure, ChildWorkflowFailure, isCancellation, ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { ParamsError, resolveParams, type ParamValue } from '../../model/param-values';
import type { ParamSpec } from '../../model/params';
import type { RecoveryInput, RecoveryReport } from '../../model/recovery';
import { searchAttributes } from '../../model/search-attributes';
import { describeError } from '../describe-error';
import { render } from '../expressions';
import type { runRecovery } from '../run-recovery';
import { childWorkflowId } from './child-workflow-id';
import type { StepExecutor } from './step-executor';

export const RunFailureTypes = {
  /** The runbook was not pinned when the recovery started (started by a client that does not resolve children). */
  notPinned: 'ChildRunbookNotPinned',
  /** The rendered params do not fit the child's declarations. */
  invalidParams: 'InvalidChildParams',
  /** The child recovery ended rolled-back, failed or aborted. */
  childFailed: 'ChildRecoveryFailed',
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

/** What the parent keeps of the child's report: enough to find it and to judge it. */
function reportSummary(report: RecoveryReport, runId: string) {
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
    const input: RecoveryInput = { ...pinned, params, key, trigger: context.recovery.trigger, children: context.recovery.children };

    const parent = workflowInfo();
    let report: RecoveryReport;
    let runId: string;
    try {
      const child = await startChild<typeof runRecovery>('runRecovery', {
        workflowId: childWorkflowId(context),
        args: [input],
        // A parent that closes (terminated, timed out) cancels the child, so the child still
        // undoes its own steps and runs its finalizers (e.g. revoking break-glass access).
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: searchAttributes.runbook, value: name },
          { key: searchAttributes.key, value: key },
          { key: searchAttributes.phase, value: 'preflight' },
        ],
        staticSummary: `Recovery: ${name} for ${key} (step ${context.step} of ${parent.workflowId})`,
      });
      runId = child.firstExecutionRunId;
      context.report({ output: { workflowId: child.workflowId, runId } });
      report = await child.result();
    } catch (error) {
      if (error instanceof ChildWorkflowFailure && !isCancellation(error)) {
        throw ApplicationFailure.nonRetryable(`child recovery ${name} failed: ${describeError(error.cause ?? error)}`, RunFailureTypes.childFailed);
      }
      throw error;
    }
    // The child's findings belong to this recovery too: an operator reads one report.
    for (const finding of report.findings) {
      context.finding({ kind: finding.kind, target: finding.target, message: `${name}: ${finding.message}`, details: finding.details });
    }
    const summary = reportSummary(report, runId);
    if (report.outcome === 'recovered') return { output: summary, attempts: 1 };
    if (report.outcome === 'degraded') {
      context.unverified(report.unverifiedTargets.length > 0 ? report.unverifiedTargets.map((target) => `${context.step}/${target}`) : [context.step]);
      return { output: summary, attempts: 1 };
    }
    throw ApplicationFailure.nonRetryable(`child recovery ${name} ended ${report.outcome}: ${report.error ?? 'no error recorded'}`, RunFailureTypes.childFailed, summary);
  },
};
