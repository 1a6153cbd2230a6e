/**
 * The worker's activities, keyed by the catalog's action and check names and the driver interfaces'
 * names (model/drivers.ts): the activity type IS the name. Workflows import `ReboundActivities`
 * with `import type` only.
 */
import type { Logger } from 'pino';
import type { ActionRequest, ActionResult, CheckRequest, Observation } from '../model/action-contract';
import type { ActionName, CheckName } from '../model/catalog';
import type { Inventory } from '../model/inventory';
import { createDriverActivities } from './drivers';
import { createExec } from './exec';
import { createHttpCheck } from './http-check';
import { createHttpRequest } from './http-request';
import { createPrometheusQuery } from './prometheus-query';
import { createNoop } from './noop';

export interface ActivityDeps {
  /** See `ExecDeps.execAllowList` for how entries match. */
  readonly execAllowList: readonly string[];
  readonly logger: Logger;
  /** What the driver activities act on; without it they fail with a `NoInventory` failure. */
  readonly inventory?: Inventory | undefined;
}

type ActionActivities = Record<ActionName, (request: ActionRequest) => Promise<ActionResult>>;
type CheckActivities = Record<CheckName, (request: CheckRequest) => Promise<Observation>>;

export function createActivities(deps: ActivityDeps) {
  const catalogActivities = {
    'http.request': createHttpRequest(deps),
    exec: createExec(deps),
    noop: createNoop(deps),
    'http.check': createHttpCheck(deps),
    'prometheus.query': createPrometheusQuery(deps),
  } satisfies ActionActivities & CheckActivities;
  return { ...catalogActivities, ...createDriverActivities(deps) };
}

export type ReboundActivities = ReturnType<typeof createActivities>;
