/**
 * `rebound list`, `rebound history` and `rebound report` as real processes against a real
 * Temporal dev server and worker: recoveries are found through visibility and Rebound's search
 * attributes, and reported as Markdown or JSON, while running and once finished.
 */
import type { RecoveryHistoryEntry, RecoverySummary } from '../../client/recovery-list';
import type { RecoveryReport, RecoveryState } from '../../model/recovery';
import { runCli } from '../helpers/run-cli';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';

const bed = useTestbed('cli-list', { target: true });
let env: Record<string, string>;
let release: () => void = () => undefined;

/** Waits until visibility lists `count` recoveries for `query` (it is updated just after the workflow's own state). */
async function visible(query: string, count: number): Promise<void> {
  await waitFor(async () => (await bed.client.workflow.count(query)).count === count, `${count} recoveries for ${query}`);
}

beforeAll(async () => {
  env = { TEMPORAL_ADDRESS: bed.temporal.address, REBOUND_TASK_QUEUE: bed.taskQueue };
  // Two finished smoke tests (the second reuses the workflow id) and one restart held at its first step.
  for (let run = 0; run < 2; run++) {
    const started = await runCli(['start', 'smoke-test', '-p', `url=${bed.target.url}/ok`, '--wait'], env);
    if (started.code !== 0) throw new Error(`smoke-test did not recover: ${started.stdout}${started.stderr}`);
  }
  const released = new Promise<void>((resolve) => (release = resolve));
  bed.target.route('/services/orders/drain', async () => {
    await released;
    return { status: 200 };
  });
  const held = await runCli(['start', 'restart-service', '-p', 'service=orders', '-p', `controlUrl=${bed.target.url}`], env);
  if (held.code !== 0) throw new Error(`restart-service did not start: ${held.stderr}`);
  await bed.target.received('/services/orders/drain');
  await visible('ReboundPhase = "mitigating"', 1);
  await visible('ReboundRunbook = "smoke-test" AND ExecutionStatus = "Completed"', 2);
}, 180_000);

afterAll(async () => {
  release();
  await bed.client.workflow
    .getHandle('restart-service/orders')
    .terminate('test cleanup')
    .catch(() => undefined);
});

describe('rebound list', () => {
  it('lists every recovery, newest first, with runbook, key, phase and timing (--json)', async () => {
    const run = await runCli(['list', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const recoveries = JSON.parse(run.stdout) as RecoverySummary[];
    expect(recoveries.map((recovery) => [recovery.workflowId, recovery.runbook, recovery.key, recovery.phase, recovery.status])).toEqual([
      ['restart-service/orders', 'restart-service', 'orders', 'mitigating', 'running'],
      ['smoke-test/local', 'smoke-test', 'local', 'recovered', 'completed'],
      ['smoke-test/local', 'smoke-test', 'local', 'recovered', 'completed'],
    ]);
    expect(recoveries[1]?.closedAt).toBeDefined();
    expect(recoveries[1]?.durationMs).toBeGreaterThanOrEqual(2000);
  });

  it('filters by phase, runbook and running, and limits the count', async () => {
    const ids = async (...args: string[]) => (JSON.parse((await runCli(['list', ...args, '--json'], env)).stdout) as RecoverySummary[]).map((recovery) => recovery.workflowId);
    expect(await ids('--phase', 'mitigating')).toEqual(['restart-service/orders']);
    expect(await ids('--running')).toEqual(['restart-service/orders']);
    expect(await ids('--runbook', 'smoke-test')).toEqual(['smoke-test/local', 'smoke-test/local']);
    expect(await ids('--runbook', 'smoke-test', '--limit', '1')).toEqual(['smoke-test/local']);
    expect(await ids('--phase', 'failed')).toEqual([]);
  });

  it('prints a table for people', async () => {
    const run = await runCli(['list', '--running'], env);
    expect(run.code).toBe(0);
    const [header, row, ...rest] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+RUNBOOK\s+KEY\s+PHASE\s+STARTED \(UTC\)\s+DURATION$/);
    expect(row).toMatch(/^restart-service\/orders\s+restart-service\s+orders\s+mitigating\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+ so far$/);
    expect(rest).toEqual([]);
  });

  it('refuses an unknown phase and a bad limit as usage errors', async () => {
    const phase = await runCli(['list', '--phase', 'fixing'], env);
    expect(phase.code).toBe(2);
    expect(phase.stderr.split('\n')[0]).toMatch(/^rebound: option '--phase <phase>' argument 'fixing' is invalid\. Allowed choices are preflight, mitigating, /);
    const limit = await runCli(['list', '--limit', '0'], env);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe('rebound: option \'--limit <n>\' argument \'0\' is invalid. expected a whole number of at least 1, got "0"\n');
  });
});

describe('rebound history', () => {
  it("lists a runbook's finished recoveries with outcome and time-to-recover against the RTO", async () => {
    const run = await runCli(['history', 'smoke-test', '--json'], env);
    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as RecoveryHistoryEntry[];
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(entry).toMatchObject({ workflowId: 'smoke-test/local', outcome: 'recovered', rto: '1m', rtoMet: true });
      // From start to verification: the 2s settle wait after the gate is not part of it.
      expect(entry.timeToRecoverMs).toBeGreaterThan(0);
      expect(entry.timeToRecoverMs).toBeLessThan(entry.durationMs);
    }
    expect(entries[0]?.runId).not.toBe(entries[1]?.runId);

    const table = await runCli(['history', 'smoke-test'], env);
    expect(table.stdout).toMatch(/^STARTED \(UTC\)\s+KEY\s+OUTCOME\s+TIME TO RECOVER\s+RTO\s+ID\n/);
    expect(table.stdout.match(/local\s+recovered\s+\S+\s+met \(1m\)\s+smoke-test\/local/g)).toHaveLength(2);
  });

  it('shows a running recovery as running, and says when a runbook has none', async () => {
    const running = JSON.parse((await runCli(['history', 'restart-service', '--json'], env)).stdout) as RecoveryHistoryEntry[];
    expect(running.map((entry) => [entry.workflowId, entry.outcome])).toEqual([['restart-service/orders', 'running']]);
    const none = await runCli(['history', 'region-failover'], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no recoveries of runbook region-failover\n');
  });
});

describe('rebound report', () => {
  it('renders a finished recovery as Markdown with a timeline, steps, targets, findings and operator acts', async () => {
    const run = await runCli(['report', 'smoke-test/local'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const markdown = run.stdout;
    expect(markdown).toMatch(/^# Recovery smoke-test\/local: recovered\n/);
    expect(markdown).toMatch(/\| time to recover \| \S+ \(from start to verification, RTO 1m met\) \|/);
    expect(markdown).toMatch(/\| started by \| cli \(\S+\) \|/);
    const timeline = /## Timeline\n\n```\n([^`]*)```/.exec(markdown)?.[1]?.trimEnd().split('\n') ?? [];
    expect(timeline.map((line) => line.replace(/^\S+ \S+ {2}/, '').replace(/\s+\+\S+$/, '').trim())).toEqual(['recovery started', 'first mitigation', 'verified', 'ended']);
    expect(timeline.slice(1).every((line) => /\s\+\S+$/.test(line))).toBe(true);
    expect(markdown).toMatch(/\| announce: Record that the smoke test started \| action \| succeeded \| 1 \|/);
    expect(markdown).toMatch(/\| reachable: The endpoint answers 200 twice in a row \| gate \| succeeded \| [2-9] \|/);
    expect(markdown).toContain('## Findings\n\nNone.');
    expect(markdown).toContain('## Compensations\n\nNone ran.');
    expect(markdown).toContain('## Operator acts\n\nNone.');
  });

  it('gives the report as JSON with --format json', async () => {
    const run = await runCli(['report', 'smoke-test/local', '--format', 'json'], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RecoveryReport;
    expect(report).toMatchObject({ workflowId: 'smoke-test/local', outcome: 'recovered', rtoMet: true });
    expect(report.timeline.startedAt).toBe(report.startedAt);
    expect(report.timeline.endedAt).toBe(report.endedAt);
  });

  it('reports a running recovery as partial', async () => {
    const markdown = (await runCli(['report', 'restart-service/orders'], env)).stdout;
    expect(markdown).toMatch(/^# Recovery restart-service\/orders: running \(mitigating\)\n\n_The recovery is still running: this report is partial._\n/);
    expect(markdown).toMatch(/\| drain(: [^|]+)? \| action \| running \|/);
    const json = JSON.parse((await runCli(['report', 'restart-service/orders', '--json'], env)).stdout) as RecoveryState;
    expect(json).toMatchObject({ workflowId: 'restart-service/orders', phase: 'mitigating' });
    expect(json).not.toHaveProperty('outcome');
  });

  it('records who paused and resumed a running recovery, shown by status and in the report', async () => {
    const paused = await runCli(['pause', 'restart-service/orders', '--as', 'alice', '--reason', 'checking the dashboards'], env);
    expect(paused.code).toBe(0);
    expect((await runCli(['status', 'restart-service/orders'], env)).stdout).toContain('\nphase: mitigating (paused: no new step starts until resumed)\n');
    const resumed = await runCli(['resume', 'restart-service/orders', '--as', 'bob'], env);
    expect(resumed.code).toBe(0);

    const markdown = (await runCli(['report', 'restart-service/orders'], env)).stdout;
    const acts = markdown.slice(markdown.indexOf('## Operator acts')).split('\n').filter((line) => line.startsWith('| 2'));
    expect(acts).toEqual([
      expect.stringMatching(/^\| \S+ \S+ \| alice \| pause \| {2}\| checking the dashboards \|$/),
      expect.stringMatching(/^\| \S+ \S+ \| bob \| resume \| {2}\| {2}\|$/),
    ]);
  });

  it('names an unknown recovery in one line with a hint, exit code 1', async () => {
    const run = await runCli(['report', 'nope/nothing'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('rebound: no recovery with id nope/nothing\nhint: find recoveries with: rebound list\n');
  });
});
