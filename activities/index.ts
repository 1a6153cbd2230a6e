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
import { processSecretSource, withSecrets, type SecretSource } from './secrets';

export interface ActivityDeps {
  /** See `ExecDeps.execAllowList` for how entries match. */
  readonly execAllowList: readonly string[];
  readonly logger: Logger;
  /** What the driver activities act on; without it they fail with a `NoInventory` failure. */
  readonly inventory?: Inventory | undefined;
  /** Where `{{ secret.NAME }}` values come from; default: REBOUND_SECRETS_DIR and the worker's environment, read at each use. */
  readonly secrets?: () => SecretSource;
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
  const all = { ...catalogActivities, ...createDriverActivities(deps) };
  // Every activity, so that no action or check can see an unresolved secret or return a resolved one.
  const source = deps.secrets ?? processSecretSource;
  return Object.fromEntries(Object.entries(all).map(([name, activity]) => [name, withSecrets(activity as (request: unknown) => Promise<unknown>, source)])) as typeof all;
}

export type ReboundActivities = ReturnType<typeof createActivities>;
