/**
 * What the fleet says after a run, normalized so an undisturbed run and a chaos run compare: the
 * ledger of effects per service (idempotency keys without the run id, which differs per run), and
 * each service's final replicas, traffic and grants.
 */
import type { TestFleet } from '../helpers/fleet';

interface LedgerEntry {
  key: string;
  method: string;
  path: string;
  replays: number;
}

export interface RecoveryRef {
  service: string;
  workflowId: string;
  firstExecutionRunId: string;
}

export interface FleetSnapshot {
  /** Per service: `METHOD path key` of every effect, sorted. */
  effects: Record<string, string[]>;
  /** Effects whose key was sent again and answered from the ledger (work re-done after a kill). */
  replays: number;
  /** Per service: final replicas, traffic and grants. */
  state: Record<string, unknown>;
}

export async function snapshotFleet(fleet: TestFleet, recoveries: readonly RecoveryRef[]): Promise<FleetSnapshot> {
  const ledger = await fleet.get<LedgerEntry[]>('/v1/ledger');
  const effects: Record<string, string[]> = {};
  let replays = 0;
  for (const entry of ledger) {
    const recovery = recoveries.find((candidate) => entry.key.startsWith(`${candidate.workflowId}/${candidate.firstExecutionRunId}/`));
    const service = recovery?.service ?? 'unattributed';
    const key = recovery ? entry.key.replace(`/${recovery.firstExecutionRunId}/`, '/') : entry.key;
    (effects[service] ??= []).push(`${entry.method} ${entry.path} ${key}`);
    replays += entry.replays;
  }
  for (const list of Object.values(effects)) list.sort();
  const state: Record<string, unknown> = {};
  for (const { service } of recoveries) {
    const replicas = await fleet.get<Array<{ id: string; actual: unknown; recorded: unknown }>>(`/v1/services/${service}/replicas`);
    const traffic = await fleet.get<{ weights: Record<string, number> }>(`/v1/services/${service}/traffic`);
    const grants = await fleet.get<Array<{ principal: string; role: string; breakGlass: boolean }>>(`/v1/services/${service}/grants`);
    state[service] = {
      replicas: replicas.map(({ id, actual, recorded }) => ({ id, actual, recorded })),
      traffic: Object.fromEntries(Object.entries(traffic.weights).filter(([, weight]) => weight > 0)),
      grants: grants.map(({ principal, role, breakGlass }) => `${principal}/${role}${breakGlass ? ' (break-glass)' : ''}`).sort(),
    };
  }
  return { effects, replays, state };
}

/** Effects in `actual` but not in `expected` (duplicates), and the other way round (lost), as multisets. */
export function compareEffects(expected: readonly string[], actual: readonly string[]): { extra: string[]; missing: string[] } {
  const remaining = [...expected];
  const extra: string[] = [];
  for (const effect of actual) {
    const index = remaining.indexOf(effect);
    if (index === -1) extra.push(effect);
    else remaining.splice(index, 1);
  }
  return { extra, missing: remaining };
}
