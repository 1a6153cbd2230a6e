/**
 * Idempotency: one entry per Idempotency-Key, so a retried change is answered from the ledger
 * instead of being applied again, and tests can prove that an effect happened once.
 */
import { createHash } from 'node:crypto';
import { FleetError } from './errors';

export interface ChangeRequest {
  method: string;
  /** The request path as sent (e.g. `/v1/services/checkout/traffic`). */
  path: string;
  body: unknown;
}

export interface LedgerEntry {
  key: string;
  method: string;
  path: string;
  /** Canonical JSON of the body, hashed: the same body in any key order matches. */
  bodyHash: string;
  status: number;
  response: unknown;
  /** When the change was applied (ISO). */
  at: string;
  /** How many times the key came back after the first time. */
  replays: number;
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function bodyHash(body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

export class IdempotencyLedger {
  private readonly entries = new Map<string, LedgerEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The earlier answer for `key` (counting a replay), or undefined when the key is new.
   * Throws a 409 when the key was used for a different request.
   */
  replay(key: string, request: ChangeRequest): LedgerEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.method !== request.method || entry.path !== request.path || entry.bodyHash !== bodyHash(request.body)) {
      throw new FleetError(409, 'idempotency_key_reused', `Idempotency-Key "${key}" was first used for ${entry.method} ${entry.path} with a different request`);
    }
    entry.replays += 1;
    return entry;
  }

  /** Records a change that took effect; refused requests are not recorded, so the key may be used again. */
  record(key: string, request: ChangeRequest, status: number, response: unknown): void {
    const { method, path, body } = request;
    this.entries.set(key, { key, method, path, bodyHash: bodyHash(body), status, response, at: new Date(this.now()).toISOString(), replays: 0 });
  }

  /** What `GET /v1/ledger` shows, oldest first. */
  list(): { key: string; method: string; path: string; status: number; at: string; replays: number }[] {
    return [...this.entries.values()].map(({ key, method, path, status, at, replays }) => ({ key, method, path, status, at, replays }));
  }

  clear(): void {
    this.entries.clear();
  }
}
