/**
 * `rollback` steps: targets back to a known-good state in waves. Before each wave, a drift check
 * (observed vs recorded); after it, convergence and health of every target, then the optional gate.
 * A wave that fails verification is restored and the step fails; a stuck target is reported.
 */
import { ApplicationFailure, sleep } from '@temporalio/workflow';
import { resolveCount } from '../../model/counts';
import { driftedTargets, formatDeployment, sameDeployment, waveBoundaries } from '../../model/rollback-plan';
import type { Deployment, TargetObservation } from '../../model/drivers';
import { durationMs } from '../../model/duration';
import type { RollbackSpec } from '../../model/steps/rollback';
import { render } from '../expressions';
import { driverCall, driverFor } from './drivers';
import { pollGate } from './gate';
import type { StepContext, StepExecutor } from './step-executor';

const convergePollMs = 1000;

interface WaveResult {
  converged: TargetObservation[];
  stuck: TargetObservation[];
  unhealthy: TargetObservation[];
}

export const rollbackExecutor: StepExecutor<'rollback'> = {
  phase: 'mitigating',
  describe: (step) => `staged rollback of ${step.rollback.service} (${step.id})`,
  async execute(step, context) {
    const { verify, ...templated } = step.rollback;
    const spec = render(templated, context.expressionContext()) as Omit<RollbackSpec, 'verify'>;
    // Each wave's calls carry its own summary, so the event history reads wave by wave.
    const observe = (targets?: string[], driver = driverFor(context, `rollback ${spec.service}: observe targets`)) =>
      driver['deployments.observe'](driverCall(context, { service: spec.service, sites: spec.sites, targets: targets ?? spec.targets }));

    const all = await observe();
    if (all.length === 0) throw ApplicationFailure.nonRetryable(`no targets of ${spec.service} match`, 'NoTargets');
    const desired = new Map<string, Deployment>();
    for (const target of all) {
      const goal = spec.to ?? target.previous;
      if (!goal) throw ApplicationFailure.nonRetryable(`${target.target}: no state recorded before the last change; give rollback.to`, 'NoKnownGoodState');
      desired.set(target.target, goal);
      const done = sameDeployment(target.observed, goal) && target.healthy;
      context.target(target.target, { status: done ? 'verified' : 'pending', expected: goal, observed: target.observed });
    }
    const pending = all.filter((target) => !(sameDeployment(target.observed, desired.get(target.target)) && target.healthy));
    const boundaries = waveBoundaries(spec.waves, pending.length);
    let verified = all.length - pending.length;
    let stuckCount = 0;
    for (const [index, end] of boundaries.entries()) {
      const wave = pending.slice(boundaries[index - 1] ?? 0, end);
      const waveNumber = index + 1;
      const progress = () => ({ wave: waveNumber, waves: boundaries.length, targets: all.length, verified, stuck: stuckCount });
      context.report({ output: progress() });
      const waveName = `rollback wave ${waveNumber}/${boundaries.length}: ${wave.length} target(s) of ${spec.service}`;
      const driver = driverFor(context, waveName);
      const current = await observe(wave.map((target) => target.target), driver);
      checkDrift(context, spec, current, waveNumber);
      await applyWave(context, spec, current, desired, driver);
      const result = await converge(context, spec, wave, desired, (targets) => observe(targets, driver));
      const failed = result.unhealthy.length > 0 ? `unhealthy after rollback: ${result.unhealthy.map((t) => t.target).join(', ')}` : await verifyWave(context, verify, waveNumber, wave);
      if (failed) {
        await restoreWave(context, spec, current, driverFor(context, `restore ${waveName}`));
        throw ApplicationFailure.nonRetryable(`wave ${waveNumber}/${boundaries.length} failed verification (${failed}); the wave was restored`, 'WaveVerificationFailed');
      }
      for (const target of result.stuck) {
        stuckCount += 1;
        context.target(target.target, { status: 'stuck', observed: target.observed, detail: 'did not take the change' });
        context.finding({ kind: 'stuck-target', target: target.target, message: `${target.target} still runs ${formatDeployment(target.observed)}, expected ${formatDeployment(desired.get(target.target))}` });
      }
      context.unverified(result.stuck.map((target) => target.target));
      for (const target of result.converged) context.target(target.target, { status: 'verified', observed: target.observed });
      verified += result.converged.length;
    }
    return { output: { waves: boundaries.length, targets: all.length, verified, stuck: stuckCount }, attempts: 1 };
  },
};

function checkDrift(context: StepContext, spec: Omit<RollbackSpec, 'verify'>, current: TargetObservation[], waveNumber: number): void {
  const drifted = driftedTargets(current);
  for (const target of drifted) {
    context.finding({
      kind: 'drift',
      target: target.target,
      message: `${target.target} runs ${formatDeployment(target.observed)} but ${formatDeployment(target.recorded)} is recorded`,
      details: { observed: target.observed, recorded: target.recorded },
    });
  }
  if (drifted.length > 0 && spec.onDrift === 'halt') {
    for (const target of drifted) context.target(target.target, { status: 'failed', observed: target.observed, detail: 'drift: halted' });
    throw ApplicationFailure.nonRetryable(
      `drift on ${drifted.map((target) => target.target).join(', ')}: rollback halted before wave ${waveNumber} (set onDrift: proceed to override)`,
      'DriftDetected',
    );
  }
}

async function applyWave(
  context: StepContext,
  spec: Omit<RollbackSpec, 'verify'>,
  wave: TargetObservation[],
  desired: Map<string, Deployment>,
  driver: ReturnType<typeof driverFor>,
): Promise<void> {
  const chunkSize = resolveCount(spec.maxUnavailable, wave.length);
  for (let start = 0; start < wave.length; start += chunkSize) {
    await Promise.all(
      wave.slice(start, start + chunkSize).map(async (target) => {
        context.target(target.target, { status: 'in-progress' });
        const input = { service: spec.service, target: target.target, desired: desired.get(target.target) as Deployment };
        await driver['deployments.apply'](driverCall(context, input, context.idempotencyKey(target.target, 'apply')));
      }),
    );
  }
}

/** Polls until every target of the wave runs the desired state and is healthy, or the time is up. */
async function converge(
  context: StepContext,
  spec: Omit<RollbackSpec, 'verify'>,
  wave: TargetObservation[],
  desired: Map<string, Deployment>,
  observe: (targets: string[]) => Promise<TargetObservation[]>,
): Promise<WaveResult> {
  const deadline = Date.now() + durationMs(spec.convergeTimeout);
  for (;;) {
    const observed = await observe(wave.map((target) => target.target));
    const stuck = observed.filter((target) => !sameDeployment(target.observed, desired.get(target.target)));
    const unhealthy = observed.filter((target) => !stuck.includes(target) && !target.healthy);
    if ((stuck.length === 0 && unhealthy.length === 0) || Date.now() + convergePollMs > deadline) {
      return { converged: observed.filter((target) => !stuck.includes(target) && target.healthy), stuck, unhealthy };
    }
    await sleep(convergePollMs, { summary: `waiting for ${stuck.length + unhealthy.length} target(s) of ${spec.service} to converge` });
  }
}

async function verifyWave(context: StepContext, verify: RollbackSpec['verify'], waveNumber: number, wave: TargetObservation[]): Promise<string | undefined> {
  if (!verify) return undefined;
  try {
    await pollGate(verify, context, { wave: waveNumber, targets: wave.map((target) => target.target) }, `wave ${waveNumber} verification`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function restoreWave(context: StepContext, spec: Omit<RollbackSpec, 'verify'>, before: TargetObservation[], driver: ReturnType<typeof driverFor>): Promise<void> {
  for (const target of before) {
    const input = { service: spec.service, target: target.target, desired: target.observed };
    await driver['deployments.apply'](driverCall(context, input, context.idempotencyKey(target.target, 'restore')));
    context.target(target.target, { status: 'restored', observed: target.observed });
  }
}
