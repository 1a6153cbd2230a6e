/**
 * Operator acts from the real `rebound` CLI (a subprocess) on recoveries run by a real Temporal
 * dev server and worker: approve, reject, pause, resume, abort, skip, retry.
 */
import type { ApprovalState, RecoveryReport, RecoveryState } from '../../model/recovery';
import type { ControlResult } from '../../workflows/control';
import { stateQuery } from '../../workflows/queries';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { runCli, type CliRun } from '../helpers/run-cli';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';

const bed = useTestbed('cli-control-test', { target: true });

const env = () => ({ TEMPORAL_ADDRESS: bed.temporal.address, REBOUND_TASK_QUEUE: bed.taskQueue });
const rebound = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env(), ...extra });

function runbook(name: string, steps: string, spec = ''): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  key: demo
  timeout: 2m
${spec}
  steps:
${steps}`;
}

/** Starts a recovery as `by` (the starter, whom four-eyes keeps from approving). */
const start = (yaml: string, by?: string) => startRecoveryFromYaml(bed.client, bed.taskQueue, yaml, {}, { source: 'test', by });

const state = (workflowId: string): Promise<RecoveryState> => bed.client.workflow.getHandle(workflowId).query(stateQuery);
const stepStatus = (current: RecoveryState, id: string) => current.steps.find((step) => step.id === id)?.status;

async function until(workflowId: string, what: string, holds: (current: RecoveryState) => boolean): Promise<RecoveryState> {
  let last: RecoveryState | undefined;
  await waitFor(async () => holds((last = await state(workflowId))), `${what} in ${workflowId}`);
  return last as RecoveryState;
}

/** A refused or failed command: exit 1, nothing on stdout, exactly one line on stderr. */
function expectOneLineFailure(run: CliRun, line: string): void {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
}

describe('rebound pause and resume', () => {
  it('starts no new step while paused, and the next one once resumed', async () => {
    bed.target.route('/first', () => ({ status: 503 }));
    const steps = `
    - id: first
      gate: { check: http.check, with: { url: "${bed.target.url}/first" }, expect: observation.status == 200, interval: 100ms, timeout: 1m }
    - id: second
      action: { name: http.request, with: { url: "${bed.target.url}/second" } }`;
    const handle = await start(runbook('pause-resume', steps));
    await until(handle.workflowId, 'first running', (current) => stepStatus(current, 'first') === 'running');

    const paused = await rebound(['pause', handle.workflowId, '--as', 'alice', '--reason', 'looking at the dashboards', '--json']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    const result = JSON.parse(paused.stdout) as ControlResult & { workflowId: string };
    expect(result).toMatchObject({ workflowId: handle.workflowId, paused: true, phase: 'verifying', act: { act: 'pause', identity: 'alice', reason: 'looking at the dashboards' } });
    const again = await rebound(['pause', handle.workflowId, '--as', 'bob']);
    expectOneLineFailure(again, `rebound: pause refused: the recovery is already paused (by alice at ${result.act.at})`);

    // The running gate finishes; had the pause not held, `second` would be running in the very
    // workflow task that recorded `first` as succeeded, so this state is the proof.
    bed.target.route('/first', () => ({ status: 200 }));
    const held = await until(handle.workflowId, 'first succeeded', (current) => stepStatus(current, 'first') === 'succeeded');
    expect(held.paused).toBe(true);
    expect(stepStatus(held, 'second')).toBe('pending');
    expect(bed.target.to('/second')).toEqual([]);

    const resumed = await rebound(['resume', handle.workflowId], { REBOUND_USER: 'bob' });
    expect(resumed).toEqual({ code: 0, stdout: `resumed ${handle.workflowId} as bob\n`, stderr: '' });
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.paused).toBe(false);
    expect(bed.target.to('/second')).toHaveLength(1);
    expect(report.operatorActs.map(({ act, identity, reason }) => ({ act, identity, reason }))).toEqual([
      { act: 'pause', identity: 'alice', reason: 'looking at the dashboards' },
      { act: 'resume', identity: 'bob', reason: undefined },
    ]);
    const notPaused = await rebound(['resume', handle.workflowId, '--as', 'bob']);
    expectOneLineFailure(notPaused, 'rebound: resume refused: the recovery has ended (completed): it takes no resume any more');
  });
});

describe('rebound abort', () => {
  it('cancels the running step and undoes the completed ones; the outcome is aborted', async () => {
    const steps = `
    - id: fence
      action:
        name: http.request
        with: { url: "${bed.target.url}/fence" }
        undo: { name: http.request, with: { url: "${bed.target.url}/unfence" } }
    - id: settle
      wait: { duration: 10m }
    - id: restart
      action: { name: http.request, with: { url: "${bed.target.url}/restart" } }`;
    const handle = await start(runbook('abort', steps));
    await until(handle.workflowId, 'settle running', (current) => stepStatus(current, 'settle') === 'running');

    const aborted = await rebound(['abort', handle.workflowId, '--as', 'carol', '--reason', 'wrong service']);
    expect(aborted).toEqual({
      code: 0,
      stdout: `aborting ${handle.workflowId} as carol: the running step is cancelled and completed steps are undone; follow it with \`rebound status ${handle.workflowId}\`\n`,
      stderr: '',
    });
    const report: RecoveryReport = await handle.result();
    expect(report.outcome).toBe('aborted');
    expect(report.error).toBe('aborted by carol: wrong service');
    expect(report.steps.map((step) => [step.id, step.status, step.error])).toEqual([
      ['fence', 'succeeded', undefined],
      ['settle', 'failed', 'cancelled: aborted by carol'],
      ['restart', 'pending', undefined],
    ]);
    expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([['fence', 'succeeded']]);
    // The undo really reached the system, with the undo's own idempotency key.
    expect(bed.target.to('/unfence').map((request) => request.idempotencyKey)).toEqual([`${handle.workflowId}/${handle.firstExecutionRunId}/fence/undo`]);
    expect(bed.target.to('/restart')).toEqual([]);
    expect(report.operatorActs).toEqual([{ act: 'abort', identity: 'carol', reason: 'wrong service', at: expect.any(String) }]);

    expectOneLineFailure(await rebound(['abort', handle.workflowId]), 'rebound: abort refused: the recovery has ended (completed): it takes no abort any more');
  });

  it('says so in one line when no recovery has the id', async () => {
    const run = await rebound(['abort', 'no-such/recovery']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'rebound: no recovery with id no-such/recovery\nhint: the id is what `rebound start` printed, e.g. restart-service/checkout\n' });
  });
});

describe('rebound approve and reject', () => {
  const approvalSteps = (approval: string) => `
    - id: fence
      action:
        name: http.request
        with: { url: "${bed.target.url}/approval-fence" }
        undo: { name: http.request, with: { url: "${bed.target.url}/approval-unfence" } }
    - id: sign-off
      approval: ${approval}
    - id: failover
      action: { name: http.request, with: { url: "${bed.target.url}/approval-failover" } }`;

  it('refuses an approver who is not listed, and takes an approval from one who is (identity from REBOUND_USER)', async () => {
    const handle = await start(runbook('approve', approvalSteps('{ approvers: [alice, bob], quorum: 1 }')), 'dana');
    await until(handle.workflowId, 'a pending approval', (current) => current.approvals.some((approval) => approval.status === 'pending'));

    const mallory = await rebound(['approve', handle.workflowId, '--as', 'mallory']);
    expectOneLineFailure(mallory, 'rebound: approve refused: "mallory" is not an approver of step "sign-off" (approvers: alice, bob)');
    const wrongStep = await rebound(['approve', handle.workflowId, '--as', 'alice', '--step', 'fence']);
    expectOneLineFailure(wrongStep, 'rebound: approve refused: step "fence" is not waiting for approval: step "sign-off" is');

    const approved = await rebound(['approve', handle.workflowId, '--step', 'sign-off', '--reason', 'capacity checked', '--json'], { REBOUND_USER: 'alice' });
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    const answer = JSON.parse(approved.stdout) as { workflowId: string; act: string; identity: string; approval: ApprovalState };
    expect(answer).toMatchObject({ workflowId: handle.workflowId, act: 'approve', identity: 'alice', approval: { step: 'sign-off', status: 'approved' } });
    expect(answer.approval.answers).toEqual([{ identity: 'alice', decision: 'approve', reason: 'capacity checked', at: expect.any(String) }]);

    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(bed.target.to('/approval-failover')).toHaveLength(1);
    expect(report.operatorActs).toEqual([{ act: 'approve', identity: 'alice', step: 'sign-off', reason: 'capacity checked', at: answer.approval.answers[0]?.at }]);
  });

  it('fails the approval on a reject and undoes the steps before it', async () => {
    const handle = await start(runbook('reject', approvalSteps('{ approvers: [alice, bob], quorum: 2 }')), 'dana');
    await until(handle.workflowId, 'a pending approval', (current) => current.approvals.some((approval) => approval.status === 'pending'));

    const rejected = await rebound(['reject', handle.workflowId, '--as', 'bob', '--reason', 'peak traffic']);
    expect(rejected).toEqual({
      code: 0,
      stdout: `rejected step sign-off of ${handle.workflowId} as bob: the step fails and the recovery undoes its completed steps\n`,
      stderr: '',
    });
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('approval rejected by bob: peak traffic');
    expect(bed.target.to('/approval-unfence')).toHaveLength(1);
    expect(report.operatorActs.map(({ act, identity, step }) => [act, identity, step])).toEqual([['reject', 'bob', 'sign-off']]);
  });
});

describe('rebound skip', () => {
  it('skips a pending gate when reached and cancels a running wait; skipped verification leaves the recovery degraded', async () => {
    bed.target.route('/skip-health', () => ({ status: 503 }));
    const steps = `
    - id: fence
      action: { name: http.request, with: { url: "${bed.target.url}/skip-fence" } }
    - id: settle
      wait: { duration: 10m }
    - id: healthy
      gate: { check: http.check, with: { url: "${bed.target.url}/skip-health" }, expect: observation.status == 200, timeout: 1m }
    - id: done
      action: { name: http.request, with: { url: "${bed.target.url}/skip-done" } }`;
    const handle = await start(runbook('skip', steps));
    await until(handle.workflowId, 'settle running', (current) => stepStatus(current, 'settle') === 'running');

    expectOneLineFailure(await rebound(['skip', handle.workflowId, '--step', 'nope']), 'rebound: skip refused: unknown step "nope"; the steps are: fence, settle, healthy, done');
    expectOneLineFailure(await rebound(['skip', handle.workflowId, '--step', 'fence']), 'rebound: skip refused: step "fence" has already ended (succeeded)');
    expectOneLineFailure(
      await rebound(['retry', handle.workflowId, '--step', 'settle']),
      'rebound: retry refused: step "settle" is running, not holding the recovery: retry applies to a failed step under onFailure: hold',
    );

    const pending = await rebound(['skip', handle.workflowId, '--step', 'healthy', '--as', 'erin', '--reason', 'dashboards are green', '--json']);
    expect(pending.code).toBe(0);
    const skipped = JSON.parse(pending.stdout) as ControlResult;
    expect(skipped.step).toMatchObject({ id: 'healthy', status: 'pending', skipRequest: { identity: 'erin', reason: 'dashboards are green' } });
    expectOneLineFailure(await rebound(['skip', handle.workflowId, '--step', 'healthy']), `rebound: skip refused: step "healthy" is already to be skipped (asked by erin at ${skipped.act.at})`);

    const running = await rebound(['skip', handle.workflowId, '--step', 'settle', '--as', 'erin']);
    expect(running).toEqual({ code: 0, stdout: `step settle of ${handle.workflowId} is cancelled and skipped (skip by erin)\n`, stderr: '' });

    const report = await handle.result();
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['settle', 'skipped'],
      ['healthy', 'skipped'],
      ['done', 'succeeded'],
    ]);
    expect(bed.target.to('/skip-health')).toEqual([]);
    expect(report.outcome).toBe('degraded');
    expect(report.unverifiedTargets).toEqual(['healthy']);
    expect(report.operatorActs.map(({ act, identity, step }) => [act, identity, step])).toEqual([
      ['skip', 'erin', 'healthy'],
      ['skip', 'erin', 'settle'],
    ]);
  });

  it('cancels a running soak (its child workflow) and marks it skipped; the recovery is then degraded', async () => {
    const steps = `
    - id: fix
      action: { name: noop }
    - id: soak
      watch: { check: http.check, with: { url: "${bed.target.url}/soak-health" }, expect: observation.status == 200, duration: 10m, interval: 200ms }`;
    const handle = await start(runbook('skip-soak', steps));
    const soaking = await until(handle.workflowId, 'the soak running in its child', (current) => typeof (current.steps[1]?.output as { workflowId?: string } | undefined)?.workflowId === 'string');
    const child = (soaking.steps[1]?.output as { workflowId: string }).workflowId;

    expect((await rebound(['skip', handle.workflowId, '--step', 'soak', '--as', 'hana'])).code).toBe(0);
    const report = await handle.result();
    expect(report.steps[1]).toMatchObject({ id: 'soak', status: 'skipped', skipRequest: { identity: 'hana' } });
    expect(report.outcome).toBe('degraded');
    expect(report.unverifiedTargets).toEqual(['soak']);
    expect(report.timeline.soakedAt).toBeUndefined();
    expect((await bed.client.workflow.getHandle(child).describe()).status.name).toBe('CANCELLED');
  });

  it('refuses to skip a running action or an approval, and needs --step (usage error)', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    bed.target.route('/slow-restart', async () => {
      await released;
      return { status: 200 };
    });
    const steps = `
    - id: restart
      action: { name: http.request, with: { url: "${bed.target.url}/slow-restart" } }
    - id: sign-off
      approval: { approvers: [alice] }`;
    const handle = await start(runbook('skip-refused', steps), 'dana');
    await until(handle.workflowId, 'restart running', (current) => stepStatus(current, 'restart') === 'running');
    await bed.target.received('/slow-restart');

    expectOneLineFailure(
      await rebound(['skip', handle.workflowId, '--step', 'restart']),
      'rebound: skip refused: step "restart" (action) is running and cannot be skipped: only a running gate, wait or watch can; abort to undo instead',
    );
    expectOneLineFailure(
      await rebound(['skip', handle.workflowId, '--step', 'sign-off']),
      'rebound: skip refused: step "sign-off" is an approval and cannot be skipped: answer it with approve or reject, or abort the recovery',
    );
    const usage = await rebound(['skip', handle.workflowId]);
    expect(usage).toEqual({ code: 2, stdout: '', stderr: "rebound: required option '--step <id>' not specified\n" });

    release();
    await until(handle.workflowId, 'a pending approval', (current) => current.approvals.some((approval) => approval.status === 'pending'));
    expect((await rebound(['approve', handle.workflowId, '--as', 'alice'])).code).toBe(0);
    expect((await handle.result()).operatorActs.map(({ act }) => act)).toEqual(['approve']);
  });
});

describe('rebound retry (onFailure: hold)', () => {
  const holdSteps = (prefix: string) => `
    - id: fence
      action:
        name: http.request
        with: { url: "${bed.target.url}/${prefix}-fence" }
        undo: { name: http.request, with: { url: "${bed.target.url}/${prefix}-unfence" } }
    - id: restart
      action: { name: http.request, with: { url: "${bed.target.url}/${prefix}-restart" }, retry: { maxAttempts: 1 } }
    - id: done
      action: { name: http.request, with: { url: "${bed.target.url}/${prefix}-done" } }`;

  it('holds a failed step for an operator, runs it again with fresh idempotency keys on retry, and goes on once it succeeds', async () => {
    bed.target.route('/retry-restart', () => ({ status: 503 }));
    const handle = await start(runbook('retry', holdSteps('retry'), '  onFailure: hold'));
    const held = await until(handle.workflowId, 'restart holding', (current) => current.awaitingOperator?.step === 'restart');
    expect(held.awaitingOperator?.error).toMatch(/answered 503/);
    expect(stepStatus(held, 'restart')).toBe('failed');
    expect(held.compensations).toEqual([]);
    const status = await rebound(['status', handle.workflowId]);
    expect(status.stdout).toContain(
      `\nheld: step restart failed (${held.awaitingOperator?.error}); rebound retry|skip --step restart, or abort\n`,
    );

    // Still failing: the retry fails and holds again.
    expect(await rebound(['retry', handle.workflowId, '--step', 'restart', '--as', 'frank'])).toEqual({
      code: 0,
      stdout: `retrying step restart of ${handle.workflowId} as frank (operator retry 1)\n`,
      stderr: '',
    });
    await until(handle.workflowId, 'restart holding again', (current) => current.awaitingOperator?.step === 'restart' && current.steps[1]?.operatorRetries === 1);
    expectOneLineFailure(
      await rebound(['retry', handle.workflowId, '--step', 'done']),
      'rebound: retry refused: step "done" is pending, not holding the recovery: retry applies to a failed step under onFailure: hold',
    );

    bed.target.route('/retry-restart', () => ({ status: 200 }));
    const retried = await rebound(['retry', handle.workflowId, '--step', 'restart', '--as', 'frank', '--reason', 'node unblocked', '--json']);
    expect((JSON.parse(retried.stdout) as ControlResult).act).toMatchObject({ act: 'retry', identity: 'frank', step: 'restart', reason: 'node unblocked' });

    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.steps[1]).toMatchObject({ id: 'restart', status: 'succeeded', operatorRetries: 2 });
    expect(report.steps[1]?.error).toBeUndefined();
    const prefix = `${handle.workflowId}/${handle.firstExecutionRunId}`;
    expect(bed.target.to('/retry-restart').map((request) => request.idempotencyKey)).toEqual([`${prefix}/restart`, `${prefix}/retry-1/restart`, `${prefix}/retry-2/restart`]);
    expect(bed.target.to('/retry-done')).toHaveLength(1);
    expect(report.compensations).toEqual([]);
  });

  it('moves on from a held step an operator skips, and compensates when one aborts instead', async () => {
    bed.target.route('/held-restart', () => ({ status: 503 }));
    const skipped = await start(runbook('held-skip', holdSteps('held'), '  onFailure: hold'));
    await until(skipped.workflowId, 'restart holding', (current) => current.awaitingOperator?.step === 'restart');
    expect(await rebound(['skip', skipped.workflowId, '--step', 'restart', '--as', 'gina'])).toEqual({
      code: 0,
      stdout: `step restart of ${skipped.workflowId} is skipped, the recovery goes on (skip by gina)\n`,
      stderr: '',
    });
    const report = await skipped.result();
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['restart', 'skipped'],
      ['done', 'succeeded'],
    ]);
    expect(report.steps[1]?.error).toMatch(/answered 503/);
    expect(report.awaitingOperator).toBeUndefined();

    const aborted = await start(runbook('held-abort', holdSteps('held'), '  onFailure: hold'));
    await until(aborted.workflowId, 'restart holding', (current) => current.awaitingOperator?.step === 'restart');
    const unfencedBefore = bed.target.to('/held-unfence').length;
    expect((await rebound(['abort', aborted.workflowId, '--as', 'gina'])).code).toBe(0);
    const abortReport = await aborted.result();
    expect(abortReport.outcome).toBe('aborted');
    expect(abortReport.compensations.map((undo) => [undo.step, undo.status])).toEqual([['fence', 'succeeded']]);
    expect(bed.target.to('/held-unfence')).toHaveLength(unfencedBefore + 1);
  });
});
