/**
 * Group commit per recovery. Every Temporal call for one workflow is a write to that workflow's
 * history, serialized by the server, so a storm (many notifications for few recoveries) is limited
 * by calls per workflow, not by the webhook. While a call for a lane (a workflow id) is in flight,
 * further items for it wait here; the next call carries all of them (up to a batch bound), in the
 * order they arrived. A request's promise settles only once every call carrying one of its items
 * was answered: with every result, or with the first failure. Items of a request that failed or
 * timed out and are still waiting are withdrawn: they are never sent after the sender was told 503.
 */

/** Thrown by `submit` when the queue cannot take the request's items: the sender is told 503 and retries. */
export class CoalescerFullError extends Error {
  override readonly name = 'CoalescerFullError';
}

/** Thrown when a request's items were not all accepted within its time limit. */
export class CoalescerTimeoutError extends Error {
  override readonly name = 'CoalescerTimeoutError';
}

export interface CoalescerOptions<Item, Result> {
  /**
   * One call carrying `items` of `lane`, in arrival order; resolves with one result per item, in the
   * same order. `deadline` (epoch ms) is the latest time limit of the requests it carries: the
   * oldest request in a batch must not doom the younger ones with a deadline about to pass (it is
   * answered when the call ends, at most one time limit late).
   */
  send(lane: string, items: Item[], deadline: number): Promise<Result[]>;
  /** Items waiting (not in flight) across all lanes; a request that would pass it is refused whole. */
  maxQueued: number;
  /** Items per call. */
  maxBatchItems: number;
  /** Sum of `weigh` per call (e.g. encoded bytes, under Temporal's payload limits); one item alone may pass it. */
  maxBatchWeight: number;
  weigh(item: Item): number;
}

export interface CoalescerStats {
  /** Items waiting for a call. */
  queued: number;
  /** Calls in flight (at most one per lane). */
  inFlight: number;
}

interface Waiting<Item, Result> {
  item: Item;
  weight: number;
  deadline: number;
  sent: boolean;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

interface Lane<Item, Result> {
  waiting: Waiting<Item, Result>[];
  busy: boolean;
}

export interface Coalescer<Item, Result> {
  /** Queues the items (each for its lane) and settles once all were answered, or on the first failure or after `timeoutMs`. */
  submit(entries: readonly { lane: string; item: Item }[], timeoutMs: number): Promise<Result[]>;
  stats(): CoalescerStats;
  /** Settles once no call is in flight (calls whose requests were already answered included): before the client closes. */
  idle(): Promise<void>;
}

export function createCoalescer<Item, Result>(options: CoalescerOptions<Item, Result>): Coalescer<Item, Result> {
  const lanes = new Map<string, Lane<Item, Result>>();
  let queued = 0;
  let inFlight = 0;
  const idleWaiters: (() => void)[] = [];

  function pump(key: string): void {
    const lane = lanes.get(key);
    if (lane === undefined || lane.busy) return;
    if (lane.waiting.length === 0) {
      lanes.delete(key);
      return;
    }
    const batch: Waiting<Item, Result>[] = [];
    let weight = 0;
    while (lane.waiting.length > 0 && batch.length < options.maxBatchItems) {
      const next = lane.waiting[0]!;
      if (batch.length > 0 && weight + next.weight > options.maxBatchWeight) break;
      lane.waiting.shift();
      next.sent = true;
      weight += next.weight;
      batch.push(next);
    }
    queued -= batch.length;
    lane.busy = true;
    inFlight += 1;
    const settle = (outcome: { results: Result[] } | { error: unknown }) => {
      inFlight -= 1;
      lane.busy = false;
      batch.forEach((waiting, index) => {
        if ('error' in outcome) waiting.reject(outcome.error);
        else waiting.resolve(outcome.results[index]!);
      });
      pump(key);
      if (inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
    };
    let call: Promise<Result[]>;
    try {
      call = options.send(
        key,
        batch.map((waiting) => waiting.item),
        Math.max(...batch.map((waiting) => waiting.deadline)),
      );
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (results) => settle(results.length === batch.length ? { results } : { error: new Error(`send answered ${results.length} results for ${batch.length} items`) }),
      (error: unknown) => settle({ error }),
    );
  }

  function withdraw(key: string, waiting: Waiting<Item, Result>): void {
    if (waiting.sent) return;
    const lane = lanes.get(key);
    const index = lane?.waiting.indexOf(waiting) ?? -1;
    if (index < 0) return;
    lane!.waiting.splice(index, 1);
    queued -= 1;
    if (lane!.waiting.length === 0 && !lane!.busy) lanes.delete(key);
  }

  return {
    submit(entries, timeoutMs) {
      if (entries.length === 0) return Promise.resolve([]);
      if (queued + entries.length > options.maxQueued) {
        return Promise.reject(new CoalescerFullError(`${queued} alerts are already waiting for Temporal (limit ${options.maxQueued}); retry later`));
      }
      const deadline = Date.now() + timeoutMs;
      const queuedHere: { key: string; waiting: Waiting<Item, Result> }[] = [];
      const answers = entries.map(
        ({ lane: key, item }) =>
          new Promise<Result>((resolve, reject) => {
            const waiting: Waiting<Item, Result> = { item, weight: options.weigh(item), deadline, sent: false, resolve, reject };
            let lane = lanes.get(key);
            if (lane === undefined) lanes.set(key, (lane = { waiting: [], busy: false }));
            lane.waiting.push(waiting);
            queued += 1;
            queuedHere.push({ key, waiting });
          }),
      );
      for (const key of new Set(entries.map((entry) => entry.lane))) pump(key);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        // At the deadline, items still waiting are withdrawn and the request fails at once. Items
        // already sent are not abandoned: their calls carry this deadline or a later one and fail by
        // themselves, with Temporal's reason, so the answer never comes before the call carrying it ended.
        timer = setTimeout(() => {
          const waiting = queuedHere.filter(({ waiting: item }) => !item.sent);
          for (const { key, waiting: item } of waiting) withdraw(key, item);
          if (waiting.length > 0) reject(new CoalescerTimeoutError(`Temporal did not accept the alerts within ${timeoutMs} ms (${waiting.length} still waiting for an earlier call of their recovery)`));
        }, timeoutMs);
      });
      return Promise.race([Promise.all(answers), timeout]).then(
        (results) => {
          clearTimeout(timer);
          return results;
        },
        (error: unknown) => {
          clearTimeout(timer);
          for (const { key, waiting } of queuedHere) withdraw(key, waiting);
          throw error;
        },
      );
    },
    stats: () => ({ queued, inFlight }),
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
  };
}
