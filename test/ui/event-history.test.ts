/**
 * What the Temporal UI shows of a recovery: the workflow's summary and details, and the summaries
 * of its activities and timers, so that the event history reads like a runbook log.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { startShippedRunbook } from '../helpers/runbook-files';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('ui-history-test', { fleet: true });

beforeEach(() => bed.fleet.reset());

/**
 * The summaries of the activities and timers a workflow scheduled, in history order. The one
 * timer without a summary is the runbook's timeout (the SDK's CancellationScope.withTimeout sets
 * none); it is checked for and left out.
 */
async function eventSummaries(handle: WorkflowHandle, runbookTimeoutSeconds: number): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  const scheduled = (events ?? []).filter((event) => event.activityTaskScheduledEventAttributes || event.timerStartedEventAttributes);
  const [timeout, ...rest] = scheduled;
  expect(timeout?.userMetadata?.summary).toBeUndefined();
  expect(Number(timeout?.timerStartedEventAttributes?.startToFireTimeout?.seconds)).toBe(runbookTimeoutSeconds);
  return rest.map((event) => (event.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary) : '(no summary)'));
}

describe('a recovery in the Temporal UI', () => {
  it('says in words what a failover is about, and each traffic shift reads as one line of the history', async () => {
    await bed.fleet.fault('site-outage', { site: 'eu-west' });
    await bed.fleet.fault('permission-desync', { service: 'checkout', add: [{ principal: 'intruder', role: 'admin' }] });
    const handle = await startShippedRunbook(
      bed.client,
      bed.taskQueue,
      'region-failover',
      { service: 'checkout', from: 'eu-west', to: 'us-east', fleetUrl: bed.fleet.url },
      { source: 'cli', by: 'alice' },
    );
    expect((await handle.result()).outcome).toBe('recovered');

    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('Recovery region-failover for checkout, started by alice (cli)');
    const details = await description.staticDetails();
    expect(details).toMatch(/^Runbook \*\*region-failover\*\* \(file sha256:[0-9a-f]{12}\) for key \*\*checkout\*\*; RTO 15m, timeout 1h; 3 step\(s\): failover, access, service-healthy\.\n\nA site failed\. Preflight/);
    expect(details).toContain(`Params: \`service=checkout\`, \`from=eu-west\`, \`to=us-east\`, \`fleetUrl=${bed.fleet.url}\``);
    expect(details).toMatch(/\n\nStarted by alice \(cli\)\.$/);

    const summaries = await eventSummaries(handle, 3600);
    expect(summaries).not.toContain('(no summary)');
    expect(summaries.slice(0, 2)).toEqual(['failover preflight: checkout from eu-west', 'failover preflight: checkout from eu-west']);
    expect(summaries.filter((summary) => summary.startsWith('shift traffic'))).toEqual([
      'shift traffic eu-west→us-east 10%',
      'shift traffic eu-west→us-east 50%',
      'shift traffic eu-west→us-east 100%',
    ]);
    expect(summaries.filter((summary) => summary.startsWith('verify traffic'))).toHaveLength(6);
    expect(summaries).toContain('re-sync access to checkout: add 0, remove 1 grant(s)');
    expect(summaries).toContain('http.check until observation.status == 200 && observation.json.errorRatio < 0.05 (service-healthy)');
    expect(summaries).toContain('next http.check poll: service-healthy (1/3 passed in a row)');
  });

  it('names each rollback wave with its number and size', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    const handle = await startShippedRunbook(bed.client, bed.taskQueue, 'service-rollback', { service: 'checkout', fleetUrl: bed.fleet.url });
    expect((await handle.result()).outcome).toBe('recovered');

    expect(await (await handle.describe()).staticSummary()).toBe('Recovery service-rollback for checkout, started by test');
    const summaries = await eventSummaries(handle, 1800);
    expect(summaries).not.toContain('(no summary)');
    expect([...new Set(summaries.filter((summary) => summary.startsWith('rollback')))]).toEqual([
      'rollback checkout: observe targets',
      'rollback wave 1/3: 1 target(s) of checkout',
      'rollback wave 2/3: 1 target(s) of checkout',
      'rollback wave 3/3: 6 target(s) of checkout',
    ]);
    // One apply per target, each under its wave's summary.
    expect(summaries.filter((summary) => summary.startsWith('rollback wave 3/3')).length).toBeGreaterThanOrEqual(6 + 2);
  });
});
