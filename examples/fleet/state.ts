/**
 * The in-memory fleet: reads (with derived figures) and every mutation, changes and faults alike.
 * Pure apart from the injected clock, so it is unit-testable without a server.
 */
import { invalidRequest, notFound } from './errors';
import { activeGrants, replicaViews, serviceHealth, siteViews, trafficView, type ReplicaView, type ServiceHealth, type SiteView, type TrafficView } from './figures';
import { stateFromSeed, weightTolerance, type Deployment, type FleetState, type Grant, type GrantRef, type ReplicaState, type ServiceState, type SiteState, type ValidFleetSeed } from './model';

export interface GrantDiff {
  add: Grant[];
  remove: GrantRef[];
}

const sameGrant = (a: GrantRef, b: GrantRef) => a.principal === b.principal && a.role === b.role;

export class Fleet {
  private state: FleetState;

  constructor(
    private readonly seed: ValidFleetSeed,
    /** Milliseconds since the epoch; break-glass expiry is measured against it. */
    readonly now: () => number = Date.now,
  ) {
    this.state = stateFromSeed(seed);
  }

  /** Back to the seed: every change and fault undone. */
  reset(): void {
    this.state = stateFromSeed(this.seed);
  }

  // --- reads -----------------------------------------------------------------------------------

  sites(): SiteView[] {
    return siteViews(this.state);
  }

  serviceNames(): string[] {
    return this.state.services.map((service) => service.name);
  }

  replicas(service: string): ReplicaView[] {
    return replicaViews(this.state, this.service(service));
  }

  replica(service: string, id: string): ReplicaView {
    const view = this.replicas(service).find((replica) => replica.id === id);
    if (view === undefined) throw notFound('replica_not_found', `service "${service}" has no replica "${id}"`);
    return view;
  }

  traffic(service: string): TrafficView {
    return trafficView(this.service(service));
  }

  grants(service: string): Grant[] {
    return activeGrants(this.service(service), this.now());
  }

  health(service: string): ServiceHealth {
    return serviceHealth(this.state, this.service(service));
  }

  /** Everything, including what the API never shows elsewhere (stuck, badVersions): for debugging and tests. */
  snapshot() {
    const sites = this.sites();
    const services = this.state.services.map((service) => ({
      name: service.name,
      load: service.load,
      badVersions: [...service.badVersions],
      health: serviceHealth(this.state, service),
      weights: { ...service.weights },
      grants: activeGrants(service, this.now()),
      replicas: replicaViews(this.state, service).map((view) => ({ ...view, stuck: this.replicaState(service.name, view.id).stuck })),
    }));
    return { sites, services, dependencies: structuredClone(this.state.dependencies) };
  }

  // --- changes (what a driver does) --------------------------------------------------------------

  /** `previous ← recorded`, `recorded ← desired`, `actual ← desired` unless the replica is stuck. */
  deploy(service: string, id: string, desired: Deployment): ReplicaView {
    const replica = this.replicaState(service, id);
    replica.previous = replica.recorded;
    replica.recorded = structuredClone(desired);
    if (!replica.stuck) replica.actual = structuredClone(desired);
    return this.replica(service, id);
  }

  setTraffic(service: string, weights: Record<string, number>): TrafficView {
    const target = this.service(service);
    const known = this.state.sites.map((site) => site.name);
    const unknown = Object.keys(weights).filter((site) => !known.includes(site));
    if (unknown.length > 0) throw invalidRequest('unknown_site', `unknown site ${unknown.map((site) => `"${site}"`).join(', ')} (known sites: ${known.join(', ')})`);
    const sum = Object.values(weights).reduce((total, weight) => total + weight, 0);
    if (Math.abs(sum - 100) > weightTolerance) throw invalidRequest('weights_sum', `weights sum to ${sum}, expected 100`);
    target.weights = { ...weights };
    return trafficView(target);
  }

  /** Removes, then adds (an added grant replaces one with the same principal and role). Removing an absent grant is a no-op. */
  applyGrants(service: string, diff: GrantDiff): Grant[] {
    const target = this.service(service);
    this.expireGrants(target);
    target.grants = target.grants.filter((grant) => !diff.remove.some((ref) => sameGrant(grant, ref)));
    for (const grant of diff.add) {
      target.grants = [...target.grants.filter((existing) => !sameGrant(existing, grant)), { ...grant }];
    }
    return this.grants(service);
  }

  revokeGrant(service: string, ref: GrantRef): Grant[] {
    const target = this.service(service);
    this.expireGrants(target);
    if (!target.grants.some((grant) => sameGrant(grant, ref))) {
      throw notFound('grant_not_found', `service "${service}" has no grant ${ref.principal}/${ref.role}`);
    }
    return this.applyGrants(service, { add: [], remove: [ref] });
  }

  // --- faults (the world changing things) -----------------------------------------------------

  /** Deploys `version` (keeping each replica's config) through the normal path and marks it bad. */
  badDeploy(service: string, version: string, ids?: string[]): ReplicaView[] {
    const target = this.service(service);
    const replicas = ids === undefined ? target.replicas : ids.map((id) => this.replicaState(service, id));
    if (!target.badVersions.includes(version)) target.badVersions.push(version);
    return replicas.map((replica) => this.deploy(service, replica.id, { version, config: { ...replica.recorded.config } }));
  }

  /** Merges `config` into what really runs; recorded does not move. */
  driftConfig(service: string, id: string, config: Record<string, string>): ReplicaView {
    const replica = this.replicaState(service, id);
    replica.actual = { version: replica.actual.version, config: { ...replica.actual.config, ...config } };
    return this.replica(service, id);
  }

  /** Opens a temporary grant that expires `ttlMs` from now. */
  openBreakGlass(service: string, ref: GrantRef, ttlMs: number): Grant {
    const grant: Grant = { ...ref, breakGlass: true, expiresAt: new Date(this.now() + ttlMs).toISOString() };
    this.applyGrants(service, { add: [grant], remove: [] });
    return grant;
  }

  setStuck(service: string, id: string, stuck: boolean): void {
    this.replicaState(service, id).stuck = stuck;
  }

  setSiteUp(site: string, up: boolean): SiteView {
    this.siteState(site).up = up;
    return this.siteView(site);
  }

  setCapacity(site: string, capacity: number): SiteView {
    this.siteState(site).capacity = capacity;
    return this.siteView(site);
  }

  /** Returns the sites that list the dependency (all of them degrade while it fails). */
  setDependencyFailing(dependency: string, failing: boolean): string[] {
    const entry = this.state.dependencies[dependency];
    if (entry === undefined) {
      throw notFound('dependency_not_found', `no site depends on "${dependency}" (known: ${Object.keys(this.state.dependencies).join(', ')})`);
    }
    entry.failing = failing;
    return this.state.sites.filter((site) => site.dependencies.includes(dependency)).map((site) => site.name);
  }

  // --- lookups ---------------------------------------------------------------------------------

  private service(name: string): ServiceState {
    const service = this.state.services.find((candidate) => candidate.name === name);
    if (service === undefined) throw notFound('service_not_found', `no service "${name}" (known: ${this.serviceNames().join(', ')})`);
    return service;
  }

  private replicaState(service: string, id: string): ReplicaState {
    const replica = this.service(service).replicas.find((candidate) => candidate.id === id);
    if (replica === undefined) throw notFound('replica_not_found', `service "${service}" has no replica "${id}"`);
    return replica;
  }

  private siteState(name: string): SiteState {
    const site = this.state.sites.find((candidate) => candidate.name === name);
    if (site === undefined) throw notFound('site_not_found', `no site "${name}" (known: ${this.state.sites.map((known) => known.name).join(', ')})`);
    return site;
  }

  private siteView(name: string): SiteView {
    const view = this.sites().find((site) => site.name === name);
    if (view === undefined) throw notFound('site_not_found', `no site "${name}"`);
    return view;
  }

  private expireGrants(service: ServiceState): void {
    service.grants = activeGrants(service, this.now());
  }
}
