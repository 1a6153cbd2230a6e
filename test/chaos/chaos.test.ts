/**
 * The chaos suite (issue 6). `npm test` runs the short version; `npm run chaos` the full one
 * (CHAOS=full: 12 concurrent recoveries, 24 worker kills, 2 Temporal server restarts, 30 alerts
 * through a twice-killed webhook server). CHAOS_SEED=<n> replays the kill timing of a run.
 *
 * Every scenario first runs undisturbed (the reference); then the same scenarios run again on a
 * reset fleet while the worker is SIGKILLed at random moments and the Temporal server is killed and
 * restarted on its database. Each recovery must reach the reference's outcome, the fleet's ledger
 * must hold exactly the reference's effects (one per idempotency key: none doubled, none lost),
 * and the fleet must end in the reference's state.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { startFleet } from '../../examples/fleet/server';
import { findFreePort } from '../../runtime/free-port';
import { startDevServer, type DevServer } from '../../runtime/dev-server';
import type { TestFleet } from '../helpers/fleet';
import { runAlertPhase, type AlertPhaseResult } from './alert-phase';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { compareEffects, snapshotFleet, type FleetSnapshot } from './fleet-snapshot';
import { seededRandom } from '../../bench/alert-storm';
import { runScenarios, type RunResult } from './run-recoveries';
import { scenarios as makeScenarios, type Scenario, type ScenarioContext } from './scenarios';
import { formatTable } from './table';
import { runTargetFaults, targetFaultModes, targetFaultService, type TargetFaultResult } from './target-fault-phase';
import { WorkerSupervisor } from './worker-supervisor';
import { chaosInventory, chaosSeed } from './world';

const full = process.env.CHAOS === 'full';
const plan = full
  ? { recoveries: 12, kills: 24, serverRestartsAfterKill: [8, 16], alertBatches: 2, alertsPerBatch: 15 }
  : // The short run restarts the server after its last kill: a restart mid-run (tens of seconds on a
    // loaded CI machine) could otherwise swallow the whole 10 s soak before a kill could aim at it.
    { recoveries: 6, kills: 6, serverRestartsAfterKill: [6], alertBatches: 1, alertsPerBatch: 6 };
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const taskQueue = 'chaos';

let stateDir: string;
let server: DevServer;
let port: number;
let connection: Connection;
let client: Client;
let fleet: TestFleet;
let proxy: FaultProxy;
let supervisor: WorkerSupervisor;
let scenarios: Scenario[];
const services: string[] = [];

async function startServer(): Promise<DevServer> {
  return startDevServer({ stateDir, port, headless: true });
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'rebound-chaos-'));
  port = await findFreePort();
  server = await startServer();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
  scenarios = makeScenarios(plan.recoveries);
  services.push(...scenarios.map((scenario) => scenario.service), ...targetFaultModes.map(targetFaultService));
  const running = await startFleet({ port: 0, seed: chaosSeed(services) });
  const inventory = chaosInventory(services, running.url);
  fleet = {
    ...running,
    inventory,
    fault: async (kind, body) => {
      const response = await fetch(`${running.url}/v1/faults/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`fault ${kind} → ${response.status} ${await response.text()}`);
      return response.json();
    },
    get: async <T>(route: string) => {
      const response = await fetch(`${running.url}${route}`);
      if (!response.ok) throw new Error(`GET ${route} → ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
  };
  proxy = await startFaultProxy(fleet.url);
  const inventoryFile = path.join(stateDir, 'inventory.yaml');
  await writeFile(inventoryFile, stringify(inventory));
  supervisor = new WorkerSupervisor(() => ({ TEMPORAL_ADDRESS: server.address, REBOUND_TASK_QUEUE: taskQueue, REBOUND_INVENTORY: inventoryFile }));
  await supervisor.start();
}, 180_000);

afterAll(async () => {
  await supervisor?.stop();
  await proxy?.close();
  await fleet?.close();
  await connection?.close();
  await server?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

it(
  `recoveries survive ${plan.kills} worker kills and ${plan.serverRestartsAfterKill.length} server restarts with no duplicate effect and no lost alert (seed ${seed})`,
  async () => {
    const context: ScenarioContext = { client, taskQueue, fleet, proxyUrl: proxy.url };

    const reference: RunResult = await runScenarios(context, scenarios);
    const referenceFleet: FleetSnapshot = await snapshotFleet(fleet, reference.recoveries);

    fleet.reset();
    const chaos: RunResult = await runScenarios(context, scenarios, {
      supervisor,
      kills: plan.kills,
      random: seededRandom(seed),
      minGapMs: 1500,
      maxGapMs: 4000,
      serverRestartsAfterKill: plan.serverRestartsAfterKill,
      restartServer: async () => {
        process.kill(server.pid, 'SIGKILL');
        await server.exited;
        server = await startServer();
      },
      wanted: ['compensation', 'approval', 'failover-shift', 'soak', 'rollback-wave'],
    });
    const chaosFleet = await snapshotFleet(fleet, chaos.recoveries);

    const alerts: AlertPhaseResult = await runAlertPhase({ client, temporalAddress: server.address, taskQueue, batches: plan.alertBatches, alertsPerBatch: plan.alertsPerBatch });

    fleet.reset();
    const faults: TargetFaultResult[] = await runTargetFaults({ client, taskQueue, fleetUrl: fleet.url, proxyUrl: proxy.url, deadlineMs: 120_000 });
    const faultFleet = await snapshotFleet(fleet, faults);

    // Compare every recovery with its undisturbed run.
    const rows = chaos.recoveries.map((recovery, index) => {
      const before = reference.recoveries[index];
      const { extra, missing } = compareEffects(referenceFleet.effects[recovery.service] ?? [], chaosFleet.effects[recovery.service] ?? []);
      const sameState = JSON.stringify(chaosFleet.state[recovery.service]) === JSON.stringify(referenceFleet.state[recovery.service]);
      return { recovery, reference: before, extra, missing, sameState };
    });
    const duplicateEffects = rows.reduce((sum, row) => sum + row.extra.length, 0) + (chaosFleet.effects.unattributed?.length ?? 0);
    const lostEffects = rows.reduce((sum, row) => sum + row.missing.length, 0);
    const asExpected = rows.filter((row) => row.recovery.outcome === row.recovery.expected && row.reference?.outcome === row.recovery.expected && row.sameState).length;
    const policyState = (service: string) => {
      const state = faultFleet.state[service] as { traffic: unknown; grants: unknown };
      return JSON.stringify([state.traffic, state.grants]) === JSON.stringify([{ 'eu-west': 100 }, ['auditor/read', 'deployer/deploy', 'oncall/admin']]);
    };
    const faultsAsExpected = faults.filter((fault) => fault.outcome === 'rolled-back' && policyState(fault.service)).length;
    const moments = [...new Set(chaos.kills.flatMap((kill) => kill.moments))].sort();

    console.log(
      formatTable({
        seed,
        full,
        kills: supervisor.kills,
        serverRestarts: chaos.serverRestarts,
        killMoments: moments,
        recoveries: chaos.recoveries.length + faults.length + alerts.alertsSent,
        rows: rows.map((row) => ({ service: row.recovery.service, kind: row.recovery.kind, expected: row.recovery.expected, reference: row.reference?.outcome ?? '?', chaos: row.recovery.outcome, extra: row.extra.length, missing: row.missing.length, sameState: row.sameState })),
        faults: faults.map((fault) => ({ mode: fault.mode, outcome: fault.outcome, seconds: fault.durationMs / 1000 })),
        outcomesAsExpected: `${asExpected + faultsAsExpected}/${rows.length + faults.length}`,
        duplicateEffects,
        lostEffects,
        replays: chaosFleet.replays,
        alerts,
        chaosSeconds: chaos.durationMs / 1000,
      }),
    );

    for (const row of rows.filter((candidate) => candidate.recovery.outcome !== candidate.recovery.expected)) {
      const { report } = row.recovery;
      console.log(`${row.recovery.workflowId} ended ${report.outcome}: ${report.error ?? ''}\n${JSON.stringify({ findings: report.findings, steps: report.steps, unverified: report.unverifiedTargets }, null, 1)}`);
    }
    // Details first, so a failure says which recovery and which effect.
    for (const row of rows) {
      expect({ service: row.recovery.service, reference: row.reference?.outcome, chaos: row.recovery.outcome }).toEqual({ service: row.recovery.service, reference: row.recovery.expected, chaos: row.recovery.expected });
      expect({ service: row.recovery.service, extra: row.extra, missing: row.missing }).toEqual({ service: row.recovery.service, extra: [], missing: [] });
      expect({ service: row.recovery.service, state: chaosFleet.state[row.recovery.service] }).toEqual({ service: row.recovery.service, state: referenceFleet.state[row.recovery.service] });
    }
    expect(chaosFleet.effects.unattributed ?? []).toEqual([]);
    expect(supervisor.kills).toBeGreaterThanOrEqual(plan.kills);
    expect(chaos.serverRestarts).toBe(plan.serverRestartsAfterKill.length);
    // The kills landed in the moments that matter (they are aimed at them as soon as they show up).
    // Approvals, compensations (3 s per undo) and soaks (10 s) last long enough to be hit every run;
    // a failover shift on an idle machine can end within one observation, so it is reported, not required.
    expect(moments).toEqual(expect.arrayContaining(['approval', 'compensation', 'soak']));
    expect({ lost: alerts.lost, duplicated: alerts.duplicated }).toEqual({ lost: [], duplicated: [] });
    expect(alerts.webhookKills).toBe(plan.alertBatches);
    // Every notification was in flight when the server was killed, and had to be retried.
    expect(alerts.failedDeliveries).toBeGreaterThanOrEqual(plan.alertBatches * plan.alertsPerBatch);
    for (const fault of faults) {
      expect({ mode: fault.mode, outcome: fault.outcome }).toEqual({ mode: fault.mode, outcome: 'rolled-back' });
      expect({ mode: fault.mode, failedStep: fault.failedStep }).toEqual({ mode: fault.mode, failedStep: 'through-faulty-target' });
      expect(faultFleet.state[fault.service]).toMatchObject({ traffic: { 'eu-west': 100 }, grants: ['auditor/read', 'deployer/deploy', 'oncall/admin'] });
      // The shift and its undo reached the fleet once each; the change through the faulty target never did.
      expect(faultFleet.effects[fault.service]?.map((effect) => effect.split(' ').slice(0, 2).join(' '))).toEqual([`PUT /v1/services/${fault.service}/traffic`, `PUT /v1/services/${fault.service}/traffic`]);
    }
    expect(proxy.seen).toMatchObject({ '5xx': 3, timeout: 3, hang: 3 });
  },
  full ? 1_800_000 : 600_000,
);
