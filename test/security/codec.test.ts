/** The AES-256-GCM payload codec alone: round trips, refuses altered or relabelled ciphertext, passes plaintext payloads through. */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, type CodecKey } from '../../runtime/codec';
import { loadCodecKeyring } from '../../runtime/codec-keys';

const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
const ring = (...keys: CodecKey[]) => ({ active: keys[0]!, keys: new Map(keys.map((entry) => [entry.id, entry])) });
const payload: Payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"token":"hunter2"}') };

/** A payload as text, whatever classes its bytes came in. */
const readable = (value: Payload) => ({
  metadata: Object.fromEntries(Object.entries(value.metadata ?? {}).map(([name, bytes]) => [name, Buffer.from(bytes).toString()])),
  data: Buffer.from(value.data ?? []).toString(),
});

describe('AES-256-GCM payload codec', () => {
  it('round-trips payloads and never carries their bytes in the clear', async () => {
    const codec = new AesGcmPayloadCodec(ring(key('k1')));
    const [encoded] = await codec.encode([payload]);

    expect(Buffer.from(encoded!.data!).includes(Buffer.from('hunter2'))).toBe(false);
    expect(new TextDecoder().decode(encoded!.metadata!['encryption-key-id'])).toBe('k1');
    expect((await codec.decode([encoded!])).map(readable)).toEqual([readable(payload)]);
  });

  it('uses a fresh IV per payload', async () => {
    const codec = new AesGcmPayloadCodec(ring(key('k1')));
    const [first, second] = await codec.encode([payload, payload]);

    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
  });

  it('refuses altered ciphertext and a payload relabelled to another key id', async () => {
    const one = key('k1');
    const two = { id: 'k2', key: one.key };
    const codec = new AesGcmPayloadCodec(ring(one, two));
    const [encoded] = await codec.encode([payload]);
    const altered = Buffer.from(encoded!.data!);
    altered[20] = altered[20]! ^ 1;
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': new TextEncoder().encode('k2') } };

    await expect(codec.decode([{ ...encoded!, data: altered }])).rejects.toThrow('payload encrypted with key "k1" does not authenticate: wrong key or altered data');
    await expect(codec.decode([relabelled])).rejects.toThrow('payload encrypted with key "k2" does not authenticate');
  });

  it('passes payloads that were never encrypted through unchanged (history from before encryption was turned on)', async () => {
    expect(await new AesGcmPayloadCodec(ring(key('k1'))).decode([payload])).toEqual([payload]);
  });
});

describe('codec keys from the environment', () => {
  const k = (id: string) => `${id}=${randomBytes(32).toString('base64')}`;

  it('is off when neither variable is set', () => {
    expect(loadCodecKeyring({})).toBeUndefined();
  });

  it('writes with the first key and reads with all, from commas or lines with comments', () => {
    const keyring = loadCodecKeyring({ REBOUND_CODEC_KEYS: `${k('new')}\n# rotated out next month\n${k('old')}, ${k('older')}` });

    expect(keyring?.active.id).toBe('new');
    expect([...(keyring?.keys.keys() ?? [])]).toEqual(['new', 'old', 'older']);
  });

  it.each([
    [{ REBOUND_CODEC_KEYS: 'k1' }, 'REBOUND_CODEC_KEYS (entry 1): expected id=<base64 key>, the id of letters, digits, ., _ or - (at most 64)'],
    [{ REBOUND_CODEC_KEYS: 'k1=c2hvcnQ=' }, 'REBOUND_CODEC_KEYS (entry 1): key "k1" is not 32 bytes of base64 (make one with: openssl rand -base64 32)'],
    [{ REBOUND_CODEC_KEYS: `${k('a')},${k('a')}` }, 'REBOUND_CODEC_KEYS: a key id appears twice'],
    [{ REBOUND_CODEC_KEYS: k('a'), REBOUND_CODEC_KEY_FILE: '/x' }, 'REBOUND_CODEC_KEYS and REBOUND_CODEC_KEY_FILE are both set: set one'],
    [{ REBOUND_CODEC_KEY_FILE: '/nonexistent/keys' }, 'REBOUND_CODEC_KEY_FILE: cannot read /nonexistent/keys: ENOENT'],
  ])('refuses %j', (env, message) => {
    expect(() => loadCodecKeyring(env)).toThrow(message);
  });
});
