/**
 * The worker's activities, keyed by the catalog's action and check names: the activity type IS the
 * name. Workflows import `ReboundActivities` with `import type` only.
 */
import type { Logger } from 'pino';
import type { ActionRequest, ActionResult, CheckRequest, Observation } from '../model/action-contract';
import type { ActionName, CheckName } from '../model/catalog';
import { createExec } from './exec';
import { createHttpCheck } from './http-check';
import { createHttpRequest } from './http-request';
import { createNoop } from './noop';

export interface ActivityDeps {
  /** See `ExecDeps.execAllowList` for how entries match. */
  readonly execAllowList: readonly string[];
  readonly logger: Logger;
}

type ActionActivities = Record<ActionName, (request: ActionRequest) => Promise<ActionResult>>;
type CheckActivities = Record<CheckName, (request: CheckRequest) => Promise<Observation>>;

export function createActivities(deps: ActivityDeps) {
  return {
    'http.request': createHttpRequest(deps),
    exec: createExec(deps),
    noop: createNoop(deps),
    'http.check': createHttpCheck(deps),
  } satisfies ActionActivities & CheckActivities;
}

export type ReboundActivities = ReturnType<typeof createActivities>;
