/**
 * The pure parts of a staged rollback, shared by the `rollback` step (workflows/steps/rollback.ts)
 * and `rebound plan`: comparing deployments, the drift check, and wave boundaries.
 */
import { resolveCount } from './counts';
import type { Deployment, TargetObservation } from './drivers';
import type { RollbackSpec } from './steps/rollback';

export function sameDeployment(a: Deployment | null | undefined, b: Deployment | null | undefined): boolean {
  if (!a || !b || a.version !== b.version) return false;
  const keys = new Set([...Object.keys(a.config), ...Object.keys(b.config)]);
  return [...keys].every((key) => a.config[key] === b.config[key]);
}

export function formatDeployment(deployment: Deployment | null | undefined): string {
  if (!deployment) return 'nothing recorded';
  const config = Object.entries(deployment.config).map(([key, value]) => `${key}=${value}`).join(',');
  return config ? `${deployment.version} {${config}}` : deployment.version;
}

/** Targets whose observed state differs from the recorded one: drift, which halts a rollback unless `onDrift: proceed`. */
export function driftedTargets(observations: readonly TargetObservation[]): TargetObservation[] {
  return observations.filter((target) => !sameDeployment(target.observed, target.recorded));
}

/** Wave boundaries: cumulative counts, the last one always covering every target. */
export function waveBoundaries(waves: RollbackSpec['waves'], total: number): number[] {
  const counts = waves.map((wave) => resolveCount(wave, total));
  if (counts.at(-1) !== total) counts.push(total);
  return counts.filter((count, index) => count > (counts[index - 1] ?? 0));
}
