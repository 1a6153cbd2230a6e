/** Failure domains of sites (region, zone, shared dependencies). Pure and zod-free: workflows use it. */

/** What places a site in failure domains; a driver's `SiteObservation` has it too. */
export interface FailureDomains {
  readonly region: string;
  readonly zone: string;
  readonly dependencies: readonly string[];
}

/** The failure domains two sites have in common, e.g. `['region eu', 'dependency dns-eu']`; empty when independent. */
export function sharedDomains(a: FailureDomains, b: FailureDomains): string[] {
  const shared: string[] = [];
  if (a.region === b.region) shared.push(`region ${a.region}`);
  if (a.zone === b.zone) shared.push(`zone ${a.zone}`);
  for (const dependency of new Set(a.dependencies)) {
    if (b.dependencies.includes(dependency)) shared.push(`dependency ${dependency}`);
  }
  return shared;
}
