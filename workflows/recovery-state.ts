/** The recovery's visible state: what the `state` query returns and the report is built from. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { durationMs } from '../model/duration';
import type { CompensationState, Finding, Outcome, Phase, RecoveryInput, RecoveryReport, RecoveryState, StepState, TargetState } from '../model/recovery';
import { searchAttributes } from '../model/search-attributes';
import type { Step } from '../model/steps';
import { stepKind } from '../model/steps/kinds';

const iso = (ms: number): string => new Date(ms).toISOString();

export class RecoveryTracker {
  private readonly startedMs = Date.now();
  private readonly rtoMs: number | undefined;
  private endedMs: number | undefined;
  readonly state: RecoveryState;

  constructor(workflowId: string, input: RecoveryInput) {
    const { runbook } = input;
    this.rtoMs = runbook.spec.rto ? durationMs(runbook.spec.rto) : undefined;
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
  }

  enterPhase(phase: Phase): void {
    if (this.state.phase === phase) return;
    this.state.phase = phase;
    upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
  }

  step(id: string): StepState {
    const step = this.state.steps.find((candidate) => candidate.id === id);
    if (!step) throw new TypeError(`unknown step ${id}`);
    return step;
  }

  startStep(id: string, name: string | undefined): void {
    Object.assign(this.step(id), { status: 'running', startedAt: iso(Date.now()), ...(name === undefined ? {} : { name }) });
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
  }

  startCompensation(step: string, action: string): CompensationState {
    const record: CompensationState = { step, action, status: 'running', attempts: 0, startedAt: iso(Date.now()) };
    this.state.compensations.push(record);
    return record;
  }

  endCompensation(record: CompensationState, patch: Pick<CompensationState, 'status' | 'attempts'> & { error?: string }): void {
    Object.assign(record, { ...patch, endedAt: iso(Date.now()) });
  }

  /** The state with the time budget computed now (queries read it between workflow tasks). */
  snapshot(): RecoveryState {
    const elapsedMs = (this.endedMs ?? Date.now()) - this.startedMs;
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
    const state = this.snapshot();
    const timeToRecoverMs = this.endedMs - this.startedMs;
    return {
      ...state,
      outcome,
      endedAt: iso(this.endedMs),
      timeToRecoverMs,
      rtoMet: this.rtoMs === undefined ? undefined : outcome === 'recovered' && timeToRecoverMs <= this.rtoMs,
      unverifiedTargets,
    };
  }
}
