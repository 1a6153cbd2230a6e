/** What every route file is given: the fleet and its ledger. */
import type { IdempotencyLedger } from '../ledger';
import type { Fleet } from '../state';

export interface FleetContext {
  fleet: Fleet;
  ledger: IdempotencyLedger;
  /** Restores the seed, clears faults and the ledger. */
  reset(): void;
}

export type ServiceParams = { service: string };
