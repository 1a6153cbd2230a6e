/** The recovery's visible state: what the `state` query returns and the report is built from. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { durationMs } from '../model/duration';
import type { CompensationState, Finding, Outcome, Phase, RecoveryInput, RecoveryReport, RecoveryState, StepState, TargetState } from '../model/recovery';
import { searchAttributes } from '../model/search-attributes';
import { compensationEnded, findingRecorded, phaseEntered, recoveryFinished, recoveryStarted } from './metrics';
import type { Step } from '../model/steps';
import { stepKind, type StepKind } from '../model/steps/kinds';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Kinds whose completion changed a system: the first one completed is the first mitigation. */
const mitigationKinds: ReadonlySet<StepKind> = new Set(['action', 'rollback', 'failover', 'permissions', 'run']);
/** Kinds that end only once what they verify (or changed and then verified) passed. */
const verificationKinds: ReadonlySet<StepKind> = new Set(['gate', 'rollback', 'failover', 'permissions', 'run']);

/** Time-to-recover runs from detection when it is known and not after the start (clock skew), else from the start. */
function recoveryOrigin(startedMs: number, detectedAt: string | undefined): { ms: number; from: 'detectedAt' | 'startedAt' } {
  const detectedMs = detectedAt === undefined ? Number.NaN : Date.parse(detectedAt);
  return Number.isFinite(detectedMs) && detectedMs <= startedMs ? { ms: detectedMs, from: 'detectedAt' } : { ms: startedMs, from: 'startedAt' };
}

export class RecoveryTracker {
  private readonly startedMs = Date.now();
  private readonly rtoMs: number | undefined;
  /** Where time-to-recover and the RTO budget count from. */
  private readonly origin: { ms: number; from: 'detectedAt' | 'startedAt' };
  private endedMs: number | undefined;
  private soakStarted = false;
  readonly state: RecoveryState;

  constructor(workflowId: string, input: RecoveryInput) {
    const { runbook } = input;
    this.rtoMs = runbook.spec.rto ? durationMs(runbook.spec.rto) : undefined;
    this.origin = recoveryOrigin(this.startedMs, input.trigger?.detectedAt);
    this.state = {
      workflowId,
      runbook: { name: runbook.metadata.name, hash: input.runbookHash },
      key: input.key,
      params: input.params,
      trigger: input.trigger,
      phase: 'preflight',
      startedAt: iso(this.startedMs),
      steps: runbook.spec.steps.map((step: Step): StepState => ({ id: step.id, kind: stepKind(step), name: step.name, status: 'pending', attempts: 0 })),
      compensations: [],
      targets: [],
      findings: [],
      approvals: [],
      alerts: [],
      budget: { rto: runbook.spec.rto, rtoMs: this.rtoMs, elapsedMs: 0, remainingMs: this.rtoMs },
      timeline: {
        startedAt: iso(this.startedMs),
        ...(input.trigger?.detectedAt === undefined ? {} : { detectedAt: input.trigger.detectedAt }),
        ...(input.trigger?.receivedAt === undefined ? {} : { receivedAt: input.trigger.receivedAt }),
      },
      operatorActs: [],
      paused: false,
    };
    upsertSearchAttributes([
      { key: searchAttributes.runbook, value: runbook.metadata.name },
      { key: searchAttributes.key, value: input.key },
      { key: searchAttributes.phase, value: 'preflight' },
    ]);
    recoveryStarted(runbook.metadata.name, input.trigger?.source);
  }

  enterPhase(phase: Phase): void {
    if (this.state.phase === phase) return;
    this.state.phase = phase;
    upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
    phaseEntered(this.state.runbook.name, phase);
  }

  step(id: string): StepState {
    const step = this.state.steps.find((candidate) => candidate.id === id);
    if (!step) throw new TypeError(`unknown step ${id}`);
    return step;
  }

  startStep(id: string, name: string | undefined): void {
    const step = this.step(id);
    // A step run again by an operator's retry starts afresh (its retries are counted on it).
    delete step.error;
    delete step.endedAt;
    delete step.durationMs;
    Object.assign(step, { status: 'running', startedAt: iso(Date.now()), ...(name === undefined ? {} : { name }) });
    if (step.kind === 'watch') this.soakStarted = true;
  }

  /** Moves the timeline on when a step completed: `topLevel` is false for nested steps (foreach items, re-runs). */
  stepCompleted(kind: StepKind, topLevel: boolean, output: unknown): void {
    const now = iso(Date.now());
    const timeline = this.state.timeline;
    if (mitigationKinds.has(kind)) timeline.firstMitigationAt ??= now;
    if (topLevel && verificationKinds.has(kind) && timeline.firstMitigationAt !== undefined && !this.soakStarted) timeline.verifiedAt = now;
    if (topLevel && kind === 'watch' && (output as { stable?: unknown } | undefined)?.stable === true) timeline.soakedAt = now;
  }

  endStep(id: string, patch: Pick<StepState, 'status'> & Partial<StepState>): void {
    const step = this.step(id);
    const now = Date.now();
    const started = step.startedAt ? Date.parse(step.startedAt) : now;
    Object.assign(step, { ...patch, endedAt: iso(now), durationMs: now - started });
  }

  /** Creates or updates the state of one target of one step. */
  target(step: string, target: string, patch: Partial<Omit<TargetState, 'step' | 'target'>>): TargetState {
    let state = this.state.targets.find((candidate) => candidate.step === step && candidate.target === target);
    if (!state) {
      state = { step, target, status: 'pending' };
      this.state.targets.push(state);
    }
    Object.assign(state, patch);
    return state;
  }

  addFinding(finding: Omit<Finding, 'at'>): void {
    this.state.findings.push({ ...finding, at: iso(Date.now()) });
    findingRecorded(this.state.runbook.name, finding.kind);
  }

  startCompensation(step: string, action: string): CompensationState {
    const record: CompensationState = { step, action, status: 'running', attempts: 0, startedAt: iso(Date.now()) };
    this.state.compensations.push(record);
    return record;
  }

  endCompensation(record: CompensationState, patch: Pick<CompensationState, 'status' | 'attempts'> & { error?: string }): void {
    Object.assign(record, { ...patch, endedAt: iso(Date.now()) });
    if (patch.status !== 'running') compensationEnded(this.state.runbook.name, patch.status);
  }

  /** The state with the time budget computed now (queries read it between workflow tasks). */
  snapshot(): RecoveryState {
    const elapsedMs = (this.endedMs ?? Date.now()) - this.origin.ms;
    this.state.budget = {
      ...this.state.budget,
      elapsedMs,
      remainingMs: this.rtoMs === undefined ? undefined : Math.max(0, this.rtoMs - elapsedMs),
    };
    return this.state;
  }

  finish(outcome: Outcome, error?: string, unverifiedTargets: string[] = []): RecoveryReport {
    this.endedMs = Date.now();
    this.enterPhase(outcome);
    if (error) this.state.error = error;
    this.state.endedAt = iso(this.endedMs);
    this.state.timeline.endedAt = this.state.endedAt;
    this.state.paused = false;
    const state = this.snapshot();
    const { verifiedAt } = this.state.timeline;
    // A recovery that did not recover has no time-to-recover of its own: it runs to the end.
    const verified = verifiedAt !== undefined && (outcome === 'recovered' || outcome === 'degraded');
    const timeToRecoverMs = (verified ? Date.parse(verifiedAt) : this.endedMs) - this.origin.ms;
    const report: RecoveryReport = {
      ...state,
      outcome,
      endedAt: iso(this.endedMs),
      timeToRecoverMs,
      timeToRecoverSpan: { from: this.origin.from, to: verified ? 'verifiedAt' : 'endedAt' },
      rtoMet: this.rtoMs === undefined ? undefined : outcome === 'recovered' && timeToRecoverMs <= this.rtoMs,
      unverifiedTargets,
    };
    recoveryFinished(report);
    return report;
  }
}
