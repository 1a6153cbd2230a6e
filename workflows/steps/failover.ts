/**
 * `failover` steps: a read-only preflight (capacity, independence, health of the destination),
 * then traffic shifts with verification after each; a failed verification shifts traffic back.
 * Invariant at every shift: healthy serving capacity never drops below the minimum.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { sharedDomains } from '../../model/failure-domains';
import type { FindingKind } from '../../model/recovery';
import type { SiteObservation, TrafficObservation } from '../../model/drivers';
import type { FailoverSpec } from '../../model/steps/failover';
import { render } from '../expressions';
import { driverCall, driverFor } from './drivers';
import { pollGate } from './gate';
import type { StepContext, StepExecutor } from './step-executor';

interface Refusal {
  kind: FindingKind;
  message: string;
}

/** Why `destination` cannot take `movedLoad` from `source`; empty when it can. */
export function preflightRefusals(source: SiteObservation, destination: SiteObservation | undefined, name: string, movedLoad: number): Refusal[] {
  if (!destination) return [{ kind: 'unhealthy-destination', message: `${name}: no such site` }];
  const refusals: Refusal[] = [];
  if (!destination.up || !destination.healthy) {
    refusals.push({ kind: 'unhealthy-destination', message: `${name} is not healthy (up: ${destination.up}, error ratio ${destination.errorRatio})` });
  }
  const spare = destination.capacity - destination.load;
  if (spare < movedLoad) {
    refusals.push({ kind: 'capacity-shortfall', message: `${name} has ${spare} rps spare, ${movedLoad} rps must move` });
  }
  const shared = sharedDomains(source, destination);
  if (shared.length > 0) {
    refusals.push({ kind: 'shared-failure-domain', message: `${name} shares ${shared.join(', ')} with ${source.site}` });
  }
  return refusals;
}

/** Weights after moving `percent` of the source's original share to the destination. */
export function shiftedWeights(original: Record<string, number>, from: string, to: string, percent: number): Record<string, number> {
  const moved = ((original[from] ?? 0) * percent) / 100;
  return { ...original, [from]: (original[from] ?? 0) - moved, [to]: (original[to] ?? 0) + moved };
}

/** Capacity of the healthy sites that receive traffic under `weights`. */
export function healthyServingCapacity(sites: SiteObservation[], weights: Record<string, number>): number {
  return sites.filter((site) => (weights[site.site] ?? 0) > 0 && site.up && site.healthy).reduce((sum, site) => sum + site.capacity, 0);
}

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
    const movedLoad = (traffic.load * (traffic.weights[spec.from] ?? 0)) / 100;
    const minimum = spec.minHealthyCapacity ?? traffic.load;
    const destination = choose(context, spec, source, sites, movedLoad);
    context.target(spec.from, { status: 'in-progress', expected: 0, observed: traffic.weights[spec.from] ?? 0 });
    context.target(destination, { status: 'in-progress', observed: traffic.weights[destination] ?? 0 });

    let weights = traffic.weights;
    for (const percent of spec.shifts) {
      const next = shiftedWeights(traffic.weights, spec.from, destination, percent);
      const predicted = healthyServingCapacity(sites.map((site) => (site.site === spec.from ? { ...site, healthy: false } : site)), next);
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
  const candidates = spec.to ? [spec.to] : (spec.candidates ?? []);
  const reasons: string[] = [];
  for (const name of candidates) {
    const refusals = preflightRefusals(source, sites.find((site) => site.site === name), name, movedLoad);
    if (refusals.length === 0) return name;
    for (const refusal of refusals) context.finding({ kind: refusal.kind, target: name, message: refusal.message });
    reasons.push(...refusals.map((refusal) => refusal.message));
  }
  throw ApplicationFailure.nonRetryable(`preflight refused failover of ${spec.service} from ${spec.from}: ${reasons.join('; ')}`, 'PreflightRefused');
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
