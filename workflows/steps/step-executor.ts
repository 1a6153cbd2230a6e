/** What every step kind implements, and what the interpreter gives it. */
import type { ExpressionContext } from '../../model/expressions';
import type { Phase, StepState } from '../../model/recovery';
import type { StepKind, StepOf } from '../../model/steps';

/** An undo registered by a completed step; run in reverse order when a later step fails. */
export interface Compensation {
  step: string;
  action: string;
  /** Runs the undo (checkpointed and retried by Temporal); resolves with the attempts used. */
  run(): Promise<{ attempts: number }>;
}

export interface StepContext {
  readonly runbook: string;
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
