/**
 * `--watch` as a real process (stdout a pipe, so not a TTY) against a real Temporal dev server,
 * worker and demo fleet: plain progress lines, each printed only when it changed, ending with the
 * outcome and its exit code.
 */
import type { RecoveryReport, RecoveryState } from '../../model/recovery';
import { runCli } from '../helpers/run-cli';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('cli-watch', { fleet: true, target: true });
let env: Record<string, string>;

beforeAll(() => {
  env = { TEMPORAL_ADDRESS: bed.temporal.address, REBOUND_TASK_QUEUE: bed.taskQueue };
});

describe('--watch without a terminal', () => {
  it('follows a staged rollback to the end: phase, steps, per-target counts, then the outcome (exit 0)', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    const run = await runCli(['start', 'service-rollback', '-p', 'service=checkout', '-p', `fleetUrl=${bed.fleet.url}`, '--watch'], env);
    expect(run.stderr).toBe('started service-rollback/checkout\n');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('recovery service-rollback/checkout  runbook service-rollback  key checkout');
    expect(lines).toContain('phase: mitigating');
    expect(lines).toContain('phase: recovered');
    expect(lines.filter((line) => line === 'phase: mitigating')).toHaveLength(1);
    expect(lines.some((line) => /^ {2}✔ rollback rollback succeeded \S+ \(Roll checkout back to its last known-good deployment\)$/.test(line))).toBe(true);
    expect(lines).toContain('      rollback: 8/8 targets verified');
    expect(lines.some((line) => /^ {2}✔ service-healthy gate succeeded \S+ \(\d+ polls\)/.test(line))).toBe(true);
    // Only changes are printed: no line repeats the one before it.
    expect(lines.filter((line, index) => line === lines[index - 1])).toEqual([]);
    expect(lines.at(-1)).toMatch(/^outcome: recovered after \S+ \(within RTO 10m\)$/);
  });

  it('ends with the outcome and exit 1 when the recovery is rolled back, showing the compensation', async () => {
    bed.target.route('/down', () => ({ status: 503 }));
    const run = await runCli(['start', 'test/fixtures/fails-fast.yaml', '-p', `baseUrl=${bed.target.url}`, '--watch'], env);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain('  undo drain (http.request) succeeded');
    expect(lines.some((line) => /^ {2}✘ healthy gate failed/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^outcome: rolled-back after \S+: gate did not pass 1 time\(s\) in a row within 1s/);
  });

  it('status --watch on a finished recovery prints its end at once, with the exit code of its outcome', async () => {
    const recovered = await runCli(['status', 'service-rollback/checkout', '--watch'], env);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout.trimEnd().split('\n').at(-1)).toMatch(/^outcome: recovered after /);
    const rolledBack = await runCli(['status', 'fails-fast/demo', '--watch'], env);
    expect(rolledBack.code).toBe(1);
  });

  it('--watch --json prints one JSON state per change, then the report', async () => {
    const run = await runCli(['start', 'smoke-test', '-p', `url=${bed.target.url}/ok`, '--watch', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const documents = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as RecoveryState | RecoveryReport);
    expect(documents.length).toBeGreaterThanOrEqual(2);
    for (const state of documents.slice(0, -1)) {
      expect(state).toMatchObject({ workflowId: 'smoke-test/local' });
      expect(state).not.toHaveProperty('outcome');
    }
    expect(documents.at(-1)).toMatchObject({ workflowId: 'smoke-test/local', outcome: 'recovered' });
  });

  it('names an unknown recovery in one line, exit code 1', async () => {
    const run = await runCli(['status', 'nope/nothing', '--watch'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('rebound: no recovery with id nope/nothing\nhint: find recoveries with: rebound list\n');
  });
});
