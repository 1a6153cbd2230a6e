/**
 * Operator control of a running recovery: the handlers and validators of the `pause`, `resume`,
 * `abort`, `skip` and `retry` updates, and the hooks the interpreter calls around each step.
 *
 * `skip` and `retry` name a top-level step. What each allows:
 * - skip a pending step (any kind but approval): it is skipped when reached;
 * - skip a running gate, wait or watch: it is cancelled now and marked skipped;
 * - skip a held step (failed under `onFailure: hold`): the recovery moves on to the next step;
 * - retry a held step: it runs again, with fresh idempotency keys (`<prefix>/retry-<n>/<step>`).
 * Anything else is refused: a finished or ending recovery, an unknown step, a step that already
 * ended, a running step of another kind (abort instead), an approval (answer it instead: skipping
 * would bypass its approvers).
 */
import { ApplicationFailure, CancellationScope, condition, isCancellation, setHandler } from '@temporalio/workflow';
import type { OperatorAct, OperatorActKind, RecoveryState, StepState } from '../model/recovery';
import type { StepKind } from '../model/steps/kinds';
import type { ActAuthorization } from './authorization';
import { ControlFailureTypes, controlUpdates, type ControlAct, type ControlResult, type ControlUpdateArgs } from './control';

/** Running steps of these kinds only wait or observe, so cancelling one changes nothing. */
const skippableWhileRunning: ReadonlySet<StepKind> = new Set(['gate', 'wait', 'watch']);

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, ControlFailureTypes.refused);
}

const describeRequest = (request: { identity: string; at: string }) => `${request.identity} at ${request.at}`;

const descriptions: Record<ControlAct, string> = {
  pause: 'Pause: no new step starts until resume; the running step finishes. { identity, reason? }',
  resume: 'Resume a paused recovery. { identity, reason? }',
  abort: 'Abort: cancel the running step and undo the completed ones. { identity, reason? }',
  skip: 'Skip a step: pending (when reached), a running gate/wait/watch, or a held step. { identity, step, reason? }',
  retry: 'Run a held step again (onFailure: hold). { identity, step, reason? }',
};

export class ControlDesk {
  /** Where the steps run: abort (and the runbook timeout) cancel it. */
  private stepsScope: CancellationScope | undefined;
  /** Top-level steps running in a scope of their own, so that `skip` can cancel them. */
  private readonly cancellable = new Map<string, CancellationScope>();
  /** The step holding the recovery and, once an operator answered, what to do with it. */
  private held: { step: string; decision?: 'retry' | 'skip' } | undefined;
  private ending = false;
  /** The accepted abort, if any. */
  aborted: OperatorAct | undefined;

  constructor(
    private readonly state: RecoveryState,
    private readonly authorization?: ActAuthorization,
  ) {}

  install(): void {
    for (const act of Object.keys(controlUpdates) as ControlAct[]) {
      setHandler(controlUpdates[act], (args) => this.apply(act, args), {
        // An act the policy refuses passes the validator, so that the handler records the refusal.
        validator: (args) => void (this.denial(act, args) ?? this.check(act, args)),
        description: descriptions[act],
      });
    }
  }

  /** The scope the steps run in; `abort` cancels it. */
  attach(scope: CancellationScope): void {
    this.stepsScope = scope;
  }

  /** The steps are over (all done, or one failed): from now on every act is refused. */
  close(): void {
    this.ending = true;
    this.state.paused = false;
  }

  /** Resolves at once unless paused; then when resumed (or rejects when the recovery is cancelled). */
  async whilePaused(): Promise<void> {
    // Only when paused: an extra await on every step would change how old histories replay.
    if (this.state.paused) await condition(() => !this.state.paused);
  }

  /** True when an operator asked to skip this pending step. */
  skipRequested(step: string): boolean {
    return this.stepState(step)?.skipRequest !== undefined;
  }

  /** Runs a top-level step; gates, waits and watches run in a scope of their own that `skip` may cancel. */
  async run<T>(step: string, kind: StepKind, execute: () => Promise<T>): Promise<T> {
    if (!skippableWhileRunning.has(kind)) return execute();
    const scope = new CancellationScope();
    this.cancellable.set(step, scope);
    try {
      return await scope.run(execute);
    } finally {
      this.cancellable.delete(step);
    }
  }

  /** True when `error` is the cancellation of a running step that an operator skipped (not an abort or timeout). */
  skippedWhileRunning(step: string, error: unknown): boolean {
    return this.skipRequested(step) && isCancellation(error) && this.aborted === undefined && !this.stepsScope?.consideredCancelled;
  }

  /** Holds the recovery after `step` failed until an operator retries or skips it; abort and the runbook timeout cancel the wait. */
  async hold(step: string, error: string): Promise<'retry' | 'skip'> {
    const held: { step: string; decision?: 'retry' | 'skip' } = { step };
    this.held = held;
    this.state.awaitingOperator = { step, error, since: new Date().toISOString() };
    try {
      await condition(() => held.decision !== undefined);
      return held.decision as 'retry' | 'skip';
    } finally {
      this.held = undefined;
      delete this.state.awaitingOperator;
    }
  }

  /** The step an act names, when it needs one; throws the refusal otherwise. */
  private check(act: ControlAct, args: ControlUpdateArgs | undefined): StepState | undefined {
    const identity = args?.identity;
    if (typeof identity !== 'string' || identity.trim() === '') refuse(`${act} needs the identity of who does it`);
    if (args?.reason !== undefined && typeof args.reason !== 'string') refuse('reason must be a string');
    if (this.aborted) refuse(`the recovery is being aborted (by ${describeRequest(this.aborted)})`);
    if (this.ending) refuse(`the recovery is ending (undoing steps and running finalizers): it takes no ${act} any more`);
    const named = act === 'skip' || act === 'retry';
    if (!named) {
      if (args?.step !== undefined) refuse(`${act} applies to the whole recovery; it takes no step`);
      if (act === 'pause' && this.state.paused) refuse(`the recovery is already paused (by ${describeRequest(this.lastAct('pause'))})`);
      if (act === 'resume' && !this.state.paused) refuse('the recovery is not paused');
      return undefined;
    }
    const id = args?.step;
    if (typeof id !== 'string' || id === '') refuse(`${act} needs the step to ${act}`);
    const step = this.stepState(id);
    if (!step) refuse(`unknown step "${id}"; the steps are: ${this.state.steps.map((candidate) => candidate.id).join(', ')}`);
    const holding = this.held?.step === id && this.held.decision === undefined;
    if (act === 'retry') {
      if (!holding) refuse(`step "${id}" is ${step.status}, not holding the recovery: retry applies to a failed step under onFailure: hold`);
      return step;
    }
    if (step.kind === 'approval') refuse(`step "${id}" is an approval and cannot be skipped: answer it with approve or reject, or abort the recovery`);
    if (step.skipRequest) refuse(`step "${id}" is already to be skipped (asked by ${describeRequest(step.skipRequest)})`);
    if (holding || step.status === 'pending') return step;
    if (step.status === 'running') {
      if (!this.cancellable.has(id)) refuse(`step "${id}" (${step.kind}) is running and cannot be skipped: only a running gate, wait or watch can; abort to undo instead`);
      return step;
    }
    refuse(`step "${id}" has already ended (${step.status})`);
  }

  /** Why the authorization policy refuses this act; undefined when it allows it (or the act names no identity: check() refuses that). */
  private denial(act: ControlAct, args: ControlUpdateArgs | undefined): string | undefined {
    const identity = args?.identity;
    if (typeof identity !== 'string' || identity.trim() === '') return undefined;
    return this.authorization?.denial(act, identity);
  }

  /** Records an accepted act and carries it out. */
  private apply(act: ControlAct, args: ControlUpdateArgs): ControlResult {
    const denied = this.denial(act, args);
    if (denied !== undefined) this.authorization?.refuse(act, args.identity, denied, typeof args.step === 'string' ? args.step : undefined);
    // Validators do not run on replay, and two acts may pass them before either is applied.
    const step = this.check(act, args);
    const at = new Date().toISOString();
    const recorded: OperatorAct = { act: act satisfies OperatorActKind, identity: args.identity, ...(step ? { step: step.id } : {}), ...(args.reason ? { reason: args.reason } : {}), at };
    this.state.operatorActs.push(recorded);
    if (act === 'pause') this.state.paused = true;
    else if (act === 'resume') this.state.paused = false;
    else if (act === 'abort') {
      this.aborted = recorded;
      this.stepsScope?.cancel();
    } else if (step && this.held?.step === step.id) {
      this.held.decision = act === 'retry' ? 'retry' : 'skip';
      if (act === 'retry') step.operatorRetries = (step.operatorRetries ?? 0) + 1;
      else step.skipRequest = { identity: args.identity, ...(args.reason ? { reason: args.reason } : {}), at };
    } else if (step) {
      step.skipRequest = { identity: args.identity, ...(args.reason ? { reason: args.reason } : {}), at };
      this.cancellable.get(step.id)?.cancel();
    }
    return { act: recorded, phase: this.state.phase, paused: this.state.paused, ...(step ? { step: { ...step } } : {}) };
  }

  private stepState(id: string): StepState | undefined {
    return this.state.steps.find((step) => step.id === id);
  }

  private lastAct(kind: OperatorActKind): OperatorAct {
    return [...this.state.operatorActs].reverse().find((act) => act.act === kind) as OperatorAct;
  }
}
