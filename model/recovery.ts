/**
 * A recovery: the input a workflow receives, the state its `state` query returns, and the report
 * it ends with. Pure types: shared by the workflow, the CLI and the tests.
 */
import type { AuthzPolicy } from './authz-policy';
import type { ParamValue } from './params';
import type { Runbook } from './runbook';
import type { StepKind } from './steps';
import type { ApprovalTimeoutBehaviour } from './steps/approval';

export const phases = ['preflight', 'mitigating', 'verifying', 'soaking', 'recovered', 'degraded', 'rolled-back', 'failed', 'aborted'] as const;
export type Phase = (typeof phases)[number];

/** Final phases; a recovery in one of these has ended. */
export const outcomes = ['recovered', 'degraded', 'rolled-back', 'failed', 'aborted'] as const;
export type Outcome = (typeof outcomes)[number];

export interface RecoveryTrigger {
  /** `cli`, `alert`, `test`, ... */
  source: string;
  /** Who or what started it (operator identity, alert fingerprint). */
  by?: string;
  /** When the problem was detected (an alert's startsAt), ISO 8601. */
  detectedAt?: string;
  /** When the webhook server received the alert that started it, ISO 8601. */
  receivedAt?: string;
}

/** Workflow input. The exact runbook travels with it, so editing the file never changes a running recovery. */
export interface RecoveryInput {
  runbook: Runbook;
  runbookHash: string;
  /** Complete, validated params (defaults applied). */
  params: Record<string, ParamValue>;
  /** The rendered recovery key (e.g. the service name). */
  key: string;
  trigger?: RecoveryTrigger;
  /** The runbooks `run` steps start (recursively), by name, pinned when the recovery started. */
  children?: Record<string, PinnedRunbook>;
  /**
   * Set on a `run` step's child: once its steps succeeded it tells its parent and stays open until
   * the parent commits it or undoes it (workflows/settlement.ts).
   */
  settledByParent?: boolean;
  /**
   * The authorization policy in force when the recovery started (REBOUND_AUTHZ_FILE): the
   * recovery refuses operator acts it does not allow. Absent: every act is allowed.
   */
  authz?: AuthzPolicy;
}

/** A runbook as it was when a recovery started, with the hash of its file. */
export interface PinnedRunbook {
  runbook: Runbook;
  runbookHash: string;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepState {
  id: string;
  kind: StepKind;
  name?: string;
  status: StepStatus;
  /** Activity attempts (actions) or polls (gates) so far. */
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  error?: string;
  /** A small JSON summary of what the step produced or last observed. */
  output?: unknown;
  /** An operator asked to skip this step: it is skipped when reached, or was cancelled while running. */
  skipRequest?: OperatorRequest;
  /** How many times an operator retried the step after it failed (runbooks with `onFailure: hold`). */
  operatorRetries?: number;
}

/** Who asked for something, why, and when. */
export interface OperatorRequest {
  identity: string;
  reason?: string;
  at: string;
}

/** A failed step holding the recovery until an operator retries it, skips it or aborts (`onFailure: hold`). */
export interface AwaitingOperator {
  step: string;
  error: string;
  since: string;
}

export type CompensationStatus = 'running' | 'succeeded' | 'failed';

/** One undo run because a later step failed. A failed undo is recorded here, never dropped. */
export interface CompensationState {
  step: string;
  action: string;
  status: CompensationStatus;
  attempts: number;
  startedAt: string;
  endedAt?: string;
  error?: string;
}

/** Where one target (a replica, a site, a service) stands: expected vs observed. */
export interface TargetState {
  target: string;
  /** The step acting on it. */
  step: string;
  status: 'pending' | 'in-progress' | 'verified' | 'failed' | 'stuck' | 'restored' | 'skipped';
  expected?: unknown;
  observed?: unknown;
  detail?: string;
}

export const findingKinds = ['drift', 'partial-recovery', 'permission-desync', 'capacity-shortfall', 'shared-failure-domain', 'unhealthy-destination', 'stuck-target', 'break-glass', 'escalation', 'regression'] as const;
export type FindingKind = (typeof findingKinds)[number];

/** Something a recovery found that an operator must know, whatever the outcome. */
export interface Finding {
  kind: FindingKind;
  step: string;
  target?: string;
  message: string;
  details?: unknown;
  at: string;
}

export interface TimeBudget {
  rto?: string;
  rtoMs?: number;
  elapsedMs: number;
  remainingMs?: number;
}

/** One approver's answer to an approval step. */
export interface ApprovalAnswer {
  identity: string;
  decision: 'approve' | 'reject';
  reason?: string;
  at: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed-out' | 'cancelled';

/** What an approval step asked for and every answer it received, with who gave it. */
export interface ApprovalState {
  step: string;
  approvers: string[];
  quorum: number;
  allowSelfApproval: boolean;
  onTimeout: ApprovalTimeoutBehaviour;
  /** The runbook's message, rendered. */
  message?: string;
  status: ApprovalStatus;
  requestedAt: string;
  deadline: string;
  decidedAt?: string;
  answers: ApprovalAnswer[];
}

/** One alert notification delivered to the recovery; re-sends of the same fingerprint + startsAt + status count in timesSeen. */
export interface AlertRecord {
  fingerprint: string;
  startsAt: string;
  status: 'firing' | 'resolved';
  timesSeen: number;
  lastSeenAt: string;
}

/** Alert records evicted from a recovery's state beyond its cap (workflows/alerts.ts), as counts. */
export interface AlertsBeyondCap {
  /** Records evicted (a record seen again after its eviction is recorded anew, and may be evicted again). */
  records: number;
  /** Notifications the evicted records had counted (their timesSeen). */
  notifications: number;
}

/**
 * The moments of a recovery (ISO 8601). The report shows the intervals between them. Time-to-recover
 * runs from detection (else start) to `verifiedAt` for a recovery that ended recovered or degraded
 * (else to `endedAt`); RecoveryReport.timeToRecoverSpan says which.
 */
export interface RecoveryTimeline {
  /** The alert's startsAt (or the trigger's detection time). */
  detectedAt?: string;
  /** The webhook server received the alert. */
  receivedAt?: string;
  /** The workflow started. */
  startedAt: string;
  /** The first step that changes a system completed: an action, rollback, failover, permissions or child runbook, at any depth (not a gate, wait, approval or watch). Set once. */
  firstMitigationAt?: string;
  /**
   * The last verification that passed after the first mitigation and before the first soak: a
   * top-level gate, or a rollback, failover, permissions or child runbook step (each verifies what
   * it changed). Verifications before any mitigation (pre-checks) do not count.
   */
  verifiedAt?: string;
  /** The last top-level soak (`watch`) that ended without regression. */
  soakedAt?: string;
  endedAt?: string;
}

export const operatorActKinds = ['approve', 'reject', 'pause', 'resume', 'abort', 'skip', 'retry'] as const;
export type OperatorActKind = (typeof operatorActKinds)[number];

/** Something an operator did to a running recovery, with who did it. */
export interface OperatorAct {
  act: OperatorActKind;
  identity: string;
  step?: string;
  reason?: string;
  at: string;
}

/** An operator act the authorization policy refused: who tried what, and why it was refused. */
export interface RefusedAct {
  act: OperatorActKind;
  identity: string;
  step?: string;
  /** Why: which identity, act and runbook no rule allows. */
  refusal: string;
  at: string;
}

export interface RecoveryState {
  workflowId: string;
  runbook: { name: string; hash: string };
  key: string;
  params: Record<string, ParamValue>;
  trigger?: RecoveryTrigger;
  phase: Phase;
  startedAt: string;
  endedAt?: string;
  steps: StepState[];
  compensations: CompensationState[];
  /** Per-target state of the steps that act on targets (rollback waves, failover sites, grants). */
  targets: TargetState[];
  findings: Finding[];
  /** Approval steps reached so far, with their answers. */
  approvals: ApprovalState[];
  /**
   * Alert notifications delivered to this recovery (the `alerts` and `alert` signals), at most
   * `maxAlertRecords` (workflows/alerts.ts): the first record, then the most recently seen.
   */
  alerts: AlertRecord[];
  /** Set once records were evicted beyond the cap: what they counted. */
  alertsBeyondCap?: AlertsBeyondCap;
  budget: TimeBudget;
  timeline: RecoveryTimeline;
  /** Operator acts in the order they were accepted. */
  operatorActs: OperatorAct[];
  /** Acts the authorization policy refused, in order (the latest {@link maxRecordedRefusals}); absent until one is. */
  refusals?: RefusedAct[];
  /** True while an operator has paused the recovery (no new step starts). */
  paused: boolean;
  /** Set while a failed step holds the recovery for an operator (`onFailure: hold`). */
  awaitingOperator?: AwaitingOperator;
  /** Why the recovery did not recover (the failed step's error), when it did not. */
  error?: string;
}

export interface RecoveryReport extends RecoveryState {
  outcome: Outcome;
  endedAt: string;
  timeToRecoverMs: number;
  /** What timeToRecoverMs measures: from detection (else start) to verification (else the end). */
  timeToRecoverSpan: { from: 'detectedAt' | 'startedAt'; to: 'verifiedAt' | 'endedAt' };
  /** Whether time-to-recover stayed within the RTO; absent when the runbook sets no RTO. */
  rtoMet?: boolean;
  /** Targets that did not pass verification: why the outcome is `degraded` rather than `recovered`. */
  unverifiedTargets: string[];
}

/** Refusals kept in a recovery's state: enough for an audit, bounded against a client that keeps trying. */
export const maxRecordedRefusals = 100;

/** Workflow id of a recovery: one recovery per runbook and key at a time. */
export function recoveryWorkflowId(runbookName: string, key: string): string {
  return `${runbookName}/${key}`;
}
