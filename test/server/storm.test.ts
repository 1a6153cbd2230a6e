/**
 * An alert storm over real HTTP to a real `rebound serve` process: 5,000 Alertmanager notifications
 * for 50 keys (exact re-sends, resolutions, re-fires from a new startsAt), sent concurrently. Every
 * one is answered 202, exactly one recovery runs per key, and every notification is accounted for in
 * the recoveries' state.
 */
import path from 'node:path';
import { planStorm, recordId, sendStorm } from '../../bench/alert-storm';
import { findFreePort } from '../../runtime/free-port';
import { stateQuery } from '../../workflows/queries';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';
import { testToken } from '../helpers/webhook';

// WAL: the dev server's SQLite is what limits a storm here (bench/README.md, scenario webhook).
const bed = useTestbed('alert-storm', { sqlitePragmas: ['journal_mode=wal', 'synchronous=normal'] });
const runbooksDir = path.join(__dirname, '..', 'fixtures', 'runbooks-alert-e2e');
let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServeProcess(['--runbooks', runbooksDir], {
    REBOUND_HTTP_PORT: String(await findFreePort()),
    REBOUND_WEBHOOK_TOKEN: testToken,
    TEMPORAL_ADDRESS: bed.temporal.address,
    REBOUND_TASK_QUEUE: bed.taskQueue,
  });
}, 60_000);
afterAll(async () => {
  await serve?.stop();
});

/** Recoveries of the storm runbook as Temporal's visibility lists them: workflow id → run ids. */
async function listedRecoveries(): Promise<Map<string, string[]>> {
  const runs = new Map<string, string[]>();
  for await (const execution of bed.client.workflow.list({ query: 'ReboundRunbook = "storm-hold"' })) {
    runs.set(execution.workflowId, [...(runs.get(execution.workflowId) ?? []), execution.runId]);
  }
  return runs;
}

// Requests in flight: several per key, so that the server coalesces them (one Temporal call per
// recovery at a time, carrying what queued meanwhile); each key's opening re-sends race each other
// to start its recovery.
const concurrency = 200;
const openingResends = 10;

it('starts exactly one recovery per key for 5,000 concurrent notifications of 50 keys, answers all 202, and records every one', async () => {
  const plan = planStorm({ keys: 50, notifications: 5000, alertname: 'StormAlert', keyPrefix: 'storm', openingResends });
  const url = `${serve.url}/v1/alerts/alertmanager`;
  // Each key's first firing alert (10 re-sends each, racing to start), then the rest: a resolved
  // notification only reaches a recovery in flight, as when Alertmanager sends firing before resolved.
  const opening = await sendStorm(url, testToken, plan.opening, concurrency);
  const rest = await sendStorm(url, testToken, plan.rest, concurrency);
  expect([...opening.failures, ...rest.failures]).toEqual([]);
  expect(opening.statuses.get(202)! + rest.statuses.get(202)!).toBe(5000);

  // Every notification is in the state of its key's recovery: each record seen as often as it was sent.
  const workflowIds = plan.keys.map((key) => `storm-hold/${key}`);
  const recorded = async () =>
    Promise.all(workflowIds.map(async (workflowId) => (await bed.client.workflow.getHandle(workflowId).query(stateQuery)).alerts));
  const seen = async () => (await recorded()).flat().reduce((sum, alert) => sum + alert.timesSeen, 0);
  // The signals were accepted before the 202s; the worker may still be applying the last ones.
  await waitFor(async () => (await seen()) === 5000, 'every accepted notification to be applied by the recoveries', 60_000, 250);
  const states = await recorded();
  plan.keys.forEach((key, index) => {
    const counts = Object.fromEntries(states[index]!.map((alert) => [recordId(alert), alert.timesSeen]));
    expect({ key, counts }).toEqual({ key, counts: Object.fromEntries(plan.expected.get(key)!) });
  });

  // Exactly one recovery per key: 50 workflow ids, one run each, all still running.
  await waitFor(async () => (await listedRecoveries()).size === 50, 'visibility to list the 50 recoveries', 30_000, 250);
  const listed = await listedRecoveries();
  expect([...listed.keys()].sort()).toEqual([...workflowIds].sort());
  expect([...listed.values()].filter((runs) => runs.length !== 1)).toEqual([]);
  const statuses = await Promise.all(workflowIds.map(async (workflowId) => (await bed.client.workflow.getHandle(workflowId).describe()).status.name));
  expect(new Set(statuses)).toEqual(new Set(['RUNNING']));

  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  expect(metrics).toMatch(/rebound_alerts_accepted_total\{source="alertmanager"\} 5000\n/);
  expect(metrics).not.toMatch(/rebound_alerts_resolved_without_recovery_total\{[^}]*\} [1-9]/);
  // Exactly 50 calls reported that they started a run; every other delivery joined one (or, resolved
  // notifications coalesced without a firing one, was signalled to it).
  expect(metrics).toMatch(/rebound_alert_recoveries_started_total\{runbook="storm-hold"\} 50\n/);
  expect(metrics).toMatch(/rebound_alert_deliveries_total\{runbook="storm-hold",outcome="started"\} \d+\n/);
  const deliveries = (outcome: string) => Number(new RegExp(`rebound_alert_deliveries_total\\{runbook="storm-hold",outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  expect(deliveries('started') + deliveries('joined') + deliveries('signalled')).toBe(5000);
  expect(deliveries('not-running')).toBe(0);
  const calls = Number(/rebound_alerts_per_temporal_call_count (\d+)/.exec(metrics)?.[1]);
  process.stderr.write(`storm: opening ${plan.opening.length} in ${Math.round(opening.durationMs)} ms, rest ${plan.rest.length} in ${Math.round(rest.durationMs)} ms, ${calls} Temporal calls\n`);
}, 600_000);
