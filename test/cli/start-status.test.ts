/** `rebound start` and `rebound status` against a real Temporal dev server and worker. */
import type { RecoveryReport } from '../../model/recovery';
import { runCli } from '../helpers/run-cli';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let temporal: TestTemporal;
let worker: TestWorker;
let target: TargetServer;
let env: Record<string, string>;
const taskQueue = 'cli-test';

beforeAll(async () => {
  temporal = await startTestTemporal();
  worker = await startTestWorker(temporal.address, taskQueue);
  target = await startTargetServer();
  env = { TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue };
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await target?.close();
  await temporal?.stop();
});

describe('rebound start', () => {
  it('refuses a missing required param before connecting to anything', async () => {
    // Nothing listens on port 1: a connection attempt would fail with a different message.
    const run = await runCli(['start', 'restart-service'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'rebound: restart-service: missing required param "service" (string); missing required param "controlUrl" (string)\nhint: pass params as --param name=value\n',
    );
    expect(run.stdout).toBe('');
  });

  it('names an unknown runbook and a malformed --param', async () => {
    const unknown = await runCli(['start', 'no-such-runbook'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('rebound: no-such-runbook:1:1: no runbook named "no-such-runbook" in runbooks/\n');
    const malformed = await runCli(['start', 'smoke-test', '--param', 'url'], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe('rebound: option \'-p, --param <name=value>\' argument \'url\' is invalid. expected name=value, got "url"\n');
  });

  it('runs a shipped runbook to recovered with --wait --json and exits 0', async () => {
    const run = await runCli(['start', 'smoke-test', '--param', `url=${target.url}/ui`, '--wait', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RecoveryReport;
    expect(report.outcome).toBe('recovered');
    expect(report.workflowId).toBe('smoke-test/local');
    expect(report.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(target.to('/ui').length).toBeGreaterThanOrEqual(2);

    const status = await runCli(['status', 'smoke-test/local'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^recovery smoke-test\/local {2}runbook smoke-test {2}key local\noutcome: recovered\ntime to recover: \S+ \(within RTO 1m\)\n/);
    expect(status.stdout).toMatch(/✔ reachable\s+gate\s+succeeded/);
  });

  it('exits 1 with the report when the recovery does not recover', async () => {
    target.route('/down', () => ({ status: 503 }));
    const run = await runCli(['start', 'test/fixtures/fails-fast.yaml', '-p', `baseUrl=${target.url}`, '--wait'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^recovery fails-fast\/demo {2}runbook fails-fast {2}key demo\noutcome: rolled-back: gate did not pass 1 time\(s\) in a row within 1s/);
    expect(run.stdout).toMatch(/compensations \(reverse order\):\n {2}✔ undo drain \(http.request\) succeeded/);
  });

  it('refuses to start a second recovery for the same runbook and key, and shows the running one', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    target.route('/services/orders/drain', async () => {
      await released;
      return { status: 200 };
    });
    try {
      const args = ['start', 'restart-service', '-p', 'service=orders', '-p', `controlUrl=${target.url}`];
      const first = await runCli(args, env);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe('restart-service/orders\n');
      await target.received('/services/orders/drain');

      const second = await runCli(args, env);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe('rebound: a recovery with id restart-service/orders is already running\nhint: watch it with: rebound status restart-service/orders\n');

      const status = await runCli(['status', 'restart-service/orders', '--json'], env);
      expect(status.code).toBe(0);
      const view = JSON.parse(status.stdout) as { running: boolean; state: { phase: string; steps: { id: string; status: string }[] } };
      expect(view.running).toBe(true);
      expect(view.state.phase).toBe('mitigating');
      expect(view.state.steps[0]).toMatchObject({ id: 'drain', status: 'running' });
    } finally {
      release();
      await temporal.client.workflow.getHandle('restart-service/orders').terminate('test cleanup');
    }
  });

  it('says clearly when a recovery id does not exist', async () => {
    const run = await runCli(['status', 'nope/nothing'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('rebound: no recovery with id nope/nothing\nhint: find recoveries with: rebound list\n');
  });
});
