/**
 * The demo fleet in a child process of the benchmark (bench/rollback-fleet.ts forks it), so that
 * the bench process's RSS and CPU are the worker's (and the client's), not the fleet's.
 *
 * Protocol (IPC): the parent sends the seed; the child answers `{ url }` or `{ error }`. Then
 * `'stats'` is answered with `{ peakRss, cpuMs }`: the child's own peak RSS since the last such
 * question (sampled every 50 ms) and its CPU time since it started. The child exits when the parent
 * disconnects, also when the parent dies.
 */
import { startFleet, type FleetSeed, type RunningFleet } from '../examples/fleet/server';

export type FleetProcessAnswer = { url: string } | { error: string } | { peakRss: number; cpuMs: number };

const sampleEveryMs = 50;

function send(answer: FleetProcessAnswer): void {
  process.send?.(answer);
}

let fleet: RunningFleet | undefined;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, sampleEveryMs);

// Ctrl-C reaches the whole process group: the parent decides when the fleet stops (it may still be
// cancelling a run that talks to it), by disconnecting.
process.on('SIGINT', () => undefined);
process.once('disconnect', () => {
  clearInterval(sampler);
  const closing = fleet?.close() ?? Promise.resolve();
  closing.then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    const peak = Math.max(peakRss, process.memoryUsage().rss);
    peakRss = process.memoryUsage().rss;
    const cpu = process.cpuUsage();
    send({ peakRss: peak, cpuMs: (cpu.user + cpu.system) / 1000 });
    return;
  }
  if (fleet !== undefined) return;
  startFleet({ seed: message as FleetSeed, port: 0 }).then(
    (started) => {
      fleet = started;
      send({ url: started.url });
    },
    (error: unknown) => send({ error: error instanceof Error ? error.message : String(error) }),
  );
});
