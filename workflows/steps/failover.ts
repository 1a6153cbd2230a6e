/**
 * `failover` steps: a read-only preflight (capacity, independence, health of the destination),
 * then traffic shifts with verification after each; a failed verification shifts traffic back.
 * Invariant at every shift: healthy serving capacity never drops below the minimum.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { chooseDestination, healthyServingCapacity, loadToMove, predictedServingCapacity, shiftedWeights } from '../../model/failover-preflight';
import type { FindingKind } from '../../model/recovery';
import type { SiteObservation, TrafficObservation } from '../../model/drivers';
import type { FailoverSpec } from '../../model/steps/failover';
import { render } from '../expressions';
import { driverCall, driverFor } from './drivers';
import { pollGate } from './gate';
import type { StepContext, StepExecutor } from './step-executor';

export const failoverExecutor: StepExecutor<'failover'> = {
  phase: 'mitigating',
  describe: (step) => `failover of ${step.failover.service} from ${step.failover.from} (${step.id})`,
  async execute(step, context) {
    const { verify, ...templated } = step.failover;
    const spec = render(templated, context.expressionContext()) as Omit<FailoverSpec, 'verify'>;
    const driver = driverFor(context, `failover preflight: ${spec.service} from ${spec.from}`);
    const traffic = await driver['traffic.read'](driverCall(context, { service: spec.service }));
    const sites = await driver['traffic.sites'](driverCall(context, {}));
    const source = sites.find((site) => site.site === spec.from);
    if (!source) throw ApplicationFailure.nonRetryable(`unknown source site ${spec.from}`, 'PreflightRefused');
    const movedLoad = loadToMove(traffic, spec.from);
    const minimum = spec.minHealthyCapacity ?? traffic.load;
    const destination = choose(context, spec, source, sites, movedLoad);
    context.target(spec.from, { status: 'in-progress', expected: 0, observed: traffic.weights[spec.from] ?? 0 });
    context.target(destination, { status: 'in-progress', observed: traffic.weights[destination] ?? 0 });

    let weights = traffic.weights;
    for (const percent of spec.shifts) {
      const next = shiftedWeights(traffic.weights, spec.from, destination, percent);
      const predicted = predictedServingCapacity(sites, spec.from, next);
      if (predicted < minimum) {
        if (weights !== traffic.weights) await shiftBack(context, spec, traffic, percent);
        fail(context, spec, `shifting ${percent}% would leave ${predicted} rps of healthy capacity, below the minimum ${minimum}`, 'capacity-shortfall');
      }
      const shift = driverFor(context, `shift traffic ${spec.from}→${destination} ${percent}%`);
      await shift['traffic.shift'](driverCall(context, { service: spec.service, weights: next }, context.idempotencyKey(`shift-${percent}`)));
      weights = next;
      context.report({ output: { from: spec.from, to: destination, shifted: percent, weights } });
      const problem = await verifyShift(context, spec, verify, destination, percent, minimum, driverFor(context, `verify traffic ${spec.from}→${destination} ${percent}%`));
      if (problem) {
        await shiftBack(context, spec, traffic, percent);
        fail(context, spec, `verification failed at ${percent}% (${problem}); traffic shifted back to ${formatWeights(traffic.weights)}`, 'unhealthy-destination');
      }
    }
    context.target(spec.from, { status: 'verified', observed: weights[spec.from] ?? 0 });
    context.target(destination, { status: 'verified', observed: weights[destination] ?? 0 });
    return { output: { from: spec.from, to: destination, weights }, attempts: 1 };
  },
};

function choose(context: StepContext, spec: Omit<FailoverSpec, 'verify'>, source: SiteObservation, sites: SiteObservation[], movedLoad: number): string {
  const { destination, refused } = chooseDestination(source, sites, spec.to ? [spec.to] : (spec.candidates ?? []), movedLoad);
  for (const refusal of refused) context.finding({ kind: refusal.kind, target: refusal.candidate, message: refusal.message });
  if (destination !== undefined) return destination;
  throw ApplicationFailure.nonRetryable(`preflight refused failover of ${spec.service} from ${spec.from}: ${refused.map((refusal) => refusal.message).join('; ')}`, 'PreflightRefused');
}

async function verifyShift(
  context: StepContext,
  spec: Omit<FailoverSpec, 'verify'>,
  verify: FailoverSpec['verify'],
  destination: string,
  percent: number,
  minimum: number,
  driver: ReturnType<typeof driverFor>,
): Promise<string | undefined> {
  const [sites, traffic] = await Promise.all([
    driver['traffic.sites'](driverCall(context, {})),
    driver['traffic.read'](driverCall(context, { service: spec.service })),
  ]);
  const site = sites.find((candidate) => candidate.site === destination);
  if (!site?.up || !site.healthy) return `${destination} turned unhealthy (error ratio ${site?.errorRatio ?? 'unknown'})`;
  const capacity = healthyServingCapacity(sites, traffic.weights);
  if (capacity < minimum) return `healthy serving capacity ${capacity} rps is below the minimum ${minimum}`;
  if (!verify) return undefined;
  try {
    await pollGate(verify, context, { shift: percent, destination }, `verification at ${percent}%`);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function shiftBack(context: StepContext, spec: Omit<FailoverSpec, 'verify'>, original: TrafficObservation, percent: number) {
  const driver = driverFor(context, `shift traffic back to ${formatWeights(original.weights)} (failed at ${percent}%)`);
  await driver['traffic.shift'](driverCall(context, { service: spec.service, weights: original.weights }, context.idempotencyKey(`shift-back-${percent}`)));
}

function fail(context: StepContext, spec: Omit<FailoverSpec, 'verify'>, message: string, kind: FindingKind): never {
  context.finding({ kind, message });
  context.target(spec.from, { status: 'failed', detail: message });
  throw ApplicationFailure.nonRetryable(message, 'FailoverVerificationFailed');
}

function formatWeights(weights: Record<string, number>): string {
  return Object.entries(weights).map(([site, weight]) => `${site} ${weight}%`).join(', ');
}
