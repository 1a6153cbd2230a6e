/**
 * The Temporal Web UI of the dev server in a real browser (Debian's Chromium through
 * playwright-core): an operator filters the workflow list by `ReboundRunbook`, finds the recovery
 * that is waiting for an approval (and not the other runbook's), opens it and reads the summary
 * and details Rebound wrote for it.
 */
import type { Browser, Page } from 'playwright-core';
import { searchAttributes } from '../../model/search-attributes';
import { launchChromium } from '../helpers/browser';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';

const bed = useTestbed('ui-browser-test', { ui: true });
let browser: Browser;
let page: Page;

/** Generous: the UI is a single-page app served by the dev server, on a loaded 2-core machine. */
const uiTimeoutMs = 60_000;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(uiTimeoutMs);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

function runbook(name: string): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata:
  name: ${name}
  description: Waits for an operator, so that it is still running while the browser looks.
spec:
  params:
    service: { type: string, required: true }
  key: "{{ params.service }}"
  timeout: 10m
  steps:
    - id: sign-off
      approval: { approvers: [bob], timeout: 10m }
`;
}

const startWaiting = (name: string, service: string) => startRecoveryFromYaml(bed.client, bed.taskQueue, runbook(name), { service }, { source: 'cli', by: 'alice' });

/** The list the UI shows comes from visibility: wait until the server lists the recovery there. */
async function untilListed(query: string, workflowId: string): Promise<void> {
  await waitFor(
    async () => {
      for await (const execution of bed.client.workflow.list({ query })) if (execution.workflowId === workflowId) return true;
      return false;
    },
    `${workflowId} in visibility`,
    30_000,
    200,
  );
}

describe('the Temporal UI in a browser', () => {
  it('finds a running recovery by ReboundRunbook and shows its summary and details', async () => {
    const wanted = await startWaiting('ui-browser-check', 'checkout');
    const other = await startWaiting('ui-browser-other', 'checkout');
    const query = `${searchAttributes.runbook.name} = "ui-browser-check"`;
    await untilListed(query, wanted.workflowId);
    await untilListed(`${searchAttributes.runbook.name} = "ui-browser-other"`, other.workflowId);

    const uiUrl = bed.temporal.server.uiUrl;
    if (uiUrl === undefined) throw new Error('the dev server was started without its UI');
    await page.goto(`${uiUrl}/namespaces/${bed.temporal.namespace}/workflows?query=${encodeURIComponent(query)}`);

    const row = page.getByRole('link', { name: wanted.workflowId, exact: true });
    await row.waitFor();
    // The list is rendered, and filtered: the other runbook's recovery is not in it.
    await expect(page.getByText(query).first().isVisible()).resolves.toBe(true);
    expect(await page.getByRole('link', { name: other.workflowId, exact: true }).count()).toBe(0);

    await row.click();
    await page.waitForURL((url) => url.pathname.includes(`/workflows/${encodeURIComponent(wanted.workflowId)}/`));
    await page.getByRole('heading', { name: wanted.workflowId }).waitFor();
    await page.getByRole('tab', { name: 'User Metadata' }).click();

    // The UI renders summary and details (Markdown) in frames of their own.
    const summary = page.frameLocator('#user-metadata-summary');
    await summary.getByText('Recovery ui-browser-check for checkout, started by alice (cli)').waitFor();
    const details = page.frameLocator('#user-metadata-details');
    await details.getByText(/Runbook ui-browser-check \(file sha256:[0-9a-f]{12}\) for key checkout; timeout 10m; 1 step\(s\): sign-off\./).waitFor();
    await details.getByText('Waits for an operator, so that it is still running while the browser looks.').waitFor();

    await wanted.terminate('browser test done');
    await other.terminate('browser test done');
  }, 240_000);
});
