/** What every step kind implements, and what the interpreter gives it. */
import type { ExpressionContext } from '../../model/expressions';
import type { Finding, Phase, RecoveryInput, StepState, TargetState } from '../../model/recovery';
import type { Step, StepKind, StepOf } from '../../model/steps';

/** An undo registered by a completed step; run in reverse order when a later step fails. */
export interface Compensation {
  step: string;
  action: string;
  /** Runs the undo (checkpointed and retried by Temporal); resolves with the attempts used. */
  run(): Promise<{ attempts: number }>;
}

/** Work that must happen at the end of the recovery whatever its outcome (e.g. revoking break-glass access). */
export interface Finalizer {
  step: string;
  description: string;
  run(): Promise<void>;
}

/** How the steps of a scope report their progress (top-level steps to the step list; nested ones to their item). */
export interface StepTracking {
  skipped(step: string): void;
  started(step: string, name: string | undefined): void;
  report(step: string, patch: Partial<Pick<StepState, 'attempts' | 'output'>>): void;
  succeeded(step: string, attempts: number, output: unknown): void;
  failed(step: string, error: string): void;
}

/** One nested run of steps (e.g. one item of a `foreach`). */
export interface NestedScope {
  /** Distinguishes this run's idempotency keys and compensation records, e.g. the item. */
  key: string;
  /** Expression variables for the nested steps, e.g. `{ item }`. */
  variables: ExpressionContext;
  track: StepTracking;
}

export interface StepContext {
  /** The step's id. */
  readonly step: string;
  readonly runbook: string;
  /** The recovery's input: its trigger and the child runbooks pinned at start (for `run` steps). */
  readonly recovery: RecoveryInput;
  /** The step's rendered `name`, or a default naming its kind and id: used as activity and timer summaries. */
  readonly summary: string;
  /** `<workflowId>/<firstRunId>`: the prefix of every idempotency key of this recovery. */
  readonly idempotencyPrefix: string;
  /** Params, key and earlier step outputs, for templates and conditions. */
  expressionContext(): ExpressionContext;
  /** Updates this step's visible state (attempts, output so far). */
  report(patch: Partial<Pick<StepState, 'attempts' | 'output'>>): void;
  /** Registers an undo for this step. */
  pushCompensation(compensation: Compensation): void;
  /** Registers work that runs when the recovery ends, also when it fails or is aborted. */
  pushFinalizer(finalizer: Omit<Finalizer, 'step'>): void;
  /** `<idempotencyPrefix>/<stepId>[/<part>...]`: the key for one effect of this step. */
  idempotencyKey(...parts: string[]): string;
  /** Creates or updates the state of one target this step acts on. */
  target(target: string, patch: Partial<Omit<TargetState, 'step' | 'target'>>): void;
  /** Records a finding (drift, desync, shortfall, ...) in the recovery's state and report. */
  finding(finding: Omit<Finding, 'at' | 'step'>): void;
  /** Marks targets that did not pass verification: the recovery can then only end `degraded`. */
  unverified(targets: string[]): void;
  /** Runs steps nested in this one, in order; a failure undoes that run's own completed steps and rethrows. */
  runNested(steps: Step[], scope: NestedScope): Promise<void>;
  /**
   * Earlier steps of this step's own list, by id, to run again later (a watch's re-mitigation);
   * fails now when an id is not an earlier step. Each run nests under this step (keys
   * `<this step's key>/<scope.key>/<id>`, so effects are applied again) and then returns the
   * recovery to this step's phase.
   */
  rerunnable(stepIds: string[]): (scope: NestedScope) => Promise<void>;
}

export interface StepOutcome {
  output?: unknown;
  attempts: number;
}

export interface StepExecutor<K extends StepKind> {
  /** The phase a recovery is in while a step of this kind runs; undefined keeps the current one. */
  readonly phase?: Phase;
  /** What the Temporal UI shows for the step's activities and timers when the runbook gives no name. */
  describe(step: StepOf<K>): string;
  execute(step: StepOf<K>, context: StepContext): Promise<StepOutcome>;
}
