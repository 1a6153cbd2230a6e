/** `watch` (soak) steps against a real Temporal dev server and a real HTTP target. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepareRecovery, startRecovery } from '../../client/start-recovery';
import { formatProblem, parseRunbook } from '../../model/loader';
import { stateQuery } from '../../workflows/queries';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { waitFor } from '../helpers/wait-for';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('watch-test', { target: true });


/** Mitigate, verify `/ready`, then soak on `/health` every 100ms (the dev server may fire such short timers up to a second late). */
function soakRunbook(name: string, watch: string): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params:
    baseUrl: { type: string, required: true }
  key: web
  timeout: 1m
  steps:
    - id: mitigate
      action:
        name: http.request
        with: { url: "{{ params.baseUrl }}/${name}/mitigate" }
        undo: { name: http.request, with: { url: "{{ params.baseUrl }}/${name}/unmitigate" } }
    - id: ready
      gate: { check: http.check, with: { url: "{{ params.baseUrl }}/${name}/ready" }, expect: observation.status == 200, interval: 100ms, timeout: 5s }
    - id: soak
      watch:
        check: http.check
        with: { url: "{{ params.baseUrl }}/${name}/health" }
        expect: observation.status == 200
        interval: 100ms
${watch}
`;
}

/** Answers `/health` from a script of statuses, then with `after()` once the script is used up. */
function scriptHealth(name: string, script: number[], after: () => number): void {
  let polls = 0;
  bed.target.route(`/${name}/health`, () => {
    polls += 1;
    return { status: script[polls - 1] ?? after() };
  });
}

const keys = (route: string) => bed.target.to(route).map((request) => request.idempotencyKey);

describe('watch', () => {
  it('soaks for the whole duration in phase soaking, tolerating a failed observation, then recovers', async () => {
    scriptHealth('soak-clean', [503], () => 200);
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-clean', '        duration: 1500ms\n        toleratedFailures: 1\n        rerun: [mitigate, ready]'), { baseUrl: bed.target.url });
    await waitFor(async () => (await handle.query(stateQuery)).steps.find((step) => step.id === 'soak')?.status === 'running', 'the soak to run');
    const during = await handle.query(stateQuery);
    expect(during.phase).toBe('soaking');
    expect(during.targets).toContainEqual(expect.objectContaining({ step: 'soak', target: 'soak', status: 'in-progress' }));
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    const soak = report.steps.find((step) => step.id === 'soak');
    expect(soak?.output).toEqual({ soaks: 1, polls: soak?.attempts, regressions: 0, stable: true });
    // The tolerated 503, then passing polls until the deadline (how many depends on how late the dev server fires timers).
    expect(soak?.attempts).toBe(bed.target.to('/soak-clean/health').length);
    expect(soak?.attempts).toBeGreaterThanOrEqual(2);
    expect(soak?.durationMs).toBeGreaterThanOrEqual(1500);
    expect(bed.target.to('/soak-clean/mitigate')).toHaveLength(1);
    expect(report.findings).toEqual([]);
  });

  it('re-runs the listed steps with new idempotency keys on a regression, soaks again and recovers', async () => {
    // Two failed observations in a row (one is tolerated): a regression; healthy again once mitigated again.
    scriptHealth('soak-regress', [200, 503, 503], () => (bed.target.to('/soak-regress/mitigate').length >= 2 ? 200 : 503));
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-regress', '        duration: 5s\n        toleratedFailures: 1\n        rerun: [mitigate, ready]'), { baseUrl: bed.target.url });
    await bed.target.received('/soak-regress/mitigate', 2);
    await waitFor(async () => (await handle.query(stateQuery)).phase === 'soaking', 'the second soak');
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    const prefix = `soak-regress/web/${handle.firstExecutionRunId}`;
    expect(keys('/soak-regress/mitigate')).toEqual([`${prefix}/mitigate`, `${prefix}/soak/rerun-1/mitigate`]);
    expect(bed.target.to('/soak-regress/ready')).toHaveLength(2);
    expect(report.findings.map((finding) => [finding.kind, finding.target])).toEqual([['regression', 'soak']]);
    expect(report.findings[0]?.message).toMatch(/^http\.check regressed: 2 failed observation\(s\) in a row, .* into soak 1 \(last: expect observation.status == 200 was false\)$/);
    expect(report.steps.find((step) => step.id === 'soak')?.output).toMatchObject({ soaks: 2, regressions: 1, stable: true });
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['mitigate', 'succeeded'],
      ['ready', 'succeeded'],
      ['soak', 'succeeded'],
    ]);
    expect(bed.target.to('/soak-regress/unmitigate')).toHaveLength(0);
  });

  it('escalates and ends degraded when it regresses again after the re-run', async () => {
    scriptHealth('soak-twice', [200], () => 503);
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-twice', '        duration: 1s\n        rerun: [mitigate]'), { baseUrl: bed.target.url })).result();

    expect(report.outcome).toBe('degraded');
    expect(report.unverifiedTargets).toEqual(['soak']);
    expect(bed.target.to('/soak-twice/mitigate')).toHaveLength(2);
    expect(report.findings.map((finding) => finding.kind)).toEqual(['regression', 'regression', 'escalation']);
    expect(report.findings[2]?.message).toBe('soak of 1s did not hold (it regressed again after re-running mitigate): escalated, the recovery is degraded');
    expect(report.steps.find((step) => step.id === 'soak')).toMatchObject({ status: 'succeeded', output: { soaks: 2, regressions: 2, stable: false } });
    expect(report.targets).toContainEqual(expect.objectContaining({ target: 'soak', status: 'failed' }));
    // Nothing is undone: the mitigation stays in place for the people it escalates to.
    expect(bed.target.to('/soak-twice/unmitigate')).toHaveLength(0);
  });

  it('escalates at the first regression when it has nothing to re-run', async () => {
    bed.target.route('/soak-norerun/health', () => ({ status: 503 }));
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-norerun', '        duration: 1s'), { baseUrl: bed.target.url })).result();

    expect(report.outcome).toBe('degraded');
    expect(bed.target.to('/soak-norerun/mitigate')).toHaveLength(1);
    expect(report.findings.map((finding) => finding.kind)).toEqual(['regression', 'escalation']);
    expect(report.findings[0]?.message).toMatch(/^http\.check regressed: 1 failed observation\(s\) in a row, \d+ms into soak 1/);
    expect(report.findings[1]?.message).toBe('soak of 1s did not hold (no steps to re-run): escalated, the recovery is degraded');
  });

  /** The runs of a workflow id, oldest first, as the server lists them. */
  async function runsOf(workflowId: string) {
    const runs: { status: string; startTime: Date }[] = [];
    for await (const run of bed.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push({ status: run.status.name, startTime: run.startTime });
    return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime()).map((run) => run.status);
  }

  it('soaks in a child workflow that continues-as-new every pollsPerRun polls, then recovers', async () => {
    bed.target.route('/soak-long/health', () => ({ status: 200 }));
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-long', '        duration: 3s\n        pollsPerRun: 1'), { baseUrl: bed.target.url });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    const soak = report.steps.find((step) => step.id === 'soak');
    expect(soak?.output).toEqual({ soaks: 1, polls: soak?.attempts, regressions: 0, stable: true });
    const polls = bed.target.to('/soak-long/health').length;
    expect(soak?.attempts).toBe(polls);
    const runs = await runsOf('soak-long/web/soak/soak-1');
    // One poll per run (the dev server fires 100ms timers up to a second late: at least 3 polls in 3s).
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(runs).toEqual([...Array<string>(polls - 1).fill('CONTINUED_AS_NEW'), 'COMPLETED']);
  });

  it('carries failed observations in a row across continue-as-new, and regresses on them', async () => {
    // Polls 1-3 in the first run, 4-6 in the second, 7 in the third: the failures at polls 6 and 7 are in a row.
    scriptHealth('soak-carry', [200, 200, 200, 200, 200, 503], () => 503);
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-carry', '        duration: 1m\n        toleratedFailures: 1\n        pollsPerRun: 3'), { baseUrl: bed.target.url })).result();

    expect(report.outcome).toBe('degraded');
    expect(report.findings.map((finding) => finding.kind)).toEqual(['regression', 'escalation']);
    expect(report.findings[0]?.message).toMatch(/^http\.check regressed: 2 failed observation\(s\) in a row, .* into soak 1/);
    expect(report.steps.find((step) => step.id === 'soak')).toMatchObject({ attempts: 7, output: { soaks: 1, polls: 7, regressions: 1, stable: false } });
    expect(await runsOf('soak-carry/web/soak/soak-1')).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
  });

  it('ends the soak when the recovery is aborted', async () => {
    bed.target.route('/soak-abort/health', () => ({ status: 200 }));
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, soakRunbook('soak-abort', '        duration: 10m'), { baseUrl: bed.target.url });
    await bed.target.received('/soak-abort/health');
    await handle.cancel();

    expect((await handle.result()).outcome).toBe('aborted');
    expect(await runsOf('soak-abort/web/soak/soak-1')).toEqual(['CANCELLED']);
    expect(bed.target.to('/soak-abort/unmitigate')).toHaveLength(1);
  });

  describe('re-running a step that is not before the watch', () => {
    const runbooksDir = path.join(__dirname, '..', 'fixtures', 'runbooks');
    const yaml = readFileSync(path.join(runbooksDir, 'soak-rerun-later.yaml'), 'utf8');

    it('is refused when the runbook is loaded, naming each bad entry', () => {
      const loaded = parseRunbook(yaml, 'soak-rerun-later.yaml');
      expect(loaded.ok ? [] : loaded.problems.map(formatProblem)).toEqual([
        'soak-rerun-later.yaml:15:27: steps[1].watch.rerun[1]: cannot re-run "announce": step "announce" comes after the watch; rerun names earlier steps (mitigate)',
        'soak-rerun-later.yaml:15:37: steps[1].watch.rerun[2]: cannot re-run "restart": no step "restart" in the same list; rerun names earlier steps (mitigate)',
      ]);
    });

    it('fails the watch before it soaks when a client skipped validation', async () => {
      const loaded = parseRunbook(yaml.replace('rerun: [mitigate, announce, restart]', 'rerun: [mitigate]'), 'soak-rerun-later.yaml');
      if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
      const soak = loaded.runbook.spec.steps[1];
      if (!soak || !('watch' in soak)) throw new Error('the fixture changed');
      // What a client that bypasses the loader could send.
      soak.watch.rerun.push('announce');
      const report = await (await startRecovery(bed.client, prepareRecovery(loaded.runbook, loaded.hash, {}), { taskQueue: bed.taskQueue })).result();
      expect(report.outcome).toBe('failed');
      expect(report.steps.find((step) => step.id === 'soak')).toMatchObject({ status: 'failed', attempts: 0, error: 'step "soak" cannot re-run "announce": not an earlier step of its list' });
    });
  });
});
