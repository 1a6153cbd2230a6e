/**
 * The codec endpoint of the webhook server, over a real socket: Temporal's remote codec protocol
 * with a token, CORS only for the configured UI origin, and interoperable with the Temporal CLI's
 * `--codec-endpoint` (the same protocol the Temporal UI speaks).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../../runtime/temporal-cli';
import { startEncryptedRecovery, type EncryptedRecovery } from '../helpers/encrypted-recovery';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

const uiOrigin = 'http://127.0.0.1:8233';

let temporal: TestTemporal;
let recovery: EncryptedRecovery;
let secret: string;
let token: string;
let workflowId: string;
let url: string;

beforeAll(async () => {
  temporal = await startTestTemporal();
  recovery = await startEncryptedRecovery(temporal, { uiOrigin });
  ({ secret, token, workflowId } = recovery);
  url = `${recovery.baseUrl}/codec`;
});
afterAll(async () => {
  await recovery?.app.close();
  await temporal?.stop();
});

function showHistory(codecArgs: string[]) {
  return promisify(execFile)(resolveTemporalCli(), ['workflow', 'show', '--workflow-id', workflowId, '--address', temporal.address, '--output', 'json', ...codecArgs]);
}

describe('codec endpoint', () => {
  it('keeps the encrypted history unreadable to the Temporal CLI without a codec', async () => {
    expect((await showHistory([])).stdout).not.toContain(secret);
  });

  it('lets the Temporal CLI decode the history through it (--codec-endpoint, --codec-auth)', async () => {
    const { stdout } = await showHistory(['--codec-endpoint', url, '--codec-auth', `Bearer ${token}`]);
    const started = (JSON.parse(stdout) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata: Record<string, string>; data: string }[] } } }[] }).events[0];
    const [input] = started?.workflowExecutionStartedEventAttributes?.input.payloads ?? [];

    expect(Buffer.from(input?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(input?.data ?? '', 'base64').toString())).toEqual({ token: secret });
  });

  it('refuses the Temporal CLI a decode without the token (the history stays ciphertext)', async () => {
    const refused = await showHistory(['--codec-endpoint', url, '--codec-auth', 'Bearer wrong-token-0123456789']).then(
      () => undefined,
      (error: Error & { stdout?: string }) => error,
    );

    // The CLI retries a refused decode; on a loaded machine its deadline ends the retries before it reports the 401.
    expect(refused?.message).toMatch(/401|context deadline exceeded/);
    expect(refused?.stdout ?? '').not.toContain(secret);
  });

  it('answers a preflight from the UI origin with CORS headers and refuses other origins', async () => {
    const preflight = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { origin: uiOrigin, 'access-control-request-method': 'POST' } });
    const foreign = await fetch(`${url}/decode`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: [] }),
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await foreign.json()).toEqual({ error: { code: 'forbidden', message: 'origin http://evil.example may not call the codec endpoint' } });
  });

  it('round-trips payloads for the UI origin and refuses malformed bodies with a coded 4xx', async () => {
    const headers = { origin: uiOrigin, authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(secret)).toString('base64') };
    const encoded = (await (await fetch(`${url}/encode`, { method: 'POST', headers, body: JSON.stringify({ payloads: [plain] }) })).json()) as { payloads: unknown[] };
    const decoded = await fetch(`${url}/decode`, { method: 'POST', headers, body: JSON.stringify(encoded) });
    const malformed = await fetch(`${url}/decode`, { method: 'POST', headers, body: JSON.stringify({ payloads: [{ data: 'not base64!' }] }) });

    expect(JSON.stringify(encoded)).not.toContain(plain.data);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(await decoded.json()).toEqual({ payloads: [plain] });
    expect(malformed.status).toBe(422);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_payload' } });
  });
});
