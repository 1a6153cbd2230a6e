/**
 * The Temporal Web UI decrypts payloads through Rebound's codec endpoint, in a real browser
 * (Debian's Chromium): the dev server's UI is configured with the endpoint (`--ui-codec-endpoint`,
 * the token as its last path segment), the history holds only ciphertext, and the workflow's page
 * shows the plaintext input, fetched from the UI origin over CORS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { codecDataConverter, codecEndpointFromEnv, loadCodecKeyring } from '../../runtime/codec-keys';
import { findFreePort } from '../../runtime/free-port';
import { createWebhookServer } from '../../server/create-server';
import { launchChromium } from '../helpers/browser';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

const secret = `planted-secret-${randomUUID()}`;
const token = randomBytes(24).toString('hex');
const workflowId = `ui-codec-${randomUUID()}`;

let temporal: TestTemporal;
let app: FastifyInstance | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  const codecPort = await findFreePort();
  temporal = await startTestTemporal({ ui: true, uiCodecEndpoint: `http://127.0.0.1:${codecPort}/codec/${token}` });
  const uiUrl = temporal.server.uiUrl;
  if (uiUrl === undefined) throw new Error('the dev server was started without its UI');
  const env = { REBOUND_CODEC_KEYS: `k1=${randomBytes(32).toString('base64')}`, REBOUND_CODEC_TOKEN: token, REBOUND_CODEC_UI_ORIGIN: new URL(uiUrl).origin };
  const dataConverter = codecDataConverter(loadCodecKeyring(env));
  const client = new Client({ connection: temporal.connection, namespace: temporal.namespace, dataConverter });
  // No worker: the start event alone holds the encrypted input.
  await client.workflow.start('runRecovery', { workflowId, taskQueue: 'nobody-polls', args: [{ token: secret }] });
  app = createWebhookServer({ client, taskQueue: 'nobody-polls', runbooks: [], auth: { token: randomBytes(16).toString('hex') }, logger: pino({ level: 'silent' }), codec: codecEndpointFromEnv(dataConverter, env) });
  await app.listen({ host: '127.0.0.1', port: codecPort });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await temporal?.stop();
});

it('shows the plaintext input of an encrypted recovery, decoded through the codec endpoint', async () => {
  const page = await browser!.newPage();
  page.setDefaultTimeout(60_000);
  const decoded: number[] = [];
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && new URL(response.url()).pathname === `/codec/${token}/decode`) decoded.push(response.status());
  });
  await page.goto(`${temporal.server.uiUrl}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`);

  await page.getByText(secret).first().waitFor();
  // It came from the codec endpoint, called by the browser from the UI origin (the history itself is
  // ciphertext: test/security/codec-endpoint.test.ts).
  expect(decoded.length).toBeGreaterThan(0);
  expect(decoded.every((status) => status === 200)).toBe(true);
}, 120_000);
