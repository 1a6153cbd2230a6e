/**
 * The Temporal Web UI decrypts payloads through Rebound's codec endpoint, in a real browser
 * (Debian's Chromium): the dev server's UI is configured with the endpoint (`--ui-codec-endpoint`,
 * the token as its last path segment), the history holds only ciphertext, and the workflow's page
 * shows the plaintext input, fetched from the UI origin over CORS.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { findFreePort } from '../../runtime/free-port';
import { launchChromium } from '../helpers/browser';
import { startEncryptedRecovery, type EncryptedRecovery } from '../helpers/encrypted-recovery';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

const token = randomBytes(24).toString('hex');

let temporal: TestTemporal;
let recovery: EncryptedRecovery | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  const codecPort = await findFreePort();
  temporal = await startTestTemporal({ ui: true, uiCodecEndpoint: `http://127.0.0.1:${codecPort}/codec/${token}` });
  const uiUrl = temporal.server.uiUrl;
  if (uiUrl === undefined) throw new Error('the dev server was started without its UI');
  recovery = await startEncryptedRecovery(temporal, { uiOrigin: new URL(uiUrl).origin, token, port: codecPort });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await recovery?.app.close();
  await temporal?.stop();
});

it('shows the plaintext input of an encrypted recovery, decoded through the codec endpoint', async () => {
  const page = await browser!.newPage();
  page.setDefaultTimeout(60_000);
  const decoded: number[] = [];
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && new URL(response.url()).pathname === `/codec/${token}/decode`) decoded.push(response.status());
  });
  await page.goto(`${temporal.server.uiUrl}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(recovery!.workflowId)}`);

  await page.getByText(recovery!.secret).first().waitFor();
  // It came from the codec endpoint, called by the browser from the UI origin (the history itself is
  // ciphertext: test/security/codec-endpoint.test.ts).
  expect(decoded.length).toBeGreaterThan(0);
  expect(decoded.every((status) => status === 200)).toBe(true);
}, 120_000);
