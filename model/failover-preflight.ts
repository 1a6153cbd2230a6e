/**
 * The read-only preflight of a failover, as pure functions over what the traffic driver observed:
 * shared by the `failover` step (workflows/steps/failover.ts) and `rebound plan`, so a plan
 * refuses exactly what the recovery would refuse. Pure and zod-free: workflows use it.
 */
import type { SiteObservation, TrafficObservation } from './drivers';
import { sharedDomains } from './failure-domains';
import type { FindingKind } from './recovery';

export interface PreflightRefusal {
  kind: FindingKind;
  message: string;
}

/** Why `destination` cannot take `movedLoad` from `source`; empty when it can. */
export function preflightRefusals(source: SiteObservation, destination: SiteObservation | undefined, name: string, movedLoad: number): PreflightRefusal[] {
  if (!destination) return [{ kind: 'unhealthy-destination', message: `${name}: no such site` }];
  const refusals: PreflightRefusal[] = [];
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

export interface DestinationChoice {
  /** The first candidate that passed preflight; absent when none did. */
  destination?: string;
  /** The refusals of the candidates tried before it (all of them when none passed). */
  refused: (PreflightRefusal & { candidate: string })[];
}

/** Tries `candidates` in order: the first that passes preflight is the destination. */
export function chooseDestination(source: SiteObservation, sites: SiteObservation[], candidates: readonly string[], movedLoad: number): DestinationChoice {
  const refused: DestinationChoice['refused'] = [];
  for (const name of candidates) {
    const refusals = preflightRefusals(source, sites.find((site) => site.site === name), name, movedLoad);
    if (refusals.length === 0) return { destination: name, refused };
    refused.push(...refusals.map((refusal) => ({ ...refusal, candidate: name })));
  }
  return { refused };
}

/** Requests per second that move when all of `from`'s share of the service's traffic moves. */
export function loadToMove(traffic: TrafficObservation, from: string): number {
  return (traffic.load * (traffic.weights[from] ?? 0)) / 100;
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

/** Healthy serving capacity under `weights`, counting the failing source as unhealthy: what a shift is checked against. */
export function predictedServingCapacity(sites: SiteObservation[], from: string, weights: Record<string, number>): number {
  return healthyServingCapacity(
    sites.map((site) => (site.site === from ? { ...site, healthy: false } : site)),
    weights,
  );
}
