/**
 * Derived figures (recomputed on every read, never stored) and the views the API answers with.
 * Pure: the rules of API.md "Derived figures" in one place.
 */
import type { Deployment, FleetState, Grant, ReplicaState, ServiceState, SiteState } from './model';

/** Error ratio of a replica with nothing wrong. */
export const baseErrorRatio = 0.001;
/** A bad version or a `mode: broken` config. */
export const brokenErrorRatio = 0.3;
/** A site whose dependency fails. */
export const dependencyErrorRatio = 0.5;
/** At or above this a replica, site or service is unhealthy. */
export const unhealthyErrorRatio = 0.05;

export interface SiteView extends SiteState {
  /** Requests per second routed to the site, over all services. */
  load: number;
  /** The site's own share of failing requests: down, failing dependency, overload. */
  errorRatio: number;
  healthy: boolean;
}

export interface ReplicaView {
  id: string;
  site: string;
  actual: Deployment;
  recorded: Deployment;
  previous: Deployment | null;
  healthy: boolean;
  errorRatio: number;
}

export interface TrafficView {
  service: string;
  load: number;
  weights: Record<string, number>;
}

export interface ServiceHealth {
  service: string;
  errorRatio: number;
  healthy: boolean;
  replicas: { healthy: number; total: number };
}

export function siteLoad(state: FleetState, site: string): number {
  return state.services.reduce((total, service) => total + (service.load * (service.weights[site] ?? 0)) / 100, 0);
}

function siteView(state: FleetState, site: SiteState): SiteView {
  const load = siteLoad(state, site.name);
  const dependencyFailing = site.dependencies.some((dependency) => state.dependencies[dependency]?.failing === true);
  const overload = load > site.capacity ? (load - site.capacity) / load : 0;
  const errorRatio = site.up ? Math.max(baseErrorRatio, dependencyFailing ? dependencyErrorRatio : 0, overload) : 1;
  return { ...structuredClone(site), load, errorRatio, healthy: site.up && errorRatio < unhealthyErrorRatio };
}

export function siteViews(state: FleetState): SiteView[] {
  return state.sites.map((site) => siteView(state, site));
}

function replicaView(service: ServiceState, replica: ReplicaState, site: SiteView | undefined): ReplicaView {
  const broken = service.badVersions.includes(replica.actual.version) || replica.actual.config.mode === 'broken';
  const errorRatio = Math.max(broken ? brokenErrorRatio : baseErrorRatio, site?.errorRatio ?? 1);
  const { id, actual, recorded, previous } = structuredClone(replica);
  return { id, site: replica.site, actual, recorded, previous, errorRatio, healthy: site?.up === true && errorRatio < unhealthyErrorRatio };
}

export function replicaViews(state: FleetState, service: ServiceState): ReplicaView[] {
  const sites = new Map(siteViews(state).map((site) => [site.name, site]));
  return service.replicas.map((replica) => replicaView(service, replica, sites.get(replica.site)));
}

export function trafficView(service: ServiceState): TrafficView {
  return { service: service.name, load: service.load, weights: { ...service.weights } };
}

/** Traffic sent to a site without replicas of the service fails entirely. */
export function serviceHealth(state: FleetState, service: ServiceState): ServiceHealth {
  const replicas = replicaViews(state, service);
  let errorRatio = 0;
  for (const [site, weight] of Object.entries(service.weights)) {
    const atSite = replicas.filter((replica) => replica.site === site);
    const mean = atSite.length === 0 ? 1 : atSite.reduce((total, replica) => total + replica.errorRatio, 0) / atSite.length;
    errorRatio += (weight * mean) / 100;
  }
  const healthy = replicas.filter((replica) => replica.healthy).length;
  return { service: service.name, errorRatio, healthy: errorRatio < unhealthyErrorRatio, replicas: { healthy, total: replicas.length } };
}

/** Grants in force at `now`: an expired break-glass grant no longer counts. */
export function activeGrants(service: ServiceState, now: number): Grant[] {
  return service.grants.filter((grant) => grant.expiresAt === undefined || Date.parse(grant.expiresAt) > now).map((grant) => ({ ...grant }));
}
