/** `run` steps: child runbooks pinned at start and run as child recoveries, against a real Temporal dev server. */
import * as path from 'node:path';
import { RunbookReferenceError, withChildRunbooks } from '../../client/child-runbooks';
import { prepareRecovery, startRecovery } from '../../client/start-recovery';
import { formatProblem, resolveRunbook } from '../../model/loader';
import type { RecoveryReport } from '../../model/recovery';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('run-child-test', { target: true });
const runbooksDir = path.join(__dirname, '..', 'fixtures', 'runbooks');


/** What `rebound start <name>` does: resolve the runbook, check params, pin its children. */
async function prepare(name: string, params: Record<string, unknown> = {}) {
  const loaded = await resolveRunbook(name, runbooksDir);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return withChildRunbooks(prepareRecovery(loaded.runbook, loaded.hash, params, { source: 'test' }), runbooksDir);
}

async function refusal(name: string): Promise<string> {
  const prepared = prepare(name);
  await expect(prepared).rejects.toBeInstanceOf(RunbookReferenceError);
  return prepared.then(
    () => '',
    (error: Error) => error.message,
  );
}

const paths = (prefix: string) => bed.target.requests.filter((request) => request.path.includes(prefix)).map((request) => request.path);

describe('run (child runbooks)', () => {
  it('runs the child as a child recovery with rendered params; both recover', async () => {
    bed.target.route('/parent/fence/checkout', () => ({ status: 200, json: { replicas: 3 } }));
    const input = await prepare('parent-with-child', { baseUrl: bed.target.url, service: 'checkout' });
    expect(Object.keys(input.children ?? {})).toEqual(['child-restart']);
    const handle = await startRecovery(bed.client, input, { taskQueue: bed.taskQueue });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    const childId = 'parent-with-child/checkout/restart';
    expect(report.steps.find((step) => step.id === 'restart')?.output).toMatchObject({ workflowId: childId, runbook: 'child-restart', outcome: 'recovered', steps: ['restart: succeeded', 'healthy: succeeded'] });
    expect(paths('/checkout')).toEqual(['/parent/fence/checkout', '/child/restart/checkout', '/child/health/checkout', '/parent/announce/checkout']);
    expect(bed.target.to('/child/restart/checkout')[0]?.body).toEqual({ replicas: 3 });
    expect(bed.target.to('/parent/announce/checkout')[0]?.body).toEqual({ child: childId });

    const child = bed.client.workflow.getHandle(childId);
    const description = await child.describe();
    expect(description.parentExecution).toEqual({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
    const childReport: RecoveryReport = await child.result();
    expect(childReport.outcome).toBe('recovered');
    expect(childReport.params).toEqual({ baseUrl: bed.target.url, service: 'checkout', replicas: 3 });
    expect(bed.target.to('/child/restart/checkout')[0]?.idempotencyKey).toBe(`${childId}/${description.runId}/restart`);
  });

  it('fails the step when the child rolls back, and the parent undoes its own earlier steps', async () => {
    bed.target.route('/parent/fence/payments', () => ({ status: 200, json: { replicas: 2 } }));
    bed.target.route('/child/health/payments', () => ({ status: 503 }));
    const handle = await startRecovery(bed.client, await prepare('parent-with-child', { baseUrl: bed.target.url, service: 'payments' }), { taskQueue: bed.taskQueue });
    const report = await handle.result();

    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toMatch(/^child recovery child-restart ended rolled-back: gate did not pass 1 time\(s\) in a row within 2s/);
    // The child undoes its restart before the parent undoes its fence; the parent never announces.
    expect(paths('/payments').filter((route) => !route.includes('/health/'))).toEqual([
      '/parent/fence/payments',
      '/child/restart/payments',
      '/child/unrestart/payments',
      '/parent/unfence/payments',
    ]);
    expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([['fence', 'succeeded']]);
    const childReport: RecoveryReport = await bed.client.workflow.getHandle('parent-with-child/payments/restart').result();
    expect(childReport.outcome).toBe('rolled-back');
  });

  it('undoes a child that succeeded when a later step of the parent fails, once, in reverse order with the parent\'s undos', async () => {
    bed.target.route('/parent/fence/carts', () => ({ status: 200, json: { replicas: 2 } }));
    bed.target.route('/parent/announce/carts', () => ({ status: 400 }));
    const handle = await startRecovery(bed.client, await prepare('parent-with-child', { baseUrl: bed.target.url, service: 'carts' }), { taskQueue: bed.taskQueue });
    const report = await handle.result();

    expect(report.outcome).toBe('rolled-back');
    expect(report.steps.map((step) => [step.id, step.status])).toEqual([
      ['fence', 'succeeded'],
      ['restart', 'succeeded'],
      ['announce', 'failed'],
    ]);
    // The child's restart is undone (by the child, where its undo was registered) before the parent's fence.
    expect(paths('/carts').filter((route) => !route.includes('/health/'))).toEqual([
      '/parent/fence/carts',
      '/child/restart/carts',
      '/parent/announce/carts',
      '/child/unrestart/carts',
      '/parent/unfence/carts',
    ]);
    expect(report.compensations.map((undo) => [undo.step, undo.action, undo.status])).toEqual([
      ['restart', 'undo child recovery child-restart', 'succeeded'],
      ['fence', 'http.request', 'succeeded'],
    ]);
    const childId = 'parent-with-child/carts/restart';
    const child = bed.client.workflow.getHandle(childId);
    const childReport: RecoveryReport = await child.result();
    expect(childReport.outcome).toBe('rolled-back');
    expect(childReport.error).toBe(`undone: the parent recovery ${childId.split('/restart')[0]} undid its steps`);
    expect(childReport.steps.map((step) => [step.id, step.status])).toEqual([
      ['restart', 'succeeded'],
      ['healthy', 'succeeded'],
    ]);
    const childRunId = (await child.describe()).runId;
    expect(bed.target.to('/child/unrestart/carts').map((request) => request.idempotencyKey)).toEqual([`${childId}/${childRunId}/restart/undo`]);
  });

  it('fails the step, starting no child, when a template renders a param the child cannot take', async () => {
    bed.target.route('/parent/fence/search', () => ({ status: 200, json: { replicas: 'lots' } }));
    const report = await (await startRecovery(bed.client, await prepare('parent-with-child', { baseUrl: bed.target.url, service: 'search' }), { taskQueue: bed.taskQueue })).result();

    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('params for runbook child-restart: param "replicas" must be of type integer, got "lots"');
    expect(paths('/search')).toEqual(['/parent/fence/search', '/parent/unfence/search']);
  });

  /** Starts parent-with-child for `service` and resolves once its child is polling a health check that never passes. */
  async function startStuckChild(service: string) {
    bed.target.route(`/parent/fence/${service}`, () => ({ status: 200, json: { replicas: 1 } }));
    bed.target.route(`/child/health/${service}`, () => ({ status: 503 }));
    const handle = await startRecovery(bed.client, await prepare('parent-with-child', { baseUrl: bed.target.url, service }), { taskQueue: bed.taskQueue });
    await bed.target.received(`/child/health/${service}`);
    return { handle, child: bed.client.workflow.getHandle(`parent-with-child/${service}/restart`) };
  }

  it('aborting the parent cancels the child, which undoes its own steps before the parent undoes its own', async () => {
    const { handle, child } = await startStuckChild('orders');
    await handle.cancel();

    expect((await handle.result()).outcome).toBe('aborted');
    expect(((await child.result()) as RecoveryReport).outcome).toBe('aborted');
    expect(paths('/orders').filter((route) => !route.includes('/health/'))).toEqual(['/parent/fence/orders', '/child/restart/orders', '/child/unrestart/orders', '/parent/unfence/orders']);
  });

  it('terminating the parent cancels the child (ParentClosePolicy REQUEST_CANCEL), which still undoes its own steps', async () => {
    const { handle, child } = await startStuckChild('billing');
    await handle.terminate('test');

    expect(((await child.result()) as RecoveryReport).outcome).toBe('aborted');
    expect(bed.target.to('/child/unrestart/billing')).toHaveLength(1);
  });

  it('succeeds but leaves the parent degraded when the child ends degraded, with the child\'s findings', async () => {
    bed.target.route('/child-soak/health', () => ({ status: 503 }));
    const report = await (await startRecovery(bed.client, await prepare('parent-with-soaking-child', { baseUrl: bed.target.url }), { taskQueue: bed.taskQueue })).result();

    expect(report.outcome).toBe('degraded');
    expect(report.steps[0]?.status).toBe('succeeded');
    expect(report.unverifiedTargets).toEqual(['watch-it/soak']);
    expect(report.findings.map((finding) => [finding.kind, finding.step])).toEqual([
      ['regression', 'watch-it'],
      ['escalation', 'watch-it'],
    ]);
    expect(report.findings[0]?.message).toMatch(/^child-soak: http\.check regressed/);
  });

  it('refuses to start a runbook that runs an unknown runbook', async () => {
    const started = bed.target.requests.length;
    expect(await refusal('parent-unknown-child')).toBe(
      `parent-unknown-child: steps[1] (delegate) runs runbook "no-such-runbook": no runbook named "no-such-runbook" in ${path.relative(process.cwd(), runbooksDir)}/`,
    );
    expect(bed.target.requests.length).toBe(started);
  });

  it('refuses a cycle of runbooks, through nested steps too', async () => {
    expect(await refusal('cycle-a')).toBe('cycle-b: steps[0].foreach.steps[0] (back-to-a) runs runbook "cycle-a": a cycle, cycle-a → cycle-b → cycle-a');
  });

  it('refuses params the child does not declare, misses or cannot take', async () => {
    expect((await refusal('parent-bad-child-params')).split('\n')).toEqual([
      'parent-bad-child-params: steps[0] (restart) runs runbook "child-restart": unknown param "servise"; child-restart declares: baseUrl, service, replicas',
      'parent-bad-child-params: steps[0] (restart) runs runbook "child-restart": missing required param "service" (string)',
      'parent-bad-child-params: steps[0] (restart) runs runbook "child-restart": param "replicas" must be of type integer, got "many"',
    ]);
  });
});
