/**
 * `approval` steps: wait until a quorum of approvers approves, answered with the `approve` and
 * `reject` updates. The handlers are installed when the recovery starts, so an answer that comes
 * while no approval is pending is refused by the validator rather than left waiting.
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { durationMs } from '../../model/duration';
import type { ApprovalAnswer, ApprovalState, RecoveryState } from '../../model/recovery';
import { ApprovalFailureTypes, approveUpdate, rejectUpdate, type ApprovalUpdateArgs } from '../approvals';
import type { ActAuthorization } from '../authorization';
import { render } from '../expressions';
import type { StepContext, StepExecutor, StepOutcome } from './step-executor';

type Decision = ApprovalAnswer['decision'];

const iso = (ms: number): string => new Date(ms).toISOString();

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, ApprovalFailureTypes.refused);
}

function approvedBy(approval: ApprovalState): string[] {
  return approval.answers.filter((answer) => answer.decision === 'approve').map((answer) => answer.identity);
}

/** Takes the answers for the one approval step that is waiting, if any. */
class ApprovalDesk {
  private waiting: { approval: ApprovalState; onAnswer: () => void } | undefined;

  constructor(
    private readonly state: RecoveryState,
    private readonly authorization?: ActAuthorization,
  ) {}

  /** Why the authorization policy refuses this answer; undefined when it allows it (or it names no identity: accept() refuses that). */
  denial(decision: Decision, args: ApprovalUpdateArgs | undefined): string | undefined {
    const identity = args?.identity;
    if (typeof identity !== 'string' || identity.trim() === '') return undefined;
    return this.authorization?.denial(decision, identity);
  }

  /** Approvers whose approval can still count: not yet answered, and not the starter under four-eyes. */
  waitingFor(approval: ApprovalState): string[] {
    const starter = approval.allowSelfApproval ? undefined : this.state.trigger?.by;
    return approval.approvers.filter((approver) => approver !== starter && !approval.answers.some((answer) => answer.identity === approver));
  }

  open(approval: ApprovalState, onAnswer: () => void): void {
    this.state.approvals.push(approval);
    this.waiting = { approval, onAnswer };
  }

  close(): void {
    this.waiting = undefined;
  }

  /** The approval this answer goes to; throws the reason (an ApplicationFailure) when it is refused. */
  accept(decision: Decision, args: ApprovalUpdateArgs | undefined): ApprovalState {
    const identity = args?.identity;
    if (typeof identity !== 'string' || identity.trim() === '') refuse('an answer needs the identity of who gives it');
    if (args?.reason !== undefined && typeof args.reason !== 'string') refuse('reason must be a string');
    const approval = this.waiting?.approval;
    if (!approval || approval.status !== 'pending') {
      refuse(args?.step === undefined ? 'no approval is pending' : `step "${args.step}" is not waiting for approval: no approval is pending`);
    }
    if (args?.step !== undefined && args.step !== approval.step) refuse(`step "${args.step}" is not waiting for approval: step "${approval.step}" is`);
    if (!approval.approvers.includes(identity)) {
      refuse(`"${identity}" is not an approver of step "${approval.step}" (approvers: ${approval.approvers.join(', ')})`);
    }
    if (decision === 'approve' && !approval.allowSelfApproval && identity === this.state.trigger?.by) {
      refuse(`"${identity}" started this recovery and may not approve it (four-eyes: the runbook does not set allowSelfApproval)`);
    }
    const earlier = approval.answers.find((answer) => answer.identity === identity);
    if (earlier) refuse(`"${identity}" already answered ${earlier.decision} to step "${approval.step}" at ${earlier.at}`);
    return approval;
  }

  /** Records an accepted answer and decides the approval when it is a reject or completes the quorum. */
  answer(decision: Decision, args: ApprovalUpdateArgs): ApprovalState {
    const denied = this.denial(decision, args);
    if (denied !== undefined) this.authorization?.refuse(decision, args.identity, denied, typeof args.step === 'string' ? args.step : undefined);
    // Validators do not run on replay, and two answers may pass them before either is recorded.
    const approval = this.accept(decision, args);
    const now = iso(Date.now());
    approval.answers.push({ identity: args.identity, decision, ...(args.reason ? { reason: args.reason } : {}), at: now });
    this.state.operatorActs.push({ act: decision, identity: args.identity, step: approval.step, ...(args.reason ? { reason: args.reason } : {}), at: now });
    if (decision === 'reject') approval.status = 'rejected';
    else if (approvedBy(approval).length >= approval.quorum) approval.status = 'approved';
    if (approval.status !== 'pending') approval.decidedAt = now;
    this.waiting?.onAnswer();
    return approval;
  }
}

// Module state is per recovery: the SDK gives every workflow execution its own module instances.
let desk: ApprovalDesk | undefined;

/** Registers the `approve` and `reject` handlers; runRecovery calls it first thing. */
export function installApprovalHandlers(state: RecoveryState, authorization?: ActAuthorization): void {
  const installed = new ApprovalDesk(state, authorization);
  desk = installed;
  // An answer the policy refuses passes the validators, so that the handler records the refusal.
  setHandler(approveUpdate, (args) => installed.answer('approve', args), {
    validator: (args) => void (installed.denial('approve', args) ?? installed.accept('approve', args)),
    description: 'Approve the pending approval step: { identity, reason?, step? }',
  });
  setHandler(rejectUpdate, (args) => installed.answer('reject', args), {
    validator: (args) => void (installed.denial('reject', args) ?? installed.accept('reject', args)),
    description: 'Reject the pending approval step (fails it): { identity, reason?, step? }',
  });
}

export const approvalExecutor: StepExecutor<'approval'> = {
  describe: (step) => `approval by ${step.approval.quorum} of ${step.approval.approvers.join(', ')} (${step.id})`,
  async execute(step, context) {
    if (!desk) throw new TypeError('approval handlers are not installed: runRecovery must call installApprovalHandlers');
    const approvalDesk = desk;
    const spec = step.approval;
    const timeoutMs = durationMs(spec.timeout);
    const now = Date.now();
    const message = spec.message === undefined ? undefined : String(render(spec.message, context.expressionContext()));
    const approval: ApprovalState = {
      step: context.step,
      approvers: [...spec.approvers],
      quorum: spec.quorum,
      allowSelfApproval: spec.allowSelfApproval,
      onTimeout: spec.onTimeout,
      ...(message === undefined ? {} : { message }),
      status: 'pending',
      requestedAt: iso(now),
      deadline: iso(now + timeoutMs),
      answers: [],
    };
    const showProgress = () => context.report({ output: { waitingFor: approvalDesk.waitingFor(approval), quorum: approval.quorum, approvedBy: approvedBy(approval) } });
    approvalDesk.open(approval, showProgress);
    showProgress();
    try {
      await condition(() => approval.status !== 'pending', timeoutMs, { summary: context.summary });
    } catch (error) {
      // The runbook timeout or an abort cancelled the wait: nobody can answer any more.
      if (approval.status === 'pending') Object.assign(approval, { status: 'cancelled', decidedAt: iso(Date.now()) });
      throw error;
    } finally {
      approvalDesk.close();
    }
    return settle(approval, approvalDesk.waitingFor(approval), context, spec.timeout);
  },
};

/** The step's outcome once the approval is decided or its timeout has passed. */
function settle(approval: ApprovalState, waitingFor: string[], context: StepContext, timeout: string): StepOutcome {
  const approvers = approvedBy(approval);
  if (approval.status === 'approved') return { output: { approvedBy: approvers }, attempts: 1 };
  if (approval.status === 'rejected') {
    const rejection = approval.answers.find((answer) => answer.decision === 'reject');
    const why = rejection?.reason ? `: ${rejection.reason}` : ' (no reason given)';
    throw ApplicationFailure.nonRetryable(`approval rejected by ${rejection?.identity ?? 'an approver'}${why}`, ApprovalFailureTypes.rejected);
  }
  Object.assign(approval, { status: 'timed-out', decidedAt: iso(Date.now()) });
  const shortfall = `${approvers.length} of ${approval.quorum} approval(s) within ${timeout}; waiting for ${waitingFor.join(', ') || 'nobody who may approve'}`;
  if (approval.onTimeout === 'approve') return { output: { approvedBy: approvers, approvedOnTimeout: true }, attempts: 1 };
  if (approval.onTimeout === 'escalate') {
    context.finding({ kind: 'escalation', message: `approval escalated: ${shortfall}`, details: { approvers: approval.approvers, quorum: approval.quorum, approvedBy: approvers, waitingFor } });
    throw ApplicationFailure.nonRetryable(`approval escalated: ${shortfall}`, ApprovalFailureTypes.escalated);
  }
  throw ApplicationFailure.nonRetryable(`approval timed out: ${shortfall}`, ApprovalFailureTypes.timedOut);
}
