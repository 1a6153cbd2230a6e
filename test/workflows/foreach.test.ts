/** foreach: nested steps per item with a concurrency limit and a failure threshold (blast radius). */
import { startRecoveryFromYaml } from '../helpers/recovery';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('foreach-test', { target: true });


function foreachYaml(name: string, items: string[], options: string): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  params:
    baseUrl: { type: string, required: true }
  key: fleet
  steps:
    - id: each-host
      foreach:
        items: ${JSON.stringify(items)}
        as: host
${options}
        steps:
          - id: drain
            action:
              name: http.request
              with: { url: "{{ params.baseUrl }}/${name}/drain/{{ host }}" }
              undo: { name: http.request, with: { url: "{{ params.baseUrl }}/${name}/undrain/{{ host }}" } }
          - id: restart
            action:
              name: http.request
              with: { url: "{{ params.baseUrl }}/${name}/restart/{{ host }}" }
`;
}

const paths = (prefix: string) => bed.target.requests.filter((request) => request.path.startsWith(`/${prefix}/`)).map((request) => request.path.slice(prefix.length + 2));

describe('foreach', () => {
  it('runs the nested steps for every item, at most maxConcurrency at a time, each with its own idempotency key', async () => {
    // An item is in progress from its drain's arrival to its restart's answer; restarts are held
    // until two are waiting (or the last item), so items overlap whenever the workflow lets them.
    let inProgress = 0;
    let peak = 0;
    const held: (() => void)[] = [];
    for (const host of ['h1', 'h2', 'h3', 'h4', 'h5']) {
      bed.target.route(`/each-ok/drain/${host}`, () => {
        inProgress += 1;
        peak = Math.max(peak, inProgress);
        return { status: 200 };
      });
      bed.target.route(`/each-ok/restart/${host}`, async () => {
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length >= 2 || host === 'h5') held.splice(0).forEach((release) => release());
        });
        inProgress -= 1;
        return { status: 200 };
      });
    }
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, foreachYaml('each-ok', ['h1', 'h2', 'h3', 'h4', 'h5'], '        maxConcurrency: 2'), { baseUrl: bed.target.url });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    expect(peak).toBe(2);
    expect(paths('each-ok').filter((path) => path.startsWith('restart/')).sort()).toEqual(['restart/h1', 'restart/h2', 'restart/h3', 'restart/h4', 'restart/h5']);
    expect(bed.target.requests.find((request) => request.path === '/each-ok/drain/h3')?.idempotencyKey).toBe(`each-ok/fleet/${handle.firstExecutionRunId}/each-host/h3/drain`);
    expect(report.targets.map((item) => [item.target, item.status])).toEqual(['h1', 'h2', 'h3', 'h4', 'h5'].map((host) => [host, 'verified']));
    expect(report.steps[0]?.output).toEqual({ items: 5, succeeded: 5, failed: [], running: 0, notStarted: 0 });
  });

  it('stops launching items once more than maxFailures failed, undoing what was done', async () => {
    for (const host of ['b', 'c']) bed.target.route(`/each-stop/restart/${host}`, () => ({ status: 409, json: { error: 'refused' } }));
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, foreachYaml('each-stop', ['a', 'b', 'c', 'd', 'e', 'f'], '        maxFailures: 1'), { baseUrl: bed.target.url });
    const report = await handle.result();

    expect(report.outcome).toBe('rolled-back');
    expect(report.error).toBe('2 of 6 items failed, more than maxFailures 1 allows (b, c); 3 not started');
    // b and c undo their own drain at once; a's drain is undone by the recovery's compensation.
    expect(paths('each-stop')).toEqual(['drain/a', 'restart/a', 'drain/b', 'restart/b', 'undrain/b', 'drain/c', 'restart/c', 'undrain/c', 'undrain/a']);
    expect(report.targets.map((item) => [item.target, item.status])).toEqual([
      ['a', 'verified'],
      ['b', 'failed'],
      ['c', 'failed'],
      ['d', 'skipped'],
      ['e', 'skipped'],
      ['f', 'skipped'],
    ]);
    expect(report.compensations.map((undo) => [undo.step, undo.status])).toEqual([
      ['b/drain', 'succeeded'],
      ['c/drain', 'succeeded'],
      ['drain', 'succeeded'],
    ]);
  });

  it('ends degraded, naming the failed items, when failures stay within maxFailures', async () => {
    bed.target.route('/each-partial/restart/y', () => ({ status: 409 }));
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, foreachYaml('each-partial', ['x', 'y', 'z'], '        maxFailures: "50%"'), { baseUrl: bed.target.url })).result();
    expect(report.outcome).toBe('degraded');
    expect(report.unverifiedTargets).toEqual(['y']);
    expect(report.steps[0]?.status).toBe('succeeded');
    expect(paths('each-partial').filter((path) => path.startsWith('restart/'))).toEqual(['restart/x', 'restart/y', 'restart/z']);
  });
});
