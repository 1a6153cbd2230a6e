/** `approval` steps answered with the approve/reject updates, against a real Temporal dev server. */
import { ApprovalRefusedError, answerApproval, type ApprovalAnswerRequest } from '../../client/approvals';
import { RecoveryNotFoundError } from '../../client/recovery-status';
import { prepareRecovery, startRecovery } from '../../client/start-recovery';
import { formatProblem, parseRunbook } from '../../model/loader';
import type { ApprovalState } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import { waitFor } from '../helpers/wait-for';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('approval-test');


/** A fence with an undo, the approval step `sign-off`, then a restart; all noops. */
function approvalRunbook(name: string, approval: string): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params:
    service: { type: string, default: checkout }
  key: "{{ params.service }}"
  timeout: 2m
  steps:
    - id: fence
      action: { name: noop, with: { output: fenced }, undo: { name: noop } }
    - id: sign-off
      approval: ${approval}
    - id: restart
      action: { name: noop, with: { output: restarted } }
`;
}

function loadRunbook(yaml: string) {
  const loaded = parseRunbook(yaml, 'approval.yaml');
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return loaded;
}

/** Starts a recovery as `by` (the trigger's identity, which four-eyes compares against). */
async function startAs(by: string | undefined, yaml: string) {
  const { runbook, hash } = loadRunbook(yaml);
  return startRecovery(bed.client, prepareRecovery(runbook, hash, {}, { source: 'test', by }), { taskQueue: bed.taskQueue });
}

async function pendingApproval(workflowId: string): Promise<ApprovalState> {
  const handle = bed.client.workflow.getHandle(workflowId);
  let pending: ApprovalState | undefined;
  await waitFor(async () => {
    pending = (await handle.query(stateQuery)).approvals.find((approval) => approval.status === 'pending');
    return pending !== undefined;
  }, `a pending approval in ${workflowId}`);
  return pending as ApprovalState;
}

async function refusal(workflowId: string, request: ApprovalAnswerRequest): Promise<string> {
  const answer = answerApproval(bed.client, workflowId, request);
  await expect(answer).rejects.toBeInstanceOf(ApprovalRefusedError);
  return answer.then(
    () => '',
    (error: Error) => error.message,
  );
}

async function acceptedUpdates(workflowId: string): Promise<number> {
  const history = await bed.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('approval step', () => {
  it('succeeds once a quorum of approvers approves, shows who it waits for meanwhile, and runs the later steps', async () => {
    const handle = await startAs('dana', approvalRunbook('quorum', '{ approvers: [alice, bob, carol], quorum: 2, message: "Restart {{ params.service }}?" }'));
    const pending = await pendingApproval(handle.workflowId);
    expect(pending).toMatchObject({ step: 'sign-off', approvers: ['alice', 'bob', 'carol'], quorum: 2, message: 'Restart checkout?', onTimeout: 'reject', answers: [] });

    const afterAlice = await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'alice', reason: 'looks right' });
    expect(afterAlice.status).toBe('pending');
    expect(afterAlice.answers).toMatchObject([{ identity: 'alice', decision: 'approve', reason: 'looks right' }]);
    const waiting = await handle.query(stateQuery);
    expect(waiting.phase).toBe('mitigating');
    expect(waiting.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['sign-off', 'running'],
      ['restart', 'pending'],
    ]);
    expect(waiting.steps[1]?.output).toEqual({ waitingFor: ['bob', 'carol'], quorum: 2, approvedBy: ['alice'] });

    const afterBob = await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'bob', step: 'sign-off' });
    expect(afterBob.status).toBe('approved');

    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['sign-off', 'succeeded'],
      ['restart', 'succeeded'],
    ]);
    expect(report.steps[1]?.output).toEqual({ approvedBy: ['alice', 'bob'] });
    expect(report.approvals).toHaveLength(1);
    expect(report.approvals[0]).toMatchObject({ step: 'sign-off', status: 'approved' });
    expect(report.approvals[0]?.answers.map((answer) => [answer.identity, answer.decision, answer.reason])).toEqual([
      ['alice', 'approve', 'looks right'],
      ['bob', 'approve', undefined],
    ]);
    expect(Date.parse(report.approvals[0]?.decidedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(report.approvals[0]?.requestedAt ?? ''));
  });

  it('fails on one reject, naming who and why, and undoes the steps before it', async () => {
    const handle = await startAs('dana', approvalRunbook('rejected', '{ approvers: [alice, bob], quorum: 2 }'));
    await pendingApproval(handle.workflowId);
    await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'alice' });
    const rejected = await answerApproval(bed.client, handle.workflowId, { decision: 'reject', identity: 'bob', reason: 'not during peak traffic' });
    expect(rejected.status).toBe('rejected');

    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('approval rejected by bob: not during peak traffic');
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['sign-off', 'failed'],
      ['restart', 'pending'],
    ]);
    expect(report.steps[1]?.error).toBe(report.error);
    expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([['fence', 'succeeded']]);
    expect(report.approvals[0]?.answers.map((answer) => [answer.identity, answer.decision])).toEqual([
      ['alice', 'approve'],
      ['bob', 'reject'],
    ]);
  });

  it('refuses an answer from someone who is not an approver, without touching state or history', async () => {
    const handle = await startAs('dana', approvalRunbook('unknown-approver', '{ approvers: [alice, bob] }'));
    await pendingApproval(handle.workflowId);
    expect(await refusal(handle.workflowId, { decision: 'approve', identity: 'mallory' })).toBe('"mallory" is not an approver of step "sign-off" (approvers: alice, bob)');
    expect(await refusal(handle.workflowId, { decision: 'reject', identity: 'mallory' })).toBe('"mallory" is not an approver of step "sign-off" (approvers: alice, bob)');
    expect(await refusal(handle.workflowId, { decision: 'approve', identity: ' ' })).toBe('an answer needs the identity of who gives it');

    const state = await handle.query(stateQuery);
    expect(state.approvals[0]?.answers).toEqual([]);
    expect(state.approvals[0]?.status).toBe('pending');
    expect(await acceptedUpdates(handle.workflowId)).toBe(0);

    await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'bob' });
    expect((await handle.result()).outcome).toBe('recovered');
  });

  it('refuses the starter approving their own recovery (four-eyes), but lets them reject', async () => {
    const handle = await startAs('alice', approvalRunbook('four-eyes', '{ approvers: [alice, bob], quorum: 1 }'));
    await pendingApproval(handle.workflowId);
    expect((await handle.query(stateQuery)).steps[1]?.output).toEqual({ waitingFor: ['bob'], quorum: 1, approvedBy: [] });
    expect(await refusal(handle.workflowId, { decision: 'approve', identity: 'alice' })).toBe(
      '"alice" started this recovery and may not approve it (four-eyes: the runbook does not set allowSelfApproval)',
    );
    expect((await handle.query(stateQuery)).approvals[0]?.answers).toEqual([]);

    await answerApproval(bed.client, handle.workflowId, { decision: 'reject', identity: 'alice', reason: 'changed my mind' });
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('approval rejected by alice: changed my mind');
  });

  it('lets the starter approve when the runbook sets allowSelfApproval', async () => {
    const handle = await startAs('alice', approvalRunbook('self-approval', '{ approvers: [alice, bob], allowSelfApproval: true }'));
    await pendingApproval(handle.workflowId);
    const approved = await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'alice' });
    expect(approved.status).toBe('approved');
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.steps[1]?.output).toEqual({ approvedBy: ['alice'] });
  });

  it('refuses a second answer from the same approver, and an answer meant for another step', async () => {
    const handle = await startAs('dana', approvalRunbook('answers-twice', '{ approvers: [alice, bob], quorum: 2 }'));
    await pendingApproval(handle.workflowId);
    const first = await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'alice' });
    const twice = await refusal(handle.workflowId, { decision: 'approve', identity: 'alice' });
    expect(twice).toBe(`"alice" already answered approve to step "sign-off" at ${first.answers[0]?.at}`);
    expect(await refusal(handle.workflowId, { decision: 'reject', identity: 'alice' })).toBe(twice);
    expect(await refusal(handle.workflowId, { decision: 'approve', identity: 'bob', step: 'restart' })).toBe('step "restart" is not waiting for approval: step "sign-off" is');
    expect((await handle.query(stateQuery)).approvals[0]?.answers.map((answer) => answer.identity)).toEqual(['alice']);
    expect(await acceptedUpdates(handle.workflowId)).toBe(1);

    await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'bob' });
    expect((await handle.result()).outcome).toBe('recovered');
  });

  it('refuses an answer while no approval is pending: during another step and once the recovery has ended', async () => {
    const yaml = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: nothing-pending }
spec:
  steps:
    - id: settle
      wait: { duration: 1h }
    - id: sign-off
      approval: { approvers: [alice] }
`;
    const handle = await startAs('dana', yaml);
    await waitFor(async () => (await handle.query(stateQuery)).steps[0]?.status === 'running', 'the wait step to start');
    expect(await refusal(handle.workflowId, { decision: 'approve', identity: 'alice' })).toBe('no approval is pending');
    expect(await refusal(handle.workflowId, { decision: 'reject', identity: 'alice', step: 'sign-off' })).toBe('step "sign-off" is not waiting for approval: no approval is pending');
    expect(await acceptedUpdates(handle.workflowId)).toBe(0);
    await handle.cancel();
    const report = await handle.result();
    expect(report.outcome).toBe('aborted');
    expect(report.approvals).toEqual([]);
    expect(await refusal(handle.workflowId, { decision: 'approve', identity: 'alice' })).toBe('the recovery has ended (completed): no approval is pending');
  });

  it('fails at its timeout when nobody answers (onTimeout: reject)', async () => {
    const handle = await startAs('dana', approvalRunbook('times-out', '{ approvers: [alice, bob], timeout: 1s }'));
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('approval timed out: 0 of 1 approval(s) within 1s; waiting for alice, bob');
    expect(report.approvals[0]?.status).toBe('timed-out');
    expect(report.findings).toEqual([]);
  });

  it('records an escalation finding and fails at its timeout with onTimeout: escalate', async () => {
    const handle = await startAs('alice', approvalRunbook('escalates', '{ approvers: [alice, bob, carol], quorum: 2, timeout: 2s, onTimeout: escalate }'));
    await pendingApproval(handle.workflowId);
    await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'bob' });
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('approval escalated: 1 of 2 approval(s) within 2s; waiting for carol');
    expect(report.findings).toMatchObject([
      { kind: 'escalation', step: 'sign-off', message: report.error, details: { approvers: ['alice', 'bob', 'carol'], quorum: 2, approvedBy: ['bob'], waitingFor: ['carol'] } },
    ]);
    expect(report.approvals[0]?.status).toBe('timed-out');
  });

  it('succeeds at its timeout with onTimeout: approve, saying so in its output', async () => {
    const handle = await startAs('dana', approvalRunbook('approves-on-timeout', '{ approvers: [alice], timeout: 1s, onTimeout: approve }'));
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.steps[1]?.output).toEqual({ approvedBy: [], approvedOnTimeout: true });
    expect(report.approvals[0]?.status).toBe('timed-out');
  });

  it('is cancelled by the runbook timeout, and refuses answers from then on', async () => {
    const handle = await startAs('dana', approvalRunbook('runbook-times-out', '{ approvers: [alice] }').replace('timeout: 2m', 'timeout: 2s'));
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('runbook timeout 2s exceeded');
    expect(report.steps[1]).toMatchObject({ status: 'failed', error: 'cancelled' });
    expect(report.approvals[0]?.status).toBe('cancelled');
  });

  it('says when there is no recovery with that id', async () => {
    await expect(answerApproval(bed.client, 'no-such/recovery', { decision: 'approve', identity: 'alice' })).rejects.toThrow(new RecoveryNotFoundError('no-such/recovery'));
  });
});

describe('approval step schema', () => {
  const problems = (approval: string): string[] => {
    const loaded = parseRunbook(approvalRunbook('schema', approval), 'approval.yaml');
    return loaded.ok ? [] : loaded.problems.map(formatProblem);
  };

  it('applies the defaults: quorum 1, timeout 1h, reject on timeout, four-eyes', () => {
    const loaded = loadRunbook(approvalRunbook('defaults', '{ approvers: [alice] }'));
    const step = loaded.runbook.spec.steps[1];
    expect(step && 'approval' in step ? step.approval : undefined).toEqual({ approvers: ['alice'], quorum: 1, timeout: '1h', onTimeout: 'reject', allowSelfApproval: false });
  });

  it('refuses a quorum the approvers cannot meet, duplicate or missing approvers, bad values and unknown fields', () => {
    expect(problems('{ approvers: [alice, bob], quorum: 3 }')).toEqual(['approval.yaml:14:52: steps[1].approval.quorum: quorum 3 cannot be met by 2 approver(s)']);
    expect(problems('{ approvers: [alice, alice], quorum: 2 }')).toEqual([
      'approval.yaml:14:38: steps[1].approval.approvers[1]: duplicate approver "alice"',
      'approval.yaml:14:54: steps[1].approval.quorum: quorum 2 cannot be met by 1 approver(s)',
    ]);
    expect(problems('{ approvers: [] }')).toEqual(['approval.yaml:14:30: steps[1].approval.approvers: an approval needs at least one approver']);
    expect(problems('{ approvers: [""], timeout: soon }')).toEqual([
      'approval.yaml:14:31: steps[1].approval.approvers[0]: expected an approver identity',
      'approval.yaml:14:45: steps[1].approval.timeout: expected a duration like 30s, 5m or 1h30m, got "soon"',
    ]);
    expect(problems('{ approvers: [alice], onTimeout: ignore }')).toEqual(['approval.yaml:14:50: steps[1].approval.onTimeout: expected one of reject, approve, escalate']);
    expect(problems('{ approvers: [alice], selfApproval: true }')).toEqual(['approval.yaml:14:39: steps[1].approval.selfApproval: unknown field']);
  });

  it('checks the message template and the params it uses', () => {
    expect(problems('{ approvers: [alice], message: "{{ 1 + }}" }')).toEqual(['approval.yaml:14:48: steps[1].approval.message: invalid template {{ 1 + }}: Unexpected token: EOF']);
    expect(problems('{ approvers: [alice], message: "{{ params.nope }}" }')).toEqual([
      'approval.yaml:14:48: steps[1].approval.message: undeclared param "nope" in params.nope; declare it under spec.params',
    ]);
  });
});
