/**
 * The authorization policy (REBOUND_AUTHZ_FILE) through the real `rebound` CLI (subprocesses) and
 * a real `rebound worker` process (its log captured) on a real Temporal dev server: a refused
 * start starts nothing; a refused act is one line and exit 1, leaves the recovery as it was, and
 * is recorded in its state and the worker's log, also when sent by a client that never read the
 * policy; an allowed act goes through.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { RecoveryReport, RecoveryState } from '../../model/recovery';
import { abortUpdate } from '../../workflows/control';
import { stateQuery } from '../../workflows/queries';
import { saveHistoryWhenRecording } from '../helpers/histories';
import { runCli, type CliRun } from '../helpers/run-cli';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { waitFor } from '../helpers/wait-for';
import { useWorkerProcesses, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = 'cli-authz';

const policy = `apiVersion: rebound/v1
kind: AuthorizationPolicy
metadata: { name: test-policy }
spec:
  groups:
    sre: [alice, erin]
  rules:
    - { identities: [group:sre], runbooks: ["authz-*"], acts: ["*"] }
    - { identities: [carol], runbooks: [authz-guarded], acts: [pause, resume] }
`;

const guarded = `apiVersion: rebound/v1
kind: Runbook
metadata: { name: authz-guarded }
spec:
  params:
    label: { type: string, required: true }
  key: "{{ params.label }}"
  steps:
    - id: hold
      wait: { duration: 10m }
`;

const approval = `apiVersion: rebound/v1
kind: Runbook
metadata: { name: authz-approval }
spec:
  steps:
    - id: sign-off
      approval: { approvers: [alice, dave], timeout: 10m }
`;

const parent = `apiVersion: rebound/v1
kind: Runbook
metadata: { name: authz-parent }
spec:
  steps:
    - id: delegate
      run: { runbook: authz-guarded, params: { label: child } }
`;

let temporal: TestTemporal;
let workDir: string;
let worker: WorkerProcess;
const workers = useWorkerProcesses(() => ({ TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue }));

beforeAll(async () => {
  temporal = await startTestTemporal();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rebound-authz-'));
  writeFileSync(path.join(workDir, 'policy.yaml'), policy);
  writeFileSync(path.join(workDir, 'authz-guarded.yaml'), guarded);
  writeFileSync(path.join(workDir, 'authz-approval.yaml'), approval);
  writeFileSync(path.join(workDir, 'authz-parent.yaml'), parent);
  worker = workers.start();
  await worker.ready;
});
afterAll(async () => {
  await temporal?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const rebound = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> =>
  runCli(args, { TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue, REBOUND_AUTHZ_FILE: path.join(workDir, 'policy.yaml'), ...extra });

const state = (workflowId: string): Promise<RecoveryState> => temporal.client.workflow.getHandle(workflowId).query(stateQuery);

function expectOneLineFailure(run: CliRun, line: string): void {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
}

const refusal = (identity: string, act: string, runbook: string) => `"${identity}" may not ${act} recoveries of ${runbook}: no rule of authorization policy "test-policy" allows it`;

describe('authorization policy', () => {
  it('refuses a start the policy does not allow, and nothing starts', async () => {
    const run = await rebound(['start', path.join(workDir, 'authz-guarded.yaml'), '-p', 'label=refused', '--as', 'mallory']);

    expectOneLineFailure(run, `rebound: start refused: ${refusal('mallory', 'start', 'authz-guarded')}`);
    await expect(temporal.client.workflow.getHandle('authz-guarded/refused').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('refuses an abort by an identity the policy does not allow, records it, and the recovery goes on; an allowed abort goes through', async () => {
    const started = await rebound(['start', path.join(workDir, 'authz-guarded.yaml'), '-p', 'label=guarded', '--as', 'alice', '--json']);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    await waitFor(async () => (await state(workflowId)).steps[0]?.status === 'running', 'the wait step running');

    const refused = await rebound(['abort', workflowId, '--as', 'carol', '--reason', 'not mine to abort']);
    expectOneLineFailure(refused, `rebound: abort refused: ${refusal('carol', 'abort', 'authz-guarded')}`);

    // A client that never read the policy (here the SDK itself) is refused by the recovery all the same.
    const bypass = temporal.client.workflow.getHandle(workflowId).executeUpdate(abortUpdate, { args: [{ identity: 'mallory' }] });
    await expect(bypass).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(bypass).rejects.toMatchObject({ cause: { message: refusal('mallory', 'abort', 'authz-guarded'), type: 'OperatorActNotAuthorized' } });

    // Allowed to pause and resume: the policy is per act.
    expect(await rebound(['pause', workflowId, '--as', 'carol'])).toMatchObject({ code: 0, stderr: '' });
    expect(await rebound(['resume', workflowId, '--as', 'carol'])).toMatchObject({ code: 0, stderr: '' });

    const during = await state(workflowId);
    expect(during.steps[0]?.status).toBe('running');
    expect(during.operatorActs.map((act) => [act.act, act.identity])).toEqual([
      ['pause', 'carol'],
      ['resume', 'carol'],
    ]);
    expect(during.refusals).toEqual([
      { act: 'abort', identity: 'carol', refusal: refusal('carol', 'abort', 'authz-guarded'), at: expect.any(String) },
      { act: 'abort', identity: 'mallory', refusal: refusal('mallory', 'abort', 'authz-guarded'), at: expect.any(String) },
    ]);

    const aborted = await rebound(['abort', workflowId, '--as', 'alice']);
    expect(aborted).toMatchObject({ code: 0, stderr: '' });
    const report: RecoveryReport = await temporal.client.workflow.getHandle(workflowId).result();
    expect(report.outcome).toBe('aborted');
    expect(report.refusals?.map((refused) => refused.identity)).toEqual(['carol', 'mallory']);
    await saveHistoryWhenRecording(temporal.client, workflowId, 'authz-refusals');
    const markdown = await rebound(['report', workflowId]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('## Refused acts');
    expect(markdown.stdout).toMatch(new RegExp(`\\| carol +\\| abort +\\| +\\| ${refusal('carol', 'abort', 'authz-guarded').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const refusalLogs = worker
      .output()
      .split('\n')
      .filter((line) => line.includes('operator act refused by the authorization policy'));
    expect(refusalLogs).toHaveLength(2);
    expect(refusalLogs[0]).toContain('"identity":"carol"');
    expect(refusalLogs[0]).toContain(`"reason":${JSON.stringify(refusal('carol', 'abort', 'authz-guarded'))}`);
    expect(refusalLogs[1]).toContain('"identity":"mallory"');
  });

  it('refuses an approval by an approver the policy does not allow; an allowed approver approves', async () => {
    const started = await rebound(['start', path.join(workDir, 'authz-approval.yaml'), '--as', 'erin', '--json']);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    await waitFor(async () => (await state(workflowId)).approvals.length === 1, 'the approval pending');

    expectOneLineFailure(await rebound(['approve', workflowId, '--as', 'dave']), `rebound: approve refused: ${refusal('dave', 'approve', 'authz-approval')}`);
    expect((await state(workflowId)).approvals[0]).toMatchObject({ status: 'pending', answers: [] });

    expect(await rebound(['approve', workflowId, '--as', 'alice'])).toMatchObject({ code: 0, stderr: '' });
    const report: RecoveryReport = await temporal.client.workflow.getHandle(workflowId).result();
    expect(report.outcome).toBe('recovered');
    expect(report.refusals).toEqual([{ act: 'approve', identity: 'dave', refusal: refusal('dave', 'approve', 'authz-approval'), at: expect.any(String) }]);
  });

  it('hands the policy to child recoveries: an act on a child is checked against the child runbook', async () => {
    const started = await rebound(['start', path.join(workDir, 'authz-parent.yaml'), '--runbooks', workDir, '--as', 'alice', '--json']);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    const child = `${workflowId}/delegate`;
    await waitFor(async () => (await state(child).catch(() => undefined))?.steps[0]?.status === 'running', 'the child recovery running');

    expectOneLineFailure(await rebound(['abort', child, '--as', 'carol']), `rebound: abort refused: ${refusal('carol', 'abort', 'authz-guarded')}`);
    expect((await state(child)).refusals).toEqual([{ act: 'abort', identity: 'carol', refusal: refusal('carol', 'abort', 'authz-guarded'), at: expect.any(String) }]);

    expect(await rebound(['abort', workflowId, '--as', 'alice'])).toMatchObject({ code: 0, stderr: '' });
    expect((await temporal.client.workflow.getHandle(workflowId).result()).outcome).toBe('aborted');
  });

  it('refuses to start with a policy file that is not valid, naming file:line:col', async () => {
    const bad = path.join(workDir, 'bad-policy.yaml');
    writeFileSync(bad, policy.replace('acts: [pause, resume]', 'acts: [pause, reboot]'));
    const run = await rebound(['start', path.join(workDir, 'authz-guarded.yaml'), '-p', 'label=bad-policy', '--as', 'alice'], { REBOUND_AUTHZ_FILE: bad });

    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`rebound: ${bad}:9:71: rules[1].acts[1]: expected one of start, approve, reject, pause, resume, skip, retry, abort or *`);
    await expect(temporal.client.workflow.getHandle('authz-guarded/bad-policy').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
