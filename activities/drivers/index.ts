/**
 * The driver activities (`deployments.*`, `traffic.*`, `access.*`) of the driver the inventory
 * names; without an inventory they exist but fail, saying how to configure one.
 */
import type { Logger } from 'pino';
import type { DriverActivities, DriverCall } from '../../model/drivers';
import type { Inventory } from '../../model/inventory';
import { runAttempt } from '../activity-attempt';
import { noInventory } from './driver-failures';
import { createFleetDriver } from './fleet-driver';

export interface DriverDeps {
  /** Loaded from REBOUND_INVENTORY at worker start. */
  readonly inventory?: Inventory | undefined;
  readonly logger: Logger;
}

export function createDriverActivities({ inventory, logger }: DriverDeps): DriverActivities {
  if (inventory === undefined) return withoutInventory(logger);
  return createFleetDriver({ inventory, logger });
}

/** Registered all the same, so a runbook gets a clear non-retryable failure instead of an unknown activity type. */
function withoutInventory(logger: Logger): DriverActivities {
  const failing = (activity: keyof DriverActivities) => (call: DriverCall<unknown>) =>
    runAttempt(logger, activity, call, 'debug', (): Promise<never> => Promise.reject(noInventory(activity)));
  return {
    'deployments.observe': failing('deployments.observe'),
    'deployments.apply': failing('deployments.apply'),
    'traffic.read': failing('traffic.read'),
    'traffic.shift': failing('traffic.shift'),
    'traffic.sites': failing('traffic.sites'),
    'access.read': failing('access.read'),
    'access.apply': failing('access.apply'),
    'access.revoke': failing('access.revoke'),
  };
}
