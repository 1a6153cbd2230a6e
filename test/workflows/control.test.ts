/**
 * Operator control inside the workflow (pause, abort, hold, retry, skip) with the client functions,
 * against a real Temporal dev server. The CLI's side is in test/cli/control.test.ts.
 */
import { answerApproval } from '../../client/approvals';
import { controlRecovery } from '../../client/control';
import type { RecoveryState } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import { saveHistoryWhenRecording } from '../helpers/histories';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';

const bed = useTestbed('control-test', { target: true });

const start = (yaml: string) => startRecoveryFromYaml(bed.client, bed.taskQueue, yaml, {}, { source: 'test', by: 'dana' });

async function until(workflowId: string, what: string, holds: (current: RecoveryState) => boolean): Promise<RecoveryState> {
  let last: RecoveryState | undefined;
  await waitFor(async () => holds((last = await bed.client.workflow.getHandle(workflowId).query(stateQuery))), `${what} in ${workflowId}`);
  return last as RecoveryState;
}

const status = (current: RecoveryState, id: string) => current.steps.find((step) => step.id === id)?.status;

function runbook(name: string, steps: string, spec = 'timeout: 2m'): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  ${spec}
  steps:
${steps}`;
}

describe('operator control in the workflow', () => {
  it('undoes the completed steps when a held step is still held at the runbook timeout', async () => {
    const steps = `
    - id: fence
      action: { name: http.request, with: { url: "${bed.target.url}/timeout-fence" }, undo: { name: http.request, with: { url: "${bed.target.url}/timeout-unfence" } } }
    - id: restart
      action: { name: http.request, with: { url: "${bed.target.url}/timeout-restart", expectStatus: [201] }, retry: { maxAttempts: 1 } }`;
    const handle = await start(runbook('hold-timeout', steps, 'timeout: 3s\n  onFailure: hold'));
    await until(handle.workflowId, 'restart holding', (current) => current.awaitingOperator?.step === 'restart');
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('runbook timeout 3s exceeded');
    expect(report.awaitingOperator).toBeUndefined();
    expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([['fence', 'succeeded']]);
    expect(bed.target.to('/timeout-unfence')).toHaveLength(1);
  });

  it('aborts a paused recovery: the next step never starts and the completed ones are undone', async () => {
    const steps = `
    - id: fence
      action: { name: http.request, with: { url: "${bed.target.url}/paused-fence" }, undo: { name: http.request, with: { url: "${bed.target.url}/paused-unfence" } } }
    - id: settle
      wait: { duration: 1s }
    - id: restart
      action: { name: http.request, with: { url: "${bed.target.url}/paused-restart" } }`;
    const handle = await start(runbook('paused-abort', steps));
    await until(handle.workflowId, 'settle running', (current) => status(current, 'settle') === 'running');
    const paused = await controlRecovery(bed.client, handle.workflowId, 'pause', { identity: 'ivan' });
    expect(paused.paused).toBe(true);
    await until(handle.workflowId, 'settle done', (current) => status(current, 'settle') === 'succeeded');
    await controlRecovery(bed.client, handle.workflowId, 'abort', { identity: 'ivan', reason: 'call it off' });

    const report = await handle.result();
    expect(report.outcome).toBe('aborted');
    expect(report.error).toBe('aborted by ivan: call it off');
    expect(report.paused).toBe(false);
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['settle', 'succeeded'],
      ['restart', 'pending'],
    ]);
    expect(bed.target.to('/paused-restart')).toEqual([]);
    expect(bed.target.to('/paused-unfence')).toHaveLength(1);
    expect(report.operatorActs.map(({ act }) => act)).toEqual(['pause', 'abort']);
  });

  it('records every act of a recovery steered through pause, resume, skip, hold, retry and approval (saved history)', async () => {
    let restartAnswers = 503;
    bed.target.route('/acts-restart', () => ({ status: restartAnswers }));
    const steps = `
    - id: fence
      action: { name: http.request, with: { url: "${bed.target.url}/acts-fence" }, undo: { name: noop } }
    - id: settle
      wait: { duration: 10m }
    - id: restart
      action: { name: http.request, with: { url: "${bed.target.url}/acts-restart" }, retry: { maxAttempts: 1 } }
    - id: sign-off
      approval: { approvers: [alice] }
    - id: optional
      action: { name: noop }`;
    const handle = await start(runbook('operator-acts', steps, 'timeout: 2m\n  onFailure: hold'));
    const id = handle.workflowId;
    await until(id, 'settle running', (current) => status(current, 'settle') === 'running');
    await controlRecovery(bed.client, id, 'pause', { identity: 'judy', reason: 'hold on' });
    await controlRecovery(bed.client, id, 'skip', { identity: 'judy', step: 'optional' });
    await controlRecovery(bed.client, id, 'resume', { identity: 'judy' });
    await controlRecovery(bed.client, id, 'skip', { identity: 'judy', step: 'settle' });
    await until(id, 'restart holding', (current) => current.awaitingOperator?.step === 'restart');
    restartAnswers = 200;
    await controlRecovery(bed.client, id, 'retry', { identity: 'judy' , step: 'restart' });
    await until(id, 'a pending approval', (current) => current.approvals.some((approval) => approval.status === 'pending'));
    await answerApproval(bed.client, id, { decision: 'approve', identity: 'alice' });

    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['settle', 'skipped'],
      ['restart', 'succeeded'],
      ['sign-off', 'succeeded'],
      ['optional', 'skipped'],
    ]);
    expect(report.operatorActs.map(({ act, identity, step }) => [act, identity, step])).toEqual([
      ['pause', 'judy', undefined],
      ['skip', 'judy', 'optional'],
      ['resume', 'judy', undefined],
      ['skip', 'judy', 'settle'],
      ['retry', 'judy', 'restart'],
      ['approve', 'alice', 'sign-off'],
    ]);
    await saveHistoryWhenRecording(bed.client, id, 'operator-acts');
  });
});
