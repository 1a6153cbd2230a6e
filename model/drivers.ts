/**
 * The driver interfaces the recovery primitives are written against. A driver (the demo fleet
 * today; Kubernetes or a cloud later) implements them as activities named `<interface>.<verb>`,
 * e.g. `deployments.observe`. Pure types: workflows import them with `import type`.
 * Every mutating call carries an idempotency key the driver passes on to the system it changes.
 */

export interface Deployment {
  version: string;
  config: Record<string, string>;
}

/** One deployable unit (a replica) as a driver observes it. */
export interface TargetObservation {
  target: string;
  service: string;
  site: string;
  /** What really runs. */
  observed: Deployment;
  /** What the deployment system last applied (believes is running). */
  recorded: Deployment;
  /** What was recorded before the last change: the default known-good state to return to. */
  previous: Deployment | null;
  healthy: boolean;
  errorRatio: number;
}

export interface SiteObservation {
  site: string;
  region: string;
  zone: string;
  dependencies: string[];
  /** Requests per second the site can serve. */
  capacity: number;
  /** Requests per second it serves now. */
  load: number;
  up: boolean;
  healthy: boolean;
  errorRatio: number;
}

export interface TrafficObservation {
  service: string;
  /** Requests per second across all sites. */
  load: number;
  /** Percent of the service's traffic per site; sums to 100. */
  weights: Record<string, number>;
}

export interface Grant {
  principal: string;
  role: string;
  /** A temporary emergency grant, opened during an incident; always revoked at the end of a recovery. */
  breakGlass?: boolean;
  expiresAt?: string;
}

export interface GrantDiff {
  add: Grant[];
  remove: Pick<Grant, 'principal' | 'role'>[];
}

/** Requests the interpreter sends to driver activities. */
export interface DriverCall<Input> {
  input: Input;
  /** For mutations: `<workflowId>/<firstRunId>/<stepId>[/<target>][/<purpose>]`. */
  idempotencyKey?: string;
  runbook: string;
  step: string;
}

/** Activity signatures of the three driver interfaces (activity name → function). */
export interface DeploymentsDriver {
  /** Replicas of a service, optionally only those on some sites or with some ids. */
  'deployments.observe'(call: DriverCall<{ service: string; sites?: string[]; targets?: string[] }>): Promise<TargetObservation[]>;
  'deployments.apply'(call: DriverCall<{ service: string; target: string; desired: Deployment }>): Promise<TargetObservation>;
}

export interface TrafficDriver {
  'traffic.read'(call: DriverCall<{ service: string }>): Promise<TrafficObservation>;
  'traffic.shift'(call: DriverCall<{ service: string; weights: Record<string, number> }>): Promise<TrafficObservation>;
  'traffic.sites'(call: DriverCall<{ sites?: string[] }>): Promise<SiteObservation[]>;
}

export interface AccessDriver {
  'access.read'(call: DriverCall<{ service: string }>): Promise<Grant[]>;
  'access.apply'(call: DriverCall<{ service: string; diff: GrantDiff }>): Promise<Grant[]>;
  'access.revoke'(call: DriverCall<{ service: string; principal: string; role: string }>): Promise<Grant[]>;
}

export type DriverActivities = DeploymentsDriver & TrafficDriver & AccessDriver;
