/** The per-recovery group commit, with a controllable `send` standing in for Temporal. */
import { CoalescerFullError, CoalescerTimeoutError, createCoalescer, type CoalescerOptions } from '../../server/delivery-coalescer';

interface Call {
  lane: string;
  items: string[];
  answer(): void;
  fail(error: Error): void;
}

/** A coalescer whose calls wait until the test answers or fails them. */
function controlled(options: Partial<CoalescerOptions<string, string>> = {}) {
  const calls: Call[] = [];
  const coalescer = createCoalescer<string, string>({
    send: (lane, items) =>
      new Promise((resolve, reject) => {
        calls.push({ lane, items, answer: () => resolve(items.map((item) => `${item} accepted`)), fail: reject });
      }),
    maxQueued: 100,
    maxBatchItems: 100,
    maxBatchWeight: 1000,
    weigh: (item) => item.length,
    ...options,
  });
  return { coalescer, calls };
}

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([promise.then(() => true, () => true), Promise.resolve(marker)])) !== marker;
}

const entries = (lane: string, ...items: string[]) => items.map((item) => ({ lane, item }));

describe('delivery coalescer', () => {
  it('sends what queued during a call as the next call, in arrival order, one call per lane at a time', async () => {
    const { coalescer, calls } = controlled();
    const first = coalescer.submit(entries('r/a', 'a1'), 10_000);
    const second = coalescer.submit(entries('r/a', 'a2', 'a3'), 10_000);
    const third = coalescer.submit(entries('r/a', 'a4'), 10_000);
    const other = coalescer.submit(entries('r/b', 'b1'), 10_000);
    expect(calls.map((call) => [call.lane, call.items])).toEqual([
      ['r/a', ['a1']],
      ['r/b', ['b1']],
    ]);
    expect(coalescer.stats()).toEqual({ queued: 3, inFlight: 2 });

    calls[0]!.answer();
    expect(await first).toEqual(['a1 accepted']);
    // a2..a4 waited for the first call and travel together, in the order they came.
    expect(calls.map((call) => call.items)).toEqual([['a1'], ['b1'], ['a2', 'a3', 'a4']]);
    expect(await settled(second)).toBe(false);
    calls[2]!.answer();
    expect(await second).toEqual(['a2 accepted', 'a3 accepted']);
    expect(await third).toEqual(['a4 accepted']);
    calls[1]!.answer();
    expect(await other).toEqual(['b1 accepted']);
    expect(coalescer.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it('answers a request only once every call carrying its items was answered', async () => {
    const { coalescer, calls } = controlled();
    const request = coalescer.submit([...entries('r/a', 'a1'), ...entries('r/b', 'b1')], 10_000);
    calls[0]!.answer();
    await Promise.resolve();
    expect(await settled(request)).toBe(false);
    calls[1]!.answer();
    expect(await request).toEqual(['a1 accepted', 'b1 accepted']);
  });

  it('fails every request of a failed call and reports none of them accepted; the lane goes on with the next call', async () => {
    const { coalescer, calls } = controlled();
    const blocker = coalescer.submit(entries('r/a', 'a0'), 10_000);
    const carried = coalescer.submit(entries('r/a', 'a1'), 10_000);
    const spanning = coalescer.submit([...entries('r/a', 'a2'), ...entries('r/b', 'b1')], 10_000);
    calls[0]!.answer();
    await blocker;
    const batch = calls.find((call) => call.items.includes('a1'))!;
    expect(batch.items).toEqual(['a1', 'a2']);
    batch.fail(new Error('Temporal unavailable'));
    await expect(carried).rejects.toThrow('Temporal unavailable');
    // Its other lane's call succeeds, but the request is not accepted as a whole.
    calls.find((call) => call.lane === 'r/b')!.answer();
    await expect(spanning).rejects.toThrow('Temporal unavailable');

    const later = coalescer.submit(entries('r/a', 'a3'), 10_000);
    expect(calls.at(-1)!.items).toEqual(['a3']);
    calls.at(-1)!.answer();
    expect(await later).toEqual(['a3 accepted']);
  });

  it('withdraws the waiting items of a failed request: they are never sent after the sender was refused', async () => {
    const { coalescer, calls } = controlled();
    const request = coalescer.submit([...entries('r/a', 'a1'), ...entries('r/b', 'b1')], 10_000);
    const waiting = coalescer.submit([...entries('r/b', 'b2'), ...entries('r/a', 'a2')], 10_000);
    // b2 waits behind b1; a2 waits behind a1. a1's call fails: `request` fails, `waiting` is unaffected so far.
    calls[0]!.fail(new Error('down'));
    await expect(request).rejects.toThrow('down');
    // a2 was sent next, alone; its failure withdraws b2, still waiting behind b1.
    expect(calls.at(-1)!.items).toEqual(['a2']);
    calls.at(-1)!.fail(new Error('still down'));
    await expect(waiting).rejects.toThrow('still down');
    expect(coalescer.stats()).toEqual({ queued: 0, inFlight: 1 });
    calls[1]!.answer();
    await Promise.resolve();
    expect(calls.flatMap((call) => call.items)).toEqual(['a1', 'b1', 'a2']);
  });

  it('refuses a request whole when the queue cannot take all its items', async () => {
    const { coalescer, calls } = controlled({ maxQueued: 3 });
    const inFlight = coalescer.submit(entries('r/a', 'a0'), 10_000);
    const queued = coalescer.submit(entries('r/a', 'a1', 'a2'), 10_000);
    expect(coalescer.stats().queued).toBe(2);
    await expect(coalescer.submit(entries('r/a', 'a3', 'a4'), 10_000)).rejects.toThrow(CoalescerFullError);
    expect(coalescer.stats().queued).toBe(2);
    const fits = coalescer.submit(entries('r/a', 'a3'), 10_000);
    calls[0]!.answer();
    await inFlight;
    expect(calls[1]!.items).toEqual(['a1', 'a2', 'a3']);
    calls[1]!.answer();
    expect([await queued, await fits]).toEqual([['a1 accepted', 'a2 accepted'], ['a3 accepted']]);
  });

  it('bounds a call by items and by weight, one item alone may pass the weight', async () => {
    const { coalescer, calls } = controlled({ maxBatchItems: 2, maxBatchWeight: 10 });
    const first = coalescer.submit(entries('r/a', 'first'), 10_000);
    const rest = coalescer.submit(entries('r/a', 'x', 'y', 'z', 'long-item-1', 'long-item-2'), 10_000);
    const answerLast = async () => {
      calls.at(-1)!.answer();
      await new Promise((resolve) => setImmediate(resolve));
    };
    for (let call = 0; call < 5; call += 1) await answerLast();
    expect(calls.map((call) => call.items)).toEqual([['first'], ['x', 'y'], ['z'], ['long-item-1'], ['long-item-2']]);
    expect([...(await first), ...(await rest)]).toHaveLength(6);
  });

  it('fails a request not answered within its time limit and withdraws its waiting items', async () => {
    const { coalescer, calls } = controlled();
    const first = coalescer.submit(entries('r/a', 'a0'), 10_000);
    const late = coalescer.submit(entries('r/a', 'a1'), 20);
    await expect(late).rejects.toThrow(CoalescerTimeoutError);
    expect(coalescer.stats()).toEqual({ queued: 0, inFlight: 1 });
    calls[0]!.answer();
    expect(await first).toEqual(['a0 accepted']);
    expect(calls.map((call) => call.items)).toEqual([['a0']]);
  });

  it('past the deadline, waits for a call already carrying the request: the answer never comes before the call ended', async () => {
    const { coalescer, calls } = controlled();
    const request = coalescer.submit(entries('r/a', 'a0'), 20);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await settled(request)).toBe(false);
    const idle = coalescer.idle();
    calls[0]!.fail(new Error('DEADLINE_EXCEEDED'));
    await expect(request).rejects.toThrow('DEADLINE_EXCEEDED');
    await idle;
    expect(coalescer.stats()).toEqual({ queued: 0, inFlight: 0 });
  });
});
