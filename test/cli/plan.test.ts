/**
 * `rebound plan` as a real process against the real demo fleet: it resolves the runbook, runs the
 * read-only preflights through the inventory's driver, refuses what the recovery would refuse,
 * and changes nothing (the fleet's ledger of changes stays empty). No Temporal is involved: every
 * run points TEMPORAL_ADDRESS at a port where nothing listens.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { RecoveryPlan } from '../../client/recovery-plan';
import { startTestFleet, type TestFleet } from '../helpers/fleet';
import { runCli } from '../helpers/run-cli';

let fleet: TestFleet;
let dir: string;
let env: Record<string, string>;

const failover = ['plan', 'region-failover', '-p', 'service=checkout', '-p', 'from=eu-west', '-p', 'to=us-east'];

beforeAll(async () => {
  fleet = await startTestFleet();
  dir = await mkdtemp(path.join(tmpdir(), 'rebound-plan-'));
  const inventory = path.join(dir, 'inventory.yaml');
  await writeFile(inventory, stringify(fleet.inventory));
  env = { REBOUND_INVENTORY: inventory, TEMPORAL_ADDRESS: '127.0.0.1:1' };
  await writeFile(path.join(dir, 'evacuate-services.yaml'), nestedRunbooks.foreach);
  await writeFile(path.join(dir, 'evacuate-through-child.yaml'), nestedRunbooks.parent);
  await writeFile(path.join(dir, 'child-failover.yaml'), nestedRunbooks.child);
});

afterAll(async () => {
  await fleet?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${fleet.url}/v1/reset`, { method: 'POST' });
});

/** Failovers nested in a foreach (one per service) and in a child runbook (`run`). */
const nestedRunbooks = {
  foreach: `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: evacuate-services }
spec:
  params:
    to: { type: string, required: true }
  key: eu-west
  steps:
    - id: evacuate
      foreach:
        items: [payments, checkout]
        as: service
        steps:
          - id: move
            failover: { service: "{{ service }}", from: eu-west, to: "{{ params.to }}", shifts: [50, 100] }
`,
  parent: `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: evacuate-through-child }
spec:
  params:
    to: { type: string, required: true }
  key: checkout
  steps:
    - id: delegate
      run: { runbook: child-failover, params: { service: checkout, to: "{{ params.to }}" } }
`,
  child: `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: child-failover }
spec:
  params:
    service: { type: string, required: true }
    to: { type: string, required: true }
  key: "{{ params.service }}"
  steps:
    - id: move
      failover: { service: "{{ params.service }}", from: eu-west, to: "{{ params.to }}", shifts: [100] }
`,
};

const ledger = () => fleet.get<unknown[]>('/v1/ledger');

describe('rebound plan', () => {
  it('lists the steps with their resolved templates and targets, and passes a failover whose preflight holds', async () => {
    const run = await runCli([...failover, '-p', `fleetUrl=${fleet.url}`, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as RecoveryPlan;
    expect(plan).toMatchObject({ workflowId: 'region-failover/checkout', key: 'checkout', refused: false, rto: '15m' });
    expect(plan.steps.map((step) => [step.id, step.kind])).toEqual([
      ['failover', 'failover'],
      ['access', 'permissions'],
      ['service-healthy', 'gate'],
    ]);
    const [failoverStep, access, gate] = plan.steps;
    expect(failoverStep?.name).toBe('Fail checkout over from eu-west to us-east');
    expect(failoverStep?.targets).toEqual(['eu-west', 'us-east']);
    expect(failoverStep?.checks.map((check) => check.status)).toEqual(['ok', 'ok']);
    expect(access?.targets).toEqual(['checkout/grants']);
    expect(gate?.targets).toEqual([`${fleet.url}/v1/services/checkout/health`]);
    expect(await ledger()).toEqual([]);
  });

  it('refuses a failover to a destination without the capacity, exits 1, and changes nothing', async () => {
    await fleet.fault('capacity-shortfall', { site: 'us-east', capacity: 100 });
    const before = await fleet.get<{ services: unknown; sites: unknown }>('/v1/state');

    const run = await runCli(failover, env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/✘ us-east has \d+ rps spare, 150 rps must move {2}\[capacity-shortfall\]/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^refused: failover: us-east has \d+ rps spare, 150 rps must move\. Nothing was changed\.$/);

    const json = JSON.parse((await runCli([...failover, '--json'], env)).stdout) as RecoveryPlan;
    expect(json.refused).toBe(true);
    expect(json.steps[0]?.checks).toEqual([expect.objectContaining({ status: 'refuse', kind: 'capacity-shortfall', target: 'us-east' })]);

    const after = await fleet.get<{ services: unknown; sites: unknown }>('/v1/state');
    expect(after.services).toEqual(before.services);
    expect(after.sites).toEqual(before.sites);
    expect(await ledger()).toEqual([]);
  });

  it('refuses a destination that shares failure domains with the failed site', async () => {
    const run = await runCli(['plan', 'region-failover', '-p', 'service=checkout', '-p', 'from=eu-west', '-p', 'to=eu-central', '--json'], env);
    expect(run.code).toBe(1);
    const plan = JSON.parse(run.stdout) as RecoveryPlan;
    expect(plan.steps[0]?.checks).toEqual([
      expect.objectContaining({ status: 'refuse', kind: 'shared-failure-domain', message: 'eu-central shares region eu, dependency dns-eu, dependency db-eu with eu-west' }),
    ]);
  });

  it('lists the replicas a rollback would move and refuses on drift, as the rollback would halt', async () => {
    await fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    const clean = await runCli(['plan', 'service-rollback', '-p', 'service=checkout', '--json'], env);
    expect(clean.code).toBe(0);
    const plan = JSON.parse(clean.stdout) as RecoveryPlan;
    expect(plan.steps[0]?.targets).toHaveLength(8);
    expect(plan.steps[0]?.targets[0]).toMatch(/^checkout-eu-west-1: v42 .* → v41 /);
    expect(plan.steps[0]?.does).toBe('roll 8 of 8 replicas of checkout back in 3 wave(s) of 1, 1, 6, at most 2 at a time');

    await fleet.fault('config-drift', { service: 'checkout', replica: 'checkout-us-east-2', config: { pool: '8' } });
    const drifted = await runCli(['plan', 'service-rollback', '-p', 'service=checkout'], env);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('✘ checkout-us-east-2 runs v42 {mode=normal,pool=8} but v42 {mode=normal,pool=32} is recorded: the rollback would halt (onDrift: halt)  [drift]');
    expect(await ledger()).toEqual([]);
  });

  it('needs an inventory for driver steps, and says so in one line with exit code 2', async () => {
    const run = await runCli(failover, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'rebound: region-failover: its preflights read the systems through an inventory, and none is set\nhint: set REBOUND_INVENTORY or pass --inventory, e.g. --inventory examples/inventory.yaml\n',
    );
  });

  it('refuses an unknown runbook, a missing param and a malformed --param', async () => {
    const unknown = await runCli(['plan', 'no-such-runbook'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('rebound: no-such-runbook:1:1: no runbook named "no-such-runbook" in runbooks/\n');
    const missing = await runCli(['plan', 'region-failover', '-p', 'service=checkout'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('rebound: region-failover: missing required param "from" (string); missing required param "to" (string)\nhint: pass params as --param name=value\n');
    const malformed = await runCli(['plan', 'region-failover', '--param', 'service'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe('rebound: option \'-p, --param <name=value>\' argument \'service\' is invalid. expected name=value, got "service"\n');
  });

  it('runs the preflight of a failover nested in a foreach once per item, and refuses it there, changing nothing', async () => {
    const passes = await runCli(['plan', 'evacuate-services', '--runbooks', dir, '-p', 'to=us-east', '--json'], env);
    expect(passes.stderr).toBe('');
    expect(passes.code).toBe(0);
    const plan = JSON.parse(passes.stdout) as RecoveryPlan;
    expect(plan.steps[0]?.items?.map(({ item, steps }) => [item, steps[0]?.targets, steps[0]?.checks.map((check) => check.status)])).toEqual([
      ['payments', ['eu-west', 'us-east'], ['ok', 'ok']],
      ['checkout', ['eu-west', 'us-east'], ['ok', 'ok']],
    ]);

    const refused = await runCli(['plan', 'evacuate-services', '--runbooks', dir, '-p', 'to=eu-central'], env);
    expect(refused.stderr).toBe('');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('   item payments:\n      1.1. move (failover)');
    expect(refused.stdout).toContain('✘ eu-central shares region eu, dependency dns-eu, dependency db-eu with eu-west  [shared-failure-domain]');
    expect(refused.stdout.trimEnd().split('\n').at(-1)).toBe(
      'refused: evacuate[payments]/move: eu-central shares region eu, dependency dns-eu, dependency db-eu with eu-west (and 1 more above). Nothing was changed.',
    );
    expect(await ledger()).toEqual([]);
  });

  it('runs the preflight of a failover in a child runbook (run) with the params the parent gives it, and refuses it there', async () => {
    await fleet.fault('capacity-shortfall', { site: 'us-east', capacity: 100 });
    const before = await fleet.get<{ services: unknown; sites: unknown }>('/v1/state');
    const run = await runCli(['plan', 'evacuate-through-child', '--runbooks', dir, '-p', 'to=us-east', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const plan = JSON.parse(run.stdout) as RecoveryPlan;
    expect(plan.refused).toBe(true);
    expect(plan.steps[0]).toMatchObject({ id: 'delegate', kind: 'run', targets: ['child-failover/checkout'], checks: [] });
    expect(plan.steps[0]?.steps?.[0]?.checks).toEqual([expect.objectContaining({ status: 'refuse', kind: 'capacity-shortfall', target: 'us-east' })]);
    const after = await fleet.get<{ services: unknown; sites: unknown }>('/v1/state');
    expect(after).toMatchObject({ services: before.services, sites: before.sites });
    expect(await ledger()).toEqual([]);

    const human = await runCli(['plan', 'evacuate-through-child', '--runbooks', dir, '-p', 'to=us-east'], env);
    expect(human.stdout.trimEnd().split('\n').at(-1)).toMatch(/^refused: delegate\/move: us-east has \d+ rps spare, 150 rps must move\. Nothing was changed\.$/);
  });
});
