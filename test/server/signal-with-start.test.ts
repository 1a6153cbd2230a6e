/**
 * The webhook's own signal-with-start against a real Temporal dev server: it reports whether it
 * started the run, and its payloads go through the client's codec like every SDK call (Temporal's
 * raw history holds ciphertext only). No worker polls the task queue: the workflow never runs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { codecDataConverter, loadCodecKeyring } from '../../runtime/codec-keys';
import { encryptedEncoding } from '../../runtime/codec';
import { signalWithStart } from '../../server/signal-with-start';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await startTestTemporal();
}, 60_000);
afterAll(async () => {
  await temporal?.stop();
});

it('says which call started the run and which joined it, and encrypts input, signal and summary with the codec', async () => {
  const planted = `planted-${randomUUID()}`;
  const keyring = loadCodecKeyring({ REBOUND_CODEC_KEYS: `k1=${randomBytes(32).toString('base64')}` });
  const client = new Client({ connection: temporal.connection, namespace: temporal.namespace, dataConverter: codecDataConverter(keyring) });
  const request = {
    workflowId: `signal-with-start/${randomUUID()}`,
    workflowType: 'runRecovery',
    taskQueue: 'nobody-polls-this-queue',
    args: [{ secret: planted }],
    signal: 'alerts',
    signalArgs: [[{ fingerprint: planted }]],
    staticSummary: `summary ${planted}`,
  };
  const first = await signalWithStart(client, request);
  const second = await signalWithStart(client, { ...request, signalArgs: [[{ fingerprint: 'second' }]] });
  expect(first).toEqual({ runId: expect.any(String), started: true });
  expect(second).toEqual({ runId: first.runId, started: false });

  // The raw history, read without the codec.
  const history = await temporal.client.workflow.getHandle(request.workflowId).fetchHistory();
  const [started, ...rest] = history.events!;
  const signals = rest.filter((event) => event.workflowExecutionSignaledEventAttributes);
  const payloads = [
    ...started!.workflowExecutionStartedEventAttributes!.input!.payloads!,
    ...signals.flatMap((event) => event.workflowExecutionSignaledEventAttributes!.input!.payloads!),
    started!.userMetadata!.summary!,
  ];
  expect(signals).toHaveLength(2);
  expect(payloads.map((payload) => Buffer.from(payload.metadata!.encoding!).toString())).toEqual(payloads.map(() => encryptedEncoding));
  expect(JSON.stringify(history)).not.toContain(planted);
  // Through the codec, the same payloads read back.
  expect(await (await client.workflow.getHandle(request.workflowId).describe()).staticSummary()).toBe(`summary ${planted}`);
  await temporal.client.workflow.getHandle(request.workflowId).terminate('test done');
});
